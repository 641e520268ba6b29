package io.meshmq.tck.replication;

import io.meshmq.admin.MeshAdmin;
import io.meshmq.cluster.link.ReplicaLink;
import io.meshmq.jms.MeshConnectionFactory;
import io.meshmq.protocol.AdminVerbs;
import io.meshmq.tck.crash.BrokerProcess;
import jakarta.jms.Connection;
import jakarta.jms.DeliveryMode;
import jakarta.jms.Message;
import jakarta.jms.MessageConsumer;
import jakarta.jms.MessageProducer;
import jakarta.jms.Session;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * A live and its backup as real processes (issue 19): the backup copies the live's data directory, including what
 * was stored before it came, then keeps it in sync; while it is in sync every confirmation waits for it, so after
 * kill -9 of the live (and of the backup) a broker started on the backup's copy has every message the live confirmed,
 * once each, in order.
 */
class ReplicationTest
{
    private static final int BEFORE_BACKUP = 500;
    private static final int AFTER_BACKUP = 1_500;
    private static final long DEADLINE_MS = 30_000;
    private static final int PAGED = 300;

    @TempDir
    Path dir;

    @Test
    void shouldKeepEveryConfirmedMessageOnTheBackupAcrossTheLivesDeath() throws Exception
    {
        final Path copy = dir.resolve("backup").resolve(ReplicaLink.REPLICA);
        try (BrokerProcess live = BrokerProcess.startNode(dir.resolve("live"), "live", 0, "cluster = ha"))
        {
            final MeshConnectionFactory factory = new MeshConnectionFactory(live.url());
            try (Connection connection = factory.createConnection())
            {
                final Session session = connection.createSession(false, Session.AUTO_ACKNOWLEDGE);
                final MessageProducer producer = session.createProducer(session.createQueue("orders"));
                producer.setDeliveryMode(DeliveryMode.PERSISTENT);
                send(session, producer, 0, BEFORE_BACKUP);

                try (BrokerProcess backup = BrokerProcess.startNode(dir.resolve("backup"), "backup", 0, "cluster = ha",
                    "ha.role = backup", "ha.live = 127.0.0.1:" + live.port()))
                {
                    awaitFile(copy.resolve(ReplicaLink.SYNCED), live, backup);
                    assertTrue(status(live).contains("replica backup (in sync)"), status(live));

                    // While the backup cannot store, nothing is confirmed.
                    backup.pause();
                    final CompletableFuture<Void> held = CompletableFuture.runAsync(() -> sendQuietly(factory, "held"));
                    assertThrows(TimeoutException.class, () -> held.get(1_500, TimeUnit.MILLISECONDS),
                        "a persistent send was confirmed while its live's backup was stopped");
                    backup.resume();
                    held.get(DEADLINE_MS, TimeUnit.MILLISECONDS);

                    send(session, producer, BEFORE_BACKUP, AFTER_BACKUP);
                    live.kill();
                    backup.kill();
                }
            }
        }
        assertTrue(Files.exists(copy.resolve(ReplicaLink.SYNCED)));
        try (BrokerProcess takenOver = BrokerProcess.startNode(copy, "taken-over", 0);
            Connection connection = new MeshConnectionFactory(takenOver.url()).createConnection())
        {
            connection.start();
            final Session session = connection.createSession(false, Session.AUTO_ACKNOWLEDGE);
            final MessageConsumer orders = session.createConsumer(session.createQueue("orders"));
            for (int i = 0; i < BEFORE_BACKUP + AFTER_BACKUP; i++)
            {
                final Message message = orders.receive(DEADLINE_MS);
                assertNotNull(message, "confirmed message " + i + " is not on the backup's copy");
                assertEquals(i, message.getIntProperty("seq"));
            }
            assertNull(orders.receive(500), "the copy holds more than was sent");
            final MessageConsumer held = session.createConsumer(session.createQueue("held"));
            assertNotNull(held.receive(DEADLINE_MS), "the send held while the backup was stopped");
        }
    }

    /**
     * The copy is made while the live works: sends, and acknowledgements that let 64 KiB segments go, interleave with
     * the slices of the copy, and the backup still ends up holding exactly what the live confirmed.
     */
    @Test
    void shouldCopyWhileTheLiveSendsAndDeletesSegments() throws Exception
    {
        final int total = 4_000;
        final int consumed = 1_500;
        final Path copy = dir.resolve("backup").resolve(ReplicaLink.REPLICA);
        try (BrokerProcess live = BrokerProcess.startNode(dir.resolve("live"), "live", 0, "cluster = ha",
            "journal.segment-size = 65536", "address.paged.max-size-bytes = 20000"))
        {
            final MeshConnectionFactory factory = new MeshConnectionFactory(live.url());
            try (Connection connection = factory.createConnection())
            {
                connection.start();
                final Session session = connection.createSession(false, Session.AUTO_ACKNOWLEDGE);
                final MessageProducer producer = session.createProducer(session.createQueue("orders"));
                producer.setDeliveryMode(DeliveryMode.PERSISTENT);
                send(session, producer, 0, 1_000);
                final CompletableFuture<Void> sending = CompletableFuture.runAsync(() -> sendQuietly(factory, 1_000,
                    total - 1_000));
                final Session acking = connection.createSession(false, Session.CLIENT_ACKNOWLEDGE);
                final MessageConsumer consumer = acking.createConsumer(acking.createQueue("orders"));
                try (BrokerProcess backup = BrokerProcess.startNode(dir.resolve("backup"), "backup", 0, "cluster = ha",
                    "ha.role = backup", "ha.live = 127.0.0.1:" + live.port()))
                {
                    for (int i = 0; i < consumed; i++)
                    {
                        final Message message = consumer.receive(DEADLINE_MS);
                        assertNotNull(message, "message " + i);
                        assertEquals(i, message.getIntProperty("seq"));
                        message.acknowledge();
                    }
                    sending.get(DEADLINE_MS * 2, TimeUnit.MILLISECONDS);
                    awaitFile(copy.resolve(ReplicaLink.SYNCED), live, backup);
                    // Beyond its memory limit a queue pages: its page files are replicated too.
                    final MessageProducer paged = session.createProducer(session.createQueue("paged"));
                    paged.setDeliveryMode(DeliveryMode.PERSISTENT);
                    send(session, paged, 0, PAGED);
                    // One more, confirmed only once the backup stored it: everything before it is there too.
                    send(session, producer, total, 1);
                    live.kill();
                    backup.kill();
                }
            }
        }
        try (BrokerProcess takenOver = BrokerProcess.startNode(copy, "taken-over", 0);
            Connection connection = new MeshConnectionFactory(takenOver.url()).createConnection())
        {
            connection.start();
            final Session session = connection.createSession(false, Session.AUTO_ACKNOWLEDGE);
            final MessageConsumer orders = session.createConsumer(session.createQueue("orders"));
            for (int i = consumed; i <= total; i++)
            {
                final Message message = orders.receive(DEADLINE_MS);
                assertNotNull(message, "confirmed message " + i + " is not on the backup's copy");
                assertEquals(i, message.getIntProperty("seq"), "acknowledged messages came back, or one is missing");
            }
            assertNull(orders.receive(500), "the copy holds more than was sent");
            final MessageConsumer paged = session.createConsumer(session.createQueue("paged"));
            for (int i = 0; i < PAGED; i++)
            {
                final Message message = paged.receive(DEADLINE_MS);
                assertNotNull(message, "paged message " + i + " is not on the backup's copy");
                assertEquals(i, message.getIntProperty("seq"));
            }
        }
    }

    /**
     * @return what {@code cluster status} says of the node itself.
     */
    private static String status(final BrokerProcess node) throws Exception
    {
        try (MeshAdmin admin = MeshAdmin.connect(node.url(), null, null))
        {
            return String.valueOf(admin.call(AdminVerbs.CLUSTER_STATUS).value(0, "state"));
        }
    }

    private static void send(final Session session, final MessageProducer producer, final int from, final int count)
        throws Exception
    {
        for (int i = from; i < from + count; i++)
        {
            final Message message = session.createTextMessage("order " + i);
            message.setIntProperty("seq", i);
            producer.send(message);
        }
    }

    private static void sendQuietly(final MeshConnectionFactory factory, final int from, final int count)
    {
        try (Connection connection = factory.createConnection())
        {
            final Session session = connection.createSession(false, Session.AUTO_ACKNOWLEDGE);
            final MessageProducer producer = session.createProducer(session.createQueue("orders"));
            producer.setDeliveryMode(DeliveryMode.PERSISTENT);
            send(session, producer, from, count);
        }
        catch (final Exception ex)
        {
            throw new IllegalStateException(ex);
        }
    }

    private static void sendQuietly(final MeshConnectionFactory factory, final String queue)
    {
        try (Connection connection = factory.createConnection())
        {
            final Session session = connection.createSession(false, Session.AUTO_ACKNOWLEDGE);
            session.createProducer(session.createQueue(queue)).send(session.createTextMessage("held"));
        }
        catch (final Exception ex)
        {
            throw new IllegalStateException(ex);
        }
    }

    private static void awaitFile(final Path file, final BrokerProcess live, final BrokerProcess backup)
        throws InterruptedException
    {
        final long deadline = System.currentTimeMillis() + DEADLINE_MS;
        while (!Files.exists(file))
        {
            assertTrue(System.currentTimeMillis() < deadline, file + " did not appear; the live said:\n" +
                live.recentOutput() + "\nthe backup said:\n" + backup.recentOutput());
            Thread.sleep(20);
        }
    }
}
