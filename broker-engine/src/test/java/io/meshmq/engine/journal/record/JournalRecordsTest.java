package io.meshmq.engine.journal.record;

import io.meshmq.protocol.ProtocolException;
import io.meshmq.protocol.WireReader;
import io.meshmq.protocol.WireWriter;
import io.meshmq.protocol.WireXid;
import org.agrona.concurrent.UnsafeBuffer;
import org.junit.jupiter.api.Test;

import java.nio.charset.StandardCharsets;
import java.util.List;

import static io.meshmq.engine.journal.JournalRecordDescriptor.OUTCOME_COMMITTED;
import static io.meshmq.engine.journal.JournalRecordDescriptor.OUTCOME_HEURISTIC_ROLLBACK;
import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * Every journal record decodes to what was encoded, with the exact length, and nested message payloads keep their
 * lengths (compaction and recovery depend on them).
 */
class JournalRecordsTest
{
    private static final byte[] BODY = "encoded message".getBytes(StandardCharsets.UTF_8);
    private static final WireXid XID = WireXid.of(7, new byte[] {1, 2}, new byte[] {3});

    private static WireReader read(final WireWriter out)
    {
        final byte[] bytes = out.toByteArray();
        return new WireReader().wrap(new UnsafeBuffer(bytes), 0, bytes.length);
    }

    private static void message(final WireWriter out, final long id, final long... queues)
    {
        final int countAt = MessageRecord.begin(out, id);
        for (int i = 0; i < queues.length; i++)
        {
            MessageRecord.reference(out, queues[i], i + 1);
        }
        MessageRecord.end(out, countAt, queues.length, BODY);
    }

    @Test
    void shouldDecodeQueuesAndSubscriptions()
    {
        final QueueRecord queue = QueueRecord.decode(read(QueueRecord.encodeQueue(new WireWriter(), 3, "orders")));
        assertEquals(new QueueRecord(3, queue.kind(), "orders", null, null, null, null, false, false), queue);
        assertFalse(queue.isSubscription());

        final QueueRecord subscription = QueueRecord.decode(read(QueueRecord.encodeSubscription(new WireWriter(), 4,
            "durable:c:s", "news", "s", "c", "x > 1", true, false)));
        assertTrue(subscription.isSubscription());
        assertEquals("news", subscription.topic());
        assertEquals("x > 1", subscription.selector());
        assertTrue(subscription.noLocal());
        assertFalse(subscription.shared());
    }

    @Test
    void shouldRefuseAnUnknownQueueKind()
    {
        final WireWriter out = new WireWriter().writeLong(1).writeByte((byte)9).writeString("q");
        assertThrows(ProtocolException.class, () -> QueueRecord.decode(read(out)));
    }

    @Test
    void shouldDecodeTheSmallRecords()
    {
        assertEquals(new QueueDeleteRecord(5), QueueDeleteRecord.decode(read(QueueDeleteRecord.encode(new WireWriter(), 5))));
        assertEquals(new TopicRecord(6, "news"), TopicRecord.decode(read(TopicRecord.encode(new WireWriter(), 6, "news"))));
        assertEquals(new TopicDeleteRecord(6), TopicDeleteRecord.decode(read(TopicDeleteRecord.encode(new WireWriter(), 6))));
        assertEquals(new AckRecord(8, 9), AckRecord.decode(read(AckRecord.encode(new WireWriter(), 8, 9))));
        assertEquals(new DeliveryCountRecord(8, 9, 4),
            DeliveryCountRecord.decode(read(DeliveryCountRecord.encode(new WireWriter(), 8, 9, 4))));
    }

    @Test
    void shouldDecodeAMessageWithItsReferencesAndLength()
    {
        final WireWriter out = new WireWriter();
        message(out, 12, 3, 4);
        final MessageRecord record = MessageRecord.decode(read(out));
        assertEquals(12, record.id());
        assertArrayEquals(new long[] {3, 4}, record.queueIds());
        assertArrayEquals(new int[] {1, 2}, record.deliveryCounts());
        assertArrayEquals(BODY, record.encoded());
        assertEquals(out.position(), record.length());
    }

    @Test
    void shouldDecodeATransactionsMessagesAndAcks()
    {
        final WireWriter out = new WireWriter();
        MessageRecord.count(out, 2);
        message(out, 1, 3);
        message(out, 2);
        TransactionRecord.acks(out, 1);
        AckRecord.encode(out, 1, 3);
        final TransactionRecord record = TransactionRecord.decode(read(out));
        assertEquals(List.of(1L, 2L), record.messages().stream().map(MessageRecord::id).toList());
        assertEquals(0, record.messages().get(1).queueIds().length, "a message with no references left");
        assertEquals(List.of(new AckRecord(1, 3)), record.acks());
    }

    @Test
    void shouldDecodeAPreparedBranch()
    {
        final WireWriter out = new WireWriter();
        final int messagesAt = PrepareRecord.begin(out, XID);
        PrepareRecord.message(out, (byte)1, "orders", BODY);
        final int heldAt = PrepareRecord.beginHeld(out, messagesAt, 1);
        PrepareRecord.held(out, 10, 3, 2);
        PrepareRecord.end(out, heldAt, 1);
        final PrepareRecord record = PrepareRecord.decode(read(out));
        assertEquals(XID, record.xid());
        assertArrayEquals(new String[] {"orders"}, record.names());
        assertArrayEquals(BODY, record.encoded()[0]);
        assertArrayEquals(new long[] {10}, record.heldMessages());
        assertArrayEquals(new int[] {2}, record.heldCounts());
    }

    @Test
    void shouldDecodeATransactionWithTheIdItsClientGaveTheCommitAndOneWithout()
    {
        final WireWriter out = TransactionRecord.encodeEmpty(new WireWriter());
        assertNull(TransactionRecord.decode(read(out)).commitId(), "records written before commit ids have none");
        TransactionRecord.commitId(out, "c1/7");
        assertEquals(new TransactionRecord(List.of(), List.of(), "c1/7"), TransactionRecord.decode(read(out)));
    }

    @Test
    void shouldDecodeABranchEndWithABodyOnlyForACommit()
    {
        final WireWriter committed = TransactionEndRecord.encode(new WireWriter(), XID, OUTCOME_COMMITTED);
        TransactionRecord.encodeEmpty(committed);
        final TransactionEndRecord end = TransactionEndRecord.decode(read(committed));
        assertEquals(OUTCOME_COMMITTED, end.outcome());
        assertEquals(new TransactionRecord(List.of(), List.of(), null), end.transaction());

        assertNull(TransactionEndRecord.decode(read(TransactionEndRecord.encode(new WireWriter(), XID,
            OUTCOME_HEURISTIC_ROLLBACK))).transaction());
        assertThrows(ProtocolException.class, () -> TransactionEndRecord.decode(read(
            TransactionEndRecord.encode(new WireWriter(), XID, (byte)42))));
    }

    @Test
    void shouldDecodeDepageAndLinkRecordsWithTheirMessages()
    {
        final WireWriter depage = DepageRecord.encode(new WireWriter(), 3, 7, 4096);
        MessageRecord.count(depage, 1);
        message(depage, 20, 3);
        final DepageRecord pages = DepageRecord.decode(read(depage));
        assertEquals(3, pages.queueId());
        assertEquals(7, pages.page());
        assertEquals(4096, pages.offset());
        assertEquals(20, pages.messages().get(0).id());

        final WireWriter link = LinkRecord.encode(new WireWriter(), "node-b", 1L << 40);
        MessageRecord.count(link, 0);
        assertEquals(new LinkRecord("node-b", 1L << 40, List.of()), LinkRecord.decode(read(link)));
    }

    @Test
    void shouldRefuseACountLargerThanThePayloadCanHold()
    {
        final WireWriter out = new WireWriter();
        MessageRecord.count(out, 1_000_000);
        assertThrows(ProtocolException.class, () -> TransactionRecord.decode(read(out)));
    }
}
