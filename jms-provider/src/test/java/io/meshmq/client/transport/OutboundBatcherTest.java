package io.meshmq.client.transport;

import io.meshmq.protocol.WireWriter;
import io.netty.bootstrap.Bootstrap;
import io.netty.bootstrap.ServerBootstrap;
import io.netty.buffer.ByteBuf;
import io.netty.channel.Channel;
import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.ChannelInboundHandlerAdapter;
import io.netty.channel.ChannelOutboundHandlerAdapter;
import io.netty.channel.ChannelPromise;
import io.netty.channel.DefaultEventLoopGroup;
import io.netty.channel.EventLoopGroup;
import io.netty.channel.local.LocalAddress;
import io.netty.channel.local.LocalChannel;
import io.netty.channel.local.LocalServerChannel;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

import java.io.ByteArrayOutputStream;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

class OutboundBatcherTest
{
    private static final int THREADS = 4;
    private static final int FRAMES_PER_THREAD = 20_000;

    private EventLoopGroup group;
    private Channel server;
    private Channel client;
    private final ByteArrayOutputStream received = new ByteArrayOutputStream();
    private final AtomicInteger clientWrites = new AtomicInteger();

    @BeforeEach
    void connect() throws Exception
    {
        group = new DefaultEventLoopGroup(2);
        final LocalAddress address = new LocalAddress("batcher-" + System.nanoTime());
        server = new ServerBootstrap().group(group).channel(LocalServerChannel.class)
            .childHandler(new ChannelInboundHandlerAdapter()
            {
                @Override
                public void channelRead(final ChannelHandlerContext ctx, final Object msg)
                {
                    final ByteBuf buf = (ByteBuf)msg;
                    synchronized (received)
                    {
                        final byte[] bytes = new byte[buf.readableBytes()];
                        buf.readBytes(bytes);
                        received.write(bytes, 0, bytes.length);
                        received.notifyAll();
                    }
                    buf.release();
                }
            })
            .bind(address).sync().channel();
        client = new Bootstrap().group(group).channel(LocalChannel.class)
            .handler(new ChannelOutboundHandlerAdapter()
            {
                @Override
                public void write(final ChannelHandlerContext ctx, final Object msg, final ChannelPromise promise)
                {
                    clientWrites.incrementAndGet();
                    ctx.write(msg, promise);
                }
            })
            .connect(address).sync().channel();
    }

    @AfterEach
    void close() throws Exception
    {
        client.close().sync();
        server.close().sync();
        group.shutdownGracefully(0, 1, TimeUnit.SECONDS).sync();
    }

    @Test
    void shouldDeliverEveryFrameOnceAndInEachWritersOrder() throws Exception
    {
        final OutboundBatcher batcher = new OutboundBatcher(client, 1 << 20, () -> { });
        final CountDownLatch start = new CountDownLatch(1);
        final List<Thread> writers = new ArrayList<>();
        for (int t = 0; t < THREADS; t++)
        {
            final int writerId = t;
            final Thread thread = new Thread(() ->
            {
                final WireWriter writer = new WireWriter(64);
                try
                {
                    start.await();
                }
                catch (final InterruptedException ex)
                {
                    return;
                }
                for (int i = 0; i < FRAMES_PER_THREAD; i++)
                {
                    batcher.write(writer.reset().writeInt(writerId).writeInt(i));
                }
            });
            thread.start();
            writers.add(thread);
        }
        start.countDown();
        for (final Thread thread : writers)
        {
            thread.join(TimeUnit.SECONDS.toMillis(30));
        }
        final int expectedBytes = THREADS * FRAMES_PER_THREAD * 8;
        final byte[] bytes = awaitBytes(expectedBytes);
        final ByteBuffer in = ByteBuffer.wrap(bytes).order(ByteOrder.LITTLE_ENDIAN);
        final int[] next = new int[THREADS];
        while (in.hasRemaining())
        {
            final int writerId = in.getInt();
            assertEquals(next[writerId]++, in.getInt(), "frame out of order from writer " + writerId);
        }
        for (int t = 0; t < THREADS; t++)
        {
            assertEquals(FRAMES_PER_THREAD, next[t]);
        }
        assertTrue(clientWrites.get() < THREADS * FRAMES_PER_THREAD,
            "frames written meanwhile share a channel write: " + clientWrites.get() + " writes");
    }

    @Test
    void shouldSayWhenOverTheLimitAndWakeWritersOnceDrained() throws Exception
    {
        final CountDownLatch drained = new CountDownLatch(1);
        final OutboundBatcher batcher = new OutboundBatcher(client, 100, drained::countDown);
        final CountDownLatch holding = new CountDownLatch(1);
        final CountDownLatch release = new CountDownLatch(1);
        // Keep the I/O thread busy so the frames below gather.
        client.eventLoop().execute(() ->
        {
            holding.countDown();
            try
            {
                release.await();
            }
            catch (final InterruptedException ex)
            {
                Thread.currentThread().interrupt();
            }
        });
        assertTrue(holding.await(10, TimeUnit.SECONDS));
        final WireWriter writer = new WireWriter(256);
        batcher.write(writer.reset().writeRaw(new byte[60], 0, 60));
        assertFalse(batcher.isOverLimit());
        batcher.write(writer.reset().writeRaw(new byte[60], 0, 60));
        assertTrue(batcher.isOverLimit());
        release.countDown();
        assertTrue(drained.await(10, TimeUnit.SECONDS));
        assertFalse(batcher.isOverLimit());
        assertEquals(120, awaitBytes(120).length);
    }

    private byte[] awaitBytes(final int expected) throws InterruptedException
    {
        final long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(30);
        synchronized (received)
        {
            while (received.size() < expected)
            {
                final long leftMs = TimeUnit.NANOSECONDS.toMillis(deadline - System.nanoTime());
                if (leftMs <= 0)
                {
                    break;
                }
                received.wait(leftMs);
            }
            assertEquals(expected, received.size());
            return received.toByteArray();
        }
    }
}
