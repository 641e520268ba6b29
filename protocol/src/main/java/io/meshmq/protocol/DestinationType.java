package io.meshmq.protocol;

/**
 * Kinds of destination as carried on the wire (one byte).
 */
public final class DestinationType
{
    /** No destination (an absent JMSReplyTo, for instance). */
    public static final byte NONE = 0;
    public static final byte QUEUE = 1;
    public static final byte TOPIC = 2;
    public static final byte TEMPORARY_QUEUE = 3;
    public static final byte TEMPORARY_TOPIC = 4;

    private DestinationType()
    {
    }

    /**
     * @param type a destination type byte.
     * @return true if messages sent to it are delivered to each subscription rather than to one consumer.
     */
    public static boolean isTopic(final byte type)
    {
        return type == TOPIC || type == TEMPORARY_TOPIC;
    }

    public static boolean isTemporary(final byte type)
    {
        return type == TEMPORARY_QUEUE || type == TEMPORARY_TOPIC;
    }

    /**
     * @param type a destination type byte read from the wire.
     * @return true if the value is one this protocol version defines, NONE excluded.
     */
    public static boolean isValid(final byte type)
    {
        return type >= QUEUE && type <= TEMPORARY_TOPIC;
    }
}
