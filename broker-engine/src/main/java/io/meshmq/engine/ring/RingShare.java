package io.meshmq.engine.ring;

import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * How many of one connection's commands wait in the ring for the processor, so that no connection takes more than
 * its share of it.
 * <p>
 * Without it a producer sending as fast as it can fills the ring whenever the processor is the slower side (paging,
 * say), and every other connection's commands wait behind all of it: a consumer's acknowledgements and credit took
 * a ring's worth of sends each (16,384 of them), so it was sent a window of messages per wait and its deliveries fell
 * from 50,000 to 2,500 a second while the producer went on (issue 20). Now a connection's I/O thread stops reading
 * from it once {@code limit} of its commands wait ({@link #isOverLimit}, {@link #pause}), and the processor has it
 * read again once half of them were handled, as RabbitMQ's credit flow holds a publisher's reader.
 * <p>
 * Thread safety: {@link #published} and {@link #pause} on the connection's I/O thread, {@link #handled} on the
 * processor thread. Both sides write then read the other's variable through atomics, so a pause the processor does not
 * see is undone by the I/O thread itself, and the resume runs once.
 */
public final class RingShare
{
    /** Commands of one connection that may wait in the ring before it is read no more. */
    public static final int DEFAULT_LIMIT = 256;

    private final int limit;
    private final Runnable resume;
    private final AtomicInteger waiting = new AtomicInteger();
    private final AtomicBoolean paused = new AtomicBoolean();

    /**
     * @param resume has the connection read again; runs on the processor thread (or on the I/O thread when the
     *               processor caught up before the pause), so it hands the work to the connection's I/O thread.
     */
    public RingShare(final int limit, final Runnable resume)
    {
        if (limit < 2)
        {
            throw new IllegalArgumentException("a connection's share of the ring must be at least 2, not " + limit);
        }
        this.limit = limit;
        this.resume = resume;
    }

    /** A command of the connection was put in the ring; I/O thread. */
    public void published()
    {
        waiting.incrementAndGet();
    }

    /** The processor is done with one of the connection's commands; processor thread. */
    public void handled()
    {
        final int left = waiting.decrementAndGet();
        if (left <= limit / 2 && paused.get() && paused.compareAndSet(true, false))
        {
            resume.run();
        }
    }

    public boolean isOverLimit()
    {
        return waiting.get() >= limit;
    }

    /**
     * The I/O thread stopped reading the connection: the processor resumes it once it caught up. If it already did, the
     * resume runs now, on this thread.
     */
    public void pause()
    {
        paused.set(true);
        if (waiting.get() <= limit / 2 && paused.compareAndSet(true, false))
        {
            resume.run();
        }
    }

    public boolean isPaused()
    {
        return paused.get();
    }

    public int waiting()
    {
        return waiting.get();
    }
}
