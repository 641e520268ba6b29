package io.meshmq.engine.processor;

import io.meshmq.selector.Selector;
import org.agrona.collections.Long2ObjectHashMap;

import java.util.List;

/**
 * The broker side of one consumer (or queue browser): its credit and what it was sent and has not
 * acknowledged.
 * <p>
 * A closed consumer takes no more messages but stays registered while it holds unacknowledged ones,
 * because its session may still acknowledge or recover them.
 * <p>
 * Not thread safe: owned by the processor thread.
 */
final class ServerConsumer
{
    final long id;
    final long sessionId;
    final ConnectionState connection;
    final ServerQueue queue;
    /** Queue consumers only; a subscription's selector belongs to the subscription. */
    final Selector selector;
    final Long2ObjectHashMap<MessageReference> unacknowledged = new Long2ObjectHashMap<>();
    /** A browser's snapshot of the queue, sent as credit allows; null for a consumer. */
    final List<ServerMessage> browsed;
    int browsedSent;
    int credit;
    /** Bytes of message it may still be sent; a message may take it below zero. */
    long creditBytes;
    boolean closed;
    /** Sent nothing while its application does not receive (its credit kept). */
    boolean paused;

    ServerConsumer(
        final long id, final long sessionId, final ConnectionState connection, final ServerQueue queue,
        final Selector selector, final List<ServerMessage> browsed, final int credit, final int creditBytes)
    {
        // 0 bytes at creation: a client that counts messages only.
        this.creditBytes = creditBytes <= 0 ? Long.MAX_VALUE : creditBytes;
        this.id = id;
        this.sessionId = sessionId;
        this.connection = connection;
        this.queue = queue;
        this.selector = selector;
        this.browsed = browsed;
        this.credit = credit;
    }

    /**
     * @return true if it may be sent a message now: it has credit, and its connection is not backed up.
     */
    boolean canTake()
    {
        return hasCredit() && !isPaused() && connection.output.isWritable();
    }

    /**
     * @return true if it is not to be sent anything for now: paused, or its connection stopped. A browser reads a
     * snapshot whatever its connection's state.
     */
    boolean isPaused()
    {
        return !isBrowser() && (paused || connection.paused);
    }

    /**
     * @return true if its client has room for another message: a message and at least one byte of credit.
     */
    boolean hasCredit()
    {
        return credit > 0 && creditBytes > 0;
    }

    void creditTaken(final int messageBytes)
    {
        credit--;
        creditBytes -= messageBytes;
    }

    void creditReturned(final int messages, final long bytes)
    {
        credit = (int)Math.min(Integer.MAX_VALUE, (long)credit + messages);
        creditBytes = creditBytes > Long.MAX_VALUE - bytes ? Long.MAX_VALUE : creditBytes + bytes;
    }

    /**
     * @return true if only its connection's unsent data keeps it from taking a message.
     */
    boolean isBackedUp()
    {
        return hasCredit() && !isPaused() && !connection.output.isWritable();
    }

    boolean isBrowser()
    {
        return browsed != null;
    }
}
