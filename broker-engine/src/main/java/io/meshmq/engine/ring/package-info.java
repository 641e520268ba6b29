/**
 * What crosses into the processor thread: the ring's event ({@link io.meshmq.engine.ring.EngineEvent}, filled by
 * Netty I/O threads, an extension's own threads, the journal syncer and the broker's timer, read by the processor
 * after the Disruptor's sequence hand-off), the typed commands of extensions and the door their threads publish them
 * through ({@link io.meshmq.engine.ring.ExtensionInput}), and the outputs the processor writes to connections (called
 * on the processor thread, flushed onto Netty's I/O threads).
 */
package io.meshmq.engine.ring;
