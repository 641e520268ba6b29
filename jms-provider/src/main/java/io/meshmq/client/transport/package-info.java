/**
 * Transports under the client core: the client's I/O threads, the built-in {@code tcp} connector, the lookup
 * of a URL scheme's {@link io.meshmq.transport.TransportConnector} (others, such as the broker's in-VM
 * {@code vm}, come through {@link java.util.ServiceLoader}), and the batching of frames written by application
 * threads. Runs on application threads (connect, write) and Netty I/O threads (everything else).
 */
package io.meshmq.client.transport;
