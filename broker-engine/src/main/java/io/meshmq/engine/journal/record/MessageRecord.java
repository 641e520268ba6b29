package io.meshmq.engine.journal.record;

import io.meshmq.protocol.WireReader;
import io.meshmq.protocol.WireWriter;

import java.util.ArrayList;
import java.util.List;

/**
 * {@link io.meshmq.engine.journal.JournalRecordDescriptor#MESSAGE}: a persistent message with its references in
 * durable queues (queue id and delivery count each). A later one of the same id (compaction moved it) replaces the
 * references of the earlier one; none left means the message is gone. The same payload is nested, counted, in
 * TRANSACTION, DEPAGE and LINK records.
 * <p>
 * Encoding, without allocating: {@link #begin}, a {@link #reference} per live reference, {@link #end}.
 *
 * @param length the bytes its payload took.
 */
public record MessageRecord(long id, long[] queueIds, int[] deliveryCounts, byte[] encoded, int length)
{
    /** The least a message payload takes: id and reference count. */
    private static final int MIN_LENGTH = 12;

    /**
     * @return where the reference count goes: pass it to {@link #end}.
     */
    public static int begin(final WireWriter out, final long id)
    {
        out.writeLong(id);
        return out.reserveInt();
    }

    public static void reference(final WireWriter out, final long queueId, final int deliveryCount)
    {
        out.writeLong(queueId).writeInt(deliveryCount);
    }

    public static void end(final WireWriter out, final int countAt, final int references, final byte[] encoded)
    {
        out.putIntAt(countAt, references);
        out.writeBytes(encoded);
    }

    public static MessageRecord decode(final WireReader in)
    {
        final int start = in.position();
        final long id = in.readLong();
        final int count = in.readCount(12);
        final long[] queueIds = new long[count];
        final int[] deliveries = new int[count];
        for (int i = 0; i < count; i++)
        {
            queueIds[i] = in.readLong();
            deliveries[i] = in.readInt();
        }
        final byte[] encoded = in.readBytes();
        return new MessageRecord(id, queueIds, deliveries, encoded, in.position() - start);
    }

    /**
     * Writes how many message payloads follow; each then with {@link #begin} ... {@link #end}.
     */
    public static void count(final WireWriter out, final int messages)
    {
        out.writeInt(messages);
    }

    /**
     * @return the counted message payloads (as {@link #count} begins them).
     */
    public static List<MessageRecord> decodeCounted(final WireReader in)
    {
        final int count = in.readCount(MIN_LENGTH);
        final List<MessageRecord> messages = new ArrayList<>(count);
        for (int i = 0; i < count; i++)
        {
            messages.add(decode(in));
        }
        return messages;
    }
}
