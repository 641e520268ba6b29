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
 * The broker's socket transport: Netty's native epoll on Linux where its library loads; Java NIO anywhere else or when
 * {@code -Dmeshmq.transport.native=false} says so, and then the processor may write to accepted plain sockets itself
 * ({@link DirectWriteGate}; not on epoll: a write from another thread to its raw descriptor may land in another
 * connection's socket if the descriptor is closed and reused meanwhile, which Java's socket channel prevents).
 * Measured (jmh/RESULTS.md, 2026-12-03): NIO with direct writes is ahead on request/reply latency and the
 * application-shaped 4P-4C; it is not the default yet: two CI runs with it each failed an HA test once, failures since
 * traced to HA bugs that showed on epoll too (fixed 2026-12-04), so it is to be tried as the default again.
 * The in-VM transport's local channels run on either kind of loop.
 */
public final class NativeTransport
{
    private static final boolean EPOLL =
        !"false".equalsIgnoreCase(System.getProperty("meshmq.transport.native", "true")) && Epoll.isAvailable();

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
