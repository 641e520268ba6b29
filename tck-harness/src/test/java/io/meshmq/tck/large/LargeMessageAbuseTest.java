package io.meshmq.tck.large;

import io.meshmq.jms.MeshConnectionFactory;
import io.meshmq.engine.security.PasswordHash;
import io.meshmq.protocol.BrokerCommandEncoder;
import io.meshmq.protocol.DestinationType;
import io.meshmq.protocol.ErrorCode;
import io.meshmq.protocol.FrameDescriptor;
import io.meshmq.protocol.FrameType;
import io.meshmq.protocol.LargeBodyDescriptor;
import io.meshmq.protocol.MessageDescriptor;
import io.meshmq.protocol.WireReader;
import io.meshmq.protocol.WireWriter;
import io.meshmq.tck.crash.BrokerProcess;
import jakarta.jms.Connection;
import jakarta.jms.MessageProducer;
import jakarta.jms.Session;
import jakarta.jms.TextMessage;
import org.agrona.concurrent.UnsafeBuffer;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.io.DataInputStream;
import java.io.EOFException;
import java.io.IOException;
import java.io.OutputStream;
import java.net.Socket;
import java.net.URI;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.file.Path;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * Large message frames as a hostile or broken client sends them: each gets an error that says what is wrong, the broker
 * keeps serving everybody else, and no body is left on disk.
 */
class LargeMessageAbuseTest
{
    @TempDir
    Path workDir;

    @Test
    void shouldAnswerBrokenLargeMessageFramesWithErrorsAndKeepServing() throws Exception
    {
        final Path data = workDir.resolve("data");
        try (BrokerProcess broker = BrokerProcess.start(data))
        {
            final URI uri = URI.create(broker.url());
            try (Socket socket = new Socket(uri.getHost(), uri.getPort()))
            {
                socket.setSoTimeout(10_000);
                final OutputStream out = socket.getOutputStream();
                final DataInputStream in = new DataInputStream(socket.getInputStream());
                send(out, BrokerCommandEncoder.hello(new WireWriter(), FrameDescriptor.ROLE_CLIENT, null, null, null));
                assertEquals(FrameType.HELLO_OK, read(in).getByte(0));

                // Reading a body nothing delivered here.
                send(out, BrokerCommandEncoder.largeRead(new WireWriter(), 11, 4242, 0, 1024));
                assertError(read(in), 11, ErrorCode.ILLEGAL_STATE, "not delivered on this connection");

                // A message naming a body never sent.
                send(out, largeSend(12, 999, 10));
                assertError(read(in), 12, ErrorCode.STORAGE, "no large message body 999 was sent on this connection");

                // A message that says its body is longer than what was sent.
                send(out, BrokerCommandEncoder.largeChunk(new WireWriter(), 7, new byte[10], 0, 10));
                send(out, largeSend(13, 7, 11));
                assertError(read(in), 13, ErrorCode.STORAGE, "says its body is 11 bytes, but 10 were sent");
                Bodies.awaitNone(data);

                // An upload begun and left: deleted when its connection goes. Then a read of no bytes: a protocol error.
                send(out, BrokerCommandEncoder.largeChunk(new WireWriter(), 8, new byte[100], 0, 100));
                send(out, BrokerCommandEncoder.largeRead(new WireWriter(), 14, 4242, 0, 0));
                assertError(read(in), 0, ErrorCode.MALFORMED_FRAME, "the length must be 1-");
                assertClosed(in);
            }
            Bodies.awaitNone(data);

            try (Connection connection = new MeshConnectionFactory(broker.url()).createConnection())
            {
                connection.start();
                final Session session = connection.createSession(false, Session.AUTO_ACKNOWLEDGE);
                final MessageProducer producer = session.createProducer(session.createQueue("after"));
                producer.send(session.createTextMessage("y".repeat(500_000)));
                final TextMessage got = (TextMessage)session.createConsumer(session.createQueue("after")).receive(10_000);
                assertNotNull(got, "the broker serves others after the broken frames");
                assertEquals(500_000, got.getText().length());
            }
            Bodies.awaitNone(data);
        }
    }

    @Test
    void shouldDeleteTheBodyOfALargeMessageItsUserMayNotSend() throws Exception
    {
        final Path data = workDir.resolve("secured");
        try (BrokerProcess broker = BrokerProcess.start(data, "user.app = " + PasswordHash.hash("app-secret"),
            "user.app.roles = app", "security.allowed.send = app", "security.allowed.consume = app",
            "security.allowed.createAddress = app", "security.allowed.createDurableQueue = app",
            "security.forbidden.consume = app");
            Connection connection = new MeshConnectionFactory(broker.url()).createConnection("app", "app-secret"))
        {
            connection.start();
            final Session session = connection.createSession(false, Session.AUTO_ACKNOWLEDGE);
            for (int i = 0; i < 3; i++)
            {
                final jakarta.jms.BytesMessage refused = session.createBytesMessage();
                refused.setObjectProperty(io.meshmq.jms.message.MeshMessage.INPUT_STREAM, Bodies.stream(1_000_000));
                final jakarta.jms.JMSSecurityException ex = org.junit.jupiter.api.Assertions.assertThrows(
                    jakarta.jms.JMSSecurityException.class,
                    () -> session.createProducer(session.createQueue("forbidden")).send(refused));
                assertTrue(ex.getMessage().contains("send"), ex.getMessage());
            }
            Bodies.awaitNone(data);
            final jakarta.jms.BytesMessage allowed = session.createBytesMessage();
            allowed.setObjectProperty(io.meshmq.jms.message.MeshMessage.INPUT_STREAM, Bodies.stream(1_000_000));
            session.createProducer(session.createQueue("allowed")).send(allowed);
            assertEquals(1, Bodies.files(data));
            assertNotNull(session.createConsumer(session.createQueue("allowed")).receive(10_000));
        }
    }

    /**
     * A SEND of a persistent bytes message flagged large, naming an upload and a length.
     */
    private static WireWriter largeSend(final long correlationId, final long uploadId, final long length)
    {
        final WireWriter message = new WireWriter()
            .writeByte(MessageDescriptor.BODY_BYTES).writeByte(MessageDescriptor.PERSISTENT).writeByte((byte)4)
            .writeByte(MessageDescriptor.FLAG_LARGE_BODY).writeLong(1).writeLong(0).writeLong(0)
            .writeString("ID:raw-" + correlationId).writeByte(MessageDescriptor.CORRELATION_NONE).writeString(null)
            .writeByte(DestinationType.QUEUE).writeString("raw").writeByte(DestinationType.NONE).writeInt(0);
        LargeBodyDescriptor.write(message, uploadId, length, LargeBodyDescriptor.FORM_RAW);
        final byte[] bytes = message.toByteArray();
        return BrokerCommandEncoder.beginSend(new WireWriter(), correlationId, DestinationType.QUEUE, "raw")
            .writeRaw(bytes, 0, bytes.length).endFrame();
    }

    private static void send(final OutputStream out, final WireWriter frame) throws IOException
    {
        out.write(frame.array(), 0, frame.position());
        out.flush();
    }

    /**
     * @return the next frame without its length field: its type, then its body.
     */
    private static UnsafeBuffer read(final DataInputStream in) throws IOException
    {
        final byte[] length = new byte[FrameDescriptor.LENGTH_FIELD_LENGTH];
        in.readFully(length);
        final byte[] frame = new byte[ByteBuffer.wrap(length).order(ByteOrder.LITTLE_ENDIAN).getInt()];
        in.readFully(frame);
        return new UnsafeBuffer(frame);
    }

    private static void assertError(final UnsafeBuffer frame, final long correlationId, final int code,
        final String says)
    {
        assertEquals(FrameType.ERROR, frame.getByte(0), "an ERROR frame");
        final WireReader reader = new WireReader().wrap(frame, 1, frame.capacity() - 1);
        assertEquals(correlationId, reader.readLong());
        assertEquals(code, reader.readInt());
        final String message = reader.readString();
        assertTrue(message.contains(says), message);
    }

    private static void assertClosed(final DataInputStream in) throws IOException
    {
        try
        {
            while (true)
            {
                read(in);
            }
        }
        catch (final EOFException | java.net.SocketException closed)
        {
            // what a broker does after a protocol error
        }
    }
}
