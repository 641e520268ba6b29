package io.meshmq.engine;

import java.util.function.BooleanSupplier;

/**
 * Waits for a condition with a deadline, never for a fixed time.
 */
public final class Poll
{
    private Poll()
    {
    }

    public static void until(final String what, final long timeoutMs, final BooleanSupplier condition)
        throws InterruptedException
    {
        final long deadline = System.nanoTime() + timeoutMs * 1_000_000L;
        while (!condition.getAsBoolean())
        {
            if (System.nanoTime() > deadline)
            {
                throw new AssertionError("timed out after " + timeoutMs + " ms waiting for " + what);
            }
            Thread.sleep(5);
        }
    }
}
