package io.meshmq.cluster.routing;

import io.meshmq.engine.processor.AddressSettings;
import io.meshmq.engine.processor.ServerMessage;
import io.meshmq.engine.processor.ServerQueue;

/**
 * A queue or subscription of this node, as a candidate of load balancing.
 * <p>
 * Design note: routing asks for one choice at a time and uses it at once, so the router keeps one of these and
 * {@link #bind}s it to each local queue it offers, instead of making an object per routed message.
 * <p>
 * Not thread safe: processor thread only.
 */
final class LocalBinding implements Binding
{
    private final Topology topology;
    private ServerQueue queue;
    private AddressSettings settings;

    /**
     * @param topology says whether this node is suspended.
     */
    LocalBinding(final Topology topology)
    {
        this.topology = topology;
    }

    /**
     * @param settings its address's settings: this node's weight and rank for it.
     * @return this, standing for {@code queue} until the next call.
     */
    LocalBinding bind(final ServerQueue queue, final AddressSettings settings)
    {
        this.queue = queue;
        this.settings = settings;
        return this;
    }

    ServerQueue queue()
    {
        return queue;
    }

    /**
     * @return false while this node is suspended: its consumers are leaving it.
     */
    @Override
    public boolean hasConsumerFor(final ServerMessage message)
    {
        return !topology.suspended && queue.hasConsumerFor(message);
    }

    @Override
    public boolean isReachable()
    {
        return true;
    }

    @Override
    public int weight()
    {
        return settings.clusterWeight();
    }

    /**
     * @return this node's rank for the address; past every rank while this node is suspended.
     */
    @Override
    public int rank()
    {
        return topology.suspended ? settings.clusterRank() + AddressSettings.LAST_CLUSTER_RANK : settings.clusterRank();
    }

    /**
     * @return true if a message added now would be delivered at once.
     */
    boolean keepsUp()
    {
        return queue.keepsUp();
    }
}
