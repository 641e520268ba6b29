package io.meshmq.cluster.wire;

import io.meshmq.cluster.ClusterCommand;
import io.meshmq.cluster.MemberDefinition;
import io.meshmq.cluster.ResentMessage;
import io.meshmq.engine.net.ExtensionFrames;
import io.meshmq.engine.processor.AddressSettings;
import io.meshmq.engine.ring.ExtensionCommand;
import io.meshmq.protocol.DestinationType;
import io.meshmq.protocol.ErrorCode;
import io.meshmq.protocol.FrameType;
import io.meshmq.protocol.MessageValidator;
import io.meshmq.protocol.ProtocolException;
import io.meshmq.protocol.WireReader;
import io.meshmq.selector.Selector;
import io.meshmq.selector.SelectorSyntaxException;

import java.util.ArrayList;
import java.util.List;

/**
 * Decodes every CLUSTER_* frame, into the commands the cluster's routing takes: those another node's link sends this
 * node's acceptor (CLUSTER_JOIN, CLUSTER_MEMBERS, CLUSTER_SEND, CLUSTER_RESENT; as the acceptor's
 * {@link ExtensionFrames}), and those
 * a node sends back over a link this node opened (CLUSTER_BINDING, CLUSTER_MEMBERS). The pair of
 * {@link ClusterFrameEncoder}.
 * <p>
 * Thread safe: called on many Netty I/O threads at once; keeps no state.
 */
public final class ClusterFrameDecoder implements ExtensionFrames
{
    @Override
    public boolean decodes(final byte frameType)
    {
        return frameType == FrameType.CLUSTER_JOIN || frameType == FrameType.CLUSTER_MEMBERS ||
            frameType == FrameType.CLUSTER_SEND || frameType == FrameType.CLUSTER_RESENT ||
            frameType == FrameType.CLUSTER_SUSPEND || frameType == FrameType.CLUSTER_LOOKUP ||
            frameType == FrameType.REPLICA_START || frameType == FrameType.REPLICA_STORED ||
            frameType == FrameType.REPLICA_FAULT;
    }

    @Override
    public ExtensionCommand decode(final byte frameType, final WireReader reader)
    {
        switch (frameType)
        {
            case FrameType.CLUSTER_JOIN: return join(reader);
            case FrameType.CLUSTER_MEMBERS: return new ClusterCommand.Members(members(reader));
            case FrameType.CLUSTER_SEND: return send(reader);
            case FrameType.CLUSTER_RESENT: return new ClusterCommand.Resent(resent(reader));
            case FrameType.CLUSTER_LOOKUP:
            {
                final String name = destinationName(reader);
                reader.requireEnd("CLUSTER_LOOKUP");
                return new ClusterCommand.Lookup(name);
            }
            case FrameType.CLUSTER_SUSPEND:
            {
                final boolean suspend = reader.readBoolean();
                reader.requireEnd("CLUSTER_SUSPEND");
                return new ClusterCommand.Suspend(suspend);
            }
            case FrameType.REPLICA_START:
            {
                final String backupName = reader.readRequiredString("backup name");
                final byte flags = reader.remaining() > 0 ? reader.readByte() : 0;
                reader.requireEnd("REPLICA_START");
                return new ClusterCommand.ReplicaStart(backupName, (flags & ReplicaFrameEncoder.START_SPARE) != 0);
            }
            case FrameType.REPLICA_STORED:
            {
                final long mark = reader.readLong();
                reader.requireEnd("REPLICA_STORED");
                return new ClusterCommand.ReplicaStored(mark);
            }
            case FrameType.REPLICA_FAULT:
            {
                final String reason = reader.readRequiredString("reason");
                reader.requireEnd("REPLICA_FAULT");
                return new ClusterCommand.ReplicaFault(reason);
            }
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
        // Absent from nodes older than partial repositories: those are full.
        final byte flags = reader.remaining() > 0 ? reader.readByte() : 0;
        reader.requireEnd("CLUSTER_JOIN");
        return new ClusterCommand.Join(correlationId, cluster, nodeId, nodeName, url,
            (flags & ClusterFrameEncoder.JOIN_PARTIAL) != 0);
    }

    /**
     * Decodes a CLUSTER_KNOWN frame from the full repository {@code repositoryId}.
     *
     * @throws ProtocolException if the frame is malformed.
     */
    public static ClusterCommand known(final WireReader reader, final String repositoryId)
    {
        final byte kind = reader.readByte();
        if (kind == ClusterFrameEncoder.KNOWN_ANSWERED)
        {
            final String name = destinationName(reader);
            reader.requireEnd("CLUSTER_KNOWN");
            return new ClusterCommand.LookupAnswered(repositoryId, name);
        }
        if (kind != ClusterFrameEncoder.KNOWN_BINDING && kind != ClusterFrameEncoder.KNOWN_NODE)
        {
            throw new ProtocolException("CLUSTER_KNOWN of unknown kind " + kind);
        }
        final String nodeId = reader.readRequiredString("node id");
        final String nodeName = reader.readRequiredString("node name");
        final String url = reader.readRequiredString("url");
        if (url.indexOf(' ') >= 0 || url.indexOf(':') < 0)
        {
            throw new ProtocolException("CLUSTER_KNOWN url '" + url + "' is not HOST:PORT");
        }
        if (kind == ClusterFrameEncoder.KNOWN_NODE)
        {
            reader.requireEnd("CLUSTER_KNOWN");
            return new ClusterCommand.Known(repositoryId, nodeId, nodeName, url, null);
        }
        final ClusterCommand.Binding binding = bindingBody(reader, nodeId, "CLUSTER_KNOWN");
        if (binding.queue() == null)
        {
            throw new ProtocolException("CLUSTER_KNOWN names no queue");
        }
        return new ClusterCommand.Known(repositoryId, nodeId, nodeName, url, binding);
    }

    private static List<ResentMessage> resent(final WireReader reader)
    {
        final int count = reader.readCount(1 + 4 + 4);
        final List<ResentMessage> messages = new ArrayList<>(count);
        for (int i = 0; i < count; i++)
        {
            final byte type = reader.readByte();
            if (!DestinationType.isValid(type))
            {
                throw new ProtocolException("CLUSTER_RESENT for unknown destination type " + type);
            }
            messages.add(new ResentMessage(type, destinationName(reader), reader.readRequiredString("message id")));
        }
        reader.requireEnd("CLUSTER_RESENT");
        return messages;
    }

    private static ClusterCommand send(final WireReader reader)
    {
        final long sequence = reader.readLong();
        final byte kind = reader.readByte();
        if (!DestinationType.isValid(kind))
        {
            throw new ProtocolException("CLUSTER_SEND for unknown destination type " + kind);
        }
        final byte flags = reader.readByte();
        if ((flags & ~(ClusterFrameEncoder.SEND_MOVED | ClusterFrameEncoder.SEND_LARGE_LANE)) != 0)
        {
            throw new ProtocolException("CLUSTER_SEND has unknown flags " + flags);
        }
        final boolean moved = (flags & ClusterFrameEncoder.SEND_MOVED) != 0;
        final String address = destinationName(reader);
        final int count = reader.readCount(4);
        if (count == 0 && (kind != DestinationType.QUEUE || moved))
        {
            // Only a queue's message sent for its group to be decided there may name none.
            throw new ProtocolException("CLUSTER_SEND names no queue");
        }
        final String[] queues = new String[count];
        for (int i = 0; i < count; i++)
        {
            queues[i] = destinationName(reader);
        }
        final byte[] message = reader.readRest();
        // Checked here, on the I/O thread, so a malformed message never reaches the processor.
        MessageValidator.validate(message);
        return new ClusterCommand.Receive(sequence, kind, moved, (flags & ClusterFrameEncoder.SEND_LARGE_LANE) != 0,
            address, queues, message);
    }

    /**
     * Decodes a CLUSTER_BINDING frame from node {@code nodeId}; kind NONE ends the snapshot sent at link-up.
     *
     * @throws ProtocolException if the frame is malformed or a selector in it cannot be parsed.
     */
    public static ClusterCommand.Binding binding(final WireReader reader, final String nodeId)
    {
        return bindingBody(reader, nodeId, "CLUSTER_BINDING");
    }

    private static ClusterCommand.Binding bindingBody(final WireReader reader, final String nodeId,
        final String frame)
    {
        final byte kind = reader.readByte();
        if (kind == DestinationType.NONE)
        {
            reader.requireEnd(frame);
            return ClusterCommand.Binding.snapshotEnd(nodeId);
        }
        if (kind != DestinationType.QUEUE && kind != DestinationType.TOPIC)
        {
            throw new ProtocolException(frame + " of unknown kind " + kind);
        }
        final String address = reader.readRequiredString("address");
        final String queue = reader.readRequiredString("queue");
        final boolean exists = reader.readBoolean();
        final boolean grouped = reader.readBoolean();
        final Selector filter = selector(reader.readString());
        final int consumers = reader.readInt();
        final int count = reader.readCount(4);
        final Selector[] selectors = new Selector[count];
        for (int i = 0; i < count; i++)
        {
            selectors[i] = selector(reader.readString());
        }
        final int weight = reader.readInt();
        if (weight < 1 || weight > AddressSettings.MAX_CLUSTER_WEIGHT)
        {
            throw new ProtocolException(frame + " weight " + weight + " is not 1 to " +
                AddressSettings.MAX_CLUSTER_WEIGHT);
        }
        final int rank = reader.readInt();
        if (rank < 1 || rank > AddressSettings.LAST_CLUSTER_RANK)
        {
            throw new ProtocolException(frame + " rank " + rank + " is not 1 to " +
                AddressSettings.LAST_CLUSTER_RANK);
        }
        final String group = reader.readString();
        reader.requireEnd(frame);
        return new ClusterCommand.Binding(nodeId, kind, address, queue, exists, grouped, filter, consumers, selectors,
            weight, rank, group == null ? "" : group);
    }

    /**
     * Decodes the body of a CLUSTER_MEMBERS frame.
     *
     * @throws ProtocolException if the body is malformed.
     */
    public static List<MemberDefinition> members(final WireReader reader)
    {
        final int count = reader.readCount(4 + 1 + 1 + 8 + 4);
        final List<MemberDefinition> definitions = new ArrayList<>(count);
        for (int i = 0; i < count; i++)
        {
            final String member = reader.readRequiredString("member");
            if (member.indexOf(' ') >= 0 || member.indexOf(':') < 0)
            {
                throw new ProtocolException("cluster member '" + member + "' is not HOST:PORT");
            }
            definitions.add(new MemberDefinition(member, reader.readBoolean(), reader.readBoolean(), reader.readLong(),
                reader.readRequiredString("origin")));
        }
        reader.requireEnd("CLUSTER_MEMBERS");
        return definitions;
    }

    private static Selector selector(final String text)
    {
        if (text == null)
        {
            return null;
        }
        try
        {
            return Selector.parse(text);
        }
        catch (final SelectorSyntaxException ex)
        {
            throw new ProtocolException("a selector this node cannot parse: " + ex.getMessage());
        }
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
