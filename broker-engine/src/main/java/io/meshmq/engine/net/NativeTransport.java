package io.meshmq.engine.net;

import io.netty.channel.EventLoopGroup;
import io.netty.channel.ServerChannel;
import io.netty.channel.epoll.Epoll;
import io.netty.channel.epoll.EpollEventLoopGroup;
import io.netty.channel.epoll.EpollServerSocketChannel;
import io.netty.channel.epoll.EpollSocketChannel;
import io.netty.channel.nio.NioEventLoopGroup;
import io.netty.channel.socket.SocketChannel;
import io.netty.channel.socket.nio.NioServerSocketChannel;
import io.netty.channel.socket.nio.NioSocketChannel;

import java.util.concurrent.ThreadFactory;

/**
 * The broker's socket transport: Netty's native epoll on Linux where its library loads, Java NIO anywhere else or when
 * {@code -Dmeshmq.transport.native=false} says so. Epoll is edge-triggered and needs no selected-key sets, so each
 * read and write costs the I/O threads fewer system calls and less garbage. The in-VM transport's local channels run
 * on either kind of loop.
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
        return EPOLL ? EpollServerSocketChannel.class : NioServerSocketChannel.class;
    }

    public static Class<? extends SocketChannel> socketChannel()
    {
        return EPOLL ? EpollSocketChannel.class : NioSocketChannel.class;
    }
}
