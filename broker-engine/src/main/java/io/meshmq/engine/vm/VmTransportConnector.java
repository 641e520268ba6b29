package io.meshmq.engine.vm;

import io.meshmq.engine.Broker;
import io.meshmq.engine.BrokerContext;
import io.meshmq.engine.BrokerStartException;
import io.meshmq.transport.NettyFrames;
import io.meshmq.transport.TransportConnector;
import io.meshmq.transport.TransportEndpoint;
import io.netty.bootstrap.Bootstrap;
import io.netty.channel.Channel;
import io.netty.channel.ChannelFuture;
import io.netty.channel.ChannelHandler;
import io.netty.channel.ChannelInitializer;
import io.netty.channel.EventLoopGroup;
import io.netty.channel.local.LocalChannel;

import java.io.IOException;
import java.nio.file.Path;

/**
 * {@code vm://ID}: connects to the broker of this JVM registered under ID. If there is none, one is
 * started, reachable only in-VM, with its data under {@code -Dmeshmq.vm.dataDir} (default
 * {@code data/vm-ID}); it lives until the JVM exits.
 */
public final class VmTransportConnector implements TransportConnector
{
    @Override
    public String scheme()
    {
        return "vm";
    }

    @Override
    public Channel connect(final TransportEndpoint url, final EventLoopGroup group, final ChannelHandler handler) throws Exception
    {
        final String vmId = url.host();
        ensureBroker(vmId);
        final Bootstrap bootstrap = new Bootstrap()
            .group(group)
            .channel(LocalChannel.class)
            .handler(new ChannelInitializer<Channel>()
            {
                @Override
                protected void initChannel(final Channel ch)
                {
                    NettyFrames.addFrameDecoder(ch.pipeline(), NettyFrames.maxFrameLength());
                    ch.pipeline().addLast(handler);
                }
            });
        final ChannelFuture future = bootstrap.connect(VmBrokers.address(vmId));
        if (!future.awaitUninterruptibly(url.connectTimeoutMs()) || !future.isSuccess())
        {
            throw new IOException("cannot connect to " + url + ": " +
                (future.cause() == null ? "timed out" : future.cause().getMessage()), future.cause());
        }
        return future.channel();
    }

    private static void ensureBroker(final String vmId) throws IOException
    {
        synchronized (VmBrokers.class)
        {
            if (VmBrokers.get(vmId) != null)
            {
                return;
            }
            final Path dataDir = Path.of(System.getProperty("meshmq.vm.dataDir", "data/vm-" + vmId));
            try
            {
                final Broker broker = Broker.start(new BrokerContext()
                    .name("vm-" + vmId).tcpEnabled(false).vmId(vmId).dataDir(dataDir).ioThreads(1));
                Runtime.getRuntime().addShutdownHook(new Thread(broker::close, "meshmq-vm-" + vmId + "-shutdown"));
            }
            catch (final BrokerStartException ex)
            {
                throw new IOException("cannot start an in-VM broker for vm://" + vmId + ": " + ex.getMessage(), ex);
            }
        }
    }
}
