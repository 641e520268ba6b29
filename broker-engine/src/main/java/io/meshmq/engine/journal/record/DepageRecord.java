package io.meshmq.engine.journal.record;

import io.meshmq.protocol.WireReader;
import io.meshmq.protocol.WireWriter;

import java.util.List;

/**
 * {@link io.meshmq.engine.journal.JournalRecordDescriptor#DEPAGE}: messages read back from a durable queue's page
 * files (counted message payloads; their references are in that queue), and where reading its pages goes on from. A
 * later one of the same queue replaces the position.
 * <p>
 * Encoding: {@link #encode}, then {@link MessageRecord#count} and the messages.
 */
public record DepageRecord(long queueId, long page, long offset, List<MessageRecord> messages)
{
    public static WireWriter encode(final WireWriter out, final long queueId, final long page, final long offset)
    {
        return out.writeLong(queueId).writeLong(page).writeLong(offset);
    }

    public static DepageRecord decode(final WireReader in)
    {
        return new DepageRecord(in.readLong(), in.readLong(), in.readLong(), MessageRecord.decodeCounted(in));
    }
}
