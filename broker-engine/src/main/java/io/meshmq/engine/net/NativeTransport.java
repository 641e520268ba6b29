package io.meshmq.engine.net;

import io.netty.channel.EventLoopGroup;
import io.netty.channel.ServerChannel;
import io.netty.channel.epoll.Epoll;
import io.netty.channel.epoll.EpollEventLoopGroup;
import io.netty.channel.epoll.EpollServerSocketChannel;
import io.netty.channel.epoll.EpollSocketChannel;
import io.netty.channel.nio.NioEventLoopGroup;
import io.netty.channel.socket.SocketChannel;
import io.netty.channel.socket.nio.NioSocketChannel;

import java.util.concurrent.ThreadFactory;

/**
 * The broker's socket transport: Java NIO, whose accepted plain sockets the processor may write to itself
 * ({@link DirectWriteGate}); Netty's native epoll on Linux where its library loads when
 * {@code -Dmeshmq.transport.native=true} says so. Epoll was the default until the processor's direct writes: it is
 * edge-triggered and needs no selected-key sets, but a write from another thread to its raw descriptor may land in
 * another connection's socket if the descriptor is closed and reused meanwhile, which Java's socket channel prevents.
 * Measured (jmh/RESULTS.md, 2026-12-03): NIO with direct writes is ahead on request/reply latency and the
 * application-shaped 4P-4C, level elsewhere. (It was the default once before, for two commits; the HA test failures
 * that had epoll put back were HA and test bugs that showed on epoll too.) The in-VM transport's local channels run on
 * either kind of loop.
 */
public final class NativeTransport
{
    private static final boolean EPOLL =
        "true".equalsIgnoreCase(System.getProperty("meshmq.transport.native", "false")) && Epoll.isAvailable();

    private NativeTransport()
    {
    }

    /**
     * @return "epoll" or "nio", for the start-up line.
     */
    public static String name()
    {
        return EPOLL ? "epoll" : "nio";
    }

    public static EventLoopGroup group(final int threads, final ThreadFactory threadFactory)
    {
        return EPOLL ? new EpollEventLoopGroup(threads, threadFactory) : new NioEventLoopGroup(threads, threadFactory);
    }

    public static Class<? extends ServerChannel> serverChannel()
    {
        return EPOLL ? EpollServerSocketChannel.class : DirectNioServerSocketChannel.class;
    }

    public static Class<? extends SocketChannel> socketChannel()
    {
        return EPOLL ? EpollSocketChannel.class : NioSocketChannel.class;
    }
}
