package io.meshmq.engine.journal.record;

import io.meshmq.protocol.WireReader;
import io.meshmq.protocol.WireWriter;

import java.util.ArrayList;
import java.util.List;

/**
 * {@link io.meshmq.engine.journal.JournalRecordDescriptor#TRANSACTION}: a committed local transaction, applied whole
 * or not at all: its messages (counted message payloads), its acks, and the id its client gave the commit, if any
 * (so that a client whose answer was lost can ask, after a restart or a takeover too, whether it was applied). The
 * same body, with no commit id, follows the outcome of a committed XA branch in a {@link TransactionEndRecord}.
 * <p>
 * Encoding: {@link MessageRecord#count} and the messages, then {@link #acks} and an {@link AckRecord} each, then
 * optionally (to the record's end) {@link #commitId} a string.
 *
 * @param commitId null if the record has none.
 */
public record TransactionRecord(List<MessageRecord> messages, List<AckRecord> acks, String commitId)
{
    /**
     * Writes how many acks follow, after the messages.
     */
    public static void acks(final WireWriter out, final int acks)
    {
        out.writeInt(acks);
    }

    /**
     * Ends a body with the commit's id.
     */
    public static void commitId(final WireWriter out, final String commitId)
    {
        out.writeString(commitId);
    }

    /**
     * Writes a body with no messages and no acks.
     */
    public static WireWriter encodeEmpty(final WireWriter out)
    {
        return out.writeInt(0).writeInt(0);
    }

    public static TransactionRecord decode(final WireReader in)
    {
        final List<MessageRecord> messages = MessageRecord.decodeCounted(in);
        final int count = in.readCount(AckRecord.LENGTH);
        final List<AckRecord> acks = new ArrayList<>(count);
        for (int i = 0; i < count; i++)
        {
            acks.add(AckRecord.decode(in));
        }
        return new TransactionRecord(messages, acks, in.remaining() > 0 ? in.readString() : null);
    }
}
