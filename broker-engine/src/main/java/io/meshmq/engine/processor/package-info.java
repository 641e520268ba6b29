/**
 * The processor: the single writer of all queue, subscription, consumer and connection state. Every class
 * here is used only on the processor thread (the Disruptor's event handler); nothing is locked. Work arrives
 * only as {@link io.meshmq.engine.ring.EngineEvent}s taken from the ring; what other threads write (the event,
 * extensions' commands, connection outputs) lives in {@link io.meshmq.engine.ring}. The public classes are the
 * model an extension sees through {@link io.meshmq.engine.extension}; their public methods are what it may use.
 */
package io.meshmq.engine.processor;
