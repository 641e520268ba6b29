package io.meshmq.engine.processor;

import java.lang.management.ManagementFactory;

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
    /** Bytes of an array's header. */
    private static final int ARRAY_HEADER = 16;
    /**
     * G1's region size, or 0 when the heap is not G1's. G1 keeps an array of at least half a region in regions of its
     * own ("humongous"), so a 1 MiB message in 1 MiB regions takes two: counting its bytes alone lets a backlog of
     * large messages take twice the heap the limit allows.
     */
    private static final long REGION_BYTES = g1RegionBytes();

    private final long limit;
    private final LargeBodies large;
    private long bytes;

    /**
     * @param limit bytes; -1 for none.
     * @param large what counts the references to large bodies (those are on disk, not in this count).
     */
    MemoryUsage(final long limit, final LargeBodies large)
    {
        this.limit = limit;
        this.large = large;
    }

    static MemoryUsage unlimited()
    {
        return new MemoryUsage(-1, new LargeBodies(null));
    }

    LargeBodies large()
    {
        return large;
    }

    static long sizeOf(final ServerMessage message)
    {
        return heapCostOfArray(message.encoded().length) + MESSAGE_OVERHEAD;
    }

    /**
     * @return the heap a byte array of that length takes: its bytes, or under G1 the whole regions of a humongous one.
     */
    static long heapCostOfArray(final int length)
    {
        final long bytes = (long)length + ARRAY_HEADER;
        if (REGION_BYTES == 0 || bytes < REGION_BYTES / 2)
        {
            return bytes;
        }
        return (bytes + REGION_BYTES - 1) / REGION_BYTES * REGION_BYTES;
    }

    private static long g1RegionBytes()
    {
        try
        {
            final com.sun.management.HotSpotDiagnosticMXBean hotspot =
                ManagementFactory.getPlatformMXBean(com.sun.management.HotSpotDiagnosticMXBean.class);
            if (hotspot == null || !Boolean.parseBoolean(hotspot.getVMOption("UseG1GC").getValue()))
            {
                return 0;
            }
            return Long.parseLong(hotspot.getVMOption("G1HeapRegionSize").getValue());
        }
        catch (final RuntimeException | LinkageError ex)
        {
            // Not HotSpot, no jdk.management module, or an option it does not have: count bytes only.
            return 0;
        }
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
