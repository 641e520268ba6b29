package io.meshmq.protocol;

/**
 * Encodes every frame a broker sends a client (the b&gt;c rows of {@link FrameType}): replies to calls, deliveries,
 * flow control and pongs. Each method writes one whole frame into {@code out} from its start and returns it, ready
 * to be written to a connection; {@link #beginReply} is the one exception, leaving the frame open for the
 * result.
 * <p>
 * Stateless; {@code out} belongs to the caller's thread.
 */
public final class BrokerEventEncoder
{
    private BrokerEventEncoder()
    {
    }

    /**
     * @param temporaryScope        null outside a cluster (see {@link TemporaryNames}).
     * @param largeMessageThreshold bodies above it are to be sent as large messages; 0: the broker takes none.
     */
    public static WireWriter helloOk(final WireWriter out, final long connectionId, final String brokerName,
        final String temporaryScope, final int largeMessageThreshold)
    {
        return out.reset().beginFrame(FrameType.HELLO_OK)
            .writeShort(FrameDescriptor.PROTOCOL_VERSION)
            .writeLong(connectionId)
            .writeString(brokerName)
            .writeString(temporaryScope)
            .writeInt(largeMessageThreshold)
            .endFrame();
    }

    /**
     * @param members  HOST:PORT of each live member of the cluster, the sending broker's first (unless it takes no
     *                 new clients: suspended).
     * @param journals the journal each member serves, in the same order; empty where journals do not move (no HA).
     * @param own      with journals, the one the sending broker serves (listed or not); null for none.
     */
    public static WireWriter topology(final WireWriter out, final java.util.List<String> members,
        final java.util.List<String> journals, final String own)
    {
        out.reset().beginFrame(FrameType.TOPOLOGY).writeInt(members.size());
        for (final String member : members)
        {
            out.writeString(member);
        }
        if (!journals.isEmpty())
        {
            if (journals.size() != members.size())
            {
                throw new IllegalArgumentException(journals.size() + " journals for " + members.size() + " members");
            }
            out.writeInt(journals.size());
            for (final String journal : journals)
            {
                out.writeString(journal);
            }
            out.writeString(own);
        }
        return out.endFrame();
    }

    public static WireWriter clusterChallenge(final WireWriter out, final byte[] salt, final int iterations,
        final String nonce)
    {
        return out.reset().beginFrame(FrameType.CLUSTER_CHALLENGE).writeBytes(salt).writeInt(iterations)
            .writeString(nonce).endFrame();
    }

    public static WireWriter clusterProven(final WireWriter out, final byte[] serverSignature)
    {
        return out.reset().beginFrame(FrameType.CLUSTER_PROVEN).writeBytes(serverSignature).endFrame();
    }

    public static WireWriter ok(final WireWriter out, final long correlationId)
    {
        return out.reset().beginFrame(FrameType.OK).writeLong(correlationId).endFrame();
    }

    /**
     * @param correlationId 0 for a failure of the connection rather than of one call.
     * @param code          an {@link ErrorCode}.
     */
    public static WireWriter error(final WireWriter out, final long correlationId, final int code, final String message)
    {
        return out.reset().beginFrame(FrameType.ERROR).writeLong(correlationId).writeInt(code).writeString(message)
            .endFrame();
    }

    /**
     * Begins a REPLY: the caller writes the result, then ends the frame with {@link WireWriter#endFrame()}.
     */
    public static WireWriter beginReply(final WireWriter out, final long correlationId)
    {
        return out.reset().beginFrame(FrameType.REPLY).writeLong(correlationId);
    }

    /**
     * @param deliveryId 0 for a browser's copy, which is never acknowledged.
     * @param encoded    the message as {@link MessageDescriptor} lays it out.
     */
    public static WireWriter deliver(final WireWriter out, final long consumerId, final long deliveryId,
        final int deliveryCount, final byte[] encoded)
    {
        return out.reset().beginFrame(FrameType.DELIVER)
            .writeLong(consumerId)
            .writeLong(deliveryId)
            .writeInt(deliveryCount)
            .writeRaw(encoded, 0, encoded.length)
            .endFrame();
    }

    public static WireWriter browseEnd(final WireWriter out, final long browserId)
    {
        return out.reset().beginFrame(FrameType.BROWSE_END).writeLong(browserId).endFrame();
    }

    /**
     * @param blocked true while the address is full under the BLOCK policy.
     */
    public static WireWriter flow(final WireWriter out, final byte destinationType, final String name,
        final boolean blocked)
    {
        return out.reset().beginFrame(FrameType.FLOW).writeByte(destinationType).writeString(name)
            .writeBoolean(blocked).endFrame();
    }

    public static WireWriter pong(final WireWriter out, final long token)
    {
        return out.reset().beginFrame(FrameType.PONG).writeLong(token).endFrame();
    }
}
