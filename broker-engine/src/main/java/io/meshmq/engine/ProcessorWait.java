package io.meshmq.engine;

import com.lmax.disruptor.BusySpinWaitStrategy;
import com.lmax.disruptor.LiteBlockingWaitStrategy;
import com.lmax.disruptor.WaitStrategy;
import com.lmax.disruptor.YieldingWaitStrategy;

/**
 * How the processor waits for the next command when the ring is empty ({@code processor.wait}): the low-latency
 * modes trade a core for the wake-up of a sleeping thread on every command that finds it idle.
 */
public enum ProcessorWait
{
    /**
     * It sleeps; a publish signals it only while it sleeps (LiteBlockingWaitStrategy, instead of BlockingWaitStrategy's
     * notifyAll per publish). The default: an idle broker uses no CPU.
     */
    BLOCK,
    /** It spins a little, then yields the core in a loop: low latency, a core mostly busy while idle. */
    YIELD,
    /** It spins: the lowest latency, a whole core always busy (for a dedicated, isolated core only). */
    SPIN;

    WaitStrategy strategy()
    {
        switch (this)
        {
            case YIELD: return new YieldingWaitStrategy();
            case SPIN: return new BusySpinWaitStrategy();
            default: return new LiteBlockingWaitStrategy();
        }
    }
}
