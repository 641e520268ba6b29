package io.meshmq.transport;

import io.netty.channel.Channel;
import io.netty.channel.socket.nio.NioSocketChannel;

import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.channels.SocketChannel;

/**
 * A plain (not TLS) NIO socket that a thread other than its I/O thread may also write to directly, without waking the
 * I/O thread, when nothing else is being written: a client's application thread ({@code OutboundBatcher}), the
 * broker's processor ({@code DirectWriteGate}). Java's socket channel keeps such a write safe against a close on the
 * I/O thread (the descriptor is not reused while a write is in it), which a raw epoll descriptor does not.
 */
public final class DirectNioSocketChannel extends NioSocketChannel
{
    public DirectNioSocketChannel()
    {
    }

    /**
     * A socket a server channel accepted.
     */
    public DirectNioSocketChannel(final Channel parent, final SocketChannel socket)
    {
        super(parent, socket);
    }

    /**
     * Writes what the socket takes now, without blocking. The caller makes sure no other write to this channel is in
     * progress or waiting.
     *
     * @return the bytes written, maybe fewer than remain in {@code source}.
     */
    public int writeNow(final ByteBuffer source) throws IOException
    {
        return javaChannel().write(source);
    }
}
