package io.meshmq.engine.journal.record;

import io.meshmq.protocol.WireReader;
import io.meshmq.protocol.WireWriter;

/**
 * {@link io.meshmq.engine.journal.JournalRecordDescriptor#ACK}: a message's reference in a queue is gone
 * (acknowledged, expired, moved to a dead-letter address, purged). Also the acks inside a transaction.
 */
public record AckRecord(long messageId, long queueId)
{
    /** Bytes one ack takes: the least a count of them may claim per element. */
    static final int LENGTH = 16;

    public static WireWriter encode(final WireWriter out, final long messageId, final long queueId)
    {
        return out.writeLong(messageId).writeLong(queueId);
    }

    public static AckRecord decode(final WireReader in)
    {
        return new AckRecord(in.readLong(), in.readLong());
    }
}
