/**
 * The processor: the single writer of all queue, subscription, consumer and connection state. Every class
 * here is used only on the processor thread (the Disruptor's event handler); nothing is locked, and work
 * arrives only as {@link io.meshmq.engine.processor.EngineEvent}s taken from the ring.
 */
package io.meshmq.engine.processor;
