package io.meshmq.protocol;

import org.junit.jupiter.api.Test;

import static org.junit.jupiter.api.Assertions.assertDoesNotThrow;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

class MessageValidatorTest
{
    /**
     * @return a message's fixed header and fields up to its body: id "ID:1", no correlation id, type "t",
     * destination queue "q", no reply-to, one property of each typed value kind.
     */
    private static WireWriter headerAndFields(final byte bodyType)
    {
        final WireWriter w = new WireWriter()
            .writeByte(bodyType).writeByte(MessageDescriptor.PERSISTENT).writeByte((byte)4).writeByte((byte)0)
            .writeLong(1).writeLong(0).writeLong(0)
            .writeString("ID:1").writeByte(MessageDescriptor.CORRELATION_NONE).writeString("t")
            .writeByte(DestinationType.QUEUE).writeString("q").writeByte(DestinationType.NONE)
            .writeInt(3);
        w.writeString("i").writeByte(TypedValueCodec.INT).writeInt(7);
        w.writeString("s").writeByte(TypedValueCodec.STRING).writeString("v");
        w.writeString("n").writeByte(TypedValueCodec.NULL);
        return w;
    }

    @Test
    void shouldAcceptEveryBodyType()
    {
        assertDoesNotThrow(() -> MessageValidator.validate(headerAndFields(MessageDescriptor.BODY_MESSAGE).toByteArray()));
        assertDoesNotThrow(() -> MessageValidator.validate(headerAndFields(MessageDescriptor.BODY_TEXT).writeString("hi")
            .toByteArray()));
        assertDoesNotThrow(() -> MessageValidator.validate(headerAndFields(MessageDescriptor.BODY_TEXT).writeString(null)
            .toByteArray()));
        assertDoesNotThrow(() -> MessageValidator.validate(headerAndFields(MessageDescriptor.BODY_BYTES)
            .writeRaw(new byte[] {1, 2, 3}, 0, 3).toByteArray()));
        assertDoesNotThrow(() -> MessageValidator.validate(headerAndFields(MessageDescriptor.BODY_OBJECT)
            .writeBytes(new byte[] {9}).toByteArray()));
        assertDoesNotThrow(() -> MessageValidator.validate(headerAndFields(MessageDescriptor.BODY_MAP).writeInt(1)
            .writeString("k").writeByte(TypedValueCodec.DOUBLE).writeDouble(1.5).toByteArray()));
        assertDoesNotThrow(() -> MessageValidator.validate(headerAndFields(MessageDescriptor.BODY_STREAM)
            .writeByte(TypedValueCodec.BOOLEAN).writeBoolean(true).writeByte(TypedValueCodec.BYTES).writeBytes(new byte[2])
            .toByteArray()));
    }

    @Test
    void shouldRefuseBrokenFieldsNamingWhatIsWrong()
    {
        assertRefused(new byte[10], "shorter than its fixed header");
        final byte[] badBody = headerAndFields(MessageDescriptor.BODY_MESSAGE).toByteArray();
        badBody[MessageDescriptor.BODY_TYPE_OFFSET] = 42;
        assertRefused(badBody, "unknown message body type 42");
        final byte[] badPriority = headerAndFields(MessageDescriptor.BODY_MESSAGE).toByteArray();
        badPriority[MessageDescriptor.PRIORITY_OFFSET] = 12;
        assertRefused(badPriority, "priority 12");

        // A property count far beyond what the bytes hold.
        final WireWriter count = new WireWriter()
            .writeByte(MessageDescriptor.BODY_MESSAGE).writeByte(MessageDescriptor.PERSISTENT).writeByte((byte)4)
            .writeByte((byte)0).writeLong(1).writeLong(0).writeLong(0)
            .writeString("ID:1").writeByte(MessageDescriptor.CORRELATION_NONE).writeString(null)
            .writeByte(DestinationType.NONE).writeByte(DestinationType.NONE).writeInt(1_000_000);
        assertRefused(count.toByteArray(), "count 1000000");

        assertRefused(headerAndFields(MessageDescriptor.BODY_STREAM).writeByte((byte)77).toByteArray(),
            "unknown typed value tag 77");
        assertRefused(headerAndFields(MessageDescriptor.BODY_TEXT).writeInt(500).writeByte((byte)1).toByteArray(),
            "text body has length 500");
        assertRefused(headerAndFields(MessageDescriptor.BODY_TEXT).writeString("x").writeByte((byte)0).toByteArray(),
            "1 bytes after its body");
        assertRefused(headerAndFields(MessageDescriptor.BODY_MAP).writeInt(1).writeString(null).writeByte(TypedValueCodec.NULL)
            .toByteArray(), "map entry 0 has no name");
    }

    @Test
    void shouldAcceptALargeBodyDescriptorAndRefuseOneThatIsNot()
    {
        final byte[] large = large(MessageDescriptor.BODY_BYTES)
            .writeLong(77).writeLong(3L << 31).writeByte(LargeBodyDescriptor.FORM_RAW).toByteArray();
        assertDoesNotThrow(() -> MessageValidator.validate(large));
        assertTrue(LargeBodyDescriptor.isLarge(large));
        org.junit.jupiter.api.Assertions.assertEquals(77, LargeBodyDescriptor.bodyId(large));
        org.junit.jupiter.api.Assertions.assertEquals(3L << 31, LargeBodyDescriptor.length(large));
        LargeBodyDescriptor.rewriteBodyId(large, 5);
        org.junit.jupiter.api.Assertions.assertEquals(5, LargeBodyDescriptor.bodyId(large));
        assertDoesNotThrow(() -> MessageValidator.validate(large(MessageDescriptor.BODY_TEXT)
            .writeLong(1).writeLong(10).writeByte(LargeBodyDescriptor.FORM_ENCODED).toByteArray()));

        assertRefused(large(MessageDescriptor.BODY_BYTES).writeLong(1).writeLong(10).toByteArray(),
            "must be a 17-byte descriptor, not 16 bytes");
        assertRefused(large(MessageDescriptor.BODY_BYTES).writeLong(1).writeLong(-1).writeByte((byte)0).toByteArray(),
            "cannot be -1 bytes long");
        assertRefused(large(MessageDescriptor.BODY_TEXT).writeLong(1).writeLong(1).writeByte(LargeBodyDescriptor.FORM_RAW)
            .toByteArray(), "form 1 is not valid for body type 5");
        assertRefused(large(MessageDescriptor.BODY_MESSAGE).writeLong(1).writeLong(1).writeByte((byte)0).toByteArray(),
            "without a body cannot have a large body");
    }

    private static WireWriter large(final byte bodyType)
    {
        final WireWriter fields = headerAndFields(bodyType);
        fields.array()[MessageDescriptor.FLAGS_OFFSET] = MessageDescriptor.FLAG_LARGE_BODY;
        return fields;
    }

    private static void assertRefused(final byte[] message, final String expected)
    {
        final ProtocolException ex = assertThrows(ProtocolException.class, () -> MessageValidator.validate(message));
        assertTrue(ex.getMessage().contains(expected), ex.getMessage());
    }
}
