package io.meshmq.jms.message;

import io.meshmq.jms.MeshQueue;
import io.meshmq.protocol.WireReader;
import io.meshmq.protocol.WireWriter;
import jakarta.jms.JMSException;
import jakarta.jms.MessageEOFException;
import jakarta.jms.MessageFormatException;
import jakarta.jms.MessageNotReadableException;
import jakarta.jms.MessageNotWriteableException;
import org.agrona.concurrent.UnsafeBuffer;
import org.junit.jupiter.api.Test;

import java.util.Collections;
import java.util.Map;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * Body, property and conversion rules of the specification (chapter 3), without a broker.
 */
class MessageRulesTest
{
    private static MeshMessage roundTrip(final MeshMessage message, final int deliveryCount) throws JMSException
    {
        final WireWriter writer = new WireWriter();
        message.encode(writer);
        return MeshMessage.decode(new WireReader().wrap(new UnsafeBuffer(writer.toByteArray()), 0, writer.position()),
            deliveryCount);
    }

    @Test
    void shouldConvertPropertiesPerTheTable() throws Exception
    {
        final MeshMessage m = new MeshMessage();
        m.setByteProperty("b", (byte)5);
        m.setFloatProperty("f", 1.5f);
        m.setStringProperty("s", "12");
        m.setBooleanProperty("t", true);
        assertEquals(5, m.getShortProperty("b"));
        assertEquals(5L, m.getLongProperty("b"));
        assertEquals("5", m.getStringProperty("b"));
        assertThrows(MessageFormatException.class, () -> m.getFloatProperty("b"));
        assertEquals(1.5, m.getDoubleProperty("f"));
        assertThrows(MessageFormatException.class, () -> m.getIntProperty("f"));
        assertEquals(12, m.getIntProperty("s"));
        assertThrows(MessageFormatException.class, () -> m.getIntProperty("t"));
        assertThrows(NumberFormatException.class, () -> m.getIntProperty("missing"));
        assertFalse(m.getBooleanProperty("missing"));
        assertNull(m.getStringProperty("missing"));
        assertThrows(MessageFormatException.class, () -> m.setObjectProperty("o", new Object()));
        assertThrows(IllegalArgumentException.class, () -> m.setIntProperty("", 1));
        assertThrows(IllegalArgumentException.class, () -> m.setIntProperty(null, 1));
        // Names a selector cannot refer to are still names (issue 16, item 8).
        for (final String name : new String[] {"in", "like", "true", "AND", "1abc", "with space"})
        {
            m.setIntProperty(name, 7);
            assertEquals(7, m.getIntProperty(name));
        }
    }

    @Test
    void shouldMakeReceivedPropertiesAndBodyReadOnlyUntilCleared() throws Exception
    {
        final MeshTextMessage sent = new MeshTextMessage("x");
        sent.setIntProperty("p", 1);
        sent.setJMSDestination(new MeshQueue("q"));
        final MeshTextMessage received = (MeshTextMessage)roundTrip(sent, 3);
        assertEquals(3, received.getIntProperty("JMSXDeliveryCount"));
        assertTrue(received.getJMSRedelivered());
        assertEquals(new MeshQueue("q"), received.getJMSDestination());
        assertThrows(MessageNotWriteableException.class, () -> received.setIntProperty("p", 2));
        assertThrows(MessageNotWriteableException.class, () -> received.setText("y"));
        received.clearProperties();
        received.setIntProperty("p", 2);
        received.clearBody();
        assertNull(received.getText());
        received.setText("y");
    }

    @Test
    void shouldFollowBytesMessageModes() throws Exception
    {
        final MeshBytesMessage m = new MeshBytesMessage();
        m.writeLong(7);
        assertThrows(MessageNotReadableException.class, m::readLong);
        assertThrows(MessageNotReadableException.class, m::getBodyLength);
        m.reset();
        assertEquals(8, m.getBodyLength());
        assertEquals(7, m.readLong());
        assertThrows(MessageEOFException.class, m::readByte);
        assertEquals(-1, m.readBytes(new byte[4]));
        assertThrows(MessageNotWriteableException.class, () -> m.writeInt(1));
        m.clearBody();
        m.writeInt(1);
        final MeshBytesMessage received = (MeshBytesMessage)roundTrip(m, 1);
        assertEquals(1, received.readInt());
        assertArrayEquals(new byte[] {0, 0, 0, 1}, received.getBody(byte[].class));
    }

    @Test
    void shouldConvertStreamValuesAndNotAdvanceOnAFailedRead() throws Exception
    {
        final MeshStreamMessage m = new MeshStreamMessage();
        m.writeString("abc");
        m.writeBytes(new byte[] {1, 2, 3});
        m.writeInt(9);
        m.reset();
        assertThrows(NumberFormatException.class, m::readInt);
        assertEquals("abc", m.readString());
        final byte[] two = new byte[2];
        assertEquals(2, m.readBytes(two));
        assertThrows(MessageFormatException.class, m::readInt, "the byte[] must be read to its end first");
        assertEquals(1, m.readBytes(two));
        assertEquals(9, m.readLong());
        assertThrows(MessageEOFException.class, m::readInt);
        assertThrows(MessageFormatException.class, () -> m.getBody(Object.class));
    }

    @Test
    void shouldKeepMapTypesAndGiveTheBody() throws Exception
    {
        final MeshMapMessage m = new MeshMapMessage();
        m.setShort("s", (short)3);
        m.setChar("c", 'q');
        final MeshMapMessage received = (MeshMapMessage)roundTrip(m, 1);
        assertEquals(3, received.getInt("s"));
        assertThrows(MessageFormatException.class, () -> received.getByte("s"));
        assertEquals("q", received.getString("c"));
        assertThrows(MessageFormatException.class, () -> received.getInt("c"));
        assertEquals(Map.of("s", (short)3, "c", 'q'), received.getBody(Map.class));
        assertEquals(2, Collections.list(received.getMapNames()).size());
    }

    @Test
    void shouldCheckBodyAssignability() throws Exception
    {
        final MeshTextMessage text = new MeshTextMessage("t");
        assertTrue(text.isBodyAssignableTo(String.class));
        assertFalse(text.isBodyAssignableTo(Integer.class));
        assertThrows(MessageFormatException.class, () -> text.getBody(Integer.class));
        assertTrue(new MeshTextMessage().isBodyAssignableTo(Integer.class), "a null body is assignable to anything");
        final MeshObjectMessage object = new MeshObjectMessage(42);
        assertEquals(42, object.getBody(Integer.class));
        assertThrows(MessageFormatException.class, () -> object.getBody(String.class));
    }
}
