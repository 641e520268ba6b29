/**
 * The internal client core under the {@code jakarta.jms} classes: one {@link io.meshmq.client.ClientConnection}
 * per JMS connection, speaking the wire protocol over a transport.
 * <p>
 * Threads: application threads call into it (sends, acks, requests); the connection's Netty I/O thread
 * completes replies and hands deliveries to {@link io.meshmq.client.ClientConsumer} buffers. Every public
 * method here is thread safe unless its javadoc says otherwise. Nothing here imports {@code jakarta.jms}.
 */
package io.meshmq.client;
