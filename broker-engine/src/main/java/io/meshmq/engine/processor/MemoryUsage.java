package io.meshmq.engine.processor;

/**
 * Bytes of messages waiting in the broker's queues, against its global limit. A message waiting in several
 * subscriptions counts once; a message delivered and not yet acknowledged no longer counts (consumer credit
 * bounds those).
 * <p>
 * Not thread safe: processor thread only.
 */
final class MemoryUsage
{
    /** What a waiting message costs beyond its bytes: its objects and references, roughly. */
    static final int MESSAGE_OVERHEAD = 160;

    private final long limit;
    private long bytes;

    /**
     * @param limit bytes; -1 for none.
     */
    MemoryUsage(final long limit)
    {
        this.limit = limit;
    }

    static MemoryUsage unlimited()
    {
        return new MemoryUsage(-1);
    }

    static long sizeOf(final ServerMessage message)
    {
        return message.encoded().length + MESSAGE_OVERHEAD;
    }

    /**
     * A reference started waiting in a queue.
     */
    void waiting(final ServerMessage message)
    {
        if (message.waitingIn++ == 0)
        {
            bytes += sizeOf(message);
        }
    }

    /**
     * A reference stopped waiting in a queue: delivered, removed or dropped.
     */
    void notWaiting(final ServerMessage message)
    {
        if (--message.waitingIn == 0)
        {
            bytes -= sizeOf(message);
        }
    }

    long bytes()
    {
        return bytes;
    }

    long limit()
    {
        return limit;
    }

    boolean isFull()
    {
        return limit >= 0 && bytes >= limit;
    }
}
