/**
 * The broker's network edge, run on Netty I/O threads: accepts connections (TCP and in-VM), checks the
 * handshake, decodes and validates every frame, and publishes commands into the engine ring. Holds no
 * engine state; replies and deliveries come back through {@link io.meshmq.engine.net.ChannelConnection}.
 */
package io.meshmq.engine.net;
