package io.meshmq.engine;

import io.meshmq.admin.MeshAdmin;
import io.meshmq.jms.MeshConnectionFactory;
import jakarta.jms.BytesMessage;
import jakarta.jms.Connection;
import jakarta.jms.DeliveryMode;
import jakarta.jms.Message;
import jakarta.jms.MessageConsumer;
import jakarta.jms.MessageProducer;
import jakarta.jms.Queue;
import jakarta.jms.Session;
import jakarta.jms.Topic;
import io.meshmq.engine.journal.FailingFileChannel;
import org.junit.jupiter.api.Test;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.stream.Stream;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * The PAGE policy: messages beyond a queue's memory limit go to page files and come back in order as
 * consumers drain it, across restarts too.
 */
class PagingTest
{
    private static final int BODY = 1024;

    private static TestBroker start(final String address) throws Exception
    {
        return TestBroker.start(context -> context.addressSettings().set(address, "max-size-bytes", "20480"));
    }

    private static void send(final Session session, final MessageProducer producer, final int from, final int to,
        final int deliveryMode) throws Exception
    {
        for (int i = from; i < to; i++)
        {
            final BytesMessage message = session.createBytesMessage();
            message.writeBytes(new byte[BODY]);
            message.setIntProperty("n", i);
            producer.send(message, deliveryMode, 4, 0);
        }
    }

    private static List<Integer> receiveAll(final MessageConsumer consumer) throws Exception
    {
        final List<Integer> received = new ArrayList<>();
        Message message;
        while ((message = consumer.receive(1000)) != null)
        {
            received.add(message.getIntProperty("n"));
        }
        return received;
    }

    /**
     * Compares sequences saying only where they first differ: the lists are long.
     */
    private static void assertSequence(final List<Integer> expected, final List<Integer> actual, final String what)
    {
        for (int i = 0; i < Math.min(expected.size(), actual.size()); i++)
        {
            if (!expected.get(i).equals(actual.get(i)))
            {
                throw new AssertionError(what + ": at " + i + " expected " + expected.get(i) + " but got " + actual.get(i));
            }
        }
        assertEquals(expected.size(), actual.size(), what + ": how many");
    }

    private static List<Integer> range(final int from, final int to)
    {
        final List<Integer> numbers = new ArrayList<>();
        for (int i = from; i < to; i++)
        {
            numbers.add(i);
        }
        return numbers;
    }

    private static long pageFiles(final TestBroker broker)
    {
        final Path paging = broker.dataDir().resolve("paging");
        if (!Files.isDirectory(paging))
        {
            return 0;
        }
        try (Stream<Path> files = Files.walk(paging))
        {
            return files.filter(f -> f.getFileName().toString().endsWith(".mpg")).count();
        }
        catch (final IOException ex)
        {
            throw new UncheckedIOException(ex);
        }
    }

    @Test
    void shouldPageBeyondTheLimitAndDeliverEverythingInOrder() throws Exception
    {
        try (TestBroker broker = start("big");
            Connection connection = new MeshConnectionFactory(broker.tcpUrl()).createConnection();
            MeshAdmin admin = MeshAdmin.connect(broker.tcpUrl(), null, null))
        {
            final Session session = connection.createSession(false, Session.AUTO_ACKNOWLEDGE);
            final Queue queue = session.createQueue("big");
            send(session, session.createProducer(queue), 0, 500, DeliveryMode.PERSISTENT);
            assertEquals(500, admin.queue("big").messages(), "every message is counted, paged or not");
            assertTrue(pageFiles(broker) > 0, "most of them are in page files");
            connection.start();
            assertSequence(range(0, 500), receiveAll(session.createConsumer(queue)), "all, in order");
            Poll.until("page files deleted once read", 10_000, () -> pageFiles(broker) == 0);
        }
    }

    @Test
    void shouldKeepPagedPersistentMessagesAcrossARestart() throws Exception
    {
        try (TestBroker broker = start("kept"))
        {
            try (Connection connection = new MeshConnectionFactory(broker.tcpUrl()).createConnection())
            {
                final Session session = connection.createSession(false, Session.AUTO_ACKNOWLEDGE);
                final Queue queue = session.createQueue("kept");
                final MessageProducer producer = session.createProducer(queue);
                send(session, producer, 0, 300, DeliveryMode.PERSISTENT);
                send(session, producer, 300, 400, DeliveryMode.NON_PERSISTENT);
                send(session, producer, 400, 500, DeliveryMode.PERSISTENT);
                connection.start();
                final MessageConsumer consumer = session.createConsumer(queue);
                for (int i = 0; i < 100; i++)
                {
                    assertEquals(i, consumer.receive(5000).getIntProperty("n"));
                }
            }
            broker.restart();
            try (Connection connection = new MeshConnectionFactory(broker.tcpUrl()).createConnection())
            {
                connection.start();
                final Session session = connection.createSession(false, Session.AUTO_ACKNOWLEDGE);
                final List<Integer> expected = range(100, 300);
                expected.addAll(range(400, 500));
                assertSequence(expected, receiveAll(session.createConsumer(session.createQueue("kept"))),
                    "persistent messages once each, in order; non-persistent ones did not survive");
            }
            broker.restart();
            try (Connection connection = new MeshConnectionFactory(broker.tcpUrl()).createConnection())
            {
                connection.start();
                final Session session = connection.createSession(false, Session.AUTO_ACKNOWLEDGE);
                assertNull(session.createConsumer(session.createQueue("kept")).receive(200), "nothing comes back twice");
            }
        }
    }

    @Test
    void shouldPageEachSubscriptionOnItsOwn() throws Exception
    {
        try (TestBroker broker = start("prices");
            Connection connection = new MeshConnectionFactory(broker.tcpUrl() + "?clientID=pager").createConnection())
        {
            final Session session = connection.createSession(false, Session.AUTO_ACKNOWLEDGE);
            final Topic topic = session.createTopic("prices");
            final MessageConsumer fast = session.createDurableConsumer(topic, "fast");
            session.createDurableConsumer(topic, "slow").close();
            connection.start();
            final MessageProducer producer = session.createProducer(topic);
            final List<Integer> fastReceived = new ArrayList<>();
            for (int i = 0; i < 300; i++)
            {
                send(session, producer, i, i + 1, DeliveryMode.PERSISTENT);
                fastReceived.add(fast.receive(5000).getIntProperty("n"));
            }
            assertSequence(range(0, 300), fastReceived, "the fast subscription");
            assertTrue(pageFiles(broker) > 0, "the slow subscription pages");
            fast.close();
            assertSequence(range(0, 300), receiveAll(session.createDurableConsumer(topic, "slow")), "the paged subscription");
        }
    }

    @Test
    void shouldKeepReadingPagesBackWhenAForceFails() throws Exception
    {
        final AtomicBoolean failForce = new AtomicBoolean();
        try (TestBroker broker = TestBroker.start(context -> context
            .journalFileOpener(FailingFileChannel.opener(() -> false, failForce::get))
            .addressSettings().set("doubt", "max-size-bytes", "20480")))
        {
            try (Connection connection = new MeshConnectionFactory(broker.tcpUrl()).createConnection())
            {
                final Session session = connection.createSession(false, Session.AUTO_ACKNOWLEDGE);
                final Queue queue = session.createQueue("doubt");
                send(session, session.createProducer(queue), 0, 200, DeliveryMode.PERSISTENT);
                connection.start();
                final MessageConsumer consumer = session.createConsumer(queue);
                // Reading pages back while the journal's forces fail: the records saying so are in doubt, so
                // the read pages stay, and the broker goes on.
                failForce.set(true);
                for (int i = 0; i < 100; i++)
                {
                    assertEquals(i, consumer.receive(5000).getIntProperty("n"));
                }
                failForce.set(false);
                assertSequence(range(100, 200), receiveAll(consumer), "the rest, in order");
            }
            broker.restart();
            try (Connection connection = new MeshConnectionFactory(broker.tcpUrl()).createConnection())
            {
                connection.start();
                final Session session = connection.createSession(false, Session.AUTO_ACKNOWLEDGE);
                final List<Integer> again = receiveAll(session.createConsumer(session.createQueue("doubt")));
                assertTrue(again.size() <= 100, "acknowledgements in doubt may bring some back, never more: " + again.size());
            }
        }
    }

    @Test
    void shouldDropPagedMessagesWithAPurge() throws Exception
    {
        try (TestBroker broker = start("purged");
            Connection connection = new MeshConnectionFactory(broker.tcpUrl()).createConnection();
            MeshAdmin admin = MeshAdmin.connect(broker.tcpUrl(), null, null))
        {
            final Session session = connection.createSession(false, Session.AUTO_ACKNOWLEDGE);
            final Queue queue = session.createQueue("purged");
            send(session, session.createProducer(queue), 0, 200, DeliveryMode.PERSISTENT);
            assertEquals(200, admin.purgeQueue("purged"));
            assertEquals(0, pageFiles(broker));
            send(session, session.createProducer(queue), 200, 201, DeliveryMode.PERSISTENT);
            connection.start();
            assertEquals(List.of(200), receiveAll(session.createConsumer(queue)));
            assertNotNull(admin.queue("purged"));
        }
    }
}
