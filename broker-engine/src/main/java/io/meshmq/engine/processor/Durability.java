package io.meshmq.engine.processor;

import io.meshmq.engine.journal.JournalCorruptException;
import io.meshmq.engine.journal.JournalEntry;
import io.meshmq.engine.journal.JournalLog;
import io.meshmq.engine.journal.JournalSegment;
import io.meshmq.engine.journal.JournalSyncer;
import io.meshmq.engine.journal.JournalWriteException;
import io.meshmq.engine.journal.record.AckRecord;
import io.meshmq.engine.journal.record.DeliveryCountRecord;
import io.meshmq.engine.journal.record.DepageRecord;
import io.meshmq.engine.journal.record.LinkRecord;
import io.meshmq.engine.journal.record.MessageRecord;
import io.meshmq.engine.journal.record.PrepareRecord;
import io.meshmq.engine.journal.record.QueueDeleteRecord;
import io.meshmq.engine.journal.record.QueueRecord;
import io.meshmq.engine.journal.record.TopicDeleteRecord;
import io.meshmq.engine.journal.record.TopicRecord;
import io.meshmq.engine.journal.record.TransactionEndRecord;
import io.meshmq.engine.journal.record.TransactionRecord;
import io.meshmq.engine.paging.PageStore;
import io.meshmq.engine.ring.ConnectionOutput;
import io.meshmq.protocol.WireWriter;

import java.io.IOException;
import java.nio.file.Path;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.List;
import java.util.function.Consumer;

import static io.meshmq.engine.journal.JournalRecordDescriptor.*;

/**
 * What the processor keeps on disk, and the promise behind a confirmation: the processor tells it of every
 * durable change (a durable queue or topic made or deleted, a persistent message routed to durable queues,
 * a reference acknowledged, a transaction committed), it appends the journal records, and it holds the
 * confirmations of the commands that wrote until the syncer says those records are forced.
 * <p>
 * Only persistent messages in queues and durable subscriptions are journaled; everything else lives in
 * memory only, as the specification allows.
 * <p>
 * Not thread safe: used by the processor thread, and before that by the starting thread for recovery.
 */
public final class Durability
{
    /**
     * When a confirmation may be sent.
     */
    public enum SyncPolicy
    {
        /** After the journal's records are forced to disk: nothing confirmed is lost, even with the machine. */
        FORCE,
        /** As soon as the records are written to the operating system: survives the broker's death, not the machine's. */
        NONE
    }

    /**
     * Answers a command once its records are forced, or with why they could not be.
     */
    interface Confirmer
    {
        void confirmed(ConnectionOutput output, long correlationId);

        void failed(ConnectionOutput output, long correlationId, String reason);
    }

    /**
     * Puts a recovered message reference in its place: waiting, or scheduled if its time has not come.
     */
    interface Restorer
    {
        void restore(MessageReference reference);
    }

    private static final System.Logger LOG = System.getLogger(Durability.class.getName());
    /** After a failed write or force, records are appended again or moved only after this long. */
    static final long RETRY_AFTER_FAILURE_MS = 1000;
    /**
     * How long records nobody waits for (acknowledgements, delivery counts, compaction moves) may stay written but
     * not forced: they go to disk with the next force somebody waits for, or after this long. Forcing them at once
     * made a lone synchronous sender wait for a force of its consumer's acknowledgements before its own.
     */
    static final long UNWAITED_FORCE_DELAY_MS = 5;
    /** Bytes of live records compaction moves per batch, so it never holds the processor up for long. */
    private static final int COMPACTION_BYTES_PER_BATCH = 256 * 1024;

    private final JournalLog journal;
    private final SyncPolicy sync;
    private final WireWriter payload = new WireWriter(64 * 1024);
    private final List<PageStore> unforcedPages = new ArrayList<>();
    private final ConfirmationTracker confirmations = new ConfirmationTracker();
    /** Forces handed to the journal while a replica is attached: {mirror mark, position it makes durable}, oldest first. */
    private final ArrayDeque<long[]> replicaMarks = new ArrayDeque<>();
    /** Where the copy to a replica being made ended: everything requested by then is in it. */
    private long replicaCopyPosition = -1;
    private boolean replicaAttached;
    private boolean replicaInSync;
    /** Page appends a confirmation must wait for, counted with the journal's appends in {@link #mark()}. */
    private long pageWrites;
    private Consumer<JournalSyncer.Request> forcer;
    /** When the oldest unforced record that nobody waits for was written (it is forced by then plus the delay), or -1. */
    private long unwaitedSinceMs = -1;
    private long nextId = 1;
    private long failedUntilMs;
    /** Told of every reference's end, so large bodies nothing needs are deleted; set by the processor. */
    LargeBodies large = new LargeBodies(null);

    private Durability(final JournalLog journal, final SyncPolicy sync)
    {
        this.journal = journal;
        this.sync = sync;
    }

    /**
     * @return a durability that keeps nothing: every confirmation is immediate (tests, in-memory brokers).
     */
    public static Durability none()
    {
        return new Durability(null, SyncPolicy.NONE);
    }

    public static Durability of(final JournalLog journal, final SyncPolicy sync)
    {
        return new Durability(journal, sync);
    }

    /**
     * Hands force requests to the syncer thread; without one (null) they are forced on the processor thread.
     */
    public void forceWith(final Consumer<JournalSyncer.Request> forcer)
    {
        this.forcer = forcer;
    }

    /**
     * @return an id for a new journal entry.
     */
    private long nextId()
    {
        return nextId++;
    }

    // ---- destinations -----------------------------------------------------------------------------------

    /**
     * A durable queue or subscription was made: its definition is appended (or, should that fail, appended
     * before the first message that needs it).
     */
    void queueCreated(final ServerQueue queue)
    {
        if (journal == null || !queue.isDurable())
        {
            return;
        }
        try
        {
            journalQueue(queue);
        }
        catch (final JournalWriteException ex)
        {
            noteFailure(ex);
        }
    }

    private void journalQueue(final ServerQueue queue)
    {
        if (queue.journalId() == 0)
        {
            queue.journalId(nextId());
        }
        if (queue.kind == ServerQueue.Kind.SUBSCRIPTION)
        {
            final SubscriptionSpec spec = queue.subscription;
            QueueRecord.encodeSubscription(payload.reset(), queue.journalId(), queue.name, spec.topic(), spec.name(),
                spec.clientId(), spec.selectorText(), spec.noLocal(), spec.shared());
        }
        else
        {
            QueueRecord.encodeQueue(payload.reset(), queue.journalId(), queue.name);
        }
        journal.place(queue, journal.append(QUEUE, payload));
    }

    /**
     * A durable queue or subscription was deleted; {@code dropped} are its references that were waiting
     * (those consumers still hold end when they are acknowledged or given back).
     */
    void queueDeleted(final ServerQueue queue, final List<MessageReference> dropped)
    {
        if (journal == null || !queue.isJournaled())
        {
            return;
        }
        try
        {
            journal.append(QUEUE_DELETE, QueueDeleteRecord.encode(payload.reset(), queue.journalId()));
            journal.noteReference(queue);
        }
        catch (final JournalWriteException ex)
        {
            // Its messages will come back after a restart, as they would had the delete not happened.
            noteFailure(ex);
            return;
        }
        journal.release(queue);
        pagingEnded(queue);
        for (final MessageReference reference : dropped)
        {
            referenceGone(reference, false);
        }
    }

    void topicCreated(final TopicAddress topic)
    {
        if (journal == null || topic.temporary)
        {
            return;
        }
        try
        {
            journalTopic(topic);
        }
        catch (final JournalWriteException ex)
        {
            noteFailure(ex);
        }
    }

    private void journalTopic(final TopicAddress topic)
    {
        if (topic.journalId() == 0)
        {
            topic.journalId(nextId());
        }
        journal.place(topic, journal.append(TOPIC, TopicRecord.encode(payload.reset(), topic.journalId(), topic.name)));
    }

    void topicDeleted(final TopicAddress topic)
    {
        if (journal == null || !topic.isJournaled())
        {
            return;
        }
        try
        {
            journal.append(TOPIC_DELETE, TopicDeleteRecord.encode(payload.reset(), topic.journalId()));
            journal.noteReference(topic);
            journal.release(topic);
        }
        catch (final JournalWriteException ex)
        {
            noteFailure(ex);
        }
    }

    // ---- messages ---------------------------------------------------------------------------------------

    /**
     * Appends a routed persistent message with its references in durable queues (if it has any), and writes
     * it (forcing waits for the end of the batch).
     *
     * @throws JournalWriteException if it could not be appended: nothing was stored, route nothing.
     */
    void messageRouted(final ServerMessage message, final List<MessageReference> references)
    {
        if (journal == null || !message.isPersistent() || !keepDurable(message, references))
        {
            return;
        }
        refuseOnSpare();
        try
        {
            ensureJournaled(message.durableReferences);
            message.journalId(nextId());
            payload.reset();
            encodeMessage(message);
            journal.place(message, journal.append(MESSAGE, payload));
            // Written now, not at the end of the batch: a message the journal refuses must not be routed,
            // or a producer told "not stored" would see it delivered.
            journal.writeStaged();
        }
        catch (final JournalWriteException ex)
        {
            journal.release(message);
            notJournaled(message);
            noteFailure(ex);
            throw ex;
        }
    }

    /**
     * Picks out the references in durable queues.
     *
     * @return true if there are any.
     */
    private static boolean keepDurable(final ServerMessage message, final List<MessageReference> references)
    {
        int durable = 0;
        for (int i = 0; i < references.size(); i++)
        {
            if (references.get(i).queue.isDurable())
            {
                durable++;
            }
        }
        if (durable == 0)
        {
            return false;
        }
        final MessageReference[] kept = new MessageReference[durable];
        int k = 0;
        for (int i = 0; i < references.size(); i++)
        {
            if (references.get(i).queue.isDurable())
            {
                kept[k] = references.get(i);
                kept[k++].durable = true;
            }
        }
        message.durableReferences = kept;
        message.liveDurableReferences = durable;
        return true;
    }

    private void ensureJournaled(final MessageReference[] references)
    {
        for (final MessageReference reference : references)
        {
            if (!reference.queue.isJournaled())
            {
                journalQueue(reference.queue);
            }
        }
    }

    /**
     * Appends a MESSAGE payload (without the record header) to {@link #payload}.
     *
     * @return the bytes it took.
     */
    private int encodeMessage(final ServerMessage message)
    {
        final int start = payload.position();
        final int countAt = MessageRecord.begin(payload, message.journalId());
        int count = 0;
        for (final MessageReference reference : message.durableReferences)
        {
            if (!reference.gone && !reference.queue.deleted)
            {
                MessageRecord.reference(payload, reference.queue.journalId(), reference.deliveryCount);
                count++;
            }
        }
        MessageRecord.end(payload, countAt, count, message.encoded());
        return payload.position() - start;
    }

    /**
     * A reference ended: acknowledged, expired, moved to a dead-letter address, purged, or its queue deleted.
     *
     * @param appendAck false when a record already says so (its queue's deletion, a transaction).
     */
    void referenceGone(final MessageReference reference, final boolean appendAck)
    {
        large.referenceEnded(reference);
        final ServerMessage message = reference.message;
        // journalId, not isJournaled(): a message whose record a failed write lost waits to be appended again,
        // and must be appended without the references that ended meanwhile.
        if (reference.gone || message.journalId() == 0 || !reference.durable)
        {
            return;
        }
        reference.gone = true;
        if (appendAck && !reference.queue.deleted)
        {
            try
            {
                journal.append(ACK, AckRecord.encode(payload.reset(), message.journalId(), reference.queue.journalId()));
                journal.noteReference(message);
            }
            catch (final JournalWriteException ex)
            {
                // The message may come back after a restart: delivered twice, never lost.
                noteFailure(ex);
            }
        }
        if (--message.liveDurableReferences == 0)
        {
            journal.release(message);
        }
    }

    /**
     * A reference was delivered and given back: its delivery count is kept for after a restart.
     */
    void deliveryCounted(final MessageReference reference)
    {
        if (reference.gone || reference.message.journalId() == 0 || !reference.durable)
        {
            return;
        }
        try
        {
            journal.append(DELIVERY_COUNT, DeliveryCountRecord.encode(payload.reset(), reference.message.journalId(),
                reference.queue.journalId(), reference.deliveryCount));
            journal.noteReference(reference.message);
        }
        catch (final JournalWriteException ex)
        {
            noteFailure(ex);
        }
    }

    /**
     * Appends a committed transaction as one record: its messages (with their references) and its acks, all
     * or nothing.
     *
     * @throws JournalWriteException if it could not be appended: apply nothing.
     */
    void transaction(final List<ServerMessage> messages, final List<List<MessageReference>> references,
        final List<MessageReference> acknowledged)
    {
        transaction(messages, references, acknowledged, null);
    }

    /**
     * @param commitId the id the client gave the commit, kept in its record; null for none.
     */
    void transaction(final List<ServerMessage> messages, final List<List<MessageReference>> references,
        final List<MessageReference> acknowledged, final String commitId)
    {
        if (journal != null)
        {
            refuseNewMessagesOnSpare(messages);
            appendTransaction(null, (byte)0, messages, references, acknowledged, commitId);
        }
    }

    /**
     * Appends a prepared XA branch: its persistent messages, not routed, and the durable references it
     * acknowledged. Written at once, and kept until the branch ends.
     *
     * @throws JournalWriteException if it could not be appended: the branch is not prepared.
     */
    void prepared(final PreparedTransaction branch)
    {
        if (journal == null)
        {
            return;
        }
        refuseNewMessagesOnSpare(branch.messages);
        try
        {
            encodePrepare(branch);
            journal.place(branch, journal.append(PREPARE, payload));
            journal.writeStaged();
        }
        catch (final JournalWriteException ex)
        {
            journal.release(branch);
            noteFailure(ex);
            throw ex;
        }
    }

    private void encodePrepare(final PreparedTransaction branch)
    {
        final int messagesAt = PrepareRecord.begin(payload.reset(), branch.xid);
        int count = 0;
        for (int i = 0; i < branch.messages.size(); i++)
        {
            final ServerMessage message = branch.messages.get(i);
            if (message.isPersistent())
            {
                PrepareRecord.message(payload, branch.sendTypes[i], branch.sendNames[i], message.encoded());
                count++;
            }
        }
        final int heldAt = PrepareRecord.beginHeld(payload, messagesAt, count);
        count = 0;
        for (final MessageReference reference : branch.held)
        {
            if (isJournaledReference(reference))
            {
                PrepareRecord.held(payload, reference.message.journalId(), reference.queue.journalId(),
                    reference.deliveryCount);
                count++;
            }
        }
        PrepareRecord.end(payload, heldAt, count);
    }

    private static boolean isJournaledReference(final MessageReference reference)
    {
        return !reference.gone && reference.message.journalId() != 0 && reference.durable && !reference.queue.deleted;
    }

    /**
     * Appends how a prepared branch ended, as one record: committed (with its messages as now routed, and
     * its acks) or rolled back. A heuristic outcome keeps the branch in the journal until it is forgotten.
     *
     * @param outcome one of the descriptor's {@code OUTCOME_*}.
     * @throws JournalWriteException if it could not be appended: the branch stays as it was.
     */
    void branchEnded(final PreparedTransaction branch, final byte outcome, final List<ServerMessage> messages,
        final List<List<MessageReference>> references)
    {
        if (journal == null)
        {
            return;
        }
        // Written even if the branch's PREPARE is waiting to be appended again after a failed write: a copy of
        // it may be on disk all the same.
        final boolean committed = outcome == OUTCOME_COMMITTED || outcome == OUTCOME_HEURISTIC_COMMIT;
        appendTransaction(branch, outcome, committed ? messages : List.of(), committed ? references : List.of(),
            committed ? branch.held : List.of(), null);
    }

    /**
     * Appends a TRANSACTION record, or for a branch a TRANSACTION_END holding the same payload after its xid
     * and outcome, and writes it.
     */
    private void appendTransaction(final PreparedTransaction branch, final byte outcome, final List<ServerMessage> messages,
        final List<List<MessageReference>> references, final List<MessageReference> acknowledged,
        final String commitId)
    {
        final List<ServerMessage> durable = new ArrayList<>();
        for (int i = 0; i < messages.size(); i++)
        {
            final ServerMessage message = messages.get(i);
            if (message.isPersistent() && keepDurable(message, references.get(i)))
            {
                durable.add(message);
            }
        }
        final List<MessageReference> acks = new ArrayList<>();
        for (final MessageReference reference : acknowledged)
        {
            if (isJournaledReference(reference))
            {
                acks.add(reference);
            }
        }
        if (branch == null && durable.isEmpty() && acks.isEmpty())
        {
            return;
        }
        final int[] lengths = new int[durable.size()];
        final int length;
        try
        {
            for (final ServerMessage message : durable)
            {
                ensureJournaled(message.durableReferences);
            }
            payload.reset();
            if (branch != null)
            {
                TransactionEndRecord.encode(payload, branch.xid, outcome);
            }
            if (branch == null || TransactionEndRecord.hasBody(outcome))
            {
                encodeTransactionBody(durable, lengths, acks);
            }
            if (commitId != null)
            {
                TransactionRecord.commitId(payload, commitId);
            }
            length = journal.append(branch == null ? TRANSACTION : TRANSACTION_END, payload);
            journal.writeStaged();
        }
        catch (final JournalWriteException ex)
        {
            for (final ServerMessage message : durable)
            {
                notJournaled(message);
            }
            noteFailure(ex);
            throw ex;
        }
        if (branch != null)
        {
            endBranch(branch, outcome, length);
        }
        for (int i = 0; i < durable.size(); i++)
        {
            journal.place(durable.get(i), lengths[i]);
        }
        for (final MessageReference reference : acks)
        {
            journal.noteReference(reference.message);
            referenceGone(reference, false);
        }
    }

    private void encodeTransactionBody(final List<ServerMessage> durable, final int[] lengths, final List<MessageReference> acks)
    {
        encodeMessages(durable, lengths);
        TransactionRecord.acks(payload, acks.size());
        for (final MessageReference reference : acks)
        {
            AckRecord.encode(payload, reference.message.journalId(), reference.queue.journalId());
        }
    }

    /**
     * Appends int count and that many MESSAGE payloads, giving each message its id.
     */
    private void encodeMessages(final List<ServerMessage> durable, final int[] lengths)
    {
        MessageRecord.count(payload, durable.size());
        for (int i = 0; i < durable.size(); i++)
        {
            durable.get(i).journalId(nextId());
            lengths[i] = encodeMessage(durable.get(i));
        }
    }

    /**
     * The record that ends a branch refers to its PREPARE; a heuristic outcome is an entry of its own from
     * now on, in the segment of that record.
     */
    private void endBranch(final PreparedTransaction branch, final byte outcome, final int length)
    {
        journal.noteReference(branch);
        if (outcome == OUTCOME_HEURISTIC_COMMIT || outcome == OUTCOME_HEURISTIC_ROLLBACK)
        {
            journal.place(branch, length);
        }
        else
        {
            journal.release(branch);
        }
    }

    /**
     * A message whose record did not reach the journal: it has no journal id and no durable references.
     */
    private static void notJournaled(final ServerMessage message)
    {
        message.journalId(0);
        message.durableReferences = null;
        message.liveDurableReferences = 0;
    }

    /**
     * The transaction manager forgot a heuristically completed branch: it may leave the journal.
     */
    void branchForgotten(final PreparedTransaction branch)
    {
        if (journal == null || !branch.isJournaled())
        {
            return;
        }
        try
        {
            journal.append(TRANSACTION_END, TransactionEndRecord.encode(payload.reset(), branch.xid, OUTCOME_FORGOTTEN));
            journal.noteReference(branch);
            journal.release(branch);
        }
        catch (final JournalWriteException ex)
        {
            // It stays in the journal, and after a restart it is listed again for the manager to forget.
            noteFailure(ex);
        }
    }

    /**
     * On the spare segment (the disk is full) the journal keeps its room for what frees space: acknowledgements and
     * deletions. Persistent messages are refused until there is room again.
     *
     * @throws JournalWriteException if the journal is on its spare and a persistent message is among them.
     */
    private void refuseNewMessagesOnSpare(final List<ServerMessage> messages)
    {
        for (int i = 0; i < messages.size(); i++)
        {
            if (messages.get(i).isPersistent())
            {
                refuseOnSpare();
                return;
            }
        }
    }

    /**
     * @throws JournalWriteException if the journal is on its spare: it takes no more messages.
     */
    private void refuseOnSpare()
    {
        if (journal.isOnSpare())
        {
            throw new JournalWriteException("the disk is full: the journal is writing into its spare segment, which " +
                "it keeps for acknowledgements; persistent messages are taken again once consuming or the operator " +
                "frees space", null);
        }
    }

    private void noteFailure(final JournalWriteException ex)
    {
        failedUntilMs = System.currentTimeMillis() + RETRY_AFTER_FAILURE_MS;
        LOG.log(System.Logger.Level.ERROR, "journal: " + ex.getMessage());
    }

    // ---- confirmations ----------------------------------------------------------------------------------

    /**
     * @return the journal's append count now, to pass to {@link #deferConfirmation} after the command.
     */
    long mark()
    {
        return journal == null ? 0 : journal.appendSequence() + pageWrites;
    }

    /**
     * @return true if the command appended records since {@code mark} and its answer must wait for them
     * to be forced (then this holds it); false to answer now.
     */
    boolean deferConfirmation(final ConnectionOutput output, final long correlationId, final long mark)
    {
        if (journal == null || mark() == mark || correlationId == 0)
        {
            return false;
        }
        confirmations.waitFor(mark(), output, correlationId);
        return true;
    }

    /**
     * Runs {@code action} once what was appended so far is forced (not at all if the force fails).
     */
    void afterForce(final Runnable action)
    {
        afterForce(action, null);
    }

    /**
     * Runs {@code action} once what was appended so far is forced (and on the replica while one is attached), or
     * {@code failed} (if not null) if that fails.
     */
    void afterForce(final Runnable action, final Runnable failed)
    {
        if (journal == null)
        {
            action.run();
            return;
        }
        confirmations.afterwards(mark(), action, failed);
    }

    /**
     * Persistent messages were written to these pages: they are forced before the batch's confirmations.
     */
    void pagesWritten(final List<PageStore> stores)
    {
        for (final PageStore store : stores)
        {
            if (!unforcedPages.contains(store))
            {
                unforcedPages.add(store);
            }
        }
        pageWrites++;
    }

    /**
     * Ends a processor batch: moves some live records out of a mostly dead segment, writes what the batch
     * appended, and asks for a force; confirmations that cannot be kept are failed at once.
     */
    void endOfBatch(final Confirmer confirmer)
    {
        if (journal == null)
        {
            return;
        }
        final boolean pagesWritten = !unforcedPages.isEmpty();
        if (!forcePages(confirmer))
        {
            return;
        }
        try
        {
            if (System.currentTimeMillis() >= failedUntilMs)
            {
                // After a failure, wait a little before trying the disk again, not in a loop.
                rewriteUnwritten();
                compact();
            }
            journal.writeStaged();
        }
        catch (final JournalWriteException ex)
        {
            noteFailure(ex);
            confirmations.failUnrequested("not stored: " + ex.getMessage(), confirmer);
            return;
        }
        if (!confirmations.hasUnrequested() && journal.hasUnforced())
        {
            final long nowMs = System.currentTimeMillis();
            if (unwaitedSinceMs < 0)
            {
                unwaitedSinceMs = nowMs;
            }
            if (nowMs - unwaitedSinceMs < UNWAITED_FORCE_DELAY_MS)
            {
                return;
            }
        }
        JournalLog.ForceBatch batch = journal.takeForceBatch();
        if (batch == null && pagesWritten && replicaAttached)
        {
            // The pages are forced here, but the replica must store them too before their confirmations go.
            batch = journal.takeMirrorOnlyBatch();
        }
        unwaitedSinceMs = -1;
        if (batch == null)
        {
            // Nothing written is waiting for a force: what was asked for beyond the forces in flight is safe.
            confirmations.releaseUnrequested(confirmer);
            return;
        }
        final long position = mark();
        confirmations.requested(position);
        if (replicaAttached)
        {
            replicaMarks.addLast(new long[] {batch.mirrorMark(), position});
        }
        final JournalSyncer.Request request = new JournalSyncer.Request(batch, position);
        if (forcer != null && sync == SyncPolicy.FORCE)
        {
            forcer.accept(request);
            return;
        }
        // Without a syncer thread (tests, or sync policy none) the processor forces, or skips forcing, itself.
        String failure = null;
        try
        {
            JournalSyncer.force(batch.segments(), journal.directory(), sync == SyncPolicy.FORCE);
        }
        catch (final IOException ex)
        {
            failure = ex.toString();
        }
        onForced(request, failure, confirmer);
    }

    /**
     * @return the data directory the journal is in, or null for a store that keeps nothing.
     */
    Path dataDirectory()
    {
        return journal == null ? null : journal.directory().getParent();
    }

    // ---- replication ------------------------------------------------------------------------------------

    /**
     * A replica is being made: forces are told to it from now on, and their marks kept until it stores them.
     */
    void replicaAttached()
    {
        replicaAttached = true;
        // Confirmations a replica that could not store held keep waiting (REPLICATED stays required) until this one
        // is in sync: what it stores while its copy is made is no replica yet, and the old one's marks mean nothing.
        replicaInSync = false;
        replicaMarks.clear();
    }

    /**
     * The copy of the data directory to a replica is complete: what was written so far is in it (records staged in
     * this batch are not written yet; they reach the replica as changes after the copy).
     */
    void replicaCopied()
    {
        replicaCopyPosition = confirmations.requested();
    }

    /**
     * The replica stored everything up to {@code mark}, which is at or after the end of its copy: from now on every
     * confirmation waits until the replica has stored what it covers, as well as the local force.
     */
    void replicaInSync(final long mark, final Confirmer confirmer)
    {
        replicaInSync = true;
        confirmations.require(ConfirmationTracker.Condition.REPLICATED);
        confirmations.passed(ConfirmationTracker.Condition.REPLICATED, Math.max(replicaCopyPosition, storedUpTo(mark)),
            confirmer);
    }

    /**
     * The replica stored everything up to {@code mark}: the confirmations that waited only for that go.
     */
    void replicaStored(final long mark, final Confirmer confirmer)
    {
        final long position = storedUpTo(mark);
        if (replicaInSync && position >= 0)
        {
            confirmations.passed(ConfirmationTracker.Condition.REPLICATED, position, confirmer);
        }
    }

    /**
     * The replica is gone (or never got in sync): confirmations wait for the local force alone again.
     */
    void replicaLost(final Confirmer confirmer)
    {
        replicaMarks.clear();
        replicaCopyPosition = -1;
        replicaAttached = false;
        replicaInSync = false;
        confirmations.unrequire(ConfirmationTracker.Condition.REPLICATED, confirmer);
    }

    /**
     * @return the position the forces up to {@code mark} made durable (forgetting them), or -1 if none.
     */
    private long storedUpTo(final long mark)
    {
        long position = -1;
        while (!replicaMarks.isEmpty() && replicaMarks.peekFirst()[0] <= mark)
        {
            position = replicaMarks.pollFirst()[1];
        }
        return position;
    }

    /**
     * @return when records nobody waits for are due for a force (ms since the epoch), or Long.MAX_VALUE.
     */
    long nextForceDueMs()
    {
        return unwaitedSinceMs < 0 ? Long.MAX_VALUE : unwaitedSinceMs + UNWAITED_FORCE_DELAY_MS;
    }

    /**
     * The syncer finished a request: the records are on disk (or the force failed), so answer the commands
     * that waited, and delete segments that held only dead records.
     */
    void onForced(final JournalSyncer.Request request, final String failure, final Confirmer confirmer)
    {
        final long position = (Long)request.attachment();
        if (failure != null)
        {
            failedUntilMs = System.currentTimeMillis() + RETRY_AFTER_FAILURE_MS;
            LOG.log(System.Logger.Level.ERROR, "journal: force failed (" + failure + "); what it held is appended again");
            journal.distrust(request.batch().segments());
            // Actions waiting for the force (deleting read pages) are dropped: what they would delete stays.
            confirmations.failUpTo(position, "the journal could not force it to disk (" + failure +
                "); it may or may not have been stored", confirmer);
            return;
        }
        journal.onForced(request.batch().sequence());
        confirmations.passed(ConfirmationTracker.Condition.FORCED, position, confirmer);
        journal.deleteDeadSegments();
    }

    /**
     * Forces the pages persistent messages went to in this batch, on the processor thread: paging is the slow
     * path already. A failed force fails the batch's confirmations.
     *
     * @return false if it failed.
     */
    private boolean forcePages(final Confirmer confirmer)
    {
        try
        {
            for (final PageStore store : unforcedPages)
            {
                store.force();
            }
            unforcedPages.clear();
            return true;
        }
        catch (final IOException ex)
        {
            unforcedPages.clear();
            LOG.log(System.Logger.Level.ERROR, "paging: force failed: " + ex);
            confirmations.failUnrequested("the page files could not be forced to disk (" + ex + "); it may or may not have been stored",
                confirmer);
            return false;
        }
    }

    // ---- paging -----------------------------------------------------------------------------------------

    /**
     * Messages of a durable queue were read back from its pages: one DEPAGE record holds the persistent ones
     * (with their references in that queue) and how far the pages were read.
     *
     * @throws JournalWriteException if it could not be appended: read them again later.
     */
    void depaged(final ServerQueue queue, final PageStore.Cursor cursor, final List<MessageReference> references)
    {
        if (journal == null || !queue.isDurable() || queue.journalId() == 0)
        {
            return;
        }
        // They stay in the page files, which hold them safely, until there is room.
        refuseOnSpare();
        final List<ServerMessage> durable = new ArrayList<>();
        for (final MessageReference reference : references)
        {
            if (reference.message.isPersistent() && keepDurable(reference.message, List.of(reference)))
            {
                durable.add(reference.message);
            }
        }
        final int[] lengths = new int[durable.size()];
        final int length;
        try
        {
            if (!queue.isJournaled())
            {
                journalQueue(queue);
            }
            DepageRecord.encode(payload.reset(), queue.journalId(), cursor.page(), cursor.offset());
            encodeMessages(durable, lengths);
            length = journal.append(DEPAGE, payload);
            journal.writeStaged();
        }
        catch (final JournalWriteException ex)
        {
            for (final ServerMessage message : durable)
            {
                notJournaled(message);
            }
            noteFailure(ex);
            throw ex;
        }
        if (queue.pagePosition == null)
        {
            queue.pagePosition = new PagePosition(queue, cursor);
        }
        queue.pagePosition.cursor = cursor;
        int messagesLength = 0;
        for (int i = 0; i < durable.size(); i++)
        {
            journal.place(durable.get(i), lengths[i]);
            messagesLength += lengths[i];
        }
        journal.place(queue.pagePosition, Math.max(RECORD_HEADER_LENGTH + 28, length - messagesLength));
    }

    /**
     * A message another node forwarded was routed here: if it is persistent and has durable references, one
     * LINK record holds it and the node's new sequence, so after a crash both are back or neither is.
     *
     * @return true if it was journaled (its confirmation waits for the force).
     * @throws JournalWriteException if it could not be appended: nothing was stored, route nothing.
     */
    boolean linkReceived(final LinkPosition position, final long sequence, final ServerMessage message,
        final List<MessageReference> references)
    {
        if (journal == null || !message.isPersistent() || !keepDurable(message, references))
        {
            return false;
        }
        refuseOnSpare();
        final int length;
        final int messageLength;
        try
        {
            ensureJournaled(message.durableReferences);
            message.journalId(nextId());
            LinkRecord.encode(payload.reset(), position.nodeId, sequence);
            MessageRecord.count(payload, 1);
            messageLength = encodeMessage(message);
            length = journal.append(LINK, payload);
            journal.writeStaged();
        }
        catch (final JournalWriteException ex)
        {
            notJournaled(message);
            noteFailure(ex);
            throw ex;
        }
        position.journaledSequence = sequence;
        journal.place(message, messageLength);
        journal.place(position, Math.max(RECORD_HEADER_LENGTH + 16, length - messageLength));
        return true;
    }

    /**
     * The queue's pages are read to the end and gone: its position need not be kept.
     */
    void pagingEnded(final ServerQueue queue)
    {
        if (queue.pagePosition != null && journal != null)
        {
            journal.release(queue.pagePosition);
        }
        queue.pagePosition = null;
    }

    // ---- recovery ---------------------------------------------------------------------------------------

    /**
     * Reads the journal and rebuilds what it holds (see {@link JournalRecovery}); ids continue after the
     * largest it found.
     */
    void recover(final Destinations destinations, final Restorer restorer, final Consumer<PreparedTransaction> branches,
        final Consumer<PagePosition> positions, final Consumer<LinkPosition> links, final DuplicateIds ids)
        throws IOException, JournalCorruptException
    {
        if (journal != null)
        {
            nextId = new JournalRecovery(journal).recover(destinations, restorer, branches, positions, links, ids) + 1;
        }
    }

    // ---- compaction -------------------------------------------------------------------------------------

    /**
     * Appends again what a failed write lost and still lives: a queue definition, a message a compaction
     * was moving. Until that is done no segment is deleted, so their older records stay on disk.
     */
    private void rewriteUnwritten()
    {
        for (final JournalEntry entry : journal.takeUnwritten())
        {
            final boolean live = entry instanceof ServerMessage ? ((ServerMessage)entry).liveDurableReferences > 0 :
                entry instanceof ServerQueue ? !((ServerQueue)entry).deleted :
                entry instanceof TopicAddress ? !((TopicAddress)entry).deleted :
                entry instanceof PagePosition ? ((PagePosition)entry).queue.pagePosition == entry :
                entry instanceof LinkPosition || !((PreparedTransaction)entry).ended;
            if (live && !entry.isJournaled())
            {
                rewrite(entry);
            }
        }
    }

    /**
     * Appends again the live records of the oldest mostly dead segment, a bounded amount per batch, so the
     * segment can be deleted once the copies are forced.
     */
    private void compact()
    {
        if (journal.segmentCount() < 2)
        {
            return;
        }
        int moved = 0;
        JournalSegment candidate = journal.compactionCandidate();
        while (candidate != null && moved < COMPACTION_BYTES_PER_BATCH)
        {
            final JournalEntry entry = candidate.firstLive();
            if (entry == null)
            {
                candidate = journal.compactionCandidate();
                continue;
            }
            moved += rewrite(entry);
        }
    }

    private int rewrite(final JournalEntry entry)
    {
        if (entry instanceof ServerMessage)
        {
            final ServerMessage message = (ServerMessage)entry;
            payload.reset();
            encodeMessage(message);
            return journal.place(message, journal.append(MESSAGE, payload));
        }
        if (entry instanceof ServerQueue)
        {
            journalQueue((ServerQueue)entry);
        }
        else if (entry instanceof TopicAddress)
        {
            journalTopic((TopicAddress)entry);
        }
        else if (entry instanceof PagePosition)
        {
            final PagePosition position = (PagePosition)entry;
            DepageRecord.encode(payload.reset(), position.queue.journalId(), position.cursor.page(),
                position.cursor.offset());
            MessageRecord.count(payload, 0);
            return journal.place(position, journal.append(DEPAGE, payload));
        }
        else if (entry instanceof LinkPosition)
        {
            final LinkPosition position = (LinkPosition)entry;
            LinkRecord.encode(payload.reset(), position.nodeId, position.journaledSequence);
            MessageRecord.count(payload, 0);
            return journal.place(position, journal.append(LINK, payload));
        }
        else if (entry instanceof PreparedTransaction)
        {
            final PreparedTransaction branch = (PreparedTransaction)entry;
            if (branch.isPrepared())
            {
                encodePrepare(branch);
                return journal.place(branch, journal.append(PREPARE, payload));
            }
            // A heuristic outcome is kept as an end record whose transaction was applied already.
            final boolean committed = branch.state == PreparedTransaction.State.HEURISTICALLY_COMMITTED;
            TransactionEndRecord.encode(payload.reset(), branch.xid,
                committed ? OUTCOME_HEURISTIC_COMMIT : OUTCOME_HEURISTIC_ROLLBACK);
            if (committed)
            {
                TransactionRecord.encodeEmpty(payload);
            }
            return journal.place(branch, journal.append(TRANSACTION_END, payload));
        }
        else
        {
            throw new IllegalStateException("cannot move journal entry " + entry);
        }
        return payload.position();
    }
}
