package io.meshmq.protocol;

/**
 * Bits of the flags byte of a CREATE_CONSUMER frame.
 */
public final class ConsumerFlags
{
    /** Topic subscriptions: skip messages published by this connection (or one with the same client id). */
    public static final byte NO_LOCAL = 1;
    /** A named subscription that outlives its consumers. */
    public static final byte DURABLE = 2;
    /** A named subscription that may have several consumers. */
    public static final byte SHARED = 4;
    /** A queue browser: sent a snapshot of the queue, nothing is removed or acknowledged. */
    public static final byte BROWSER = 8;
    public static final byte ALL = NO_LOCAL | DURABLE | SHARED | BROWSER;

    private ConsumerFlags()
    {
    }

    public static boolean isSet(final byte flags, final byte flag)
    {
        return (flags & flag) != 0;
    }
}
