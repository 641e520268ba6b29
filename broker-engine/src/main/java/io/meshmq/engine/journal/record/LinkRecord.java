package io.meshmq.engine.journal.record;

import io.meshmq.protocol.WireReader;
import io.meshmq.protocol.WireWriter;

import java.util.List;

/**
 * {@link io.meshmq.engine.journal.JournalRecordDescriptor#LINK}: messages another node forwarded (counted message
 * payloads), and the highest sequence of that node's forwards stored here. A later one of the same node replaces the
 * sequence.
 * <p>
 * Encoding: {@link #encode}, then {@link MessageRecord#count} and the messages.
 */
public record LinkRecord(String nodeId, long sequence, List<MessageRecord> messages)
{
    public static WireWriter encode(final WireWriter out, final String nodeId, final long sequence)
    {
        return out.writeString(nodeId).writeLong(sequence);
    }

    public static LinkRecord decode(final WireReader in)
    {
        return new LinkRecord(in.readRequiredString("node id"), in.readLong(), MessageRecord.decodeCounted(in));
    }
}
