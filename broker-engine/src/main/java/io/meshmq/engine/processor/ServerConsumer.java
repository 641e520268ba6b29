package io.meshmq.engine.processor;

import org.agrona.collections.Long2ObjectHashMap;

/**
 * The broker side of one consumer: its credit and what it was sent and has not acknowledged.
 * <p>
 * A closed consumer takes no more messages but stays registered while it holds unacknowledged ones,
 * because its session may still acknowledge or recover them.
 */
final class ServerConsumer
{
    final long id;
    final long sessionId;
    final ConnectionState connection;
    final ServerQueue queue;
    /** True when the queue is a non-durable subscription that exists only for this consumer. */
    final boolean ownsQueue;
    final Long2ObjectHashMap<MessageReference> unacknowledged = new Long2ObjectHashMap<>();
    int credit;
    boolean closed;

    ServerConsumer(
        final long id, final long sessionId, final ConnectionState connection, final ServerQueue queue,
        final boolean ownsQueue, final int credit)
    {
        this.id = id;
        this.sessionId = sessionId;
        this.connection = connection;
        this.queue = queue;
        this.ownsQueue = ownsQueue;
        this.credit = credit;
    }
}
