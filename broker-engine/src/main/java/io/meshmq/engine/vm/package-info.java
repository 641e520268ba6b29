/**
 * The in-VM transport ({@code vm://ID}): brokers of this JVM register under an id, and a client connector
 * (found by the client through {@link java.util.ServiceLoader}) reaches them over Netty local channels,
 * through the same acceptor and ring as TCP. Thread safe.
 */
package io.meshmq.engine.vm;
