package io.meshmq.cluster.routing;

import io.meshmq.engine.processor.AddressSettings;
import io.meshmq.engine.processor.ServerMessage;
import io.meshmq.selector.Selector;

/**
 * A queue or subscription of another node, as that node last told this one.
 * <p>
 * Not thread safe: owned by the processor thread.
 */
final class RemoteBinding implements Binding
{
    private static final Selector[] NONE = new Selector[0];

    final RemoteNode node;
    final String queue;
    final String address;
    final boolean topic;
    /** A queue, or a durable or shared subscription: one binding of its name anywhere takes a message. */
    boolean grouped;
    /** A subscription's selector, null for every message. */
    Selector filter;
    int consumers;
    /** The consumers' distinct selectors, null entries for consumers that take every message. */
    Selector[] selectors = NONE;
    /** Its node's share of the address's messages, and its rank (1 the first choice), as the node announced. */
    int weight = AddressSettings.DEFAULT_CLUSTER_WEIGHT;
    int rank = AddressSettings.DEFAULT_CLUSTER_RANK;
    /** The node's link generation in which it was last told of; older ones are dropped after a new snapshot. */
    long generation;

    RemoteBinding(final RemoteNode node, final String queue, final String address, final boolean topic)
    {
        this.node = node;
        this.queue = queue;
        this.address = address;
        this.topic = topic;
    }

    /**
     * @return the name that groups it with bindings of other nodes: one of a group takes each message.
     */
    String routingKey()
    {
        return grouped ? queue : node.id + '/' + queue;
    }

    boolean accepts(final ServerMessage message)
    {
        return filter == null || message.matches(filter);
    }

    /**
     * @return true while its node is reachable and it has a consumer that would take the message; false while its
     * node is suspended (its consumers are leaving it).
     */
    @Override
    public boolean hasConsumerFor(final ServerMessage message)
    {
        if (!hasConsumers())
        {
            return false;
        }
        for (final Selector selector : selectors)
        {
            if (selector == null || message.matches(selector))
            {
                return true;
            }
        }
        return false;
    }

    boolean hasConsumers()
    {
        return consumers > 0 && node.isReachable() && !node.suspended;
    }

    @Override
    public boolean isReachable()
    {
        return node.isReachable();
    }

    @Override
    public int weight()
    {
        return weight;
    }

    /**
     * @return its rank; past every rank a node can have while its node is suspended, so it is chosen only where nothing
     * else can be.
     */
    @Override
    public int rank()
    {
        return node.suspended ? rank + AddressSettings.LAST_CLUSTER_RANK : rank;
    }
}
