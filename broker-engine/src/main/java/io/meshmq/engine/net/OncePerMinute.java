package io.meshmq.engine.net;

import java.util.concurrent.atomic.AtomicLong;

/**
 * Lets something that may happen very often (a refused connection, a client that does not read) be logged at most
 * once a minute, with how often it happened since: a hostile client must not be able to fill the disk with log lines.
 * <p>
 * Thread safe: counted on any I/O thread.
 */
final class OncePerMinute
{
    private static final long INTERVAL_NS = 60_000_000_000L;

    private final AtomicLong since = new AtomicLong();
    private final AtomicLong lastLoggedNs = new AtomicLong(System.nanoTime() - INTERVAL_NS);

    /**
     * Counts one occurrence.
     *
     * @return how many there were since it was last logged, this one included, if it is to be logged now; else 0.
     */
    long occurred()
    {
        final long count = since.incrementAndGet();
        final long now = System.nanoTime();
        final long last = lastLoggedNs.get();
        if (now - last >= INTERVAL_NS && lastLoggedNs.compareAndSet(last, now))
        {
            since.addAndGet(-count);
            return count;
        }
        return 0;
    }
}
