package io.meshmq.engine.processor;

import io.meshmq.engine.journal.JournalEntry;

/**
 * The highest sequence number of another node's forwarded messages that this node stored: a forward at or
 * below it is a resend (the other node did not hear the confirmation) and is not stored twice. Journaled in
 * the LINK record that stored the message, so the two survive a crash together.
 * <p>
 * Not thread safe: owned by the processor thread.
 */
public final class LinkPosition extends JournalEntry
{
    final String nodeId;
    /** The highest journaled: what a restart comes back to. */
    long journaledSequence;
    /** The highest stored, non-persistent messages included: what resends are checked against while running. */
    long sequence;

    public LinkPosition(final String nodeId, final long sequence)
    {
        this.nodeId = nodeId;
        this.journaledSequence = sequence;
        this.sequence = sequence;
    }

    public String nodeId()
    {
        return nodeId;
    }

    /**
     * @return the highest sequence stored: a forward at or below it is a resend.
     */
    public long sequence()
    {
        return sequence;
    }

    /**
     * A forward of this sequence (the next) is stored.
     */
    public void stored(final long sequence)
    {
        this.sequence = sequence;
    }

    @Override
    public String toString()
    {
        return "link position of node " + nodeId + " at " + journaledSequence;
    }
}
