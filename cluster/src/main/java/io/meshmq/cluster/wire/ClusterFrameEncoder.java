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

    /**
     * Asks the node a link reached to take this node into its cluster; it answers with a REPLY carrying its node id
     * and name.
     */
    /**
     * Asks the other node to keep the body uploaded in LARGE_CHUNKs under {@code uploadId} for the forward naming it.
     */
    public static WireWriter largeStage(final WireWriter out, final long correlationId, final long uploadId,
        final long length)
    {
        return out.reset().beginFrame(FrameType.LARGE_STAGE).writeLong(correlationId).writeLong(uploadId)
            .writeLong(length).endFrame();
    }

    public static WireWriter join(final WireWriter out, final long correlationId, final String clusterName,
        final String nodeId, final String nodeName, final String url)
    {
        return out.reset().beginFrame(FrameType.CLUSTER_JOIN)
            .writeLong(correlationId)
            .writeString(clusterName)
            .writeString(nodeId)
            .writeString(nodeName)
            .writeString(url)
            .endFrame();
    }

    /**
     * Answers a CLUSTER_JOIN: this node took the other into its cluster, and says who it is.
     */
    public static WireWriter joined(final WireWriter out, final long correlationId, final String nodeId,
        final String nodeName)
    {
        return BrokerEventEncoder.beginReply(out, correlationId).writeString(nodeId).writeString(nodeName).endFrame();
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
        out.reset().beginFrame(FrameType.CLUSTER_BINDING)
            .writeByte(kind)
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
        return out.writeInt(weight).writeInt(rank).writeString(group).endFrame();
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
