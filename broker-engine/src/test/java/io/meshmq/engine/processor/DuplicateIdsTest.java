package io.meshmq.engine.processor;

import io.meshmq.protocol.DestinationType;
import io.meshmq.protocol.MessageDescriptor;
import io.meshmq.protocol.MessageHeaderFlyweight;
import io.meshmq.protocol.TypedValueCodec;
import io.meshmq.protocol.WireWriter;
import org.junit.jupiter.api.Test;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNull;
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

    @Test
    void shouldKnowASendByTheApplicationsIdIfItGaveOneAndSkipNonPersistentSendsWithoutOne()
    {
        final DuplicateIds ids = new DuplicateIds(10);
        final MessageHeaderFlyweight header = new MessageHeaderFlyweight();
        final byte[] persistent = message("ID:c:1", null, DestinationType.QUEUE, "orders");
        assertEquals("ID:c:1", ids.idOf(header.wrap(persistent), persistent));
        final byte[] nonPersistent = message(MessageDescriptor.NON_PERSISTENT, (byte)0, "ID:c:2", null, DestinationType.QUEUE,
            "orders", null);
        assertNull(ids.idOf(header.wrap(nonPersistent), nonPersistent), "never sent again: not checked");
        final byte[] own = message(MessageDescriptor.NON_PERSISTENT, MessageDescriptor.FLAG_DUPLICATE_ID, "ID:c:3", null,
            DestinationType.QUEUE, "orders", "order-4711");
        assertEquals("order-4711", ids.idOf(header.wrap(own), own), "the application's id, whatever the mode");
        assertNull(new DuplicateIds(0).idOf(header.wrap(own), own), "off");
    }

    private static byte[] message(final String id, final String correlationId, final byte type, final String name)
    {
        return message(MessageDescriptor.PERSISTENT, (byte)0, id, correlationId, type, name, null);
    }

    private static byte[] message(final byte deliveryMode, final byte flags, final String id, final String correlationId,
        final byte type, final String name, final String duplicateId)
    {
        final WireWriter w = new WireWriter();
        w.writeByte(MessageDescriptor.BODY_MESSAGE).writeByte(deliveryMode).writeByte((byte)4)
            .writeByte(flags).writeLong(0).writeLong(0).writeLong(0)
            .writeString(id);
        if (correlationId == null)
        {
            w.writeByte(MessageDescriptor.CORRELATION_NONE);
        }
        else
        {
            w.writeByte(MessageDescriptor.CORRELATION_STRING).writeString(correlationId);
        }
        w.writeString(null).writeByte(type).writeString(name).writeByte(DestinationType.NONE);
        if (duplicateId == null)
        {
            w.writeInt(0);
        }
        else
        {
            w.writeInt(1).writeString(MessageDescriptor.DUPLICATE_ID_PROPERTY);
            TypedValueCodec.write(w, duplicateId);
        }
        return w.toByteArray();
    }
}
