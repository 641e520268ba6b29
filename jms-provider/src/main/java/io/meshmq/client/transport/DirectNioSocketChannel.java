package io.meshmq.client.transport;

import io.netty.channel.socket.nio.NioSocketChannel;

import java.io.IOException;
import java.nio.ByteBuffer;

/**
 * A plain (not TLS) NIO socket that an application thread may also write to directly, without waking the I/O
 * thread, when nothing else is being written: see {@link OutboundBatcher}.
 */
public final class DirectNioSocketChannel extends NioSocketChannel
{
    /**
     * Writes what the socket takes now, without blocking. The caller makes sure no other write to this channel is in
     * progress or waiting.
     *
     * @return the bytes written, maybe fewer than remain in {@code source}.
     */
    int writeNow(final ByteBuffer source) throws IOException
    {
        return javaChannel().write(source);
    }
}
