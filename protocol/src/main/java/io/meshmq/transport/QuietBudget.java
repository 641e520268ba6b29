package io.meshmq.transport;

/**
 * When a thread other than a connection's I/O thread may write to its socket itself ({@link DirectNioSocketChannel}):
 * after the connection was quiet. The time between writes earns direct writes, one per {@link #QUIET_NS}, up to
 * {@link #BURST} banked (an acknowledgement and then a reply, say, both without waking the I/O thread). So a paced
 * connection writes each frame directly, and a busy one at most one per {@link #QUIET_NS}: the rest go through its
 * I/O thread, gathered, where a system call per write would cost more than the wake-ups it saves.
 * <p>
 * Not thread safe: one writing thread, or its writers under one lock.
 */
public final class QuietBudget
{
    /** The quiet that earns one direct write. */
    public static final long QUIET_NS = 50_000;
    /** Direct writes that may follow each other after a quiet time. */
    static final int BURST = 2;

    private long lastNanos;
    private long earnedNanos;

    /**
     * Counts a write made now.
     *
     * @return true if the quiet before it earned a direct write: {@link #spend()} it if the write goes directly.
     */
    public boolean earned(final long nowNanos)
    {
        // At most a burst; never below nothing, whatever the first reading of the clock (nanoTime may be negative).
        earnedNanos = Math.max(0, Math.min(BURST * QUIET_NS, earnedNanos + nowNanos - lastNanos));
        lastNanos = nowNanos;
        return earnedNanos >= QUIET_NS;
    }

    /**
     * A write went directly: what {@link #earned} granted is spent.
     */
    public void spend()
    {
        earnedNanos -= QUIET_NS;
    }
}
