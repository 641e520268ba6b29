package io.meshmq.engine.journal.record;

import io.meshmq.protocol.WireReader;
import io.meshmq.protocol.WireWriter;

/**
 * {@link io.meshmq.engine.journal.JournalRecordDescriptor#QUEUE_DELETE}: a durable queue or subscription is gone, with
 * its messages.
 */
public record QueueDeleteRecord(long queueId)
{
    public static WireWriter encode(final WireWriter out, final long queueId)
    {
        return out.writeLong(queueId);
    }

    public static QueueDeleteRecord decode(final WireReader in)
    {
        return new QueueDeleteRecord(in.readLong());
    }
}
