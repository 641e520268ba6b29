package io.meshmq.cluster.routing;

import io.meshmq.engine.processor.AddressSettings;
import io.meshmq.engine.processor.ServerMessage;

import java.util.ArrayList;
import java.util.List;

/**
 * Chooses which binding of a routing key takes a message: one type per {@link AddressSettings.LoadBalancing} policy.
 * Among the candidates a policy allows, only those of the best rank that can be reached are chosen (a standby site's
 * nodes, of rank 2, get nothing while a node of rank 1 is up), by their weights. Grouping handlers slot in here as
 * another type.
 * <p>
 * Not thread safe: processor thread only.
 */
interface LoadBalancer
{
    /**
     * @param local       this node's binding, or null if it has none.
     * @param remote      other nodes' bindings; not empty.
     * @param key         the routing key: round robin counts per key.
     * @param preferLocal the address's prefer-local: ON_DEMAND keeps a message here while a local consumer keeps up.
     * @return the binding that takes the message, or null for none.
     */
    Binding choose(LocalBinding local, List<RemoteBinding> remote, ServerMessage message, String key,
        boolean preferLocal);

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
     * @return the best (lowest) rank among the reachable candidates; with none reachable, among all of them.
     */
    static int bestRank(final List<? extends Binding> candidates)
    {
        int best = Integer.MAX_VALUE;
        int bestOfAll = Integer.MAX_VALUE;
        for (int i = 0; i < candidates.size(); i++)
        {
            final Binding candidate = candidates.get(i);
            bestOfAll = Math.min(bestOfAll, candidate.rank());
            if (candidate.isReachable())
            {
                best = Math.min(best, candidate.rank());
            }
        }
        return best == Integer.MAX_VALUE ? bestOfAll : best;
    }

    /**
     * Keeps only the candidates of the best rank (see {@link #bestRank}), in place.
     */
    static <T extends Binding> List<T> ofBestRank(final List<T> candidates)
    {
        final int best = bestRank(candidates);
        candidates.removeIf(candidate -> candidate.rank() != best);
        return candidates;
    }

    /**
     * OFF: a message stays on the node it was sent to.
     */
    final class StayHere implements LoadBalancer
    {
        @Override
        public Binding choose(final LocalBinding local, final List<RemoteBinding> remote, final ServerMessage message,
            final String key, final boolean preferLocal)
        {
            return local;
        }
    }

    /**
     * STRICT: round robin by weight over every binding of the best rank, consumers or not.
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
            final String key, final boolean preferLocal)
        {
            candidates.clear();
            if (local != null)
            {
                candidates.add(local);
            }
            candidates.addAll(remote);
            return roundRobin.next(key, ofBestRank(candidates));
        }
    }

    /**
     * ON_DEMAND: among the bindings with a consumer for the message, those of the best rank; here while this node is
     * one of them and its consumers keep up (unless prefer-local is off), else round robin by weight. With no consumer
     * anywhere: here, unless this node's rank is worse than a reachable node's (then that node's, to wait there); with
     * no binding here (a subscription of other nodes only), where it is, to wait there.
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
            final String key, final boolean preferLocal)
        {
            candidates.clear();
            final boolean localTakes = local != null && local.hasConsumerFor(message);
            if (localTakes)
            {
                candidates.add(local);
            }
            for (int i = 0; i < remote.size(); i++)
            {
                final RemoteBinding binding = remote.get(i);
                if (binding.hasConsumerFor(message))
                {
                    candidates.add(binding);
                }
            }
            if (!candidates.isEmpty())
            {
                ofBestRank(candidates);
                final boolean localIsBest = localTakes && candidates.get(0) == local;
                return localIsBest && preferLocal && local.keepsUp() ? local : roundRobin.next(key, candidates);
            }
            if (local != null)
            {
                candidates.add(local);
            }
            candidates.addAll(remote);
            ofBestRank(candidates);
            if (local != null && candidates.get(0) == local)
            {
                return local;
            }
            return roundRobin.next(key, candidates);
        }
    }
}
