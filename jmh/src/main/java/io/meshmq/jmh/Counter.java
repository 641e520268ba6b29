package io.meshmq.jmh;

import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;

/**
 * Messages a benchmark's consumers received, and a bounded wait for a number of them.
 * <p>
 * Waiters sleep instead of spinning: on a 2-core machine a spinning benchmark thread takes a core from the broker
 * and the client it measures (four spinning producers took about a third of the machine in workload 3).
 */
final class Counter
{
    private static final long TIMEOUT_NS = TimeUnit.SECONDS.toNanos(60);

    private final AtomicLong count = new AtomicLong();
    private final List<long[]> waiting = new ArrayList<>();
    /** The lowest target a thread waits for; incrementers look at it after counting, waiters after setting it. */
    private volatile long wakeAt = Long.MAX_VALUE;

    void increment()
    {
        if (count.incrementAndGet() >= wakeAt)
        {
            synchronized (this)
            {
                notifyAll();
            }
        }
    }

    long get()
    {
        return count.get();
    }

    /**
     * Waits until {@code target} messages arrived.
     *
     * @throws IllegalStateException if they do not within 60 s: a lost message fails the run, never hangs it.
     */
    void awaitAtLeast(final long target) throws InterruptedException
    {
        if (count.get() >= target)
        {
            return;
        }
        final long deadline = System.nanoTime() + TIMEOUT_NS;
        final long[] mine = {target};
        synchronized (this)
        {
            waiting.add(mine);
            try
            {
                while (true)
                {
                    wakeAt = lowestTarget();
                    if (count.get() >= target)
                    {
                        return;
                    }
                    final long leftNs = deadline - System.nanoTime();
                    if (leftNs <= 0)
                    {
                        throw new IllegalStateException(
                            "only " + count.get() + " of " + target + " messages arrived within 60 s");
                    }
                    wait(Math.max(1, TimeUnit.NANOSECONDS.toMillis(leftNs)));
                }
            }
            finally
            {
                waiting.remove(mine);
                wakeAt = lowestTarget();
            }
        }
    }

    private long lowestTarget()
    {
        long lowest = Long.MAX_VALUE;
        for (final long[] target : waiting)
        {
            lowest = Math.min(lowest, target[0]);
        }
        return lowest;
    }
}
