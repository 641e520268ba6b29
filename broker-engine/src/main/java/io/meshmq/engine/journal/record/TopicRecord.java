package io.meshmq.engine.journal.record;

import io.meshmq.protocol.WireReader;
import io.meshmq.protocol.WireWriter;

/**
 * {@link io.meshmq.engine.journal.JournalRecordDescriptor#TOPIC}: a topic that outlives its subscribers.
 */
public record TopicRecord(long id, String name)
{
    public static WireWriter encode(final WireWriter out, final long id, final String name)
    {
        return out.writeLong(id).writeString(name);
    }

    public static TopicRecord decode(final WireReader in)
    {
        return new TopicRecord(in.readLong(), in.readRequiredString("topic name"));
    }
}
