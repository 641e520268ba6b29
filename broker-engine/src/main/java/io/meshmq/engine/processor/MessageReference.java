package io.meshmq.engine.processor;

/**
 * A message's place in one queue: its arrival order there and how often it was delivered from there. Also
 * the node of the queue's intrusive list while it waits, so a queue allocates nothing else per message.
 */
public final class MessageReference
{
    final ServerMessage message;
    final ServerQueue queue;
    final long sequence;
    int deliveryCount;
    /** In a durable queue, with its message journaled: the journal hears of its end. */
    boolean durable;
    /** Acknowledged, expired, moved or dropped: the journal was told, and must not be told twice. */
    boolean gone;
    /** Its need of its message's large body was counted off ({@link LargeBodies}). */
    boolean largeBodyReleased;
    MessageReference previous;
    MessageReference next;

    MessageReference(final ServerMessage message, final ServerQueue queue, final long sequence)
    {
        this.message = message;
        this.queue = queue;
        this.sequence = sequence;
    }

    public ServerMessage message()
    {
        return message;
    }

    /**
     * @return the queue it waits in, or was taken from.
     */
    public ServerQueue queue()
    {
        return queue;
    }

    /**
     * @return its place in its queue's arrival order: later arrivals have higher ones.
     */
    public long arrival()
    {
        return sequence;
    }

    /**
     * @return true if its message is journaled with it (persistent, in a durable queue).
     */
    public boolean isJournaled()
    {
        return durable;
    }

    /**
     * It was delivered (handed on) once more.
     */
    public void countDelivery()
    {
        deliveryCount++;
    }
}
