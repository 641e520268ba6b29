/**
 * The Netty glue under client, broker and cluster alike: framing ({@link io.meshmq.transport.FrameDecoder}),
 * the bridge from {@code ByteBuf} to Agrona buffers ({@link io.meshmq.transport.NettyFrames}), and the
 * service provider interface through which a URL scheme becomes a channel
 * ({@link io.meshmq.transport.TransportConnector}; {@code tcp} is the client's, {@code vm} the broker's, found
 * through {@link java.util.ServiceLoader}). Decoders run on Netty I/O threads; connectors on the thread that
 * connects.
 */
package io.meshmq.transport;
