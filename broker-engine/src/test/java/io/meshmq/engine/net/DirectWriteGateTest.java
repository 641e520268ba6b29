package io.meshmq.engine.net;

import io.meshmq.protocol.WireWriter;
import io.meshmq.transport.QuietBudget;
import io.netty.bootstrap.Bootstrap;
import io.netty.bootstrap.ServerBootstrap;
import io.netty.buffer.ByteBuf;
import io.netty.channel.Channel;
import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.ChannelInboundHandlerAdapter;
import io.netty.channel.ChannelInitializer;
import io.netty.channel.ChannelOption;
import io.netty.channel.EventLoopGroup;
import io.netty.channel.nio.NioEventLoopGroup;
import io.netty.channel.socket.nio.NioSocketChannel;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

import java.io.ByteArrayOutputStream;
import java.net.InetSocketAddress;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.util.Arrays;
import java.util.Random;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicReference;
import java.util.concurrent.locks.LockSupport;
import java.util.concurrent.locks.ReentrantReadWriteLock;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * The processor's direct writes to a broker connection (plain TCP) over real loopback sockets: a paced
 * connection is written without its I/O thread; mixed with the I/O thread's own writes and other threads' direct
 * outputs, a slow reader and writes the socket takes only in part, every frame arrives whole and in each source's
 * order.
 */
class DirectWriteGateTest
{
    private static final int PROCESSOR = 0;
    private static final int IO_THREAD = 1;
    private static final int ASIDE = 2;

    private EventLoopGroup serverGroup;
    private EventLoopGroup clientGroup;
    private Channel server;
    private Channel reader;
    private final CompletableFuture<Channel> accepted = new CompletableFuture<>();
    private final Frames frames = new Frames();

    /**
     * @param socketBuffers the sending socket's SO_SNDBUF and the reading one's SO_RCVBUF, or 0 for the system's.
     */
    private Channel connect(final int socketBuffers) throws Exception
    {
        serverGroup = new NioEventLoopGroup(1);
        clientGroup = new NioEventLoopGroup(1);
        final ServerBootstrap serving = new ServerBootstrap();
        final Bootstrap reading = new Bootstrap();
        if (socketBuffers > 0)
        {
            serving.childOption(ChannelOption.SO_SNDBUF, socketBuffers);
            reading.option(ChannelOption.SO_RCVBUF, socketBuffers);
        }
        server = serving.group(serverGroup).channel(DirectNioServerSocketChannel.class)
            .childHandler(new ChannelInitializer<Channel>()
            {
                @Override
                protected void initChannel(final Channel ch)
                {
                    DirectWriteGate.addTo(ch);
                    accepted.complete(ch);
                }
            })
            .bind(new InetSocketAddress("127.0.0.1", 0)).sync().channel();
        reader = reading.group(clientGroup).channel(NioSocketChannel.class)
            .handler(new ChannelInboundHandlerAdapter()
            {
                @Override
                public void channelRead(final ChannelHandlerContext ctx, final Object msg)
                {
                    final ByteBuf buf = (ByteBuf)msg;
                    final byte[] bytes = new byte[buf.readableBytes()];
                    buf.readBytes(bytes);
                    buf.release();
                    frames.accept(bytes);
                }
            })
            .connect(server.localAddress()).sync().channel();
        return accepted.get(10, TimeUnit.SECONDS);
    }

    @AfterEach
    void close() throws Exception
    {
        if (reader != null)
        {
            reader.close().sync();
        }
        if (server != null)
        {
            server.close().sync();
        }
        for (final EventLoopGroup group : new EventLoopGroup[] {serverGroup, clientGroup})
        {
            if (group != null)
            {
                group.shutdownGracefully(0, 1, TimeUnit.SECONDS).sync();
            }
        }
    }

    @Test
    void shouldWriteAPacedConnectionsBatchesWithoutItsIoThread() throws Exception
    {
        // The system's socket buffers take all 200 batches (42 KB) even if the reader is held up (a busy machine): a
        // write the socket takes only in part is owed to the I/O thread, and so is what follows it until that is sent.
        final Channel channel = connect(0);
        final ChannelConnection connection = new ChannelConnection(1, channel, Long.MAX_VALUE);
        final WireWriter writer = new WireWriter(1024);
        final int count = 200;
        for (int i = 0; i < count; i++)
        {
            // A request/reply pace: one batch, then a pause longer than the quiet time.
            pauseAtLeast(2 * QuietBudget.QUIET_NS);
            connection.write(Frames.frame(writer, PROCESSOR, i, 200));
            connection.flush();
        }
        frames.await(new int[] {count, 0, 0});
        assertEquals(count, DirectWriteGate.of(channel).directWrites(), "batches written by the processor itself");
    }

    @Test
    void shouldKeepEverySourcesFramesInOrderWhateverTheSocketTakes() throws Exception
    {
        final Channel channel = connect(8 * 1024);
        final ChannelConnection connection = new ChannelConnection(1, channel, Long.MAX_VALUE);
        final int[] counts = {3_000, 3_000, 1_500};
        final AtomicReference<Throwable> failed = new AtomicReference<>();
        // Now and then the other sources hold off until everything is sent, so the processor's next batch goes
        // directly for certain, and theirs follow it at once: the socket rarely drains otherwise.
        final HoldOff holdOff = new HoldOff();
        final int holdEvery = 500;
        final Thread processor = source(failed, () ->
        {
            final Random random = new Random(1);
            final WireWriter writer = new WireWriter(256 * 1024);
            for (int i = 0; i < counts[PROCESSOR]; i++)
            {
                final boolean alone = i % holdEvery == holdEvery / 2;
                if (alone)
                {
                    holdOff.hold();
                    awaitQuiet(channel);
                    pauseAtLeast(QuietBudget.QUIET_NS);
                }
                else
                {
                    pace(random);
                }
                connection.write(Frames.frame(writer, PROCESSOR, i, size(random)));
                connection.flush();
                if (alone)
                {
                    holdOff.release();
                }
            }
        });
        final Thread ioWrites = source(failed, () ->
        {
            // Frames the I/O thread writes itself (answers it gives without the processor), in order.
            final Random random = new Random(2);
            for (int i = 0; i < counts[IO_THREAD]; i++)
            {
                pace(random);
                final int sequence = i;
                final int size = size(random);
                holdOff.unlessHeld(() -> channel.eventLoop().execute(() ->
                {
                    final WireWriter writer = new WireWriter(size + 16);
                    Frames.frame(writer, IO_THREAD, sequence, size);
                    channel.writeAndFlush(channel.alloc().ioBuffer().writeBytes(writer.array(), 0, writer.position()),
                        channel.voidPromise());
                }));
            }
        });
        final Thread aside = source(failed, () ->
        {
            // Another thread's direct output (a body sent to a replica, say).
            final Random random = new Random(3);
            final WireWriter writer = new WireWriter(256 * 1024);
            for (int i = 0; i < counts[ASIDE]; i++)
            {
                pace(random);
                final int size = size(random);
                final int sequence = i;
                holdOff.unlessHeld(() -> connection.direct().send(Frames.frame(writer, ASIDE, sequence, size)));
            }
        });
        final AtomicBoolean reading = new AtomicBoolean(true);
        final Thread stalls = new Thread(() ->
        {
            final Random random = new Random(4);
            while (reading.get())
            {
                reader.config().setAutoRead(false);
                LockSupport.parkNanos(random.nextInt(500_000));
                reader.config().setAutoRead(true);
                LockSupport.parkNanos(random.nextInt(500_000));
            }
        });
        stalls.start();
        for (final Thread thread : new Thread[] {processor, ioWrites, aside})
        {
            thread.join(TimeUnit.SECONDS.toMillis(60));
        }
        try
        {
            assertNull(failed.get());
            frames.await(counts);
        }
        finally
        {
            reading.set(false);
            stalls.join(TimeUnit.SECONDS.toMillis(10));
            reader.config().setAutoRead(true);
        }
        assertTrue(DirectWriteGate.of(channel).directWrites() >= counts[PROCESSOR] / holdEvery,
            "the processor wrote fewer batches directly than it was given quiet sockets for");
    }

    private static Thread source(final AtomicReference<Throwable> failed, final Runnable body)
    {
        final Thread thread = new Thread(() ->
        {
            try
            {
                body.run();
            }
            catch (final Throwable ex)
            {
                failed.set(ex);
            }
        });
        thread.start();
        return thread;
    }

    /** Now and then a pause past the quiet time, else none: paced and streaming batches mixed. */
    private static void pace(final Random random)
    {
        if (random.nextBoolean())
        {
            LockSupport.parkNanos(QuietBudget.QUIET_NS + random.nextInt(50_000));
        }
    }

    /**
     * Lets the processor's source have the connection to itself for a batch: the other sources write only while it
     * does not.
     */
    private static final class HoldOff
    {
        private final ReentrantReadWriteLock lock = new ReentrantReadWriteLock();
        private volatile boolean held;

        /**
         * Runs the write (another source's) once the processor does not hold the others off.
         */
        void unlessHeld(final Runnable write)
        {
            while (true)
            {
                lock.readLock().lock();
                try
                {
                    if (!held)
                    {
                        write.run();
                        return;
                    }
                }
                finally
                {
                    lock.readLock().unlock();
                }
                LockSupport.parkNanos(20_000);
            }
        }

        /**
         * Returns once no other source writes, nor will until {@link #release()}.
         */
        void hold()
        {
            held = true;
            lock.writeLock().lock();
            lock.writeLock().unlock();
        }

        void release()
        {
            held = false;
        }
    }

    private static void pauseAtLeast(final long nanos)
    {
        final long until = System.nanoTime() + nanos;
        for (long left = nanos; left > 0; left = until - System.nanoTime())
        {
            LockSupport.parkNanos(left);
        }
    }

    /**
     * Waits (with a deadline) until everything written to the channel so far is in the socket, the I/O thread's own
     * writes included (tasks it has yet to run).
     */
    private static void awaitQuiet(final Channel channel)
    {
        try
        {
            channel.eventLoop().submit(() -> { }).get(30, TimeUnit.SECONDS);
        }
        catch (final Exception ex)
        {
            throw new AssertionError("the I/O thread did not run a task within 30 s", ex);
        }
        final long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(30);
        while (!DirectWriteGate.of(channel).isQuiet())
        {
            if (System.nanoTime() > deadline)
            {
                throw new AssertionError("the socket did not drain within 30 s");
            }
            LockSupport.parkNanos(100_000);
        }
    }

    /** One in three larger than both sockets' buffers, so the socket takes it only in part; the rest small. */
    private static int size(final Random random)
    {
        return random.nextInt(3) == 0 ? 40_000 + random.nextInt(100_000) : random.nextInt(1_500);
    }

    /**
     * {@code [total length int][source int][sequence int][body]}, body bytes derived from source, sequence and offset.
     */
    private static final class Frames
    {
        private final ByteArrayOutputStream unread = new ByteArrayOutputStream();
        private final int[] next = new int[3];
        private String error;

        static WireWriter frame(final WireWriter writer, final int source, final int sequence, final int bodyLength)
        {
            writer.reset().writeInt(12 + bodyLength).writeInt(source).writeInt(sequence);
            for (int k = 0; k < bodyLength; k++)
            {
                writer.writeByte((byte)(source * 7 + sequence + k));
            }
            return writer;
        }

        synchronized void accept(final byte[] bytes)
        {
            unread.write(bytes, 0, bytes.length);
            final ByteBuffer in = ByteBuffer.wrap(unread.toByteArray()).order(ByteOrder.LITTLE_ENDIAN);
            while (error == null && in.remaining() >= 4 && in.remaining() >= in.getInt(in.position()))
            {
                final int length = in.getInt();
                final int source = in.getInt();
                final int sequence = in.getInt();
                if (source < 0 || source > 2 || sequence != next[source])
                {
                    error = "frame " + sequence + " from source " + source + " out of order or torn (length " + length +
                        ")";
                    break;
                }
                for (int k = 0; k < length - 12 && error == null; k++)
                {
                    if (in.get() != (byte)(source * 7 + sequence + k))
                    {
                        error = "frame " + sequence + " from source " + source + " corrupt at byte " + k;
                    }
                }
                next[source]++;
            }
            unread.reset();
            unread.write(in.array(), in.position(), in.remaining());
            notifyAll();
        }

        synchronized void await(final int[] expected) throws InterruptedException
        {
            final long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(60);
            while (error == null && !Arrays.equals(next, expected) && System.nanoTime() < deadline)
            {
                wait(100);
            }
            assertNull(error);
            assertEquals(Arrays.toString(expected), Arrays.toString(next), "frames from each source");
        }
    }
}
