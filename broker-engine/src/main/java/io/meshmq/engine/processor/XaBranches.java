package io.meshmq.engine.processor;

import io.meshmq.engine.journal.JournalWriteException;
import io.meshmq.engine.ring.EngineEvent;
import io.meshmq.protocol.AdminTable;
import io.meshmq.protocol.ErrorCode;
import io.meshmq.protocol.WireXid;

import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

import static io.meshmq.engine.journal.JournalRecordDescriptor.*;

/**
 * The broker's side of XA: branches that clients prepared, held until the transaction manager (or, by hand,
 * an operator) commits or rolls them back. Work before prepare lives in the client, as a local
 * transaction's does, so the broker sees a branch first when it is prepared, or never, when the manager
 * commits it in one phase (an ordinary COMMIT).
 * <p>
 * A prepared branch is one journal record; its messages are routed when it commits, so they go where the
 * destinations route then, and its acknowledged deliveries are taken from their consumers: closing the
 * session or losing the connection leaves them with the branch.
 * <p>
 * Not thread safe: processor thread only.
 */
final class XaBranches
{
    private static final System.Logger LOG = System.getLogger(XaBranches.class.getName());

    private final Admission admission;
    private final Router router;
    private final Consumers consumers;
    private final ConnectionWriter writer;
    private final Durability durability;
    private final Map<WireXid, PreparedTransaction> branches = new LinkedHashMap<>();

    XaBranches(final Admission admission, final Router router, final Consumers consumers, final ConnectionWriter writer,
        final Durability durability)
    {
        this.admission = admission;
        this.router = router;
        this.consumers = consumers;
        this.writer = writer;
        this.durability = durability;
    }

    /**
     * A branch read back from the journal.
     */
    void restore(final PreparedTransaction branch)
    {
        branches.put(branch.xid, branch);
        needBodies(branch);
    }

    /**
     * A prepared branch needs the large bodies of the messages it will send.
     */
    private void needBodies(final PreparedTransaction branch)
    {
        for (final ServerMessage message : branch.messages)
        {
            durability.large.need(message.encoded());
        }
    }

    void prepare(final EngineEvent event, final ConnectionState connection)
    {
        final WireXid xid = event.xid;
        if (branches.containsKey(xid))
        {
            writer.error(event.connection, event.correlationId, ErrorCode.XA_DUPLICATE_XID,
                "XA branch " + xid + " is already prepared");
            return;
        }
        for (int i = 0; i < event.sendTypes.length; i++)
        {
            final String problem = admission.checkRoutable(event.sendTypes[i], event.sendNames[i]);
            if (problem != null)
            {
                writer.error(event.connection, event.correlationId, ErrorCode.INVALID_DESTINATION,
                    "XA branch " + xid + " rolled back: " + problem);
                return;
            }
            final String full = admission.checkRoom(event.sendTypes[i], event.sendNames[i], false);
            if (full != null)
            {
                writer.error(event.connection, event.correlationId, ErrorCode.ADDRESS_FULL,
                    "XA branch " + xid + " rolled back: " + full);
                return;
            }
        }
        final List<ServerMessage> messages = new ArrayList<>(event.sendTypes.length);
        for (final byte[] encoded : event.sendMessages)
        {
            messages.add(router.message(encoded, connection));
        }
        final List<MessageReference> held = new ArrayList<>(event.consumerIds.length);
        for (int i = 0; i < event.consumerIds.length; i++)
        {
            final MessageReference reference = consumers.delivery(connection, event.consumerIds[i], event.deliveryIds[i]);
            if (reference != null)
            {
                held.add(reference);
            }
        }
        final PreparedTransaction branch = new PreparedTransaction(
            xid, event.sendTypes, event.sendNames, messages, held, connection.clientId, connection.id());
        final long mark = durability.mark();
        try
        {
            durability.prepared(branch);
        }
        catch (final JournalWriteException ex)
        {
            writer.error(event.connection, event.correlationId, ErrorCode.STORAGE,
                "XA branch " + xid + " rolled back: " + ex.getMessage());
            return;
        }
        for (int i = 0; i < event.consumerIds.length; i++)
        {
            consumers.takeDelivery(connection, event.consumerIds[i], event.deliveryIds[i]);
        }
        branches.put(xid, branch);
        needBodies(branch);
        writer.confirm(durability, event.connection, event.correlationId, mark);
        for (int i = 0; i < event.sendTypes.length; i++)
        {
            admission.blockIfFull(connection, event.sendTypes[i], event.sendNames[i]);
        }
    }

    void commit(final EngineEvent event)
    {
        final PreparedTransaction branch = prepared(event);
        if (branch != null && complete(branch, true, false, event))
        {
            branches.remove(branch.xid);
        }
    }

    void rollback(final EngineEvent event)
    {
        final PreparedTransaction branch = prepared(event);
        if (branch != null && complete(branch, false, false, event))
        {
            branches.remove(branch.xid);
        }
    }

    /**
     * @return the prepared branch the event names; null (after answering why) if there is none.
     */
    private PreparedTransaction prepared(final EngineEvent event)
    {
        final PreparedTransaction branch = branches.get(event.xid);
        if (branch == null)
        {
            writer.error(event.connection, event.correlationId, ErrorCode.XA_UNKNOWN_XID,
                "no prepared XA branch " + event.xid);
            return null;
        }
        if (branch.state == PreparedTransaction.State.HEURISTICALLY_COMMITTED)
        {
            writer.error(event.connection, event.correlationId, ErrorCode.XA_HEURISTIC_COMMIT,
                "XA branch " + event.xid + " was committed by an operator");
            return null;
        }
        if (branch.state == PreparedTransaction.State.HEURISTICALLY_ROLLED_BACK)
        {
            writer.error(event.connection, event.correlationId, ErrorCode.XA_HEURISTIC_ROLLBACK,
                "XA branch " + event.xid + " was rolled back by an operator");
            return null;
        }
        return branch;
    }

    /**
     * Commits or rolls back a prepared branch: journals the outcome, then routes its messages and acknowledges
     * what it held, or gives that back as delivered.
     *
     * @param event what to answer; null for an operator's verb (which throws instead).
     * @return false if the outcome could not be journaled (the branch stays prepared).
     */
    private boolean complete(final PreparedTransaction branch, final boolean commit, final boolean heuristic,
        final EngineEvent event)
    {
        final List<List<MessageReference>> references = new ArrayList<>(branch.messages.size());
        final List<ServerMessage> messages = new ArrayList<>(branch.messages);
        if (commit)
        {
            final List<MessageReference> copies = new ArrayList<>();
            for (int i = 0; i < branch.messages.size(); i++)
            {
                final List<MessageReference> into = new ArrayList<>();
                router.route(branch.publisherClientId, branch.publisherConnectionId, branch.sendTypes[i],
                    branch.sendNames[i], branch.messages.get(i), into, copies);
                references.add(into);
            }
            // Copies for other nodes of the cluster commit in the same record as the rest.
            for (final MessageReference copy : copies)
            {
                messages.add(copy.message);
                references.add(List.of(copy));
            }
        }
        final byte outcome = heuristic ? commit ? OUTCOME_HEURISTIC_COMMIT : OUTCOME_HEURISTIC_ROLLBACK :
            commit ? OUTCOME_COMMITTED : OUTCOME_ROLLED_BACK;
        final long mark = durability.mark();
        try
        {
            durability.branchEnded(branch, outcome, messages, references);
        }
        catch (final JournalWriteException ex)
        {
            final String why = "XA branch " + branch.xid + " is still prepared: " + ex.getMessage();
            if (event == null)
            {
                throw new IllegalStateException(why);
            }
            writer.error(event.connection, event.correlationId, ErrorCode.STORAGE, why);
            return false;
        }
        if (commit)
        {
            for (final List<MessageReference> into : references)
            {
                router.enqueue(into);
            }
            for (final MessageReference reference : branch.held)
            {
                consumers.acknowledgeHeld(reference);
            }
        }
        else
        {
            for (final MessageReference reference : branch.held)
            {
                consumers.returnToQueue(reference.queue, reference, true);
            }
        }
        branch.held.clear();
        // Routed copies need the bodies now, or nothing does (rolled back).
        for (final ServerMessage message : branch.messages)
        {
            durability.large.release(message.encoded());
        }
        if (heuristic)
        {
            branch.state = commit ? PreparedTransaction.State.HEURISTICALLY_COMMITTED :
                PreparedTransaction.State.HEURISTICALLY_ROLLED_BACK;
            LOG.log(System.Logger.Level.WARNING, "XA branch " + branch.xid + " was " + (commit ? "committed" : "rolled back") +
                " by an operator; its transaction manager is told so until it forgets the branch");
        }
        else
        {
            branch.ended = true;
        }
        if (event != null)
        {
            writer.confirm(durability, event.connection, event.correlationId, mark);
        }
        return true;
    }

    /**
     * Lists the branches the transaction manager must still complete or forget.
     */
    void recover(final EngineEvent event)
    {
        writer.reply(event.connection, event.correlationId, out ->
        {
            out.writeInt(branches.size());
            for (final WireXid xid : branches.keySet())
            {
                xid.write(out);
            }
        });
    }

    void forget(final EngineEvent event)
    {
        final PreparedTransaction branch = branches.get(event.xid);
        if (branch == null || branch.isPrepared())
        {
            writer.error(event.connection, event.correlationId, ErrorCode.XA_UNKNOWN_XID,
                branch == null ? "no XA branch " + event.xid : "XA branch " + event.xid +
                    " is prepared, not heuristically completed: commit or roll it back");
            return;
        }
        final long mark = durability.mark();
        durability.branchForgotten(branch);
        branch.ended = true;
        branches.remove(branch.xid);
        writer.confirm(durability, event.connection, event.correlationId, mark);
    }

    /**
     * @return true if a prepared branch holds a delivery of this queue (it may not be unsubscribed).
     */
    boolean holdsFrom(final ServerQueue queue)
    {
        for (final PreparedTransaction branch : branches.values())
        {
            for (final MessageReference reference : branch.held)
            {
                if (reference.queue == queue)
                {
                    return true;
                }
            }
        }
        return false;
    }

    // ---- management -------------------------------------------------------------------------------------

    AdminTable table()
    {
        final AdminTable table = new AdminTable("xid", "state", "messages", "acknowledged");
        for (final PreparedTransaction branch : branches.values())
        {
            table.row(branch.xid.toString(), branch.state.name().toLowerCase(java.util.Locale.ROOT),
                (long)branch.messages.size(), (long)branch.held.size());
        }
        return table;
    }

    /**
     * An operator completes a prepared branch by hand, when its transaction manager is lost for good.
     */
    AdminTable completeByHand(final String xidText, final boolean commit)
    {
        final WireXid xid = WireXid.parse(xidText);
        final PreparedTransaction branch = branches.get(xid);
        if (branch == null)
        {
            throw new IllegalArgumentException("there is no XA branch " + xid);
        }
        if (!branch.isPrepared())
        {
            throw new IllegalStateException("XA branch " + xid + " is already " + branch.state.name().toLowerCase(java.util.Locale.ROOT));
        }
        complete(branch, commit, true, null);
        return new AdminTable("xid", "state").row(xid.toString(), branch.state.name().toLowerCase(java.util.Locale.ROOT));
    }
}
