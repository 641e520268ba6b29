package io.meshmq.cluster.link;

import io.meshmq.cluster.ClusterCommand;
import io.meshmq.cluster.membership.MemberDefinitions;
import io.meshmq.engine.net.ExtensionFrames;
import io.meshmq.engine.ring.ExtensionCommand;
import io.meshmq.protocol.DestinationType;
import io.meshmq.protocol.ErrorCode;
import io.meshmq.protocol.FrameType;
import io.meshmq.protocol.MessageHeaderFlyweight;
import io.meshmq.protocol.ProtocolException;
import io.meshmq.protocol.WireReader;

/**
 * Decodes, on the acceptor, the frames another node sends over the link it opened to this one: CLUSTER_JOIN,
 * CLUSTER_MEMBERS and CLUSTER_SEND, into commands for the cluster's side in the processor.
 * <p>
 * Thread safe: called on many Netty I/O threads at once; keeps no state.
 */
public final class ClusterFrames implements ExtensionFrames
{
    @Override
    public boolean decodes(final byte frameType)
    {
        return frameType == FrameType.CLUSTER_JOIN || frameType == FrameType.CLUSTER_MEMBERS ||
            frameType == FrameType.CLUSTER_SEND;
    }

    @Override
    public ExtensionCommand decode(final byte frameType, final WireReader reader)
    {
        switch (frameType)
        {
            case FrameType.CLUSTER_JOIN: return join(reader);
            case FrameType.CLUSTER_MEMBERS: return new ClusterCommand.Members(MemberDefinitions.read(reader));
            case FrameType.CLUSTER_SEND: return send(reader);
            default: throw new ProtocolException("not a cluster frame: " + FrameType.name(frameType));
        }
    }

    private static ClusterCommand join(final WireReader reader)
    {
        final long correlationId = reader.readLong();
        final String cluster = reader.readRequiredString("cluster name");
        final String nodeId = reader.readRequiredString("node id");
        final String nodeName = reader.readRequiredString("node name");
        final String url = reader.readString();
        reader.requireEnd("CLUSTER_JOIN");
        return new ClusterCommand.Join(correlationId, cluster, nodeId, nodeName, url);
    }

    private static ClusterCommand send(final WireReader reader)
    {
        final long sequence = reader.readLong();
        final byte kind = reader.readByte();
        if (!DestinationType.isValid(kind))
        {
            throw new ProtocolException("CLUSTER_SEND for unknown destination type " + kind);
        }
        final String address = destinationName(reader);
        final int count = reader.readCount(4);
        if (count == 0)
        {
            throw new ProtocolException("CLUSTER_SEND names no queue");
        }
        final String[] queues = new String[count];
        for (int i = 0; i < count; i++)
        {
            queues[i] = destinationName(reader);
        }
        final byte[] message = reader.readRest();
        // Checked here, on the I/O thread, so a malformed message never reaches the processor.
        new MessageHeaderFlyweight().wrap(message);
        return new ClusterCommand.Receive(sequence, kind, address, queues, message);
    }

    private static String destinationName(final WireReader reader)
    {
        final String name = reader.readString();
        if (name == null || name.isBlank())
        {
            throw new ProtocolException(ErrorCode.INVALID_DESTINATION, "destination name is missing or blank");
        }
        return name;
    }
}
