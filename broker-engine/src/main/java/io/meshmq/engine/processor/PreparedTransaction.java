package io.meshmq.engine.processor;

import io.meshmq.engine.journal.JournalEntry;
import io.meshmq.protocol.WireXid;

import java.util.ArrayList;
import java.util.List;

/**
 * An XA branch the broker has prepared: the messages it sends (not routed until it commits) and the
 * deliveries it acknowledged (held from every consumer until it ends). Pinned in the journal until the
 * transaction manager commits or rolls it back; one an operator completed by hand stays, as a heuristic
 * outcome, until the transaction manager forgets it.
 * <p>
 * Not thread safe: owned by the processor thread.
 */
final class PreparedTransaction extends JournalEntry
{
    enum State
    {
        PREPARED, HEURISTICALLY_COMMITTED, HEURISTICALLY_ROLLED_BACK
    }

    final WireXid xid;
    final byte[] sendTypes;
    final String[] sendNames;
    final List<ServerMessage> messages;
    final List<MessageReference> held;
    /** Who sent the messages, for noLocal subscriptions when they are routed at commit. */
    final String publisherClientId;
    final long publisherConnectionId;
    State state = State.PREPARED;
    /** Committed, rolled back or forgotten: nothing of it is kept any more. */
    boolean ended;

    PreparedTransaction(
        final WireXid xid, final byte[] sendTypes, final String[] sendNames, final List<ServerMessage> messages,
        final List<MessageReference> held, final String publisherClientId, final long publisherConnectionId)
    {
        this.xid = xid;
        this.sendTypes = sendTypes;
        this.sendNames = sendNames;
        this.messages = messages;
        this.held = held;
        this.publisherClientId = publisherClientId;
        this.publisherConnectionId = publisherConnectionId;
    }

    /**
     * A branch read back from the journal: its references are added as the messages are rebuilt.
     */
    static PreparedTransaction recovered(
        final WireXid xid, final byte[] sendTypes, final String[] sendNames, final List<ServerMessage> messages)
    {
        return new PreparedTransaction(xid, sendTypes, sendNames, messages, new ArrayList<>(), null, 0);
    }

    boolean isPrepared()
    {
        return state == State.PREPARED;
    }

    @Override
    public String toString()
    {
        return "branch " + xid + " (" + state + ", " + messages.size() + " messages, " + held.size() + " acknowledged)";
    }
}
