package io.meshmq.tck.replication;

import io.meshmq.engine.Broker;
import io.meshmq.engine.BrokerContext;
import io.meshmq.engine.mirror.DirectoryMirror;
import io.meshmq.jms.MeshConnectionFactory;
import jakarta.jms.Connection;
import jakarta.jms.DeliveryMode;
import jakarta.jms.Message;
import jakarta.jms.MessageConsumer;
import jakarta.jms.MessageProducer;
import jakarta.jms.Session;
import jakarta.jms.TextMessage;
import jakarta.jms.Topic;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.stream.Stream;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * The seam replication stands on (issue 19): a broker tells a {@link io.meshmq.engine.mirror.DataMirror} every
 * durable change to its data directory, and a replica making them ({@link DirectoryMirror}) holds what the broker
 * holds. Here the mirror is a directory beside the broker's; after work that rolls and deletes journal segments,
 * commits and rolls back, keeps a durable subscription and pages a queue to disk, the mirror holds the same files,
 * byte for byte, and a broker started on it has the same messages as one restarted on the original.
 */
class MirroredDataTest
{
    private static final int SEGMENT_SIZE = 64 * 1024;
    private static final String CLIENT_ID = "mirror-test";

    @TempDir
    Path dir;

    @Test
    void shouldHoldWhatTheBrokerHoldsFileForFileAndMessageForMessage() throws Exception
    {
        final Path original = dir.resolve("original");
        final Path mirror = dir.resolve("mirror");
        try (DirectoryMirror mirrored = new DirectoryMirror(original, mirror);
            Broker broker = Broker.start(context(original).dataMirror(mirrored)))
        {
            work(broker.url());
        }
        assertEquals(files(original), files(mirror), "the mirror's files");

        final Map<String, List<String>> fromMirror = drain(mirror);
        final Map<String, List<String>> fromOriginal = drain(original);
        assertEquals(fromOriginal, fromMirror);
        assertEquals(1_000, fromOriginal.get("orders").size(), fromOriginal.keySet().toString());
        assertEquals(400, fromOriginal.get("paged").size());
        assertEquals(200, fromOriginal.get("subscription").size());
        assertEquals(80, fromOriginal.get("tx").size());
    }

    private static BrokerContext context(final Path data)
    {
        final BrokerContext context = new BrokerContext().port(0).dataDir(data).ioThreads(1).vmId(null)
            .journalSegmentSize(SEGMENT_SIZE);
        context.addressSettings().set("paged", "max-size-bytes", "20000");
        return context;
    }

    /**
     * Rolls and deletes segments (3,000 messages of 1 KiB, 2,000 consumed), commits and rolls back, keeps a durable
     * subscription's messages and pages a queue.
     */
    private static void work(final String url) throws Exception
    {
        try (Connection connection = new MeshConnectionFactory(url).createConnection())
        {
            connection.setClientID(CLIENT_ID);
            connection.start();
            final Session session = connection.createSession(false, Session.AUTO_ACKNOWLEDGE);
            final Topic prices = session.createTopic("prices");
            session.createDurableConsumer(prices, "subscription").close();
            send(session, "orders", 3_000, DeliveryMode.PERSISTENT);
            send(session, "orders", 100, DeliveryMode.NON_PERSISTENT);
            receive(session, "orders", 2_000);
            send(session, "paged", 500, DeliveryMode.PERSISTENT);
            receive(session, "paged", 100);
            final MessageProducer publisher = session.createProducer(prices);
            for (int i = 0; i < 200; i++)
            {
                publisher.send(numbered(session, i));
            }

            final Session transacted = connection.createSession(true, Session.SESSION_TRANSACTED);
            final MessageProducer tx = transacted.createProducer(transacted.createQueue("tx"));
            for (int i = 0; i < 150; i++)
            {
                tx.send(numbered(transacted, i));
                if (i == 99)
                {
                    transacted.commit();
                }
            }
            transacted.rollback();
            final MessageConsumer txConsumer = transacted.createConsumer(transacted.createQueue("tx"));
            for (int i = 0; i < 20; i++)
            {
                assertTrue(txConsumer.receive(10_000) != null);
            }
            transacted.commit();
        }
    }

    private static void send(final Session session, final String queue, final int count, final int deliveryMode)
        throws Exception
    {
        final MessageProducer producer = session.createProducer(session.createQueue(queue));
        producer.setDeliveryMode(deliveryMode);
        for (int i = 0; i < count; i++)
        {
            producer.send(numbered(session, i));
        }
    }

    private static TextMessage numbered(final Session session, final int i) throws Exception
    {
        final TextMessage message = session.createTextMessage(i + " " + "x".repeat(1_000));
        message.setIntProperty("seq", i);
        return message;
    }

    private static void receive(final Session session, final String queue, final int count) throws Exception
    {
        try (MessageConsumer consumer = session.createConsumer(session.createQueue(queue)))
        {
            for (int i = 0; i < count; i++)
            {
                assertTrue(consumer.receive(10_000) != null, queue + ": message " + i + " of " + count);
            }
        }
    }

    /**
     * @return every queue's messages (their numbers), as a broker started on {@code data} has them.
     */
    private static Map<String, List<String>> drain(final Path data) throws Exception
    {
        final Map<String, List<String>> found = new TreeMap<>();
        try (Broker broker = Broker.start(context(data));
            Connection connection = new MeshConnectionFactory(broker.url()).createConnection())
        {
            connection.setClientID(CLIENT_ID);
            connection.start();
            final Session session = connection.createSession(false, Session.AUTO_ACKNOWLEDGE);
            for (final String queue : List.of("orders", "paged", "tx"))
            {
                found.put(queue, drain(session.createConsumer(session.createQueue(queue))));
            }
            found.put("subscription", drain(session.createDurableConsumer(session.createTopic("prices"), "subscription")));
        }
        return found;
    }

    private static List<String> drain(final MessageConsumer consumer) throws Exception
    {
        final List<String> numbers = new ArrayList<>();
        for (Message message = consumer.receive(2_000); message != null; message = consumer.receive(500))
        {
            numbers.add(message.getIntProperty("seq") + (message.getJMSRedelivered() ? "r" : ""));
        }
        consumer.close();
        return numbers;
    }

    /**
     * @return every file under {@code root} but the lock, by its path under the root, with a digest of its bytes.
     */
    private static Map<String, String> files(final Path root) throws IOException
    {
        final Map<String, String> files = new TreeMap<>();
        try (Stream<Path> walk = Files.walk(root))
        {
            for (final Path file : (Iterable<Path>)walk::iterator)
            {
                if (Files.isRegularFile(file) && !file.getFileName().toString().equals("broker.lock"))
                {
                    final byte[] bytes = Files.readAllBytes(file);
                    files.put(root.relativize(file).toString(), bytes.length + " bytes, hash " + Arrays.hashCode(bytes));
                }
            }
        }
        return files;
    }
}
