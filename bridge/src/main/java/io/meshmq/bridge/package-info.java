/**
 * Core bridges: store and forward from a queue of this broker to an address of another (a member of another cluster,
 * or a standalone broker), once and only once. Each {@link io.meshmq.bridge.Bridge} runs on a thread of its own as a
 * JMS client of both brokers; {@link io.meshmq.bridge.Bridges} keeps them, answers the {@code bridge.*} admin verbs on
 * the processor thread from state it keeps thread safe, and keeps those made at run time in the data directory.
 */
package io.meshmq.bridge;
