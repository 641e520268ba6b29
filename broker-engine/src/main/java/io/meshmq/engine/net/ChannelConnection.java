package io.meshmq.engine.net;

import io.meshmq.engine.ring.ConnectionOutput;
import io.meshmq.protocol.WireWriter;
import io.netty.buffer.ByteBuf;
import io.netty.channel.Channel;
import io.netty.channel.ChannelFutureListener;

/**
 * A connection as the processor sees it: frames written during a ring batch are gathered into one buffer
 * and handed to Netty in one write and flush at the end of the batch.
 * <p>
 * {@link #write} and {@link #flush} are called only on the processor thread; Netty takes the buffer over
 * on its I/O thread.
 */
public final class ChannelConnection implements ConnectionOutput
{
    private static final int MIN_BATCH_BUFFER = 8 * 1024;
    /** Deliveries stop for the rest of a batch once this much waits to be flushed. */
    private static final int MAX_BATCH_BYTES = 1024 * 1024;

    private final long id;
    private final Channel channel;
    private final String remoteAddress;
    private ByteBuf pending;

    public ChannelConnection(final long id, final Channel channel)
    {
        this.id = id;
        this.channel = channel;
        this.remoteAddress = String.valueOf(channel.remoteAddress());
    }

    @Override
    public long id()
    {
        return id;
    }

    @Override
    public String remoteAddress()
    {
        return remoteAddress;
    }

    public Channel channel()
    {
        return channel;
    }

    @Override
    public boolean write(final WireWriter frame)
    {
        final boolean first = pending == null;
        final int length = frame.position();
        if (first)
        {
            pending = channel.alloc().ioBuffer(Math.max(MIN_BATCH_BUFFER, length));
        }
        pending.writeBytes(frame.array(), 0, length);
        return first;
    }

    /**
     * Safe on the processor thread: Netty keeps a channel's writability in a volatile field.
     */
    @Override
    public boolean isWritable()
    {
        return channel.isWritable() && (pending == null || pending.readableBytes() < MAX_BATCH_BYTES);
    }

    @Override
    public void flush()
    {
        final ByteBuf batch = pending;
        pending = null;
        if (batch == null)
        {
            return;
        }
        if (channel.isActive())
        {
            channel.writeAndFlush(batch, channel.voidPromise());
        }
        else
        {
            batch.release();
        }
    }

    @Override
    public void close()
    {
        final ByteBuf batch = pending;
        pending = null;
        if (batch == null)
        {
            channel.close();
        }
        else
        {
            channel.writeAndFlush(batch).addListener(ChannelFutureListener.CLOSE);
        }
    }

    @Override
    public String toString()
    {
        return "connection " + id + " from " + remoteAddress;
    }
}
