package io.meshmq.tck.crash;

import io.meshmq.admin.MeshAdmin;
import io.meshmq.engine.journal.JournalRecordDescriptor;
import io.meshmq.jms.MeshConnectionFactory;
import jakarta.jms.CompletionListener;
import jakarta.jms.Connection;
import jakarta.jms.DeliveryMode;
import jakarta.jms.JMSException;
import jakarta.jms.Message;
import jakarta.jms.MessageConsumer;
import jakarta.jms.MessageProducer;
import jakarta.jms.Queue;
import jakarta.jms.Session;
import jakarta.jms.TextMessage;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.channels.FileChannel;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Random;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.Semaphore;
import java.util.concurrent.TimeUnit;
import java.util.function.BooleanSupplier;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assertions.fail;

/**
 * The journal's promise, proven the hard way: a broker process is killed with SIGKILL while clients work,
 * another is started on the same data directory, and every persistent message the first one confirmed is
 * there, once; a message whose confirmation never came may or may not be. Kill points are random (the seed
 * is in the failure message) but bounded by what the clients have done, never by a sleep.
 */
class CrashRecoveryTest
{
    private static final int ROUNDS = 3;
    private static final int MAX_MESSAGES = 20_000;
    private static final String QUEUE = "crash";

    @TempDir
    Path workDir;

    private final long seed = System.nanoTime();
    private final Random random = new Random(seed);

    @Test
    void shouldKeepEveryConfirmedSynchronousSend() throws Exception
    {
        for (int round = 0; round < ROUNDS; round++)
        {
            final Path data = workDir.resolve("sync-" + round);
            final Set<Integer> confirmed = ConcurrentHashMap.newKeySet();
            final int killAfter = 100 + random.nextInt(1500);
            try (BrokerProcess broker = BrokerProcess.start(data))
            {
                final Thread producer = produce(broker.url(), (session, producerOf, i) ->
                {
                    producerOf.send(message(session, i));
                    confirmed.add(i);
                });
                await("confirmed sends reach " + killAfter, () -> confirmed.size() >= killAfter || !producer.isAlive());
                broker.kill();
                producer.join(30_000);
            }
            assertAllThereOnce(data, confirmed, "round " + round + ", killed after " + killAfter + " confirmed sends");
        }
    }

    @Test
    void shouldKeepEveryConfirmedAsynchronousSend() throws Exception
    {
        for (int round = 0; round < ROUNDS; round++)
        {
            final Path data = workDir.resolve("async-" + round);
            final Set<Integer> confirmed = ConcurrentHashMap.newKeySet();
            final int killAfter = 500 + random.nextInt(4000);
            final Semaphore window = new Semaphore(500);
            try (BrokerProcess broker = BrokerProcess.start(data))
            {
                final Thread producer = produce(broker.url(), (session, producerOf, i) ->
                {
                    if (!window.tryAcquire(30, TimeUnit.SECONDS))
                    {
                        throw new JMSException("no completion within 30 s");
                    }
                    producerOf.send(message(session, i), new CompletionListener()
                    {
                        @Override
                        public void onCompletion(final Message message)
                        {
                            confirmed.add(i);
                            window.release();
                        }

                        @Override
                        public void onException(final Message message, final Exception exception)
                        {
                            window.release();
                        }
                    });
                });
                await("confirmed sends reach " + killAfter, () -> confirmed.size() >= killAfter || !producer.isAlive());
                broker.kill();
                producer.join(30_000);
            }
            assertAllThereOnce(data, confirmed, "round " + round + ", killed after " + killAfter + " confirmed async sends");
        }
    }

    @Test
    void shouldKeepCommittedTransactionsWhole() throws Exception
    {
        final int batch = 10;
        for (int round = 0; round < ROUNDS; round++)
        {
            final Path data = workDir.resolve("tx-" + round);
            final Set<Integer> confirmed = ConcurrentHashMap.newKeySet();
            final int killAfter = 100 + random.nextInt(1500);
            try (BrokerProcess broker = BrokerProcess.start(data))
            {
                final Thread producer = new Thread(() ->
                {
                    try (Connection connection = new MeshConnectionFactory(broker.url()).createConnection())
                    {
                        final Session session = connection.createSession(true, Session.SESSION_TRANSACTED);
                        final MessageProducer producerOf = session.createProducer(session.createQueue(QUEUE));
                        for (int i = 0; i < MAX_MESSAGES; i += batch)
                        {
                            for (int j = i; j < i + batch; j++)
                            {
                                producerOf.send(message(session, j));
                            }
                            session.commit();
                            for (int j = i; j < i + batch; j++)
                            {
                                confirmed.add(j);
                            }
                        }
                    }
                    catch (final JMSException expected)
                    {
                        // the broker died
                    }
                }, "tx-producer");
                producer.start();
                await("committed sends reach " + killAfter, () -> confirmed.size() >= killAfter || !producer.isAlive());
                broker.kill();
                producer.join(30_000);
            }
            final String context = "round " + round + ", killed after " + killAfter + " committed sends";
            final List<Integer> received = assertAllThereOnce(data, confirmed, context);
            final Set<Integer> receivedSet = new HashSet<>(received);
            for (final int id : received)
            {
                final int first = id - id % batch;
                for (int j = first; j < first + batch; j++)
                {
                    assertTrue(receivedSet.contains(j), "transaction " + first + ".." + (first + batch - 1) +
                        " came back in part: " + id + " without " + j + " (" + context + ", seed " + seed + ")");
                }
            }
        }
    }

    @Test
    void shouldNeverBringBackWhatAConsumerAcknowledged() throws Exception
    {
        for (int round = 0; round < ROUNDS; round++)
        {
            final Path data = workDir.resolve("ack-" + round);
            final int total = 3000;
            final Set<Integer> sent = new HashSet<>();
            final Set<Integer> acknowledged = ConcurrentHashMap.newKeySet();
            // Acknowledgements sent whose answer may not have come: the broker may have them or not.
            final Set<Integer> attempted = ConcurrentHashMap.newKeySet();
            final int killAfter = 100 + random.nextInt(2000);
            try (BrokerProcess broker = BrokerProcess.start(data))
            {
                try (Connection connection = new MeshConnectionFactory(broker.url()).createConnection())
                {
                    final Session session = connection.createSession(false, Session.AUTO_ACKNOWLEDGE);
                    final MessageProducer producer = session.createProducer(session.createQueue(QUEUE));
                    for (int i = 0; i < total; i++)
                    {
                        producer.send(message(session, i));
                        sent.add(i);
                    }
                }
                final Thread consumer = new Thread(() ->
                {
                    try (Connection connection = new MeshConnectionFactory(broker.url()).createConnection())
                    {
                        connection.start();
                        final Session session = connection.createSession(false, Session.CLIENT_ACKNOWLEDGE);
                        final MessageConsumer from = session.createConsumer(session.createQueue(QUEUE));
                        for (int i = 0; i < total; i++)
                        {
                            final Message message = from.receive(30_000);
                            if (message == null)
                            {
                                return;
                            }
                            attempted.add(message.getIntProperty("id"));
                            message.acknowledge();
                            acknowledged.add(message.getIntProperty("id"));
                        }
                    }
                    catch (final JMSException expected)
                    {
                        // the broker died
                    }
                }, "acknowledging-consumer");
                consumer.start();
                await("acknowledged reach " + killAfter, () -> acknowledged.size() >= killAfter || !consumer.isAlive());
                broker.kill();
                consumer.join(30_000);
            }
            final String context = "round " + round + ", killed after " + killAfter + " acknowledgements, seed " + seed;
            try (BrokerProcess broker = BrokerProcess.start(data))
            {
                final List<Integer> remaining = drain(broker.url());
                for (final int id : remaining)
                {
                    assertTrue(!acknowledged.contains(id), "acknowledged message " + id + " came back (" + context + ")");
                }
                final Set<Integer> missing = new HashSet<>(sent);
                missing.removeAll(remaining);
                missing.removeAll(attempted);
                assertTrue(missing.isEmpty(), "lost without being acknowledged: " + missing.stream().limit(10).toList() +
                    " (" + context + ")");
                assertEquals(remaining.size(), new HashSet<>(remaining).size(), "no duplicates (" + context + ")");
            }
        }
    }

    @Test
    void shouldKeepDurableSubscriptionsAndScheduledMessagesThroughAKill() throws Exception
    {
        final Path data = workDir.resolve("durable");
        try (BrokerProcess broker = BrokerProcess.start(data))
        {
            try (Connection connection = new MeshConnectionFactory(broker.url()).createConnection())
            {
                connection.setClientID("survivor");
                final Session session = connection.createSession(false, Session.AUTO_ACKNOWLEDGE);
                session.createDurableSubscriber(session.createTopic("events"), "all").close();
                final MessageProducer publisher = session.createProducer(session.createTopic("events"));
                for (int i = 0; i < 50; i++)
                {
                    publisher.send(message(session, i));
                }
                final MessageProducer later = session.createProducer(session.createQueue("later"));
                later.setDeliveryDelay(1000);
                later.send(session.createTextMessage("delayed"));
            }
            broker.kill();
        }
        try (BrokerProcess broker = BrokerProcess.start(data);
            Connection connection = new MeshConnectionFactory(broker.url()).createConnection())
        {
            connection.setClientID("survivor");
            connection.start();
            final Session session = connection.createSession(false, Session.AUTO_ACKNOWLEDGE);
            final MessageConsumer subscriber = session.createDurableSubscriber(session.createTopic("events"), "all");
            for (int i = 0; i < 50; i++)
            {
                final Message message = subscriber.receive(10_000);
                assertNotNull(message, "published message " + i);
                assertEquals(i, message.getIntProperty("id"));
            }
            assertNull(subscriber.receiveNoWait());
            final TextMessage delayed = (TextMessage)session.createConsumer(session.createQueue("later")).receive(10_000);
            assertEquals("delayed", delayed.getText());
        }
    }

    @Test
    void shouldRefuseToStartWithoutAJournalSegmentNamingItAndLoseNothingOnceItIsBack() throws Exception
    {
        final Path data = workDir.resolve("missing-segment");
        final Set<Integer> confirmed = sendNumberedAndKill(data);
        final List<Path> segments = journalSegments(data);
        assertTrue(segments.size() >= 2, "400 messages fill more than one 64 KiB segment: " + segments);
        for (final Path lost : List.of(segments.get(0), segments.get(segments.size() / 2)))
        {
            final Path aside = workDir.resolve("aside.mjl");
            Files.move(lost, aside);
            final IllegalStateException refused = assertThrows(IllegalStateException.class,
                () -> BrokerProcess.start(data, "journal.segment-size = 65536"));
            assertTrue(refused.getMessage().contains(lost.getFileName().toString()) &&
                refused.getMessage().contains("missing"), refused.getMessage());
            Files.move(aside, lost);
        }
        assertAllThereOnce(data, confirmed, "every segment back");
    }

    @Test
    void shouldRefuseToStartWithItsLastSegmentCutShortOrItsLastConfirmedRecordDamaged() throws Exception
    {
        final Path data = workDir.resolve("damaged-tail");
        final Set<Integer> confirmed = sendNumberedAndKill(data);
        final List<Path> segments = journalSegments(data);
        final Path last = segments.get(segments.size() - 1);
        final byte[] whole = Files.readAllBytes(last);
        final int lastRecord = lastRecordBeforeForcedMark(whole);

        try (FileChannel channel = FileChannel.open(last, StandardOpenOption.WRITE))
        {
            channel.truncate(lastRecord);
        }
        IllegalStateException refused = assertThrows(IllegalStateException.class,
            () -> BrokerProcess.start(data, "journal.segment-size = 65536"));
        assertTrue(refused.getMessage().contains("cut short"), refused.getMessage());

        final byte[] flipped = whole.clone();
        flipped[lastRecord + 20] ^= 0x5A;
        Files.write(last, flipped);
        refused = assertThrows(IllegalStateException.class, () -> BrokerProcess.start(data, "journal.segment-size = 65536"));
        assertTrue(refused.getMessage().contains("offset " + lastRecord), refused.getMessage());

        Files.write(last, whole);
        assertAllThereOnce(data, confirmed, "the segment whole again");
    }

    /**
     * Sends 400 numbered persistent messages, each confirmed, to a broker with 64 KiB journal segments, and kills it.
     */
    private static Set<Integer> sendNumberedAndKill(final Path data) throws Exception
    {
        final Set<Integer> confirmed = ConcurrentHashMap.newKeySet();
        try (BrokerProcess broker = BrokerProcess.start(data, "journal.segment-size = 65536"))
        {
            try (Connection connection = new MeshConnectionFactory(broker.url()).createConnection())
            {
                final Session session = connection.createSession(false, Session.AUTO_ACKNOWLEDGE);
                final jakarta.jms.MessageProducer producer = session.createProducer(session.createQueue(QUEUE));
                for (int i = 0; i < 400; i++)
                {
                    producer.send(message(session, i));
                    confirmed.add(i);
                }
            }
        }
        return confirmed;
    }

    private static List<Path> journalSegments(final Path data) throws IOException
    {
        try (var files = Files.list(data.resolve("journal")))
        {
            return files.filter(f -> f.toString().endsWith(".mjl")).sorted().toList();
        }
    }

    /**
     * @return the offset of the last record of the segment that is not a FORCED mark (the last confirmed one).
     */
    private static int lastRecordBeforeForcedMark(final byte[] segment)
    {
        final ByteBuffer bytes = ByteBuffer.wrap(segment).order(ByteOrder.LITTLE_ENDIAN);
        int position = JournalRecordDescriptor.SEGMENT_HEADER_LENGTH;
        int last = -1;
        while (position + JournalRecordDescriptor.RECORD_HEADER_LENGTH <= segment.length && bytes.getInt(position) != 0)
        {
            if (segment[position + JournalRecordDescriptor.TYPE_OFFSET] != JournalRecordDescriptor.FORCED)
            {
                last = position;
            }
            position += JournalRecordDescriptor.alignedLength(bytes.getInt(position));
        }
        assertTrue(last > 0, "the segment has records");
        return last;
    }

    // ---- helpers ----------------------------------------------------------------------------------------

    @FunctionalInterface
    private interface Send
    {
        void send(Session session, MessageProducer producer, int id) throws Exception;
    }

    /**
     * Sends persistent messages 0, 1, 2, ... until the broker dies (or {@link #MAX_MESSAGES}).
     */
    private static Thread produce(final String url, final Send send)
    {
        final Thread producer = new Thread(() ->
        {
            try (Connection connection = new MeshConnectionFactory(url).createConnection())
            {
                final Session session = connection.createSession(false, Session.AUTO_ACKNOWLEDGE);
                final MessageProducer producerOf = session.createProducer(session.createQueue(QUEUE));
                producerOf.setDeliveryMode(DeliveryMode.PERSISTENT);
                for (int i = 0; i < MAX_MESSAGES; i++)
                {
                    send.send(session, producerOf, i);
                }
            }
            catch (final Exception expected)
            {
                // the broker died
            }
        }, "producer");
        producer.start();
        return producer;
    }

    private static Message message(final Session session, final int id) throws JMSException
    {
        final TextMessage message = session.createTextMessage("message " + id + " " + "x".repeat(200));
        message.setIntProperty("id", id);
        return message;
    }

    /**
     * Starts a broker on the data directory and checks that each confirmed message is there exactly once and
     * nothing is there twice.
     *
     * @return the ids received, in order.
     */
    private List<Integer> assertAllThereOnce(final Path data, final Set<Integer> confirmed, final String context)
        throws Exception
    {
        try (BrokerProcess broker = BrokerProcess.start(data))
        {
            final List<Integer> received = drain(broker.url());
            final Set<Integer> unique = new HashSet<>(received);
            assertEquals(received.size(), unique.size(), "duplicates after the crash (" + context + ", seed " + seed + ")");
            final Set<Integer> lost = new HashSet<>(confirmed);
            lost.removeAll(unique);
            if (!lost.isEmpty())
            {
                fail(lost.size() + " confirmed messages lost, e.g. " + lost.stream().limit(10).toList() + " (" + context +
                    ", " + confirmed.size() + " confirmed, " + received.size() + " received, seed " + seed + ")");
            }
            return received;
        }
    }

    /**
     * Receives everything the queue holds, as many as the broker says it has.
     */
    private static List<Integer> drain(final String url) throws Exception
    {
        final long depth;
        try (MeshAdmin admin = MeshAdmin.connect(url, null, null))
        {
            final MeshAdmin.QueueInfo info = admin.queue(QUEUE);
            depth = info == null ? 0 : info.messages() + info.scheduled();
        }
        final List<Integer> ids = new ArrayList<>();
        try (Connection connection = new MeshConnectionFactory(url).createConnection())
        {
            connection.start();
            final Session session = connection.createSession(false, Session.AUTO_ACKNOWLEDGE);
            final Queue queue = session.createQueue(QUEUE);
            final MessageConsumer consumer = session.createConsumer(queue);
            for (long i = 0; i < depth; i++)
            {
                final Message message = consumer.receive(10_000);
                assertNotNull(message, "message " + i + " of the " + depth + " the broker reported");
                ids.add(message.getIntProperty("id"));
            }
            assertNull(consumer.receiveNoWait(), "more than the broker reported");
        }
        return ids;
    }

    private static void await(final String what, final BooleanSupplier condition) throws InterruptedException
    {
        final long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(60);
        while (!condition.getAsBoolean())
        {
            if (System.nanoTime() > deadline)
            {
                throw new AssertionError("timed out after 60 s waiting for " + what);
            }
            Thread.sleep(1);
        }
    }
}
