package io.meshmq.protocol;

import org.agrona.concurrent.UnsafeBuffer;
import org.junit.jupiter.api.Test;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

class WireCodecTest
{
    private static WireReader readerOver(final WireWriter writer)
    {
        return new WireReader().wrap(new UnsafeBuffer(writer.toByteArray()), 0, writer.position());
    }

    @Test
    void shouldRoundTripEveryFieldType()
    {
        final WireWriter writer = new WireWriter(8);
        writer.writeByte((byte)-3).writeBoolean(true).writeShort((short)-300).writeChar('é').writeInt(123456789)
            .writeLong(-1L << 50).writeFloat(1.25f).writeDouble(-2.5).writeString("héllo").writeString(null)
            .writeBytes(new byte[] {1, 2}).writeBytes(null);
        final WireReader reader = readerOver(writer);
        assertEquals(-3, reader.readByte());
        assertTrue(reader.readBoolean());
        assertEquals(-300, reader.readShort());
        assertEquals('é', reader.readChar());
        assertEquals(123456789, reader.readInt());
        assertEquals(-1L << 50, reader.readLong());
        assertEquals(1.25f, reader.readFloat());
        assertEquals(-2.5, reader.readDouble());
        assertEquals("héllo", reader.readString());
        assertNull(reader.readString());
        assertArrayEquals(new byte[] {1, 2}, reader.readBytes());
        assertNull(reader.readBytes());
        reader.requireEnd("test");
    }

    @Test
    void shouldCarryTheJournalEachMemberServesInTopologyOnlyWhereJournalsMove()
    {
        assertEquals("[h1:1, h2:2] [j1, j2] j1", topology(BrokerEventEncoder.topology(new WireWriter(),
            java.util.List.of("h1:1", "h2:2"), java.util.List.of("j1", "j2"), "j1")));
        assertEquals("[h1:1] [] null", topology(BrokerEventEncoder.topology(new WireWriter(),
            java.util.List.of("h1:1"), java.util.List.of(), null)));
        // A suspended broker leaves itself out of the members, and still says which journal it serves.
        assertEquals("[h2:2] [j2] j1", topology(BrokerEventEncoder.topology(new WireWriter(),
            java.util.List.of("h2:2"), java.util.List.of("j2"), "j1")));
        final WireWriter older = new WireWriter().beginFrame(FrameType.TOPOLOGY).writeInt(2).writeString("h1:1")
            .writeString("h2:2").writeInt(2).writeString("j1").writeString("j2").endFrame();
        assertEquals("[h1:1, h2:2] [j1, j2] j1", topology(older),
            "a broker that names no own journal lists itself first");
        final WireWriter twoForOne = new WireWriter().beginFrame(FrameType.TOPOLOGY).writeInt(1).writeString("h1:1")
            .writeInt(2).writeString("j1").writeString("j2").endFrame();
        final ProtocolException refused = assertThrows(ProtocolException.class, () -> topology(twoForOne));
        assertEquals("TOPOLOGY names 2 journals for 1 members", refused.getMessage());
    }

    /**
     * @return what a client's handler is told of a TOPOLOGY frame: "[members] [journals] own".
     */
    private static String topology(final WireWriter frame)
    {
        final StringBuilder told = new StringBuilder();
        final BrokerEventDecoder.Handler handler = (BrokerEventDecoder.Handler)java.lang.reflect.Proxy.newProxyInstance(
            WireCodecTest.class.getClassLoader(), new Class<?>[] {BrokerEventDecoder.Handler.class},
            (proxy, method, args) ->
            {
                told.append(java.util.Arrays.toString((Object[])args[0])).append(' ')
                    .append(java.util.Arrays.toString((Object[])args[1])).append(' ').append(args[2]);
                return null;
            });
        final byte[] bytes = frame.toByteArray();
        BrokerEventDecoder.decode(bytes[4], new WireReader().wrap(new UnsafeBuffer(bytes), 5, bytes.length - 5),
            handler);
        return told.toString();
    }

    @Test
    void shouldBackFillFrameLengthLittleEndian()
    {
        final WireWriter writer = new WireWriter().beginFrame(FrameType.OK).writeLong(7).endFrame();
        final byte[] bytes = writer.toByteArray();
        assertEquals(13, bytes.length);
        assertEquals(9, bytes[0]);
        assertEquals(0, bytes[1]);
        assertEquals(FrameType.OK, bytes[4]);
    }

    @Test
    void shouldRefuseACountOfEmptyElementsThatTheBytesDoNotPayFor()
    {
        // An admin table of no columns and two billion rows (found by WireFuzzTest: the reader looped out of memory).
        final byte[] table = new WireWriter().writeInt(0).writeInt(Integer.MAX_VALUE).toByteArray();
        final ProtocolException refused = assertThrows(ProtocolException.class, () -> AdminTable.decode(table));
        assertTrue(refused.getMessage().contains("does not fit"), refused.getMessage());
        assertEquals(0, AdminTable.decode(new WireWriter().writeInt(0).writeInt(0).toByteArray()).rows().size());
    }

    @Test
    void shouldRejectFieldsPastTheEndOfTheFrame()
    {
        final WireWriter writer = new WireWriter().writeInt(5);
        assertThrows(ProtocolException.class, () -> readerOver(writer).readLong());
        assertThrows(ProtocolException.class, () -> readerOver(writer).readString(), "length 5 with nothing after it");
        assertThrows(ProtocolException.class, () -> readerOver(new WireWriter().writeInt(-7)).readBytes());
        assertThrows(ProtocolException.class, () -> readerOver(new WireWriter().writeByte((byte)2)).readBoolean());
        assertThrows(ProtocolException.class, () -> readerOver(new WireWriter().writeInt(Integer.MAX_VALUE)).readCount(8));
        final WireReader trailing = readerOver(new WireWriter().writeInt(1).writeByte((byte)0));
        trailing.readInt();
        assertThrows(ProtocolException.class, () -> trailing.requireEnd("X"));
    }

    @Test
    void shouldNotReadOutsideTheWrappedRegion()
    {
        final UnsafeBuffer buffer = new UnsafeBuffer(new byte[16]);
        assertThrows(ProtocolException.class, () -> new WireReader().wrap(buffer, 10, 10));
        final WireReader reader = new WireReader().wrap(buffer, 4, 4);
        reader.readInt();
        assertThrows(ProtocolException.class, reader::readByte);
    }

    @Test
    void shouldRoundTripTypedValuesAndRejectUnknownTags()
    {
        final Object[] values = {null, true, (byte)1, (short)2, 'c', 3, 4L, 5.5f, 6.5, "s", new byte[] {7}};
        final WireWriter writer = new WireWriter();
        for (final Object value : values)
        {
            TypedValueCodec.write(writer, value);
        }
        final WireReader reader = readerOver(writer);
        for (final Object value : values)
        {
            final Object read = TypedValueCodec.read(reader);
            if (value instanceof byte[])
            {
                assertArrayEquals((byte[])value, (byte[])read);
            }
            else
            {
                assertEquals(value, read);
            }
        }
        assertThrows(ProtocolException.class, () -> TypedValueCodec.read(readerOver(new WireWriter().writeByte((byte)99))));
        assertThrows(IllegalArgumentException.class, () -> TypedValueCodec.write(new WireWriter(), new Object()));
    }

    @Test
    void shouldValidateTheFixedMessageHeader()
    {
        final MessageHeaderFlyweight header = new MessageHeaderFlyweight();
        final byte[] message = new byte[MessageDescriptor.FIXED_HEADER_LENGTH];
        message[MessageDescriptor.BODY_TYPE_OFFSET] = MessageDescriptor.BODY_TEXT;
        message[MessageDescriptor.DELIVERY_MODE_OFFSET] = MessageDescriptor.PERSISTENT;
        message[MessageDescriptor.PRIORITY_OFFSET] = 9;
        message[MessageDescriptor.EXPIRATION_OFFSET] = 5;
        header.wrap(message);
        assertTrue(header.isPersistent());
        assertEquals(9, header.priority());
        assertEquals(5, header.expiration());
        assertThrows(ProtocolException.class, () -> header.wrap(new byte[10]));
        message[MessageDescriptor.PRIORITY_OFFSET] = 10;
        assertThrows(ProtocolException.class, () -> header.wrap(message));
        message[MessageDescriptor.PRIORITY_OFFSET] = 4;
        message[MessageDescriptor.DELIVERY_MODE_OFFSET] = 7;
        assertThrows(ProtocolException.class, () -> header.wrap(message));
    }
}
