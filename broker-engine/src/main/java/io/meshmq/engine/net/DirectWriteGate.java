package io.meshmq.engine.net;

import io.meshmq.transport.DirectNioSocketChannel;
import io.netty.buffer.ByteBuf;
import io.netty.channel.Channel;
import io.netty.channel.ChannelFutureListener;
import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.ChannelOutboundBuffer;
import io.netty.channel.ChannelOutboundHandlerAdapter;
import io.netty.channel.ChannelPromise;

import java.io.IOException;
import java.util.concurrent.RejectedExecutionException;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * Lets the processor write a batch to a plain TCP socket ({@link DirectNioSocketChannel}) itself when nothing else
 * is being written to it or waits to be, instead of waking the connection's I/O thread for it: on two vCPUs that
 * wake-up was two of the ten or so thread activations a request/reply round trip cost.
 * <p>
 * The first outbound handler from the pipeline's head, so every write made through the pipeline passes it, on the I/O
 * thread, under the same lock as a direct write. A direct write happens only while no write handed to Netty from
 * another thread is unfinished ({@link #queued}) and Netty's buffer holds nothing ({@link #isIdle}): then no other
 * thread can be writing to the socket, and none can start before the lock is released. What the socket does not take
 * of a direct write is owed: it goes into Netty's buffer ahead of the next write and is flushed by the I/O thread.
 * <p>
 * Thread safe: {@link #writeDirectly} is called by the processor (or any thread), the handler methods on the I/O
 * thread.
 */
public final class DirectWriteGate extends ChannelOutboundHandlerAdapter
{
    static final String NAME = "directWriteGate";

    private final DirectNioSocketChannel channel;
    /** Writes handed to Netty from other threads that have not finished yet (written, or failed). */
    private final AtomicInteger queued = new AtomicInteger();
    private final ChannelFutureListener finished = future -> queued.decrementAndGet();
    private ChannelHandlerContext ctx;
    /** The rest of a direct write the socket did not take: it goes before anything written after it. */
    private ByteBuf owed;
    /** Batches written directly, for tests and curiosity. */
    private volatile long directWrites;

    private DirectWriteGate(final DirectNioSocketChannel channel)
    {
        this.channel = channel;
    }

    /**
     * Adds a gate to a plain (not TLS) socket's pipeline, first from its head; none for other channels.
     */
    public static void addTo(final Channel channel)
    {
        if (channel instanceof DirectNioSocketChannel)
        {
            channel.pipeline().addFirst(NAME, new DirectWriteGate((DirectNioSocketChannel)channel));
        }
    }

    /**
     * @return the channel's gate, or null if it has none (direct writes are not possible there).
     */
    static DirectWriteGate of(final Channel channel)
    {
        return (DirectWriteGate)channel.pipeline().get(NAME);
    }

    @Override
    public void handlerAdded(final ChannelHandlerContext ctx)
    {
        this.ctx = ctx;
    }

    /**
     * Hands a buffer to Netty from a thread other than the I/O thread; no direct write happens until it is written.
     */
    void writeQueued(final ByteBuf buffer, final ChannelPromise promise)
    {
        queued.incrementAndGet();
        promise.addListener(finished);
        channel.writeAndFlush(buffer, promise);
    }

    /**
     * Writes the buffer to the socket on this thread if nothing else is being written or waits to be, and takes it
     * over (releases it, or keeps what the socket did not take to send next).
     *
     * @return false if it was not written (the caller hands it to Netty as usual).
     */
    boolean writeDirectly(final ByteBuf buffer)
    {
        synchronized (this)
        {
            if (owed != null || queued.get() != 0 || !isIdle() || !channel.isActive())
            {
                return false;
            }
            final int length = buffer.readableBytes();
            final int written;
            try
            {
                written = channel.writeNow(buffer.nioBuffer());
            }
            catch (final IOException ex)
            {
                // Closed or reset: Netty's own write fails the same way and closes the channel.
                return false;
            }
            directWrites++;
            if (written == length)
            {
                buffer.release();
                return true;
            }
            buffer.skipBytes(Math.max(0, written));
            owed = buffer;
        }
        try
        {
            channel.eventLoop().execute(this::flushOwed);
        }
        catch (final RejectedExecutionException ex)
        {
            // The I/O thread is gone, so is the connection: the rest could never be sent.
            synchronized (this)
            {
                if (owed != null)
                {
                    owed.release();
                    owed = null;
                }
            }
        }
        return true;
    }

    long directWrites()
    {
        return directWrites;
    }

    /**
     * @return true if nothing written to the channel waits to go to the socket (tests; any thread).
     */
    synchronized boolean isQuiet()
    {
        return owed == null && queued.get() == 0 && isIdle();
    }

    private boolean isIdle()
    {
        final ChannelOutboundBuffer unsent = channel.unsafe().outboundBuffer();
        return unsent != null && unsent.totalPendingWriteBytes() == 0;
    }

    private void flushOwed()
    {
        synchronized (this)
        {
            writeOwed();
        }
        ctx.flush();
    }

    /**
     * Under the lock, on the I/O thread.
     */
    private void writeOwed()
    {
        if (owed != null)
        {
            ctx.write(owed, ctx.voidPromise());
            owed = null;
        }
    }

    @Override
    public void write(final ChannelHandlerContext ctx, final Object msg, final ChannelPromise promise)
    {
        synchronized (this)
        {
            writeOwed();
            ctx.write(msg, promise);
        }
    }

    @Override
    public void flush(final ChannelHandlerContext ctx)
    {
        synchronized (this)
        {
            writeOwed();
        }
        // Not under the lock: Netty writes to the socket only what its buffer holds, and no direct write happens while
        // it holds anything.
        ctx.flush();
    }

    @Override
    public void handlerRemoved(final ChannelHandlerContext ctx)
    {
        synchronized (this)
        {
            if (owed != null)
            {
                owed.release();
                owed = null;
            }
        }
    }
}
