/**
 * Large message bodies: each in a file of its own under {@code DATA/large}, never in the heap. The bytes arrive in
 * LARGE_CHUNKs and are written by the connection's I/O thread ({@link io.meshmq.engine.large.LargeUpload}); the
 * message that names the body then goes through the ring like any other, carrying only a descriptor; clients read
 * the bytes back with LARGE_READ, served by their connection's I/O thread from the file. Which bodies are still
 * needed is decided on the processor thread ({@code processor.LargeBodies}); {@link io.meshmq.engine.large.LargeStore}
 * only makes, opens and deletes files, from any thread, and hands each forced body to the replica's
 * {@link io.meshmq.engine.mirror.BodyMirror} before its message goes on.
 */
package io.meshmq.engine.large;
