package io.meshmq.tck.replication;

import io.meshmq.cluster.BackupNode;
import io.meshmq.cluster.link.ReplicaLink;
import io.meshmq.engine.Broker;
import io.meshmq.engine.BrokerContext;
import io.meshmq.jms.MeshConnectionFactory;
import jakarta.jms.Connection;
import jakarta.jms.DeliveryMode;
import jakarta.jms.Message;
import jakarta.jms.MessageConsumer;
import jakarta.jms.MessageProducer;
import jakarta.jms.Session;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.Map;
import java.util.TreeMap;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import java.util.stream.Stream;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotNull;

/**
 * The copy a live makes for its backup while it works (issue 19): slices of files interleave with journal writes,
 * segment rolls and deletions, and once the work stops the backup's copy is the live's data directory, file for file
 * and byte for byte — the copy missed nothing and resurrected nothing.
 */
class ReplicaCopyTest
{
    private static final long DEADLINE_MS = 30_000;

    @TempDir
    Path dir;

    @Test
    void shouldEndUpHoldingTheLivesFilesByteForByte() throws Exception
    {
        final Path liveData = dir.resolve("live");
        final Path copy = dir.resolve("backup").resolve(ReplicaLink.REPLICA);
        try (Broker live = Broker.start(new BrokerContext().name("live").port(0).dataDir(liveData).ioThreads(1).vmId(null)
            .clusterName("copy").journalSegmentSize(64 * 1024)))
        {
            final MeshConnectionFactory factory = new MeshConnectionFactory(live.url());
            try (Connection connection = factory.createConnection())
            {
                connection.start();
                final Session session = connection.createSession(false, Session.CLIENT_ACKNOWLEDGE);
                final MessageProducer producer = session.createProducer(session.createQueue("q"));
                producer.setDeliveryMode(DeliveryMode.PERSISTENT);
                final MessageConsumer consumer = session.createConsumer(session.createQueue("q"));
                send(session, producer, 0, 1_000);
                final CompletableFuture<Void> working = CompletableFuture.runAsync(() -> work(factory));
                try (BackupNode backup = BackupNode.start(new BrokerContext().name("backup").dataDir(dir.resolve("backup"))
                    .haLive("127.0.0.1:" + live.port())))
                {
                    for (int i = 0; i < 1_000; i++)
                    {
                        final Message message = consumer.receive(DEADLINE_MS);
                        assertNotNull(message, "message " + i);
                        message.acknowledge();
                    }
                    working.get(DEADLINE_MS * 2, TimeUnit.MILLISECONDS);
                    final long deadline = System.currentTimeMillis() + DEADLINE_MS;
                    Map<String, String> liveFiles = files(liveData);
                    Map<String, String> copied = files(copy);
                    while (!liveFiles.equals(copied) && System.currentTimeMillis() < deadline)
                    {
                        Thread.sleep(50);
                        liveFiles = files(liveData);
                        copied = files(copy);
                    }
                    assertEquals(liveFiles, copied, "the backup's copy");
                }
            }
        }
    }

    /**
     * Sends and consumes on a connection of its own while the copy is made: 4,000 sends, 2,000 acknowledged.
     */
    private static void work(final MeshConnectionFactory factory)
    {
        try (Connection connection = factory.createConnection())
        {
            connection.start();
            final Session session = connection.createSession(false, Session.CLIENT_ACKNOWLEDGE);
            final MessageProducer producer = session.createProducer(session.createQueue("other"));
            producer.setDeliveryMode(DeliveryMode.PERSISTENT);
            final MessageConsumer consumer = session.createConsumer(session.createQueue("other"));
            for (int round = 0; round < 4; round++)
            {
                send(session, producer, round * 1_000, 1_000);
                for (int i = 0; i < 500; i++)
                {
                    consumer.receive(DEADLINE_MS).acknowledge();
                }
            }
        }
        catch (final Exception ex)
        {
            throw new IllegalStateException(ex);
        }
    }

    private static void send(final Session session, final MessageProducer producer, final int from, final int count)
        throws Exception
    {
        for (int i = from; i < from + count; i++)
        {
            final Message message = session.createTextMessage(i + " " + "x".repeat(1_000));
            message.setIntProperty("seq", i);
            producer.send(message);
        }
    }

    /**
     * @return every file under {@code root} but the ones each side keeps for itself (locks, the copy's marker), by
     * its path under the root, with its size and a digest of its bytes.
     */
    private static Map<String, String> files(final Path root) throws IOException
    {
        final Map<String, String> files = new TreeMap<>();
        try (Stream<Path> walk = Files.walk(root))
        {
            for (final Path file : (Iterable<Path>)walk::iterator)
            {
                final String name = file.getFileName().toString();
                if (Files.isRegularFile(file) && !name.equals("broker.lock") && !name.equals(ReplicaLink.SYNCED))
                {
                    final byte[] bytes = Files.readAllBytes(file);
                    files.put(root.relativize(file).toString(), bytes.length + " bytes, hash " + Arrays.hashCode(bytes));
                }
            }
        }
        catch (final java.io.UncheckedIOException | java.nio.file.NoSuchFileException ex)
        {
            // A file went between listing and reading it: the next look sees the directory as it is then.
            files.put("(changing)", ex.toString());
        }
        return files;
    }
}
