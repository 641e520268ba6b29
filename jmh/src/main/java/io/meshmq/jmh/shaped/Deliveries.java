package io.meshmq.jmh.shaped;

import org.openjdk.jmh.infra.Control;

import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;
import java.util.concurrent.locks.LockSupport;

/**
 * Messages the application's listeners were given, counted so that a JMH group thread can report them as its
 * operations: one {@link #next} per delivery, so the group's "deliveries" score is end-to-end messages per second.
 * <p>
 * The observing thread sleeps a millisecond when it has caught up rather than being woken per message: a wake-up per
 * delivery would add a hand-off to the listener thread it measures, and spinning would take a core of two.
 */
final class Deliveries
{
    private static final long CAUGHT_UP_PAUSE_NS = TimeUnit.MILLISECONDS.toNanos(1);
    private static final long STALL_NS = TimeUnit.SECONDS.toNanos(60);

    private final AtomicLong delivered = new AtomicLong();
    /** Deliveries already reported as operations; the one observing thread alone reads and writes it. */
    private long reported;

    void delivered()
    {
        delivered.incrementAndGet();
    }

    /**
     * Returns once one more delivery than reported so far happened, or the iteration is over.
     *
     * @throws IllegalStateException if nothing is delivered for 60 s while the measurement goes on: a broker that
     *                               lost messages fails the run rather than hang it.
     */
    void next(final Control control)
    {
        final long deadline = System.nanoTime() + STALL_NS;
        while (delivered.get() <= reported)
        {
            if (control.stopMeasurement)
            {
                return;
            }
            if (System.nanoTime() - deadline > 0)
            {
                throw new IllegalStateException("no delivery within 60 s after " + reported);
            }
            LockSupport.parkNanos(CAUGHT_UP_PAUSE_NS);
        }
        reported++;
    }
}
