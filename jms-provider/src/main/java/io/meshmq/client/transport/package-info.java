/**
 * Transports under the client core: how a URL scheme becomes a Netty channel. {@code tcp} is built in;
 * other schemes (the broker's in-VM {@code vm}) are found through {@link java.util.ServiceLoader} as
 * {@link io.meshmq.client.transport.TransportConnector}s. Also the Netty glue shared with the broker's
 * acceptor: framing and the bridge from {@code ByteBuf} to Agrona buffers. Runs on application threads
 * (connect) and Netty I/O threads (everything else).
 */
package io.meshmq.client.transport;
