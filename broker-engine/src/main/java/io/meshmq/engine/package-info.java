/**
 * The broker core: {@link io.meshmq.engine.Broker} wires Netty I/O threads, the Disruptor ring and the
 * single processor thread that owns every queue.
 * <p>
 * Sub-packages say which thread their classes run on: {@code net} and {@code vm} on Netty I/O threads,
 * {@code processor} on the processor thread alone. This package: the thread that starts and stops a broker.
 */
package io.meshmq.engine;
