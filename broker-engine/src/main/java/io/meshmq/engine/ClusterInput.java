package io.meshmq.engine;

import com.lmax.disruptor.RingBuffer;
import io.meshmq.engine.net.ChannelConnection;
import io.meshmq.engine.processor.ClusterIdentity;
import io.meshmq.engine.processor.ConnectionOutput;
import io.meshmq.engine.processor.MemberDefinition;
import io.meshmq.engine.processor.EngineEvent;
import io.meshmq.selector.Selector;
import io.netty.channel.Channel;

import java.util.concurrent.atomic.AtomicLong;

/**
 * How the cluster layer talks to the engine: what it hears on its links to other nodes goes into the engine
 * ring as commands, so the processor stays the only writer of routing state.
 * <p>
 * Thread safe: called from the cluster's I/O threads.
 */
public final class ClusterInput
{
    private final RingBuffer<EngineEvent> ring;
    private final AtomicLong connectionIds;
    private final ClusterIdentity identity;

    ClusterInput(final RingBuffer<EngineEvent> ring, final AtomicLong connectionIds, final ClusterIdentity identity)
    {
        this.ring = ring;
        this.connectionIds = connectionIds;
        this.identity = identity;
    }

    public String clusterName()
    {
        return identity.clusterName();
    }

    public String nodeId()
    {
        return identity.nodeId();
    }

    public String nodeName()
    {
        return identity.nodeName();
    }

    /**
     * @return HOST:PORT where other members reach this node.
     */
    public String url()
    {
        return identity.url().get();
    }

    /**
     * Asks to be told, on the processor thread, the cluster connections defined at run time: once now, and
     * whenever they change.
     */
    public void onDefinitions(final java.util.function.Consumer<java.util.List<MemberDefinition>> listener)
    {
        identity.onDefinitions().set(listener);
        members(java.util.List.of());
    }

    /**
     * Another node told this one of cluster connections defined at run time.
     */
    public void members(final java.util.List<MemberDefinition> definitions)
    {
        publish(EngineEvent.CLUSTER_MEMBERS, e -> e.attachment = definitions);
    }

    /**
     * @return each member (HOST:PORT) and the state of the link to it, for the cluster layer to keep up to
     * date; status reads it.
     */
    public java.util.Map<String, String> memberStates()
    {
        return identity.members();
    }

    /**
     * @return where the processor writes frames for a link this node opened to another.
     */
    public ConnectionOutput output(final Channel channel)
    {
        return new ChannelConnection(connectionIds.incrementAndGet(), channel);
    }

    public void linkUp(final String nodeId, final String nodeName, final String url, final ConnectionOutput link)
    {
        publish(EngineEvent.CLUSTER_LINK_UP, e ->
        {
            e.nodeId = nodeId;
            e.nodeName = nodeName;
            e.destinationName = url;
            e.connection = link;
        });
    }

    public void linkDown(final String nodeId, final String reason)
    {
        publish(EngineEvent.CLUSTER_LINK_DOWN, e ->
        {
            e.nodeId = nodeId;
            e.reason = reason;
        });
    }

    /**
     * A queue of another node changed; a null queue ends the snapshot sent when the link came up.
     *
     * @param flags {@link EngineEvent#BINDING_EXISTS} and {@link EngineEvent#BINDING_GROUPED}.
     */
    public void binding(final String nodeId, final byte kind, final String address, final String queue, final byte flags,
        final Selector filter, final int consumers, final Selector[] selectors)
    {
        publish(EngineEvent.CLUSTER_BINDING, e ->
        {
            e.nodeId = nodeId;
            e.destinationType = kind;
            e.destinationName = address;
            e.subscriptionName = queue;
            e.consumerFlags = flags;
            e.selector = filter;
            e.count = consumers;
            e.attachment = selectors;
        });
    }

    /**
     * The other node stored a forward (failure null), or refused it.
     */
    public void forwarded(final String nodeId, final long sequence, final String failure)
    {
        publish(EngineEvent.CLUSTER_FORWARDED, e ->
        {
            e.nodeId = nodeId;
            e.correlationId = sequence;
            e.reason = failure;
        });
    }

    /**
     * A link that was backed up can take data again.
     */
    public void writable()
    {
        publish(EngineEvent.WRITABLE, e -> { });
    }

    private void publish(final byte type, final java.util.function.Consumer<EngineEvent> fill)
    {
        final long sequence = ring.next();
        try
        {
            final EngineEvent event = ring.get(sequence);
            event.clear();
            event.type = type;
            fill.accept(event);
        }
        finally
        {
            ring.publish(sequence);
        }
    }
}
