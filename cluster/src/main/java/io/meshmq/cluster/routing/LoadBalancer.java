package io.meshmq.cluster.routing;

import io.meshmq.engine.processor.AddressSettings;
import io.meshmq.engine.processor.ServerMessage;

import java.util.ArrayList;
import java.util.List;

/**
 * Chooses which binding of a routing key takes a message: one type per {@link AddressSettings.LoadBalancing} policy.
 * Grouping handlers slot in here as another type.
 * <p>
 * Not thread safe: processor thread only.
 */
interface LoadBalancer
{
    /**
     * @param local  this node's binding, or null if it has none.
     * @param remote other nodes' bindings; not empty.
     * @param key    the routing key: round robin counts per key.
     * @return the binding that takes the message, or null for none.
     */
    Binding choose(LocalBinding local, List<RemoteBinding> remote, ServerMessage message, String key);

    static LoadBalancer of(final AddressSettings.LoadBalancing policy, final RoundRobin roundRobin)
    {
        switch (policy)
        {
            case OFF: return new StayHere();
            case STRICT: return new StrictRoundRobin(roundRobin);
            case ON_DEMAND: return new OnDemand(roundRobin);
            default: throw new IllegalArgumentException("no load balancer for " + policy);
        }
    }

    /**
     * OFF: a message stays on the node it was sent to.
     */
    final class StayHere implements LoadBalancer
    {
        @Override
        public Binding choose(final LocalBinding local, final List<RemoteBinding> remote, final ServerMessage message,
            final String key)
        {
            return local;
        }
    }

    /**
     * STRICT: round robin over every binding, consumers or not.
     */
    final class StrictRoundRobin implements LoadBalancer
    {
        private final RoundRobin roundRobin;
        private final ArrayList<Binding> candidates = new ArrayList<>();

        StrictRoundRobin(final RoundRobin roundRobin)
        {
            this.roundRobin = roundRobin;
        }

        @Override
        public Binding choose(final LocalBinding local, final List<RemoteBinding> remote, final ServerMessage message,
            final String key)
        {
            candidates.clear();
            if (local != null)
            {
                candidates.add(local);
            }
            candidates.addAll(remote);
            return roundRobin.next(key, candidates);
        }
    }

    /**
     * ON_DEMAND: here while this node's consumers keep up; else round robin over the bindings with a consumer for the
     * message; with none anywhere, here (or, for a subscription of other nodes only, where it is, to wait there).
     */
    final class OnDemand implements LoadBalancer
    {
        private final RoundRobin roundRobin;
        private final ArrayList<Binding> candidates = new ArrayList<>();

        OnDemand(final RoundRobin roundRobin)
        {
            this.roundRobin = roundRobin;
        }

        @Override
        public Binding choose(final LocalBinding local, final List<RemoteBinding> remote, final ServerMessage message,
            final String key)
        {
            final boolean localTakes = local != null && local.hasConsumerFor(message);
            if (localTakes && local.keepsUp())
            {
                return local;
            }
            candidates.clear();
            if (localTakes)
            {
                candidates.add(local);
            }
            for (final RemoteBinding binding : remote)
            {
                if (binding.hasConsumerFor(message))
                {
                    candidates.add(binding);
                }
            }
            if (candidates.isEmpty())
            {
                if (local != null)
                {
                    return local;
                }
                candidates.addAll(remote);
            }
            return roundRobin.next(key, candidates);
        }
    }
}
