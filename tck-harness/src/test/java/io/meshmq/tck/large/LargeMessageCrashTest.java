package io.meshmq.tck.large;

import io.meshmq.jms.MeshConnectionFactory;
import io.meshmq.jms.message.MeshMessage;
import io.meshmq.tck.crash.BrokerProcess;
import jakarta.jms.BytesMessage;
import jakarta.jms.Connection;
import jakarta.jms.JMSException;
import jakarta.jms.Message;
import jakarta.jms.MessageConsumer;
import jakarta.jms.MessageProducer;
import jakarta.jms.Session;
import jakarta.jms.TextMessage;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.io.FilterInputStream;
import java.io.IOException;
import java.io.InputStream;
import java.nio.file.Path;
import java.util.List;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicReference;
import java.util.zip.CRC32;
import java.util.zip.CheckedInputStream;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * Large messages against the limits issue 23 sets: a body eight times the broker's heap passes through it, and a kill -9
 * in the middle of an upload loses only that upload.
 */
class LargeMessageCrashTest
{
    private static final long TWO_GIB = 2L << 30;

    @TempDir
    Path workDir;

    @Test
    void shouldPassTwoGibibytesThroughABrokerWithA256MibHeap() throws Exception
    {
        final Path data = workDir.resolve("big");
        try (BrokerProcess broker = BrokerProcess.startWithJvmOptions(data, List.of("-Xmx256m"));
            Connection connection = new MeshConnectionFactory(broker.url()).createConnection())
        {
            connection.start();
            final Session session = connection.createSession(false, Session.AUTO_ACKNOWLEDGE);
            final MessageProducer producer = session.createProducer(session.createQueue("big"));
            final CheckedInputStream sent = new CheckedInputStream(Bodies.stream(TWO_GIB), new CRC32());
            final BytesMessage message = session.createBytesMessage();
            message.setObjectProperty(MeshMessage.INPUT_STREAM, sent);
            final long sendStarted = System.nanoTime();
            producer.send(message);
            final long sendMs = TimeUnit.NANOSECONDS.toMillis(System.nanoTime() - sendStarted);
            assertEquals(1, Bodies.files(data));

            final Message got = session.createConsumer(session.createQueue("big")).receive(30_000);
            assertNotNull(got);
            assertEquals(TWO_GIB, ((BytesMessage)got).getBodyLength());
            final Bodies.Sink sink = new Bodies.Sink();
            final long readStarted = System.nanoTime();
            got.setObjectProperty(MeshMessage.SAVE_STREAM, sink);
            final long readMs = TimeUnit.NANOSECONDS.toMillis(System.nanoTime() - readStarted);
            assertEquals(TWO_GIB, sink.length());
            assertEquals(sent.getChecksum().getValue(), sink.checksum());
            System.out.println("2 GiB through a broker with a 256 MiB heap: sent (persistent, forced) in " + sendMs +
                " ms, saved in " + readMs + " ms");
            // Acknowledged (AUTO) when received, released when its session closes: the body goes.
            session.close();
            Bodies.awaitNone(data);
            assertTrue(broker.linesContaining("OutOfMemoryError").isEmpty(), broker.recentOutput());
        }
    }

    @Test
    void shouldKeepStoredLargeMessagesAndDropAnUploadAKillCutShort() throws Exception
    {
        final Path data = workDir.resolve("killed");
        final AtomicReference<Throwable> cutShort = new AtomicReference<>();
        final String text = "z".repeat(400_000);
        try (BrokerProcess broker = BrokerProcess.start(data);
            Connection connection = new MeshConnectionFactory(broker.url()).createConnection())
        {
            final Session session = connection.createSession(false, Session.AUTO_ACKNOWLEDGE);
            final MessageProducer producer = session.createProducer(session.createQueue("kept"));
            final BytesMessage streamed = session.createBytesMessage();
            streamed.setObjectProperty(MeshMessage.INPUT_STREAM, Bodies.stream(4_000_000));
            producer.send(streamed);
            producer.send(session.createTextMessage(text));
            assertEquals(2, Bodies.files(data));

            final CountDownLatch underWay = new CountDownLatch(1);
            final Thread sender = new Thread(() ->
            {
                try (Session other = connection.createSession(false, Session.AUTO_ACKNOWLEDGE))
                {
                    final BytesMessage endless = other.createBytesMessage();
                    endless.setObjectProperty(MeshMessage.INPUT_STREAM, signalling(Bodies.stream(1L << 30), underWay));
                    other.createProducer(other.createQueue("kept")).send(endless);
                }
                catch (final Throwable ex)
                {
                    cutShort.set(ex);
                }
            }, "cut-short-sender");
            sender.start();
            assertTrue(underWay.await(30, TimeUnit.SECONDS), "the upload began");
            Bodies.await(data, count -> count == 3, "a file for the cut-short upload");
            broker.kill();
            sender.join(60_000);
            assertInstanceOf(JMSException.class, cutShort.get(), "the send cut short fails: " + cutShort.get());
        }
        catch (final JMSException closingAfterTheKill)
        {
            // the connection's close cannot reach a killed broker
        }
        try (BrokerProcess broker = BrokerProcess.start(data);
            Connection connection = new MeshConnectionFactory(broker.url()).createConnection())
        {
            assertEquals(2, Bodies.files(data), "the upload a kill cut short is deleted at start-up");
            assertEquals(1, broker.linesContaining("deleted 1 large message bodies no message names").size(),
                broker.recentOutput());
            connection.start();
            final Session session = connection.createSession(false, Session.CLIENT_ACKNOWLEDGE);
            final MessageConsumer consumer = session.createConsumer(session.createQueue("kept"));
            final Message first = consumer.receive(10_000);
            final Bodies.Sink sink = new Bodies.Sink();
            first.setObjectProperty(MeshMessage.SAVE_STREAM, sink);
            assertEquals(Bodies.checksum(4_000_000), sink.checksum());
            assertEquals(text, ((TextMessage)consumer.receive(10_000)).getText());
            assertEquals(null, consumer.receiveNoWait());
            first.acknowledge();
            Bodies.awaitNone(data);
        }
    }

    @Test
    void shouldKeepPagedLargeBodiesAcrossAKillUntilEveryQueueHasConsumedThem() throws Exception
    {
        final Path data = workDir.resolve("paged");
        final String[] limits = {"address.paged.max-size-bytes = 1000", "address.paged-events.max-size-bytes = 1000"};
        final int messages = 30;
        try (BrokerProcess broker = BrokerProcess.start(data, limits);
            Connection connection = new MeshConnectionFactory(broker.url()).createConnection())
        {
            connection.setClientID("paged-subscriber");
            final Session session = connection.createSession(false, Session.AUTO_ACKNOWLEDGE);
            final jakarta.jms.Topic topic = session.createTopic("paged-events");
            session.createDurableSubscriber(topic, "first").close();
            session.createDurableSubscriber(topic, "second").close();
            final MessageProducer toQueue = session.createProducer(session.createQueue("paged"));
            final MessageProducer toTopic = session.createProducer(topic);
            for (int i = 0; i < messages; i++)
            {
                toQueue.send(streamed(session, 150_000 + i));
                toTopic.send(streamed(session, 160_000 + i));
            }
            assertEquals(2 * messages, Bodies.files(data));
            assertTrue(broker.linesContaining("is at its memory limit").size() >= 2, broker.recentOutput());
            broker.kill();
        }
        catch (final JMSException closingAfterTheKill)
        {
            // the connection's close cannot reach a killed broker
        }
        try (BrokerProcess broker = BrokerProcess.start(data, limits);
            Connection connection = new MeshConnectionFactory(broker.url()).createConnection())
        {
            assertEquals(2 * messages, Bodies.files(data), "paged messages' bodies are counted at start-up");
            connection.setClientID("paged-subscriber");
            connection.start();
            final Session session = connection.createSession(false, Session.AUTO_ACKNOWLEDGE);
            drain(session.createConsumer(session.createQueue("paged")), 150_000, messages);
            final jakarta.jms.Topic topic = session.createTopic("paged-events");
            drain(session.createDurableSubscriber(topic, "first"), 160_000, messages);
            session.close();
            // The queue's bodies go (once their acknowledgements are forced); the topic's stay for the second subscription.
            Bodies.await(data, count -> count <= messages, "the queue's bodies gone");
            assertEquals(messages, Bodies.files(data), "the second subscription still needs its bodies");
            final Session second = connection.createSession(false, Session.AUTO_ACKNOWLEDGE);
            drain(second.createDurableSubscriber(topic, "second"), 160_000, messages);
            second.close();
            Bodies.awaitNone(data);
        }
    }

    private static BytesMessage streamed(final Session session, final long length) throws JMSException
    {
        final BytesMessage message = session.createBytesMessage();
        message.setObjectProperty(MeshMessage.INPUT_STREAM, Bodies.stream(length));
        return message;
    }

    /**
     * Receives {@code count} messages of lengths {@code firstLength}, {@code firstLength + 1}, ... in order and checks
     * every body.
     */
    private static void drain(final MessageConsumer consumer, final long firstLength, final int count) throws Exception
    {
        for (int i = 0; i < count; i++)
        {
            final Message message = consumer.receive(10_000);
            assertNotNull(message, "message " + i);
            final Bodies.Sink sink = new Bodies.Sink();
            message.setObjectProperty(MeshMessage.SAVE_STREAM, sink);
            assertEquals(firstLength + i, sink.length(), "message " + i + " in order");
            assertEquals(Bodies.checksum(firstLength + i), sink.checksum());
        }
        assertEquals(null, consumer.receiveNoWait());
    }

    /**
     * @return {@code in}, counting down {@code latch} once 8 MiB of it were read.
     */
    private static InputStream signalling(final InputStream in, final CountDownLatch latch)
    {
        return new FilterInputStream(in)
        {
            private long read;

            @Override
            public int read(final byte[] into, final int offset, final int length) throws IOException
            {
                final int n = super.read(into, offset, length);
                read += Math.max(0, n);
                if (read >= 8 << 20)
                {
                    latch.countDown();
                }
                return n;
            }
        };
    }
}
