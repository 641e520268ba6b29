package io.meshmq.client.transport;

import io.meshmq.protocol.WireWriter;
import io.netty.buffer.ByteBuf;
import io.netty.channel.Channel;
import io.netty.channel.EventLoop;

import java.util.concurrent.RejectedExecutionException;

/**
 * Frames that application threads write to one channel, gathered into one buffer and handed to the channel by
 * its I/O thread in one write and one flush.
 * <p>
 * A frame written while the channel's I/O thread is idle goes out at once, as before: one task, one flush. Under
 * load, frames written while that task waits to run join it, so a producer's sends and a consumer's acks and
 * credit share socket writes instead of taking one system call each (before this, a third of a 1P-1C client's
 * CPU time was spent in write(2)).
 * <p>
 * Frames leave in the order they were written. A frame written on the I/O thread itself goes out at once,
 * behind anything still gathered.
 */
public final class OutboundBatcher implements Runnable
{
    private static final int INITIAL_CAPACITY = 4096;

    private final Channel channel;
    private final Runnable onDrainedAboveLimit;
    private final int limitBytes;
    private ByteBuf gathered;
    private boolean scheduled;
    private volatile int gatheredBytes;

    /**
     * @param limitBytes          gathered bytes above which writers should wait ({@link #isOverLimit()}).
     * @param onDrainedAboveLimit run on the I/O thread after it took a batch that was over the limit, to wake them.
     */
    public OutboundBatcher(final Channel channel, final int limitBytes, final Runnable onDrainedAboveLimit)
    {
        this.channel = channel;
        this.limitBytes = limitBytes;
        this.onDrainedAboveLimit = onDrainedAboveLimit;
    }

    /**
     * Copies the writer's frame (or frames) for the channel. Never blocks on the network; see {@link #isOverLimit()}.
     */
    public void write(final WireWriter writer)
    {
        final boolean schedule;
        synchronized (this)
        {
            if (gathered == null)
            {
                gathered = channel.alloc().ioBuffer(Math.max(INITIAL_CAPACITY, writer.position()));
            }
            gathered.writeBytes(writer.array(), 0, writer.position());
            gatheredBytes = gathered.readableBytes();
            schedule = !scheduled;
            scheduled = true;
        }
        final EventLoop loop = channel.eventLoop();
        if (loop.inEventLoop())
        {
            run();
        }
        else if (schedule)
        {
            try
            {
                loop.execute(this);
            }
            catch (final RejectedExecutionException ex)
            {
                // The I/O thread has shut down, so the channel is closed: nothing written now could be sent.
                discard();
            }
        }
    }

    /**
     * @return whether more than the limit is gathered and not yet handed to the channel.
     */
    public boolean isOverLimit()
    {
        return gatheredBytes > limitBytes;
    }

    /**
     * Hands what is gathered to the channel; runs on the I/O thread.
     */
    @Override
    public void run()
    {
        final ByteBuf batch;
        final int bytes;
        synchronized (this)
        {
            batch = gathered;
            gathered = null;
            scheduled = false;
            bytes = gatheredBytes;
            gatheredBytes = 0;
        }
        if (batch != null)
        {
            channel.writeAndFlush(batch, channel.voidPromise());
        }
        if (bytes > limitBytes)
        {
            onDrainedAboveLimit.run();
        }
    }

    private void discard()
    {
        final ByteBuf batch;
        synchronized (this)
        {
            batch = gathered;
            gathered = null;
            scheduled = false;
            gatheredBytes = 0;
        }
        if (batch != null)
        {
            batch.release();
        }
    }
}
