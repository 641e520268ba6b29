package io.meshmq.client.transport;

import io.meshmq.transport.DirectNioSocketChannel;
import io.meshmq.transport.NettyFrames;
import io.meshmq.transport.TransportConnector;
import io.meshmq.transport.TransportEndpoint;
import io.netty.bootstrap.Bootstrap;
import io.netty.channel.Channel;
import io.netty.channel.ChannelFuture;
import io.netty.channel.ChannelHandler;
import io.netty.channel.ChannelInitializer;
import io.netty.channel.ChannelOption;
import io.netty.channel.EventLoopGroup;
import io.netty.channel.WriteBufferWaterMark;
import io.netty.channel.socket.nio.NioSocketChannel;
import io.netty.handler.ssl.SslContext;

import java.io.IOException;
import java.net.ConnectException;

/**
 * {@code tcp://HOST:PORT}: a Netty NIO socket with Nagle off and write watermarks that senders respect; with TLS
 * ({@code tls://HOST:PORT}, or {@code ssl=true}) an {@link io.netty.handler.ssl.SslHandler} first.
 */
public final class TcpTransportConnector implements TransportConnector
{
    public static final TcpTransportConnector INSTANCE = new TcpTransportConnector();

    @Override
    public String scheme()
    {
        return "tcp";
    }

    @Override
    public Channel connect(final TransportEndpoint url, final EventLoopGroup group, final ChannelHandler handler) throws Exception
    {
        final SslContext tls = url.tls() == null ? null : url.tls().clientContext();
        final Bootstrap bootstrap = new Bootstrap()
            .group(group)
            // Without TLS, application threads may write to the socket themselves (OutboundBatcher).
            .channel(tls == null ? DirectNioSocketChannel.class : NioSocketChannel.class)
            .option(ChannelOption.TCP_NODELAY, true)
            .option(ChannelOption.CONNECT_TIMEOUT_MILLIS, (int)url.connectTimeoutMs())
            .option(ChannelOption.WRITE_BUFFER_WATER_MARK, new WriteBufferWaterMark(256 * 1024, 1024 * 1024))
            .handler(new ChannelInitializer<Channel>()
            {
                @Override
                protected void initChannel(final Channel ch)
                {
                    if (tls != null)
                    {
                        ch.pipeline().addLast(url.tls().clientHandler(tls, ch.alloc(), url.host(), url.port()));
                    }
                    NettyFrames.addFrameDecoder(ch.pipeline(), NettyFrames.maxFrameLength());
                    ch.pipeline().addLast(handler);
                }
            });
        final ChannelFuture future = bootstrap.connect(url.host(), url.port());
        if (!future.awaitUninterruptibly(url.connectTimeoutMs() + 1000))
        {
            future.cancel(false);
            throw new ConnectException("timed out connecting to " + url);
        }
        if (!future.isSuccess())
        {
            final Throwable cause = future.cause();
            throw new IOException("cannot connect to " + url + ": " + cause.getMessage(), cause);
        }
        return future.channel();
    }
}
