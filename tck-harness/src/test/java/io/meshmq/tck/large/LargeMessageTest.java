package io.meshmq.tck.large;

import io.meshmq.jms.MeshConnectionFactory;
import io.meshmq.jms.message.MeshMessage;
import io.meshmq.tck.crash.BrokerProcess;
import jakarta.jms.BytesMessage;
import jakarta.jms.Connection;
import jakarta.jms.JMSException;
import jakarta.jms.MapMessage;
import jakarta.jms.Message;
import jakarta.jms.MessageConsumer;
import jakarta.jms.MessageProducer;
import jakarta.jms.Session;
import jakarta.jms.StreamMessage;
import jakarta.jms.TextMessage;
import jakarta.jms.Topic;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.nio.file.Path;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * Large messages (issue 23): bodies above the broker's threshold, or given as streams, go to a file of their own on the
 * broker and are read back in parts; nothing of them stays once they are consumed.
 */
class LargeMessageTest
{
    private static final long DEADLINE_MS = 30_000;

    @TempDir
    Path workDir;

    @Test
    void shouldCarryEveryKindOfLargeBodyAndDeleteEachOnceConsumed() throws Exception
    {
        final Path data = workDir.resolve("kinds");
        try (BrokerProcess broker = BrokerProcess.start(data);
            Connection connection = new MeshConnectionFactory(broker.url()).createConnection())
        {
            connection.start();
            final Session session = connection.createSession(false, Session.AUTO_ACKNOWLEDGE);
            final MessageProducer producer = session.createProducer(session.createQueue("large"));
            final String text = "x".repeat(300_000) + "end";
            producer.send(session.createTextMessage(text));
            final BytesMessage bytes = session.createBytesMessage();
            bytes.writeBytes(Bodies.bytes(1_000_000));
            producer.send(bytes);
            final BytesMessage streamed = session.createBytesMessage();
            streamed.setObjectProperty(MeshMessage.INPUT_STREAM, Bodies.stream(5_000_000));
            streamed.setIntProperty("n", 3);
            producer.send(streamed);
            final StreamMessage raw = session.createStreamMessage();
            raw.setObjectProperty("JMS_AMQ_InputStream", Bodies.stream(700_000));
            producer.send(raw);
            final MapMessage map = session.createMapMessage();
            map.setBytes("big", Bodies.bytes(200_000));
            map.setString("small", "s");
            producer.send(map);
            assertEquals(5, Bodies.files(data), "each large body is in a file of its own");

            final MessageConsumer consumer = session.createConsumer(session.createQueue("large"));
            assertEquals(text, ((TextMessage)consumer.receive(DEADLINE_MS)).getText());
            final BytesMessage gotBytes = (BytesMessage)consumer.receive(DEADLINE_MS);
            assertEquals(1_000_000, gotBytes.getBodyLength());
            assertArrayEquals(Bodies.bytes(1_000_000), gotBytes.getBody(byte[].class));
            final BytesMessage gotStreamed = (BytesMessage)consumer.receive(DEADLINE_MS);
            assertEquals(3, gotStreamed.getIntProperty("n"));
            assertEquals(5_000_000, gotStreamed.getBodyLength());
            // Read as an application reads a bytes body, after receive returned (AUTO_ACKNOWLEDGE acknowledged it).
            final byte[] part = new byte[4096];
            long read = 0;
            final Bodies.Sink sink = new Bodies.Sink();
            for (int n = gotStreamed.readBytes(part); n > 0; n = gotStreamed.readBytes(part))
            {
                sink.write(part, 0, n);
                read += n;
            }
            assertEquals(5_000_000, read);
            assertEquals(Bodies.checksum(5_000_000), sink.checksum());
            final StreamMessage gotRaw = (StreamMessage)consumer.receive(DEADLINE_MS);
            assertArrayEquals(Bodies.bytes(700_000), (byte[])gotRaw.readObject());
            // The previous message's body is released once the next is received.
            gotStreamed.reset();
            final JMSException released = assertThrows(JMSException.class, gotStreamed::readByte);
            assertTrue(released.getMessage().contains("no longer readable"), released.getMessage());
            final MapMessage gotMap = (MapMessage)consumer.receive(DEADLINE_MS);
            assertArrayEquals(Bodies.bytes(200_000), gotMap.getBytes("big"));
            assertEquals("s", gotMap.getString("small"));
            Bodies.awaitNone(data);
        }
    }

    @Test
    void shouldKeepATopicsBodyUntilEverySubscriberHasItAndDropARolledBackOne() throws Exception
    {
        final Path data = workDir.resolve("topic");
        try (BrokerProcess broker = BrokerProcess.start(data);
            Connection connection = new MeshConnectionFactory(broker.url()).createConnection())
        {
            connection.setClientID("large-topic");
            connection.start();
            final Session session = connection.createSession(false, Session.CLIENT_ACKNOWLEDGE);
            final Topic topic = session.createTopic("large.events");
            final MessageConsumer first = session.createDurableSubscriber(topic, "first");
            final MessageConsumer second = session.createDurableSubscriber(topic, "second");
            final Session transacted = connection.createSession(true, Session.SESSION_TRANSACTED);
            final MessageProducer producer = transacted.createProducer(topic);
            final BytesMessage message = transacted.createBytesMessage();
            message.setObjectProperty(MeshMessage.INPUT_STREAM, Bodies.stream(3_000_000));
            producer.send(message);
            // Sent ahead of the commit, without an answer: the broker makes the file as the chunks arrive.
            Bodies.await(data, count -> count == 1, "the body sent ahead of the commit");
            transacted.rollback();
            Bodies.awaitNone(data);

            final BytesMessage again = transacted.createBytesMessage();
            again.setObjectProperty(MeshMessage.INPUT_STREAM, Bodies.stream(3_000_000));
            producer.send(again);
            transacted.commit();
            assertEquals(1, Bodies.files(data), "one body for both subscriptions");
            final Bodies.Sink toFirst = new Bodies.Sink();
            final Message one = first.receive(DEADLINE_MS);
            assertNotNull(one);
            one.setObjectProperty(MeshMessage.SAVE_STREAM, toFirst);
            assertEquals(Bodies.checksum(3_000_000), toFirst.checksum());
            one.acknowledge();
            final Message two = second.receive(DEADLINE_MS);
            assertNotNull(two);
            assertEquals(1, Bodies.files(data), "the second subscription still needs it");
            final Bodies.Sink toSecond = new Bodies.Sink();
            two.setObjectProperty("JMS_AMQ_SaveStream", toSecond);
            assertEquals(3_000_000, toSecond.length());
            two.acknowledge();
            Bodies.awaitNone(data);
        }
    }

    @Test
    void shouldMoveALargeMessageToTheDeadLetterAddressWithItsBody() throws Exception
    {
        final Path data = workDir.resolve("dlq");
        try (BrokerProcess broker = BrokerProcess.start(data, "address.poison.max-delivery-attempts = 2");
            Connection connection = new MeshConnectionFactory(broker.url()).createConnection())
        {
            connection.start();
            final Session session = connection.createSession(true, Session.SESSION_TRANSACTED);
            final BytesMessage poison = session.createBytesMessage();
            poison.setObjectProperty(MeshMessage.INPUT_STREAM, Bodies.stream(2_000_000));
            session.createProducer(session.createQueue("poison")).send(poison);
            session.commit();
            final MessageConsumer consumer = session.createConsumer(session.createQueue("poison"));
            for (int attempt = 0; attempt < 2; attempt++)
            {
                assertNotNull(consumer.receive(DEADLINE_MS), "attempt " + attempt);
                session.rollback();
            }
            final Message dead = session.createConsumer(session.createQueue("DLQ")).receive(DEADLINE_MS);
            assertNotNull(dead, "moved to the dead-letter address");
            final Bodies.Sink sink = new Bodies.Sink();
            dead.setObjectProperty(MeshMessage.SAVE_STREAM, sink);
            assertEquals(Bodies.checksum(2_000_000), sink.checksum());
            assertEquals(1, Bodies.files(data), "one body, moved with its message");
            session.commit();
            Bodies.awaitNone(data);
        }
    }
}
