package io.meshmq.engine.net;

import io.meshmq.engine.ring.ConnectionOutput;
import io.meshmq.engine.ring.DirectOutput;
import io.meshmq.protocol.WireWriter;
import io.meshmq.transport.QuietBudget;
import io.netty.buffer.ByteBuf;
import io.netty.channel.Channel;
import io.netty.channel.ChannelFutureListener;
import io.netty.channel.ChannelPromise;

import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.Future;

/**
 * A connection as the processor sees it: frames written during a ring batch are gathered into one buffer
 * and handed to Netty in one write and flush at the end of the batch.
 * <p>
 * {@link #write} and {@link #flush} are called only on the processor thread; Netty takes the buffer over
 * on its I/O thread. A batch flushed after the connection was quiet ({@link QuietBudget}) the processor writes to the
 * socket itself where the channel has a {@link DirectWriteGate} (plain TCP) and nothing else is being written: the
 * I/O thread, asleep by then, is not woken for it. A busy connection's batches go through the I/O thread.
 */
public final class ChannelConnection implements ConnectionOutput
{
    private static final int MIN_BATCH_BUFFER = 8 * 1024;
    /** Deliveries stop for the rest of a batch once this much waits to be flushed. */
    private static final int MAX_BATCH_BYTES = 1024 * 1024;
    private static final System.Logger LOG = System.getLogger(ChannelConnection.class.getName());
    private static final OncePerMinute UNREAD = new OncePerMinute();

    private final long id;
    private final Channel channel;
    private final String remoteAddress;
    /** Bytes that may wait to be sent before the connection is closed: its peer does not read. */
    private final long maxUnsentBytes;
    private ByteBuf pending;
    /** Null where the processor cannot write to the socket itself. */
    private final DirectWriteGate gate;
    private final QuietBudget quiet = new QuietBudget();
    /** Large bodies delivered here and how often, so the I/O thread serves LARGE_READ only of those. */
    private final ConcurrentHashMap<Long, Integer> lent = new ConcurrentHashMap<>();

    /**
     * @param maxUnsentBytes bytes that may wait to be sent to the peer (Netty's outbound buffer and this batch) before
     *                       the connection is closed because the peer does not read.
     */
    public ChannelConnection(final long id, final Channel channel, final long maxUnsentBytes)
    {
        this.id = id;
        this.channel = channel;
        this.remoteAddress = String.valueOf(channel.remoteAddress());
        this.maxUnsentBytes = maxUnsentBytes;
        this.gate = DirectWriteGate.of(channel);
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
        if (!channel.isActive())
        {
            batch.release();
            return;
        }
        final long unsent = channel.isWritable() ? 0 : channel.bytesBeforeWritable();
        if (unsent + batch.readableBytes() > maxUnsentBytes)
        {
            batch.release();
            tooMuchUnsent(unsent);
            channel.close();
            return;
        }
        if (gate == null)
        {
            channel.writeAndFlush(batch, channel.voidPromise());
            return;
        }
        if (quiet.earned(System.nanoTime()) && gate.writeDirectly(batch))
        {
            quiet.spend();
            return;
        }
        gate.writeQueued(batch, channel.newPromise());
    }

    private void tooMuchUnsent(final long unsent)
    {
        final long since = UNREAD.occurred();
        if (since > 0)
        {
            LOG.log(System.Logger.Level.WARNING, "closed " + this + ": more than " + maxUnsentBytes + " bytes (" + unsent +
                " and more) wait to be sent and it reads nothing; " + since + " connection(s) closed so since this was " +
                "last logged (logged at most once a minute)");
        }
    }

    /**
     * Direct writes and the processor's flushes are both writes of whole buffers to the channel from threads other than
     * its I/O thread: Netty queues each as a task on that thread, in the order they were made.
     */
    @Override
    public DirectOutput direct()
    {
        return new DirectOutput()
        {
            @Override
            public Future<?> send(final WireWriter frame)
            {
                final int length = frame.position();
                final ByteBuf buffer = channel.alloc().ioBuffer(length);
                buffer.writeBytes(frame.array(), 0, length);
                if (gate == null)
                {
                    return channel.writeAndFlush(buffer);
                }
                final ChannelPromise promise = channel.newPromise();
                gate.writeQueued(buffer, promise);
                return promise;
            }

            @Override
            public boolean inIoThread()
            {
                return channel.eventLoop().inEventLoop();
            }

            @Override
            public void closeNow()
            {
                channel.close();
            }
        };
    }

    @Override
    public void lend(final long bodyId)
    {
        lent.merge(bodyId, 1, Integer::sum);
    }

    /**
     * @return true if the body was delivered here and the client did not say it is done with every delivery of it.
     */
    public boolean isLent(final long bodyId)
    {
        return lent.containsKey(bodyId);
    }

    /**
     * The client is done with one delivery of the body.
     *
     * @return false if it had none (nothing changed).
     */
    public boolean giveBack(final long bodyId)
    {
        // Only this (the I/O) thread takes loans away; the processor only adds them, so what is seen here stays.
        if (!lent.containsKey(bodyId))
        {
            return false;
        }
        lent.computeIfPresent(bodyId, (id, times) -> times == 1 ? null : times - 1);
        return true;
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
