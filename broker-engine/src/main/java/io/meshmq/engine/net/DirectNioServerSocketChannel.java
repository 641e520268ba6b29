package io.meshmq.engine.net;

import io.meshmq.transport.DirectNioSocketChannel;
import io.netty.channel.socket.nio.NioServerSocketChannel;
import io.netty.util.internal.SocketUtils;

import java.nio.channels.SocketChannel;
import java.util.List;

/**
 * A listening NIO socket whose accepted connections are {@link DirectNioSocketChannel}s, so the processor may write
 * to them itself ({@link DirectWriteGate}).
 */
public final class DirectNioServerSocketChannel extends NioServerSocketChannel
{
    private static final System.Logger LOG = System.getLogger(DirectNioServerSocketChannel.class.getName());

    @Override
    protected int doReadMessages(final List<Object> accepted) throws Exception
    {
        final SocketChannel socket = SocketUtils.accept(javaChannel());
        if (socket == null)
        {
            return 0;
        }
        try
        {
            accepted.add(new DirectNioSocketChannel(this, socket));
            return 1;
        }
        catch (final RuntimeException ex)
        {
            LOG.log(System.Logger.Level.WARNING, "cannot take an accepted connection: " + ex);
            socket.close();
            return 0;
        }
    }
}
