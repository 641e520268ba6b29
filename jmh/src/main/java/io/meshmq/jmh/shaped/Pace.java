package io.meshmq.jmh.shaped;

import java.util.concurrent.TimeUnit;
import java.util.concurrent.locks.LockSupport;

/**
 * Requests at a fixed rate for a number of seconds: request {@code i} is due {@code i / rate} seconds after the start,
 * and its thread sleeps until then (a service idle between requests, not a spinning one).
 */
public final class Pace
{
    private final long periodNs;
    private final long count;
    private final long startNs = System.nanoTime();

    public Pace(final int ratePerSecond, final int seconds)
    {
        this.periodNs = TimeUnit.SECONDS.toNanos(1) / ratePerSecond;
        this.count = (long)ratePerSecond * seconds;
    }

    /** How many requests the pace holds. */
    public long count()
    {
        return count;
    }

    /** Sleeps until request {@code i} is due; returns at once if it is late. */
    public void awaitTurn(final long i)
    {
        final long due = startNs + i * periodNs;
        for (long now = System.nanoTime(); now < due; now = System.nanoTime())
        {
            LockSupport.parkNanos(due - now);
        }
    }
}
