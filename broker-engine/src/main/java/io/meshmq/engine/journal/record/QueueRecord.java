package io.meshmq.engine.journal.record;

import io.meshmq.protocol.ProtocolException;
import io.meshmq.protocol.WireReader;
import io.meshmq.protocol.WireWriter;

import static io.meshmq.engine.journal.JournalRecordDescriptor.KIND_DURABLE_SUBSCRIPTION;
import static io.meshmq.engine.journal.JournalRecordDescriptor.KIND_QUEUE;

/**
 * {@link io.meshmq.engine.journal.JournalRecordDescriptor#QUEUE}: a durable queue, or a durable subscription with what
 * defines it. For a queue the subscription fields are null and false.
 */
public record QueueRecord(long id, byte kind, String name, String topic, String subscriptionName, String clientId,
    String selector, boolean noLocal, boolean shared)
{
    public boolean isSubscription()
    {
        return kind == KIND_DURABLE_SUBSCRIPTION;
    }

    public static WireWriter encodeQueue(final WireWriter out, final long id, final String name)
    {
        return out.writeLong(id).writeByte(KIND_QUEUE).writeString(name);
    }

    public static WireWriter encodeSubscription(final WireWriter out, final long id, final String name,
        final String topic, final String subscriptionName, final String clientId, final String selector,
        final boolean noLocal, final boolean shared)
    {
        return out.writeLong(id).writeByte(KIND_DURABLE_SUBSCRIPTION).writeString(name).writeString(topic)
            .writeString(subscriptionName).writeString(clientId).writeString(selector).writeBoolean(noLocal)
            .writeBoolean(shared);
    }

    /**
     * @throws ProtocolException if the payload is malformed.
     */
    public static QueueRecord decode(final WireReader in)
    {
        final long id = in.readLong();
        final byte kind = in.readByte();
        final String name = in.readRequiredString("queue name");
        if (kind == KIND_QUEUE)
        {
            return new QueueRecord(id, kind, name, null, null, null, null, false, false);
        }
        if (kind != KIND_DURABLE_SUBSCRIPTION)
        {
            throw new ProtocolException("unknown queue kind " + kind);
        }
        return new QueueRecord(id, kind, name, in.readRequiredString("topic"), in.readString(), in.readString(),
            in.readString(), in.readBoolean(), in.readBoolean());
    }
}
