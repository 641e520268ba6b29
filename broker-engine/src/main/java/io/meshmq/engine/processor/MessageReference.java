package io.meshmq.engine.processor;

/**
 * A message's place in one queue: its arrival order there and how often it was delivered from there.
 */
final class MessageReference
{
    final ServerMessage message;
    final long sequence;
    int deliveryCount;

    MessageReference(final ServerMessage message, final long sequence)
    {
        this.message = message;
        this.sequence = sequence;
    }
}
