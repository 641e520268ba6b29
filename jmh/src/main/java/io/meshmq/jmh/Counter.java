package io.meshmq.jmh;

import java.util.concurrent.atomic.AtomicLong;

/**
 * Messages a benchmark's consumers received, and a bounded wait for a number of them.
 */
final class Counter
{
    private static final long TIMEOUT_NS = 60_000_000_000L;

    private final AtomicLong count = new AtomicLong();

    void increment()
    {
        count.incrementAndGet();
    }

    long get()
    {
        return count.get();
    }

    /**
     * Spins (politely) until {@code target} messages arrived.
     *
     * @throws IllegalStateException if they do not within 60 s: a lost message fails the run, never hangs it.
     */
    void awaitAtLeast(final long target)
    {
        final long deadline = System.nanoTime() + TIMEOUT_NS;
        while (count.get() < target)
        {
            if (System.nanoTime() - deadline > 0)
            {
                throw new IllegalStateException("only " + count.get() + " of " + target + " messages arrived within 60 s");
            }
            Thread.onSpinWait();
        }
    }
}
