package io.meshmq.jms.message;

import io.meshmq.protocol.DestinationType;
import io.meshmq.protocol.LargeBodyDescriptor;
import io.meshmq.protocol.MessageDescriptor;
import io.meshmq.protocol.WireReader;
import io.meshmq.protocol.WireWriter;
import jakarta.jms.BytesMessage;
import jakarta.jms.JMSException;
import jakarta.jms.MessageFormatException;
import jakarta.jms.StreamMessage;
import jakarta.jms.TextMessage;
import org.agrona.concurrent.UnsafeBuffer;
import org.junit.jupiter.api.Test;

import java.io.ByteArrayInputStream;
import java.io.ByteArrayOutputStream;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.util.Arrays;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * Received large messages as the application sees them, with the broker played by a body in memory.
 */
class LargeBodyMessageTest
{
    /** A body source that counts how often it was opened and whether it was released. */
    private static final class Source implements LargeBodySource
    {
        final byte[] body;
        int opened;
        boolean released;

        Source(final byte[] body)
        {
            this.body = body;
        }

        @Override
        public InputStream open() throws JMSException
        {
            if (released)
            {
                throw new jakarta.jms.IllegalStateException("released");
            }
            opened++;
            return new ByteArrayInputStream(body);
        }

        @Override
        public void release()
        {
            released = true;
        }
    }

    private static MeshMessage received(final byte bodyType, final byte form, final long length)
    {
        final WireWriter out = new WireWriter()
            .writeByte(bodyType).writeByte(MessageDescriptor.PERSISTENT).writeByte((byte)4)
            .writeByte(MessageDescriptor.FLAG_LARGE_BODY).writeLong(1).writeLong(0).writeLong(0)
            .writeString("ID:large").writeByte(MessageDescriptor.CORRELATION_NONE).writeString(null)
            .writeByte(DestinationType.QUEUE).writeString("q").writeByte(DestinationType.NONE).writeInt(0);
        LargeBodyDescriptor.write(out, 42, length, form);
        final byte[] bytes = out.toByteArray();
        return MeshMessage.decode(new WireReader().wrap(new UnsafeBuffer(bytes), 0, bytes.length), 1);
    }

    @Test
    void shouldStreamABytesBodyAsItIsReadAndOnlyThen() throws Exception
    {
        final byte[] body = new byte[10_000];
        Arrays.fill(body, (byte)7);
        final Source source = new Source(body);
        final MeshMessage message = received(MessageDescriptor.BODY_BYTES, LargeBodyDescriptor.FORM_RAW, body.length);
        message.attachLargeBody(source);
        final BytesMessage bytes = (BytesMessage)message;
        assertEquals(10_000, bytes.getBodyLength());
        assertEquals(0, source.opened, "nothing asked of the broker before the body is read");
        assertEquals(7, bytes.readByte());
        assertEquals(1, source.opened);
        final ByteArrayOutputStream saved = new ByteArrayOutputStream();
        message.setObjectProperty("JMS_AMQ_SaveStream", saved);
        assertArrayEquals(body, saved.toByteArray());
        assertArrayEquals(body, bytes.getBody(byte[].class));
        bytes.reset();
        assertEquals(7, bytes.readByte());
        source.release();
        bytes.reset();
        assertThrows(JMSException.class, bytes::readByte, "a released body cannot be read");
    }

    @Test
    void shouldLoadATextBodyOnReceiptAndReleaseItsSource() throws Exception
    {
        final String text = "large text";
        final byte[] encoded = new WireWriter().writeString(text).toByteArray();
        final Source source = new Source(encoded);
        final MeshMessage message = received(MessageDescriptor.BODY_TEXT, LargeBodyDescriptor.FORM_ENCODED,
            encoded.length);
        message.attachLargeBody(source);
        assertEquals(text, ((TextMessage)message).getText());
        assertTrue(source.released, "loaded whole: the broker's copy is no longer read");
        assertThrows(MessageFormatException.class, () -> message.setObjectProperty(MeshMessage.SAVE_STREAM,
            new ByteArrayOutputStream()));
    }

    @Test
    void shouldGiveAStreamMessagesRawBodyAsOneByteArrayValue() throws Exception
    {
        final byte[] raw = "raw stream".getBytes(StandardCharsets.UTF_8);
        final MeshMessage message = received(MessageDescriptor.BODY_STREAM, LargeBodyDescriptor.FORM_RAW, raw.length);
        message.attachLargeBody(new Source(raw));
        assertArrayEquals(raw, (byte[])((StreamMessage)message).readObject());
        final ByteArrayOutputStream saved = new ByteArrayOutputStream();
        message.setObjectProperty(MeshMessage.SAVE_STREAM, saved);
        assertArrayEquals(raw, saved.toByteArray());
    }

    @Test
    void shouldTakeAStreamAsTheBodyOfANewBytesMessageOnly() throws Exception
    {
        final MeshBytesMessage bytes = new MeshBytesMessage();
        final InputStream in = new ByteArrayInputStream(new byte[3]);
        bytes.setObjectProperty(MeshMessage.INPUT_STREAM, in);
        assertEquals(in, bytes.bodyStream());
        assertNull(bytes.getObjectProperty(MeshMessage.INPUT_STREAM), "not a property on the wire");
        final MeshBytesMessage written = new MeshBytesMessage();
        written.writeInt(1);
        assertThrows(MessageFormatException.class, () -> written.setObjectProperty("JMS_AMQ_InputStream", in));
        assertThrows(MessageFormatException.class, () -> new MeshTextMessage().setObjectProperty(
            MeshMessage.INPUT_STREAM, in));
        assertThrows(MessageFormatException.class, () -> bytes.setObjectProperty(MeshMessage.INPUT_STREAM, "no"));
    }
}
