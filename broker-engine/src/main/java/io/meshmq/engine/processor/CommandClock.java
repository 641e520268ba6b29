package io.meshmq.engine.processor;

/**
 * The time the processor works with: read once per command from the broker's clock, so every part of the processor
 * sees the same time while it runs one command (a message is not expired for one part and live for another).
 * <p>
 * Not thread safe: processor thread only.
 */
final class CommandClock
{
    private long nowMs;

    CommandClock(final long nowMs)
    {
        this.nowMs = nowMs;
    }

    long nowMs()
    {
        return nowMs;
    }

    void set(final long nowMs)
    {
        this.nowMs = nowMs;
    }
}
