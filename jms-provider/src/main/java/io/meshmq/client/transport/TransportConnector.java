package io.meshmq.client.transport;

import io.meshmq.client.ConnectionUrl;
import io.netty.channel.Channel;
import io.netty.channel.ChannelHandler;

/**
 * Service provider interface: opens a channel for one URL scheme. Implementations are listed in
 * {@code META-INF/services/io.meshmq.client.transport.TransportConnector}.
 */
public interface TransportConnector
{
    /**
     * @return the URL scheme this connector serves, lower case ("tcp", "vm").
     */
    String scheme();

    /**
     * Opens a connected channel whose pipeline ends with {@code handler}, blocking up to the URL's
     * connect timeout.
     *
     * @throws Exception with a message naming the URL when the connection cannot be made.
     */
    Channel connect(ConnectionUrl url, ChannelHandler handler) throws Exception;
}
