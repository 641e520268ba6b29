package io.meshmq.engine.processor;

import io.meshmq.protocol.DestinationType;
import io.meshmq.protocol.MessageDescriptor;
import io.meshmq.protocol.WireWriter;
import org.junit.jupiter.api.Test;

import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

class DuplicateIdsTest
{
    @Test
    void shouldKnowAnIdPerAddressAndForgetTheOldestPastItsCapacity()
    {
        final DuplicateIds ids = new DuplicateIds(2);
        ids.stored(DestinationType.QUEUE, "orders", "ID:a:1");
        assertTrue(ids.isDuplicate(DestinationType.QUEUE, "orders", "ID:a:1"));
        assertFalse(ids.isDuplicate(DestinationType.QUEUE, "invoices", "ID:a:1"), "per address");
        assertFalse(ids.isDuplicate(DestinationType.TOPIC, "orders", "ID:a:1"), "a topic is another address");
        assertFalse(ids.isDuplicate(DestinationType.QUEUE, "orders", null), "no id, no detection");
        ids.stored(DestinationType.QUEUE, "orders", "ID:a:2");
        ids.stored(DestinationType.QUEUE, "orders", "ID:a:3");
        assertFalse(ids.isDuplicate(DestinationType.QUEUE, "orders", "ID:a:1"), "the oldest went");
        assertTrue(ids.isDuplicate(DestinationType.QUEUE, "orders", "ID:a:3"));
        ids.forget(DestinationType.QUEUE, "orders");
        assertFalse(ids.isDuplicate(DestinationType.QUEUE, "orders", "ID:a:3"), "a deleted address keeps nothing");
    }

    @Test
    void shouldRememberWhatTheJournalHoldsAtTheAddressItsHeaderNames()
    {
        final DuplicateIds ids = new DuplicateIds(10);
        ids.recovered(message("ID:b:7", "corr", DestinationType.TOPIC, "prices"));
        assertTrue(ids.isDuplicate(DestinationType.TOPIC, "prices", "ID:b:7"));
        ids.recovered(new byte[3]);
        assertFalse(ids.isDuplicate(DestinationType.QUEUE, "prices", "ID:b:7"));
    }

    @Test
    void shouldDetectNothingWhenOff()
    {
        final DuplicateIds ids = new DuplicateIds(0);
        ids.stored(DestinationType.QUEUE, "orders", "ID:a:1");
        assertFalse(ids.isOn());
        assertFalse(ids.isDuplicate(DestinationType.QUEUE, "orders", "ID:a:1"));
    }

    private static byte[] message(final String id, final String correlationId, final byte type, final String name)
    {
        final WireWriter w = new WireWriter();
        w.writeByte(MessageDescriptor.BODY_MESSAGE).writeByte(MessageDescriptor.PERSISTENT).writeByte((byte)4)
            .writeByte((byte)0).writeLong(0).writeLong(0).writeLong(0)
            .writeString(id).writeByte(MessageDescriptor.CORRELATION_STRING).writeString(correlationId).writeString(null)
            .writeByte(type).writeString(name).writeByte(DestinationType.NONE).writeInt(0);
        return w.toByteArray();
    }
}
