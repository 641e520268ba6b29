package io.meshmq.engine;

import io.meshmq.admin.MeshAdmin;
import io.meshmq.engine.journal.Journal;
import io.meshmq.engine.journal.JournalRecordDescriptor;
import io.meshmq.engine.journal.record.MessageRecord;
import io.meshmq.engine.journal.record.QueueRecord;
import io.meshmq.engine.processor.AddressSettingsMatcher;
import io.meshmq.jms.MeshConnectionFactory;
import io.meshmq.protocol.AdminTable;
import io.meshmq.protocol.AdminVerbs;
import io.meshmq.protocol.DestinationType;
import io.meshmq.protocol.ErrorCode;
import io.meshmq.protocol.FrameDescriptor;
import io.meshmq.protocol.FrameType;
import io.meshmq.protocol.MessageDescriptor;
import io.meshmq.protocol.WireWriter;
import jakarta.jms.Connection;
import jakarta.jms.ExceptionListener;
import jakarta.jms.JMSException;
import jakarta.jms.Message;
import jakarta.jms.MessageConsumer;
import jakarta.jms.MessageProducer;
import jakarta.jms.Queue;
import jakarta.jms.Session;
import jakarta.jms.TextMessage;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.io.BufferedReader;
import java.io.DataInputStream;
import java.io.InputStream;
import java.io.InputStreamReader;
import java.io.OutputStream;
import java.net.InetSocketAddress;
import java.net.Socket;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.HashSet;
import java.util.List;
import java.util.Random;
import java.util.Set;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * What bad clients and lost connections must not do to the broker or to anyone else.
 */
class RobustnessTest
{
    @Test
    void shouldRedeliverToOthersWhatAKilledConsumerHeld() throws Exception
    {
        try (TestBroker broker = TestBroker.start();
            Connection connection = new MeshConnectionFactory(broker.tcpUrl()).createConnection())
        {
            final Session session = connection.createSession(false, Session.AUTO_ACKNOWLEDGE);
            final Queue queue = session.createQueue("held");
            final MessageProducer producer = session.createProducer(queue);
            for (int i = 0; i < 10; i++)
            {
                producer.send(session.createTextMessage("m" + i));
            }
            final Process child = new ProcessBuilder(
                Path.of(System.getProperty("java.home"), "bin", "java").toString(),
                "-cp", System.getProperty("java.class.path"), HoldingConsumer.class.getName(),
                broker.tcpUrl(), "held", "10")
                .redirectErrorStream(true)
                .start();
            try
            {
                final BufferedReader out = new BufferedReader(new InputStreamReader(child.getInputStream(), StandardCharsets.UTF_8));
                final CompletableFuture<String> ready = CompletableFuture.supplyAsync(() ->
                {
                    try
                    {
                        String line;
                        while ((line = out.readLine()) != null)
                        {
                            if (line.equals("READY") || line.equals("TIMEOUT"))
                            {
                                return line;
                            }
                        }
                        return "EOF";
                    }
                    catch (final Exception ex)
                    {
                        return ex.toString();
                    }
                });
                assertEquals("READY", ready.get(60, TimeUnit.SECONDS));
                final MessageConsumer consumer = session.createConsumer(queue);
                connection.start();
                assertNull(consumer.receive(200), "the other consumer holds every message");

                child.destroyForcibly();
                assertTrue(child.waitFor(30, TimeUnit.SECONDS));

                final Set<String> bodies = new HashSet<>();
                for (int i = 0; i < 10; i++)
                {
                    final Message m = consumer.receive(10_000);
                    assertNotNull(m, "message " + i + " after the kill");
                    assertTrue(m.getJMSRedelivered());
                    assertEquals(2, m.getIntProperty("JMSXDeliveryCount"));
                    bodies.add(((TextMessage)m).getText());
                }
                assertEquals(10, bodies.size());
                assertEquals("m0", bodies.stream().sorted().findFirst().orElseThrow());
            }
            finally
            {
                child.destroyForcibly();
            }
        }
    }

    @Test
    void shouldCloseAConnectionThatSendsGarbageAndKeepServingOthers() throws Exception
    {
        try (TestBroker broker = TestBroker.start();
            Connection connection = new MeshConnectionFactory(broker.tcpUrl()).createConnection())
        {
            final Session session = connection.createSession(false, Session.AUTO_ACKNOWLEDGE);
            final Queue queue = session.createQueue("bystander");
            final MessageProducer producer = session.createProducer(queue);
            final MessageConsumer consumer = session.createConsumer(queue);
            connection.start();
            producer.send(session.createTextMessage("before"));

            final Random random = new Random(42);
            for (final byte[] garbage : List.of(
                "GET / HTTP/1.1\r\nHost: x\r\n\r\n".getBytes(StandardCharsets.US_ASCII),
                randomBytes(random, 4096),
                frame(FrameType.SEND, new byte[] {1, 2, 3}),
                new byte[] {(byte)0xff, (byte)0xff, (byte)0xff, (byte)0xff},
                new byte[] {0, 0, 0, 0}))
            {
                final int code = sendRaw(broker, garbage);
                assertTrue(code == ErrorCode.BAD_HANDSHAKE || code == ErrorCode.FRAME_TOO_LONG ||
                    code == ErrorCode.MALFORMED_FRAME || code == -1, "error code " + code);
            }

            // A client that completes the handshake and then sends a malformed SEND.
            final WireWriter hello = new WireWriter().beginFrame(FrameType.HELLO).writeInt(FrameDescriptor.MAGIC)
                .writeShort(FrameDescriptor.PROTOCOL_VERSION).writeByte(FrameDescriptor.ROLE_CLIENT)
                .writeString(null).writeString(null).writeString(null).endFrame();
            final WireWriter badSend = new WireWriter().beginFrame(FrameType.SEND).writeLong(1).writeByte((byte)1)
                .writeInt(1_000_000).endFrame();
            final byte[] both = new byte[hello.position() + badSend.position()];
            System.arraycopy(hello.array(), 0, both, 0, hello.position());
            System.arraycopy(badSend.array(), 0, both, hello.position(), badSend.position());
            assertEquals(ErrorCode.MALFORMED_FRAME, sendRaw(broker, both));

            // A well-formed SEND whose message has a valid fixed header and broken fields: refused, never stored.
            final byte[] broken = brokenMessage();
            final WireWriter brokenSend = new WireWriter().beginFrame(FrameType.SEND).writeLong(2)
                .writeByte(DestinationType.QUEUE).writeString("bystander").writeRaw(broken, 0, broken.length).endFrame();
            final byte[] helloAndBroken = new byte[hello.position() + brokenSend.position()];
            System.arraycopy(hello.array(), 0, helloAndBroken, 0, hello.position());
            System.arraycopy(brokenSend.array(), 0, helloAndBroken, hello.position(), brokenSend.position());
            assertEquals(ErrorCode.MALFORMED_FRAME, sendRaw(broker, helloAndBroken));

            producer.send(session.createTextMessage("after"));
            assertEquals("before", ((TextMessage)consumer.receive(5000)).getText());
            assertEquals("after", ((TextMessage)consumer.receive(5000)).getText());
        }
    }

    private static byte[] randomBytes(final Random random, final int length)
    {
        final byte[] bytes = new byte[length];
        random.nextBytes(bytes);
        return bytes;
    }

    private static byte[] frame(final byte type, final byte[] body)
    {
        final ByteBuffer buffer = ByteBuffer.allocate(5 + body.length).order(ByteOrder.LITTLE_ENDIAN);
        buffer.putInt(1 + body.length).put(type).put(body);
        return buffer.array();
    }

    /**
     * Writes raw bytes and reads until the broker closes: returns the code of its ERROR frame, or -1 if it
     * closed without one.
     */
    private static int sendRaw(final TestBroker broker, final byte[] bytes) throws Exception
    {
        try (Socket socket = new Socket())
        {
            socket.connect(new InetSocketAddress("127.0.0.1", broker.broker().port()), 5000);
            socket.setSoTimeout(10_000);
            final OutputStream out = socket.getOutputStream();
            try
            {
                out.write(bytes);
                out.flush();
            }
            catch (final java.io.IOException closedEarly)
            {
                return -1;
            }
            final InputStream in = socket.getInputStream();
            final DataInputStream data = new DataInputStream(in);
            try
            {
                while (true)
                {
                    final byte[] lengthBytes = new byte[4];
                    data.readFully(lengthBytes);
                    final int length = ByteBuffer.wrap(lengthBytes).order(ByteOrder.LITTLE_ENDIAN).getInt();
                    final byte[] body = new byte[length];
                    data.readFully(body);
                    final ByteBuffer frame = ByteBuffer.wrap(body).order(ByteOrder.LITTLE_ENDIAN);
                    if (frame.get() == FrameType.ERROR)
                    {
                        frame.getLong();
                        final int code = frame.getInt();
                        assertEquals(-1, in.read(), "the broker closes the connection after the error");
                        return code;
                    }
                }
            }
            catch (final java.io.EOFException | java.net.SocketException closed)
            {
                return -1;
            }
        }
    }

    @Test
    void shouldTellTheExceptionListenerWhenTheBrokerGoesAway() throws Exception
    {
        final TestBroker broker = TestBroker.start();
        try (Connection connection = new MeshConnectionFactory(broker.tcpUrl()).createConnection())
        {
            final CompletableFuture<JMSException> lost = new CompletableFuture<>();
            final ExceptionListener listener = lost::complete;
            connection.setExceptionListener(listener);
            final Session session = connection.createSession(false, Session.AUTO_ACKNOWLEDGE);
            final MessageConsumer consumer = session.createConsumer(session.createQueue("gone"));
            connection.start();
            broker.close();
            assertNotNull(lost.get(10, TimeUnit.SECONDS));
            assertThrows(JMSException.class, () -> consumer.receive(5000));
            assertThrows(JMSException.class,
                () -> session.createProducer(session.createQueue("gone")).send(session.createTextMessage("x")));
        }
    }

    @Test
    void shouldRefuseASecondBrokerOnTheSameDataDirectoryOrPort() throws Exception
    {
        try (TestBroker broker = TestBroker.start())
        {
            final BrokerStartException sameDir = assertThrows(BrokerStartException.class,
                () -> Broker.start(new BrokerContext().port(0).dataDir(broker.dataDir()).vmId(null)));
            assertTrue(sameDir.getMessage().contains("in use by another broker"), sameDir.getMessage());
            final Path other = java.nio.file.Files.createTempDirectory("meshmq-test-");
            try
            {
                final BrokerStartException samePort = assertThrows(BrokerStartException.class,
                    () -> Broker.start(new BrokerContext().port(broker.broker().port()).dataDir(other).vmId(null)));
                assertTrue(samePort.getMessage().contains("cannot listen on"), samePort.getMessage());
            }
            finally
            {
                TestBroker.deleteRecursively(other);
            }
        }
    }

    /**
     * A message whose fields cannot be decoded (here: in a journal written before the broker checked what it stores)
     * must neither block its queue nor come back for ever: receive skips it, giving it back counted as delivered, and the
     * delivery limit takes it, unchanged, to the dead-letter address.
     */
    @Test
    void shouldTakeAnUndecodableMessageToTheDeadLetterAddressInsteadOfLoopingForEver(@TempDir final Path data) throws Exception
    {
        final byte[] broken = brokenMessage();
        try (Journal journal = Journal.open(data.resolve(Journal.DIRECTORY), Journal.DEFAULT_SEGMENT_SIZE, false))
        {
            journal.recover((type, buffer, offset, length, segment) -> { });
            final WireWriter record = new WireWriter();
            journal.append(JournalRecordDescriptor.QUEUE, QueueRecord.encodeQueue(record.reset(), 1, "poison"));
            final int countAt = MessageRecord.begin(record.reset(), 2);
            MessageRecord.reference(record, 1, 0);
            MessageRecord.end(record, countAt, 1, broken);
            journal.append(JournalRecordDescriptor.MESSAGE, record);
            journal.writeStaged();
        }
        try (TestBroker broker = TestBroker.start(context ->
        {
            context.dataDir(data);
            context.addressSettings().set("poison", AddressSettingsMatcher.MAX_DELIVERY_ATTEMPTS, "3");
        });
            Connection connection = new MeshConnectionFactory(broker.tcpUrl()).createConnection())
        {
            connection.start();
            final Session session = connection.createSession(false, Session.AUTO_ACKNOWLEDGE);
            final Queue poison = session.createQueue("poison");
            final MessageConsumer consumer = session.createConsumer(poison);
            session.createProducer(poison).send(session.createTextMessage("after"));
            final TextMessage received = (TextMessage)consumer.receive(10_000);
            assertNotNull(received, "the broken message must not block the one after it");
            assertEquals("after", received.getText());
            try (MeshAdmin admin = MeshAdmin.connect(broker.tcpUrl(), null, null))
            {
                // Each receive meets the broken message again, until its third delivery takes it away.
                Poll.until("the broken message to reach the dead-letter address", 10_000,
                    () -> receivesNothing(consumer) && depth(admin, "DLQ") == 1);
                assertEquals(0, depth(admin, "poison"));
            }
        }
    }

    /**
     * @return a message with a valid fixed header whose property count is far beyond its bytes.
     */
    private static byte[] brokenMessage()
    {
        return new WireWriter()
            .writeByte(MessageDescriptor.BODY_MESSAGE).writeByte(MessageDescriptor.PERSISTENT).writeByte((byte)4)
            .writeByte((byte)0).writeLong(1).writeLong(0).writeLong(0)
            .writeString("ID:broken").writeByte(MessageDescriptor.CORRELATION_NONE).writeString(null)
            .writeByte(DestinationType.NONE).writeByte(DestinationType.NONE)
            .writeInt(1_000_000)
            .toByteArray();
    }

    private static boolean receivesNothing(final MessageConsumer consumer)
    {
        try
        {
            return consumer.receive(50) == null;
        }
        catch (final JMSException ex)
        {
            throw new IllegalStateException(ex);
        }
    }

    /**
     * @return messages waiting in the queue, -1 if there is none of that name.
     */
    private static long depth(final MeshAdmin admin, final String name)
    {
        final AdminTable queues;
        try
        {
            queues = admin.call(AdminVerbs.QUEUE_LIST);
        }
        catch (final JMSException ex)
        {
            throw new IllegalStateException(ex);
        }
        for (int r = 0; r < queues.rows().size(); r++)
        {
            if (name.equals(queues.value(r, "name")))
            {
                return ((Number)queues.value(r, "messages")).longValue();
            }
        }
        return -1;
    }
}
