package io.meshmq.cluster.wire;

import io.meshmq.cluster.MemberDefinition;
import io.meshmq.cluster.ResentMessage;
import io.meshmq.protocol.BrokerEventEncoder;
import io.meshmq.protocol.DestinationType;
import io.meshmq.protocol.FrameType;
import io.meshmq.protocol.WireWriter;

import java.util.Collection;

/**
 * Encodes every CLUSTER_* frame into the caller's writer, and returns it, ended, ready to write. The pair of
 * {@link ClusterFrameDecoder}.
 * <p>
 * Thread safe: stateless; each thread passes its own writer.
 */
public final class ClusterFrameEncoder
{
    /** CLUSTER_SEND flags. */
    public static final byte SEND_MOVED = 1;
    public static final byte SEND_LARGE_LANE = 2;

    private ClusterFrameEncoder()
    {
    }

    /** CLUSTER_JOIN and its REPLY's flags. */
    public static final byte JOIN_PARTIAL = 1;
    /** CLUSTER_KNOWN kinds. */
    public static final byte KNOWN_BINDING = 1;
    public static final byte KNOWN_NODE = 2;
    public static final byte KNOWN_ANSWERED = 3;

    /**
     * Asks the other node to keep the body uploaded in LARGE_CHUNKs under {@code uploadId} for the forward naming it.
     */
    public static WireWriter largeStage(final WireWriter out, final long correlationId, final long uploadId,
        final long length)
    {
        return out.reset().beginFrame(FrameType.LARGE_STAGE).writeLong(correlationId).writeLong(uploadId)
            .writeLong(length).endFrame();
    }

    /**
     * Asks the node a link reached to take this node into its cluster; it answers with a REPLY carrying its node id
     * and name.
     *
     * @param partial this node is a partial repository.
     */
    public static WireWriter join(final WireWriter out, final long correlationId, final String clusterName,
        final String nodeId, final String nodeName, final String url, final boolean partial)
    {
        return out.reset().beginFrame(FrameType.CLUSTER_JOIN)
            .writeLong(correlationId)
            .writeString(clusterName)
            .writeString(nodeId)
            .writeString(nodeName)
            .writeString(url)
            .writeByte(partial ? JOIN_PARTIAL : 0)
            .endFrame();
    }

    /**
     * Answers a CLUSTER_JOIN: this node took the other into its cluster, and says who it is.
     *
     * @param partial this node is a partial repository.
     */
    public static WireWriter joined(final WireWriter out, final long correlationId, final String nodeId,
        final String nodeName, final boolean partial)
    {
        return BrokerEventEncoder.beginReply(out, correlationId).writeString(nodeId).writeString(nodeName)
            .writeByte(partial ? JOIN_PARTIAL : 0).endFrame();
    }

    /**
     * Asks a full repository for every node's queues and subscriptions of that name (or a temporary destination's
     * node), and for their changes from now on.
     */
    public static WireWriter lookup(final WireWriter out, final String name)
    {
        return out.reset().beginFrame(FrameType.CLUSTER_LOOKUP).writeString(name).endFrame();
    }

    /**
     * Tells a partial repository of another node's queue or subscription.
     */
    public static WireWriter knownBinding(final WireWriter out, final String nodeId, final String nodeName,
        final String url, final byte kind, final String address, final String queue, final boolean exists,
        final boolean grouped, final String filter, final int consumers, final Collection<String> selectors,
        final int weight, final int rank, final String group)
    {
        out.reset().beginFrame(FrameType.CLUSTER_KNOWN).writeByte(KNOWN_BINDING).writeString(nodeId)
            .writeString(nodeName).writeString(url);
        return bindingBody(out, kind, address, queue, exists, grouped, filter, consumers, selectors, weight, rank,
            group).endFrame();
    }

    /**
     * Tells a partial repository where another node is (a temporary destination of it was asked about).
     */
    public static WireWriter knownNode(final WireWriter out, final String nodeId, final String nodeName,
        final String url)
    {
        return out.reset().beginFrame(FrameType.CLUSTER_KNOWN).writeByte(KNOWN_NODE).writeString(nodeId)
            .writeString(nodeName).writeString(url).endFrame();
    }

    /**
     * Ends the answer to a CLUSTER_LOOKUP: the partial repository knows all this one does of the name.
     */
    public static WireWriter lookupAnswered(final WireWriter out, final String name)
    {
        return out.reset().beginFrame(FrameType.CLUSTER_KNOWN).writeByte(KNOWN_ANSWERED).writeString(name)
            .endFrame();
    }

    /**
     * One queue or subscription of this node as it is now.
     *
     * @param kind      {@link DestinationType#QUEUE} or {@link DestinationType#TOPIC} (a subscription).
     * @param grouped   a queue, or a durable or shared subscription: one binding of its name anywhere takes a message.
     * @param filter    a subscription's selector, or null.
     * @param selectors its consumers' distinct selectors, null for "every message".
     * @param weight    this node's share of the address's messages against other nodes' weights.
     * @param rank      this node's rank for the address: 1 is the first choice.
     * @param group     the named group this node is in, "" for none.
     */
    public static WireWriter binding(final WireWriter out, final byte kind, final String address, final String queue,
        final boolean exists, final boolean grouped, final String filter, final int consumers,
        final Collection<String> selectors, final int weight, final int rank, final String group)
    {
        out.reset().beginFrame(FrameType.CLUSTER_BINDING);
        return bindingBody(out, kind, address, queue, exists, grouped, filter, consumers, selectors, weight, rank,
            group).endFrame();
    }

    private static WireWriter bindingBody(final WireWriter out, final byte kind, final String address,
        final String queue, final boolean exists, final boolean grouped, final String filter, final int consumers,
        final Collection<String> selectors, final int weight, final int rank, final String group)
    {
        out.writeByte(kind)
            .writeString(address)
            .writeString(queue)
            .writeBoolean(exists)
            .writeBoolean(grouped)
            .writeString(filter)
            .writeInt(consumers)
            .writeInt(selectors.size());
        for (final String selector : selectors)
        {
            out.writeString(selector);
        }
        return out.writeInt(weight).writeInt(rank).writeString(group);
    }

    /**
     * Ends the snapshot of bindings sent when a node joins: bindings it did not name are gone.
     */
    public static WireWriter bindingsEnd(final WireWriter out)
    {
        return out.reset().beginFrame(FrameType.CLUSTER_BINDING).writeByte(DestinationType.NONE).endFrame();
    }

    /**
     * Messages clients sent this node again after failing over from the node the link goes to.
     */
    public static WireWriter resent(final WireWriter out, final Collection<ResentMessage> messages)
    {
        out.reset().beginFrame(FrameType.CLUSTER_RESENT).writeInt(messages.size());
        for (final ResentMessage message : messages)
        {
            out.writeByte(message.type()).writeString(message.address()).writeString(message.duplicateId());
        }
        return out.endFrame();
    }

    /**
     * How many applications are connected to this node, whether it is suspended, and whether it decides where message
     * groups go.
     */
    public static WireWriter clients(final WireWriter out, final int clients, final boolean suspended,
        final boolean groupHandler)
    {
        return out.reset().beginFrame(FrameType.CLUSTER_CLIENTS).writeInt(clients).writeBoolean(suspended)
            .writeBoolean(groupHandler).endFrame();
    }

    /**
     * Asks the other node to suspend or resume itself.
     */
    public static WireWriter suspend(final WireWriter out, final boolean suspend)
    {
        return out.reset().beginFrame(FrameType.CLUSTER_SUSPEND).writeBoolean(suspend).endFrame();
    }

    /**
     * The cluster connections defined at run time that this node knows.
     */
    public static WireWriter members(final WireWriter out, final Collection<MemberDefinition> definitions)
    {
        out.reset().beginFrame(FrameType.CLUSTER_MEMBERS).writeInt(definitions.size());
        for (final MemberDefinition d : definitions)
        {
            out.writeString(d.member()).writeBoolean(d.active()).writeBoolean(d.removed()).writeLong(d.stamp())
                .writeString(d.origin());
        }
        return out.endFrame();
    }

    /**
     * A forward: a message for queues of the other node, with the sequence number that makes a resend recognisable.
     *
     * @param kind   the address's {@link DestinationType}.
     * @param queues the other node's queues that take it.
     * @param moved  redistributed from a queue of this node, rather than routed as it was sent.
     * @param largeLane it crosses on the large lane, whose sequences the other node tells resends by apart.
     */
    public static WireWriter send(final WireWriter out, final long sequence, final byte kind, final String address,
        final String[] queues, final boolean moved, final boolean largeLane, final byte[] message)
    {
        out.reset().beginFrame(FrameType.CLUSTER_SEND)
            .writeLong(sequence)
            .writeByte(kind)
            .writeByte((byte)((moved ? SEND_MOVED : 0) | (largeLane ? SEND_LARGE_LANE : 0)))
            .writeString(address)
            .writeInt(queues.length);
        for (final String queue : queues)
        {
            out.writeString(queue);
        }
        return out.writeRaw(message, 0, message.length).endFrame();
    }
}
