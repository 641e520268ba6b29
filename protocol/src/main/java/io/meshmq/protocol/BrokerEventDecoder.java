package io.meshmq.protocol;

/**
 * Decodes every frame a broker sends a client, the pair of {@link BrokerEventEncoder}: each frame becomes one call of
 * a {@link Handler}.
 * <p>
 * Stateless; the reader belongs to the caller's thread.
 */
public final class BrokerEventDecoder
{
    /**
     * What a client does with each frame its broker sends.
     */
    public interface Handler
    {
        /**
         * @param largeMessageThreshold bodies above it go as large messages (LARGE_CHUNK); 0: the broker takes none.
         */
        void onHelloOk(short protocolVersion, long connectionId, String brokerName, String temporaryScope,
            int largeMessageThreshold);

        void onDeliver(long consumerId, long deliveryId, int deliveryCount, byte[] message);

        void onBrowseEnd(long consumerId);

        void onOk(long correlationId);

        void onReply(long correlationId, WireReader result);

        /**
         * @param correlationId 0 for a failure of the connection rather than of one call.
         */
        void onError(long correlationId, int code, String message);

        /**
         * The broker says an address under its BLOCK policy is full ({@code blocked}) or has room again.
         */
        void onFlow(byte destinationType, String destinationName, boolean blocked);

        void onPing(long token);

        /**
         * The live members of the broker's cluster, HOST:PORT where clients reach each, the broker's own first (a
         * suspended broker leaves itself out); with HA the journal each serves, in the same order (else an empty
         * array), and the one this broker serves ({@code own}; null without HA, or if it serves none).
         */
        void onTopology(String[] members, String[] journals, String own);
    }

    private BrokerEventDecoder()
    {
    }

    /**
     * @param reader positioned after the frame's type.
     * @throws ProtocolException for a frame a broker does not send, or a malformed one.
     */
    public static void decode(final byte type, final WireReader reader, final Handler handler)
    {
        switch (type)
        {
            case FrameType.DELIVER:
                handler.onDeliver(reader.readLong(), reader.readLong(), reader.readInt(), reader.readRest());
                break;
            case FrameType.OK:
                handler.onOk(reader.readLong());
                break;
            case FrameType.REPLY:
                handler.onReply(reader.readLong(), reader);
                break;
            case FrameType.FLOW:
                handler.onFlow(reader.readByte(), reader.readString(), reader.readBoolean());
                break;
            case FrameType.BROWSE_END:
                handler.onBrowseEnd(reader.readLong());
                break;
            case FrameType.ERROR:
                handler.onError(reader.readLong(), reader.readInt(), reader.readString());
                break;
            case FrameType.HELLO_OK:
                handler.onHelloOk(reader.readShort(), reader.readLong(), reader.readString(), reader.readString(),
                    reader.remaining() >= Integer.BYTES ? Math.max(0, reader.readInt()) : 0);
                break;
            case FrameType.PING:
                handler.onPing(reader.readLong());
                break;
            case FrameType.PONG:
                break;
            case FrameType.TOPOLOGY:
                readTopology(reader, handler);
                break;
            default:
                throw new ProtocolException("unexpected frame " + FrameType.name(type) + " from broker");
        }
    }

    private static void readTopology(final WireReader reader, final Handler handler)
    {
        final String[] members = readMembers(reader);
        final String[] journals = reader.remaining() > 0 ? readMembers(reader) : new String[0];
        if (journals.length != 0 && journals.length != members.length)
        {
            throw new ProtocolException("TOPOLOGY names " + journals.length + " journals for " + members.length +
                " members");
        }
        // A broker older than the field lists itself first, always.
        final String own = reader.remaining() > 0 ? reader.readString() : journals.length > 0 ? journals[0] : null;
        reader.requireEnd("TOPOLOGY");
        handler.onTopology(members, journals, own);
    }

    private static String[] readMembers(final WireReader reader)
    {
        final int count = reader.readCount(Integer.BYTES);
        final String[] members = new String[count];
        for (int i = 0; i < count; i++)
        {
            members[i] = reader.readString();
            if (members[i] == null || members[i].isEmpty())
            {
                throw new ProtocolException("TOPOLOGY entry " + i + " is empty");
            }
        }
        return members;
    }
}
