package io.meshmq.client.transport;

import io.meshmq.protocol.WireWriter;
import io.meshmq.transport.DirectNioSocketChannel;
import io.meshmq.transport.QuietBudget;
import io.netty.bootstrap.Bootstrap;
import io.netty.bootstrap.ServerBootstrap;
import io.netty.buffer.ByteBuf;
import io.netty.channel.Channel;
import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.ChannelInboundHandlerAdapter;
import io.netty.channel.ChannelInitializer;
import io.netty.channel.ChannelOption;
import io.netty.channel.ChannelOutboundHandlerAdapter;
import io.netty.channel.ChannelPromise;
import io.netty.channel.EventLoopGroup;
import io.netty.channel.nio.NioEventLoopGroup;
import io.netty.channel.socket.nio.NioServerSocketChannel;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

import java.net.InetSocketAddress;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.util.ArrayList;
import java.util.List;
import java.util.Random;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicReference;
import java.util.concurrent.locks.LockSupport;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * {@link OutboundBatcher} over real TCP on loopback with {@link DirectNioSocketChannel}: frames written after a
 * quiet time go to the socket from the writing thread; the rest, and whatever the socket does not take, through the
 * I/O thread, all in order.
 */
class DirectWritesTest
{
    private EventLoopGroup group;
    private Channel server;
    private Channel client;
    private volatile Channel accepted;
    /** Frames the server read, checked as they come: each writer's sequence numbers in order, each body intact. */
    private final FrameChecker checker = new FrameChecker();
    /** Writes that went through the client channel's pipeline (the I/O thread), not directly to its socket. */
    private final AtomicInteger pipelineWrites = new AtomicInteger();

    @BeforeEach
    void connect() throws Exception
    {
        group = new NioEventLoopGroup(2);
        server = new ServerBootstrap().group(group).channel(NioServerSocketChannel.class)
            .childOption(ChannelOption.SO_RCVBUF, 64 * 1024)
            .childHandler(new ChannelInboundHandlerAdapter()
            {
                @Override
                public void channelActive(final ChannelHandlerContext ctx)
                {
                    accepted = ctx.channel();
                }

                @Override
                public void channelRead(final ChannelHandlerContext ctx, final Object msg)
                {
                    final ByteBuf buf = (ByteBuf)msg;
                    final byte[] bytes = new byte[buf.readableBytes()];
                    buf.readBytes(bytes);
                    buf.release();
                    checker.accept(bytes);
                }
            })
            .bind(new InetSocketAddress("127.0.0.1", 0)).sync().channel();
        client = new Bootstrap().group(group).channel(DirectNioSocketChannel.class)
            .option(ChannelOption.SO_SNDBUF, 64 * 1024)
            .handler(new ChannelInitializer<Channel>()
            {
                @Override
                protected void initChannel(final Channel ch)
                {
                    ch.pipeline().addLast(new ChannelOutboundHandlerAdapter()
                    {
                        @Override
                        public void write(final ChannelHandlerContext ctx, final Object msg, final ChannelPromise promise)
                        {
                            // Now and then the I/O thread takes its time handing a batch over, as a busy one does.
                            if (pipelineWrites.incrementAndGet() % 8 == 0)
                            {
                                LockSupport.parkNanos(300_000);
                            }
                            ctx.write(msg, promise);
                        }
                    });
                }
            })
            .connect(server.localAddress()).sync().channel();
        final long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(10);
        while (accepted == null && System.nanoTime() < deadline)
        {
            Thread.onSpinWait();
        }
    }

    @AfterEach
    void close() throws Exception
    {
        client.close().sync();
        server.close().sync();
        group.shutdownGracefully(0, 1, TimeUnit.SECONDS).sync();
    }

    @Test
    void shouldWritePacedFramesFromTheWritingThreadWithoutTheIoThread()
    {
        final OutboundBatcher batcher = new OutboundBatcher(client, 1 << 20, () -> { });
        final WireWriter writer = new WireWriter(256);
        final int frames = 200;
        for (int i = 0; i < frames; i++)
        {
            // The pace of a request/reply client: a frame, then a pause longer than the quiet time (parkNanos may
            // return early).
            final long until = System.nanoTime() + 2 * QuietBudget.QUIET_NS;
            for (long left = until - System.nanoTime(); left > 0; left = until - System.nanoTime())
            {
                LockSupport.parkNanos(left);
            }
            batcher.write(FrameChecker.frame(writer, 0, i, 100));
        }
        checker.await(1, frames);
        assertEquals(0, pipelineWrites.get(), "paced frames went through the I/O thread");
    }

    @Test
    void shouldKeepEveryFrameInOrderWhenTheSocketTakesPartAndTheReaderIsSlow() throws Exception
    {
        final OutboundBatcher batcher = new OutboundBatcher(client, 64 << 20, () -> { });
        final int writers = 3;
        final int framesPerWriter = 3_000;
        final CountDownLatch start = new CountDownLatch(1);
        final AtomicReference<Throwable> failed = new AtomicReference<>();
        final List<Thread> threads = new ArrayList<>();
        for (int t = 0; t < writers; t++)
        {
            final int writerId = t;
            final Thread thread = new Thread(() ->
            {
                final Random random = new Random(writerId);
                final WireWriter writer = new WireWriter(256 * 1024);
                try
                {
                    start.await();
                    for (int i = 0; i < framesPerWriter; i++)
                    {
                        // Paced and streaming writes mixed, small frames and frames larger than the socket's buffers,
                        // so some direct writes are partial and some frames wait behind Netty's unwritten bytes.
                        if (random.nextInt(4) == 0)
                        {
                            LockSupport.parkNanos(QuietBudget.QUIET_NS + random.nextInt(100_000));
                        }
                        final int size = random.nextInt(10) == 0 ? 100_000 + random.nextInt(100_000) : random.nextInt(2_000);
                        batcher.write(FrameChecker.frame(writer, writerId, i, size));
                    }
                }
                catch (final Throwable ex)
                {
                    failed.set(ex);
                }
            });
            threads.add(thread);
            thread.start();
        }
        // The reader stalls now and then, so the client's socket fills and empties.
        final Thread reader = new Thread(() ->
        {
            final Random random = new Random(42);
            while (!checker.isComplete(writers, framesPerWriter) && !Thread.currentThread().isInterrupted())
            {
                accepted.config().setAutoRead(false);
                LockSupport.parkNanos(random.nextInt(2_000_000));
                accepted.config().setAutoRead(true);
                LockSupport.parkNanos(random.nextInt(2_000_000));
            }
            accepted.config().setAutoRead(true);
        });
        reader.start();
        start.countDown();
        for (final Thread thread : threads)
        {
            thread.join(TimeUnit.SECONDS.toMillis(60));
        }
        assertNull(failed.get());
        checker.await(writers, framesPerWriter);
        reader.interrupt();
        reader.join(TimeUnit.SECONDS.toMillis(10));
        assertTrue(pipelineWrites.get() > 0, "nothing went through the I/O thread: the partial writes were not tried");
    }

    /**
     * Frames of {@code [length int][writer int][sequence int][body: (writer + sequence + k) bytes]}, reassembled from
     * whatever chunks TCP gives.
     */
    private static final class FrameChecker
    {
        private final Object lock = new Object();
        private ByteBuffer partial = ByteBuffer.allocate(0).order(ByteOrder.LITTLE_ENDIAN);
        private final int[] next = new int[16];
        private String error;

        static WireWriter frame(final WireWriter writer, final int writerId, final int sequence, final int bodyLength)
        {
            writer.reset().writeInt(12 + bodyLength).writeInt(writerId).writeInt(sequence);
            final byte[] body = new byte[bodyLength];
            for (int k = 0; k < bodyLength; k++)
            {
                body[k] = (byte)(writerId + sequence + k);
            }
            return writer.writeRaw(body, 0, bodyLength);
        }

        void accept(final byte[] bytes)
        {
            synchronized (lock)
            {
                final ByteBuffer joined = ByteBuffer.allocate(partial.remaining() + bytes.length).order(ByteOrder.LITTLE_ENDIAN);
                joined.put(partial).put(bytes).flip();
                while (error == null && joined.remaining() >= 4 && joined.remaining() >= joined.getInt(joined.position()))
                {
                    final int length = joined.getInt();
                    final int writerId = joined.getInt();
                    final int sequence = joined.getInt();
                    if (writerId < 0 || writerId >= next.length || sequence != next[writerId])
                    {
                        error = "frame " + sequence + " of writer " + writerId + " out of order (length " + length + ")";
                        break;
                    }
                    for (int k = 0; k < length - 12; k++)
                    {
                        if (joined.get() != (byte)(writerId + sequence + k))
                        {
                            error = "frame " + sequence + " of writer " + writerId + " corrupt at byte " + k;
                            break;
                        }
                    }
                    next[writerId]++;
                }
                partial = joined.slice().order(ByteOrder.LITTLE_ENDIAN);
                lock.notifyAll();
            }
        }

        boolean isComplete(final int writers, final int frames)
        {
            synchronized (lock)
            {
                for (int w = 0; w < writers; w++)
                {
                    if (next[w] < frames)
                    {
                        return error != null;
                    }
                }
                return true;
            }
        }

        void await(final int writers, final int frames)
        {
            final long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(60);
            synchronized (lock)
            {
                while (error == null && !isComplete(writers, frames) && System.nanoTime() < deadline)
                {
                    try
                    {
                        lock.wait(100);
                    }
                    catch (final InterruptedException ex)
                    {
                        Thread.currentThread().interrupt();
                        break;
                    }
                }
                assertNull(error);
                for (int w = 0; w < writers; w++)
                {
                    assertEquals(frames, next[w], "frames of writer " + w);
                }
            }
        }
    }
}
