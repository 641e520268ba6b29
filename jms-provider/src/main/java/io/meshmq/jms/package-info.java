/**
 * The public Jakarta Messaging implementation: {@link io.meshmq.jms.MeshConnectionFactory} and the classic
 * and simplified API objects it creates. These classes check the specification's rules and hand the work
 * to the client core in {@code io.meshmq.client}.
 * <p>
 * Threads: application threads, and each session's delivery thread for message listeners. Connections and
 * factories are thread safe; sessions and what they create belong to one thread at a time, as the
 * specification says.
 */
package io.meshmq.jms;
