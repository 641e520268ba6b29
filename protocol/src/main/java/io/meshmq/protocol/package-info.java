/**
 * The MeshMQ wire protocol: frame layouts, bounds-checked readers and writers, and the message encoding
 * shared by the client and the broker.
 * <p>
 * This package imports only {@code java.*} and Agrona: the broker and the cluster use it without ever
 * seeing {@code jakarta.jms}. Readers and writers are not thread safe; each thread (a Netty I/O thread,
 * the engine's processor, an application thread) holds its own.
 */
package io.meshmq.protocol;
