package io.meshmq.client.transport;

import io.netty.channel.EventLoopGroup;
import io.netty.channel.nio.NioEventLoopGroup;
import io.netty.util.concurrent.DefaultThreadFactory;

/**
 * The I/O threads every client connection of this class loader shares: daemon threads, created on first use,
 * so an application that forgets to close a connection still exits.
 */
public final class ClientEventLoops
{
    private static final class Holder
    {
        static final EventLoopGroup GROUP = new NioEventLoopGroup(
            Math.max(1, Integer.getInteger("meshmq.client.ioThreads", Math.min(4, Runtime.getRuntime().availableProcessors()))),
            new DefaultThreadFactory("meshmq-client-io", true));
    }

    private ClientEventLoops()
    {
    }

    public static EventLoopGroup group()
    {
        return Holder.GROUP;
    }
}
