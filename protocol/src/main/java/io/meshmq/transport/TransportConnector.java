package io.meshmq.transport;

import io.netty.channel.Channel;
import io.netty.channel.ChannelHandler;
import io.netty.channel.EventLoopGroup;

/**
 * Service provider interface: opens a channel for one URL scheme. Implementations are listed in
 * {@code META-INF/services/io.meshmq.transport.TransportConnector}.
 */
public interface TransportConnector
{
    /**
     * @return the URL scheme this connector serves, lower case ("tcp", "vm").
     */
    String scheme();

    /**
     * Opens a connected channel on one of {@code group}'s event loops whose pipeline ends with {@code handler},
     * blocking up to the endpoint's connect timeout.
     *
     * @throws Exception with a message naming the URL when the connection cannot be made.
     */
    Channel connect(TransportEndpoint endpoint, EventLoopGroup group, ChannelHandler handler) throws Exception;
}
