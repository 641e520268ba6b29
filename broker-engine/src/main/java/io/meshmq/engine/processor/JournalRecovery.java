package io.meshmq.engine.processor;

import io.meshmq.engine.journal.JournalCorruptException;
import io.meshmq.engine.journal.JournalLog;
import io.meshmq.engine.journal.JournalRecordDescriptor;
import io.meshmq.engine.journal.JournalSegment;
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
import io.meshmq.protocol.MessageHeaderFlyweight;
import io.meshmq.protocol.ProtocolException;
import io.meshmq.protocol.WireReader;
import io.meshmq.protocol.WireXid;
import io.meshmq.selector.Selector;
import io.meshmq.selector.SelectorSyntaxException;
import org.agrona.DirectBuffer;
import org.agrona.collections.Long2ObjectHashMap;

import java.io.IOException;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.function.Consumer;

import static io.meshmq.engine.journal.JournalRecordDescriptor.*;

/**
 * Turns the journal's records back into queues, subscriptions, topics and messages at start-up. Records are
 * replayed in order into a plain picture of what lives (a later MESSAGE record of the same id replaces the
 * earlier one, acks and deletions remove), which is then built into {@link Destinations}. On the way it
 * rebuilds which segment depends on which, so nothing a deletion or ack removed can come back later.
 * <p>
 * Not thread safe: used once, by the starting thread, before the processor runs.
 */
final class JournalRecovery
{
    private static final System.Logger LOG = System.getLogger(JournalRecovery.class.getName());

    private final JournalLog journal;
    private final MessageHeaderFlyweight header = new MessageHeaderFlyweight();
    /** Told of every message the journal holds in order, consumed ones too (duplicate detection remembers them). */
    /** Told every message the journal holds, and every commit id. */
    private DuplicateIds ids;

    JournalRecovery(final JournalLog journal)
    {
        this.journal = journal;
    }

    /**
     * What recovery read, before it is turned into queues and messages.
     */
    private static final class RecoveredMessage
    {
        final long id;
        final byte[] encoded;
        final JournalSegment segment;
        final int length;
        final Long2ObjectHashMap<int[]> countsByQueue = new Long2ObjectHashMap<>();

        RecoveredMessage(final long id, final byte[] encoded, final JournalSegment segment, final int length)
        {
            this.id = id;
            this.encoded = encoded;
            this.segment = segment;
            this.length = length;
        }
    }

    private record RecoveredDefinition(long id, byte kind, String name, SubscriptionSpec spec, JournalSegment segment, int length)
    {
    }

    /**
     * How far a durable queue's pages were read.
     */
    private record RecoveredPosition(PageStore.Cursor cursor, JournalSegment segment, int length)
    {
    }

    /**
     * The highest forward of another node stored here.
     */
    private record RecoveredLink(long sequence, JournalSegment segment, int length)
    {
    }

    /**
     * A reference a prepared branch holds, with its delivery count when the branch was prepared.
     */
    private record Held(PreparedTransaction branch, int deliveryCount)
    {
    }

    /**
     * A prepared XA branch, or one an operator completed by hand ({@code outcome} not 0).
     */
    private record RecoveredBranch(WireXid xid, byte outcome, byte[] types, String[] names, byte[][] encoded,
        long[] heldMessages, long[] heldQueues, int[] heldCounts, JournalSegment segment, int length)
    {
    }

    private final class RecoveryState
    {
        final TreeMap<Long, RecoveredDefinition> queues = new TreeMap<>();
        final TreeMap<Long, RecoveredDefinition> topics = new TreeMap<>();
        final TreeMap<Long, RecoveredMessage> messages = new TreeMap<>();
        final Map<WireXid, RecoveredBranch> branches = new LinkedHashMap<>();
        final TreeMap<Long, RecoveredPosition> positions = new TreeMap<>();
        final Map<String, RecoveredLink> links = new LinkedHashMap<>();
        final WireReader reader = new WireReader();
        long maxId;

        void onRecord(final byte type, final DirectBuffer buffer, final int offset, final int length, final JournalSegment segment)
        {
            final WireReader in = reader.wrap(buffer, offset, length);
            switch (type)
            {
                case QUEUE: onQueue(QueueRecord.decode(in), segment, length); break;
                case QUEUE_DELETE: dependOn(segment, queues.remove(QueueDeleteRecord.decode(in).queueId())); break;
                case TOPIC:
                {
                    final TopicRecord record = TopicRecord.decode(in);
                    final long id = seen(record.id());
                    supersede(segment, topics.put(id, new RecoveredDefinition(id, (byte)0, record.name(), null, segment,
                        length)));
                    break;
                }
                case TOPIC_DELETE: dependOn(segment, topics.remove(TopicDeleteRecord.decode(in).topicId())); break;
                case MESSAGE: onMessage(MessageRecord.decode(in), segment); break;
                case ACK:
                {
                    final AckRecord ack = AckRecord.decode(in);
                    ack(ack.messageId(), ack.queueId(), segment);
                    break;
                }
                case DELIVERY_COUNT: onDeliveryCount(DeliveryCountRecord.decode(in), segment); break;
                case TRANSACTION: onTransaction(TransactionRecord.decode(in), segment); break;
                case PREPARE: onPrepare(PrepareRecord.decode(in), segment, length); break;
                case TRANSACTION_END: onTransactionEnd(TransactionEndRecord.decode(in), segment, length); break;
                case DEPAGE:
                {
                    final DepageRecord record = DepageRecord.decode(in);
                    final PageStore.Cursor cursor = new PageStore.Cursor(record.page(), record.offset());
                    supersede(segment, positions.put(record.queueId(), new RecoveredPosition(cursor, segment, length)));
                    onMessages(record.messages(), segment);
                    break;
                }
                case LINK:
                {
                    final LinkRecord record = LinkRecord.decode(in);
                    final RecoveredLink previous = links.get(record.nodeId());
                    if (previous == null || previous.sequence() <= record.sequence())
                    {
                        supersede(segment, links.put(record.nodeId(), new RecoveredLink(record.sequence(), segment,
                            length)));
                    }
                    onMessages(record.messages(), segment);
                    break;
                }
                default:
                    throw new ProtocolException("unknown journal record " + JournalRecordDescriptor.typeName(type));
            }
        }

        private void onDeliveryCount(final DeliveryCountRecord record, final JournalSegment segment)
        {
            final RecoveredMessage message = messages.get(record.messageId());
            final int[] current = message == null ? null : message.countsByQueue.get(record.queueId());
            if (current != null)
            {
                current[0] = record.deliveryCount();
                segment.dependOn(message.segment);
            }
        }

        private void onTransaction(final TransactionRecord record, final JournalSegment segment)
        {
            ids.committed(record.commitId());
            onMessages(record.messages(), segment);
            for (final AckRecord ack : record.acks())
            {
                ack(ack.messageId(), ack.queueId(), segment);
            }
        }

        private void onPrepare(final PrepareRecord record, final JournalSegment segment, final int length)
        {
            final RecoveredBranch branch = new RecoveredBranch(record.xid(), (byte)0, record.types(), record.names(),
                record.encoded(), record.heldMessages(), record.heldQueues(), record.heldCounts(), segment, length);
            supersede(segment, branches.put(record.xid(), branch));
        }

        private void onTransactionEnd(final TransactionEndRecord record, final JournalSegment segment, final int length)
        {
            final WireXid xid = record.xid();
            final RecoveredBranch ended = branches.remove(xid);
            if (ended != null)
            {
                segment.dependOn(ended.segment());
            }
            if (record.transaction() != null)
            {
                onTransaction(record.transaction(), segment);
            }
            if (record.outcome() == OUTCOME_HEURISTIC_COMMIT || record.outcome() == OUTCOME_HEURISTIC_ROLLBACK)
            {
                branches.put(xid, new RecoveredBranch(xid, record.outcome(), new byte[0], new String[0], new byte[0][],
                    new long[0], new long[0], new int[0], segment, length));
            }
        }

        /**
         * A newer record of the same entry (compaction moved it) replaces the older, and must be kept while
         * the older one is.
         */
        private void supersede(final JournalSegment segment, final Object previous)
        {
            final JournalSegment older = previous instanceof RecoveredDefinition ? ((RecoveredDefinition)previous).segment() :
                previous instanceof RecoveredMessage ? ((RecoveredMessage)previous).segment :
                previous instanceof RecoveredBranch ? ((RecoveredBranch)previous).segment() :
                previous instanceof RecoveredPosition ? ((RecoveredPosition)previous).segment() :
                previous instanceof RecoveredLink ? ((RecoveredLink)previous).segment() : null;
            segment.dependOn(older);
        }

        private long seen(final long id)
        {
            maxId = Math.max(maxId, id);
            return id;
        }

        private void onQueue(final QueueRecord record, final JournalSegment segment, final int length)
        {
            final long id = seen(record.id());
            SubscriptionSpec spec = null;
            if (record.isSubscription())
            {
                try
                {
                    spec = new SubscriptionSpec(record.topic(), record.subscriptionName(), record.clientId(),
                        record.selector() == null ? null : Selector.parse(record.selector()), record.noLocal(), true,
                        record.shared());
                }
                catch (final SelectorSyntaxException ex)
                {
                    throw new ProtocolException("subscription " + record.name() +
                        " has a selector this broker cannot parse: " + ex.getMessage());
                }
            }
            supersede(segment, queues.put(id, new RecoveredDefinition(id, record.kind(), record.name(), spec, segment,
                length)));
        }

        private void onMessages(final List<MessageRecord> records, final JournalSegment segment)
        {
            for (final MessageRecord record : records)
            {
                onMessage(record, segment);
            }
        }

        private void onMessage(final MessageRecord record, final JournalSegment segment)
        {
            final long id = seen(record.id());
            if (record.queueIds().length > 0)
            {
                ids.recovered(record.encoded());
            }
            final RecoveredMessage message = new RecoveredMessage(id, record.encoded(), segment, record.length());
            final long[] queueIds = record.queueIds();
            for (int i = 0; i < queueIds.length; i++)
            {
                message.countsByQueue.put(queueIds[i], new int[] {record.deliveryCounts()[i]});
            }
            if (queueIds.length == 0)
            {
                supersede(segment, messages.remove(id));
            }
            else
            {
                supersede(segment, messages.put(id, message));
            }
        }

        /**
         * Rebuilds what the journal knew before the restart: a record that removes something older keeps
         * that older segment's records from coming back.
         */
        private void dependOn(final JournalSegment segment, final RecoveredDefinition removed)
        {
            if (removed != null)
            {
                segment.dependOn(removed.segment());
            }
        }

        private void ack(final long messageId, final long queueId, final JournalSegment segment)
        {
            final RecoveredMessage message = messages.get(messageId);
            if (message != null)
            {
                segment.dependOn(message.segment);
            }
            if (message != null && message.countsByQueue.remove(queueId) != null && message.countsByQueue.isEmpty())
            {
                messages.remove(messageId);
            }
        }
    }

    /**
     * Reads the journal and rebuilds what it holds: durable queues, subscriptions and topics, and their
     * messages with their delivery counts, in their original order.
     *
     * @return the largest id the journal holds.
     */
    long recover(final Destinations destinations, final Durability.Restorer restorer,
        final Consumer<PreparedTransaction> branchSink, final Consumer<PagePosition> positionSink,
        final Consumer<LinkPosition> linkSink, final DuplicateIds ids)
        throws IOException, JournalCorruptException
    {
        this.ids = ids;
        final RecoveryState state = new RecoveryState();
        final JournalLog.RecoveryReport report = journal.recover(state::onRecord);
        state.links.forEach((nodeId, recovered) ->
        {
            final LinkPosition link = new LinkPosition(nodeId, recovered.sequence());
            journal.placeRecovered(link, recovered.segment(), recovered.length());
            linkSink.accept(link);
        });
        for (final RecoveredDefinition definition : state.topics.values())
        {
            final TopicAddress topic = destinations.topics.computeIfAbsent(definition.name(), n -> new TopicAddress(n, false, 0));
            topic.journalId(definition.id());
            journal.placeRecovered(topic, definition.segment(), definition.length());
        }
        final Long2ObjectHashMap<ServerQueue> queuesById = new Long2ObjectHashMap<>();
        for (final RecoveredDefinition definition : state.queues.values())
        {
            final ServerQueue queue;
            if (definition.kind() == KIND_QUEUE)
            {
                queue = new ServerQueue(definition.name(), ServerQueue.Kind.QUEUE, 0, null, destinations.memory);
                destinations.queues.put(queue.name, queue);
            }
            else
            {
                queue = destinations.restoreSubscription(definition.spec(), definition.name());
            }
            queue.journalId(definition.id());
            journal.placeRecovered(queue, definition.segment(), definition.length());
            queuesById.put(definition.id(), queue);
        }
        final Long2ObjectHashMap<Long2ObjectHashMap<Held>> heldBy = new Long2ObjectHashMap<>();
        final List<PreparedTransaction> branches = recoverBranches(state, queuesById, heldBy);
        long messages = 0;
        for (final RecoveredMessage recovered : state.messages.values())
        {
            final ServerMessage message;
            try
            {
                message = new ServerMessage(recovered.encoded, header.wrap(recovered.encoded), 0);
            }
            catch (final ProtocolException ex)
            {
                LOG.log(System.Logger.Level.ERROR, "journal: dropped message " + recovered.id + ", its encoding is broken: " +
                    ex.getMessage());
                continue;
            }
            final List<MessageReference> references = new ArrayList<>();
            recovered.countsByQueue.forEach((queueId, count) ->
            {
                final ServerQueue queue = queuesById.get(queueId);
                if (queue != null)
                {
                    final MessageReference reference = queue.reference(message);
                    reference.deliveryCount = count[0];
                    reference.durable = true;
                    references.add(reference);
                }
            });
            if (references.isEmpty())
            {
                continue;
            }
            message.journalId(recovered.id);
            message.durableReferences = references.toArray(new MessageReference[0]);
            message.liveDurableReferences = references.size();
            journal.placeRecovered(message, recovered.segment, recovered.length);
            final Long2ObjectHashMap<Held> holders = heldBy.get(recovered.id);
            for (final MessageReference reference : references)
            {
                final Held holder = holders == null ? null : holders.get(reference.queue.journalId());
                if (holder == null)
                {
                    restorer.restore(reference);
                }
                else
                {
                    // Its count as of the prepare: it was delivered, whatever the journal last heard.
                    reference.deliveryCount = Math.max(reference.deliveryCount, holder.deliveryCount());
                    holder.branch().held.add(reference);
                }
            }
            messages++;
        }
        for (final PreparedTransaction branch : branches)
        {
            branchSink.accept(branch);
        }
        state.positions.forEach((queueId, recovered) ->
        {
            final ServerQueue queue = queuesById.get(queueId);
            if (queue != null)
            {
                final PagePosition position = new PagePosition(queue, recovered.cursor());
                journal.placeRecovered(position, recovered.segment(), recovered.length());
                positionSink.accept(position);
            }
        });
        journal.deleteDeadSegments();
        LOG.log(report.records() == 0 && report.droppedBytes() == 0 ? System.Logger.Level.DEBUG : System.Logger.Level.INFO,
            "journal: recovered " + state.queues.size() + " queues and subscriptions, " +
            messages + " messages, " + branches.size() + " XA branches from " + report.records() + " records in " + report.segments() + " segments" +
            (report.droppedBytes() > 0 ? "; dropped " + report.droppedBytes() + " unreadable bytes" : ""));
        return state.maxId;
    }

    /**
     * Rebuilds the prepared (and heuristically completed) XA branches; {@code heldBy} learns which message
     * references each holds, by message id and queue id.
     */
    private List<PreparedTransaction> recoverBranches(final RecoveryState state,
        final Long2ObjectHashMap<ServerQueue> queuesById, final Long2ObjectHashMap<Long2ObjectHashMap<Held>> heldBy)
    {
        final List<PreparedTransaction> branches = new ArrayList<>();
        for (final RecoveredBranch recovered : state.branches.values())
        {
            final List<ServerMessage> messages = new ArrayList<>();
            final List<Byte> types = new ArrayList<>();
            final List<String> names = new ArrayList<>();
            for (int i = 0; i < recovered.encoded().length; i++)
            {
                try
                {
                    messages.add(new ServerMessage(recovered.encoded()[i], header.wrap(recovered.encoded()[i]), 0));
                    types.add(recovered.types()[i]);
                    names.add(recovered.names()[i]);
                }
                catch (final ProtocolException ex)
                {
                    LOG.log(System.Logger.Level.ERROR, "journal: dropped a message of XA branch " + recovered.xid() +
                        ", its encoding is broken: " + ex.getMessage());
                }
            }
            final byte[] sendTypes = new byte[types.size()];
            for (int i = 0; i < sendTypes.length; i++)
            {
                sendTypes[i] = types.get(i);
            }
            final PreparedTransaction branch = PreparedTransaction.recovered(
                recovered.xid(), sendTypes, names.toArray(new String[0]), messages);
            if (recovered.outcome() == OUTCOME_HEURISTIC_COMMIT)
            {
                branch.state = PreparedTransaction.State.HEURISTICALLY_COMMITTED;
            }
            else if (recovered.outcome() == OUTCOME_HEURISTIC_ROLLBACK)
            {
                branch.state = PreparedTransaction.State.HEURISTICALLY_ROLLED_BACK;
            }
            for (int i = 0; i < recovered.heldMessages().length; i++)
            {
                if (queuesById.containsKey(recovered.heldQueues()[i]))
                {
                    Long2ObjectHashMap<Held> byQueue = heldBy.get(recovered.heldMessages()[i]);
                    if (byQueue == null)
                    {
                        byQueue = new Long2ObjectHashMap<>();
                        heldBy.put(recovered.heldMessages()[i], byQueue);
                    }
                    byQueue.put(recovered.heldQueues()[i], new Held(branch, recovered.heldCounts()[i]));
                }
            }
            journal.placeRecovered(branch, recovered.segment(), recovered.length());
            branches.add(branch);
        }
        return branches;
    }
}
