package io.meshmq.client.transport;

import io.meshmq.protocol.WireWriter;
import io.meshmq.transport.DirectNioSocketChannel;
import io.meshmq.transport.QuietBudget;
import io.netty.buffer.ByteBuf;
import io.netty.channel.Channel;
import io.netty.channel.ChannelOutboundBuffer;
import io.netty.channel.EventLoop;

import java.io.IOException;
import java.nio.ByteBuffer;
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
 * <p>
 * A frame written after the connection was quiet ({@link QuietBudget}; {@link DirectNioSocketChannel} only: plain
 * TCP) is written to the socket by the application thread itself when nothing else is being written or waits: the
 * I/O thread, asleep by then, is not woken for it. That is the paced request/reply case, where the wake-up cost more
 * than the write; a busy connection keeps gathering (a write per frame would cost more than the wake-ups it saves).
 * Whatever the socket does not take at once is gathered and goes through the I/O thread as before.
 */
public final class OutboundBatcher implements Runnable
{
    private static final int INITIAL_CAPACITY = 4096;

    private final Channel channel;
    private final Runnable onDrainedAboveLimit;
    private final int limitBytes;
    private final DirectNioSocketChannel direct;
    private ByteBuf gathered;
    private boolean scheduled;
    /** The I/O thread is handing a batch to the channel: nothing may be written directly meanwhile. */
    private boolean handing;
    private final QuietBudget quiet = new QuietBudget();
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
        this.direct = channel instanceof DirectNioSocketChannel ? (DirectNioSocketChannel)channel : null;
    }

    /**
     * Copies the writer's frame (or frames) for the channel. Never blocks on the network; see {@link #isOverLimit()}.
     */
    public void write(final WireWriter writer)
    {
        final boolean schedule;
        synchronized (this)
        {
            final int written = direct == null ? 0 : writeDirectly(writer);
            if (written == writer.position())
            {
                return;
            }
            if (gathered == null)
            {
                gathered = channel.alloc().ioBuffer(Math.max(INITIAL_CAPACITY, writer.position() - written));
            }
            gathered.writeBytes(writer.array(), written, writer.position() - written);
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
     * Writes the frame to the socket on this thread if the connection was quiet and nothing else is written or waits
     * to be. Under the lock.
     *
     * @return how many of its bytes the socket took (the rest must follow through the I/O thread).
     */
    private int writeDirectly(final WireWriter writer)
    {
        if (!quiet.earned(System.nanoTime()) || gathered != null || scheduled || handing ||
            channel.eventLoop().inEventLoop())
        {
            return 0;
        }
        // Netty's own buffer fills only through this class (under this lock), and empties only by writing: empty
        // now, nothing can start writing until this returns.
        final ChannelOutboundBuffer unsent = channel.unsafe().outboundBuffer();
        if (unsent == null || unsent.totalPendingWriteBytes() != 0)
        {
            return 0;
        }
        quiet.spend();
        try
        {
            return direct.writeNow(ByteBuffer.wrap(writer.array(), 0, writer.position()));
        }
        catch (final IOException ex)
        {
            // Closed or reset: the I/O thread's write fails the same way and closes the channel, as it does anyway.
            return 0;
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
            handing = batch != null;
        }
        if (batch != null)
        {
            try
            {
                channel.writeAndFlush(batch, channel.voidPromise());
            }
            finally
            {
                synchronized (this)
                {
                    handing = false;
                }
            }
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
