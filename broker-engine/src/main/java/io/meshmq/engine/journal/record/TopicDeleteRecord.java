package io.meshmq.engine.journal.record;

import io.meshmq.protocol.WireReader;
import io.meshmq.protocol.WireWriter;

/**
 * {@link io.meshmq.engine.journal.JournalRecordDescriptor#TOPIC_DELETE}: a topic is gone.
 */
public record TopicDeleteRecord(long topicId)
{
    public static WireWriter encode(final WireWriter out, final long topicId)
    {
        return out.writeLong(topicId);
    }

    public static TopicDeleteRecord decode(final WireReader in)
    {
        return new TopicDeleteRecord(in.readLong());
    }
}
