/**
 * The processor: the single writer of all queue, subscription, consumer and connection state. Every class
 * here is used only on the processor thread (the Disruptor's event handler); nothing is locked. Work arrives
 * only as {@link io.meshmq.engine.ring.EngineEvent}s taken from the ring; what other threads write (the event,
 * extensions' commands, connection outputs) lives in {@link io.meshmq.engine.ring}, and the cluster layer's
 * thread-safe door in {@link io.meshmq.engine.cluster}.
 */
package io.meshmq.engine.processor;
