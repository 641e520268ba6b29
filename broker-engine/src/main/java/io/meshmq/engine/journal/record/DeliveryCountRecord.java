package io.meshmq.engine.journal.record;

import io.meshmq.protocol.WireReader;
import io.meshmq.protocol.WireWriter;

/**
 * {@link io.meshmq.engine.journal.JournalRecordDescriptor#DELIVERY_COUNT}: how often a reference was delivered, kept
 * for after a restart.
 */
public record DeliveryCountRecord(long messageId, long queueId, int deliveryCount)
{
    public static WireWriter encode(final WireWriter out, final long messageId, final long queueId,
        final int deliveryCount)
    {
        return out.writeLong(messageId).writeLong(queueId).writeInt(deliveryCount);
    }

    public static DeliveryCountRecord decode(final WireReader in)
    {
        return new DeliveryCountRecord(in.readLong(), in.readLong(), in.readInt());
    }
}
