package io.meshmq.tck.replication;

import io.meshmq.jms.MeshConnectionFactory;
import io.meshmq.tck.crash.BrokerProcess;
import io.meshmq.tck.crash.SmallDisk;
import jakarta.jms.BytesMessage;
import jakarta.jms.Connection;
import jakarta.jms.DeliveryMode;
import jakarta.jms.JMSException;
import jakarta.jms.Message;
import jakarta.jms.MessageConsumer;
import jakarta.jms.MessageProducer;
import jakarta.jms.Session;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.ByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.fail;

/**
 * The backup's disk fills up (a small tmpfs the test mounts, so it needs root; CI runs as root) (issue 19): by default
 * the live confirms nothing more, and carries on by itself once space is freed on the backup, which copies anew; with
 * {@code ha.replica-fault = alone} it lets the backup go with a warning and confirms with its own disk alone. Either
 * way every confirmed message is there once, and nothing is confirmed that only the live holds without saying so.
 */
class ReplicaDiskFullTest
{
    private static final int BIG = 64 * 1024;
    /** 2.5 MiB: the live rolls to new 1 MiB journal segments, which the backup must make too. */
    private static final int BIG_MESSAGES = 40;
    private static final long DEADLINE_MS = 60_000;

    @TempDir
    Path dir;
    private SmallDisk smallDisk;
    private Path disk;

    @BeforeEach
    void mountSmallDisk() throws Exception
    {
        smallDisk = SmallDisk.mount(dir.resolve("disk"), "40m");
        disk = smallDisk.path();
    }

    @AfterEach
    void unmount() throws Exception
    {
        if (smallDisk != null)
        {
            smallDisk.close();
        }
    }

    @Test
    void shouldConfirmNothingWhileTheBackupCannotStoreAndCarryOnOnceItCan() throws Exception
    {
        try (BrokerProcess live = startLive();
            BrokerProcess backup = startBackup(live))
        {
            HaSupport.awaitStatus(live, "replica backup (in sync)", "127.0.0.1:" + live.port());
            sendBig(live.url(), 0, 5);

            final Path filler = fill();
            final CompletableFuture<Void> held = CompletableFuture.runAsync(() -> sendBigQuietly(live.url(), 5,
                BIG_MESSAGES));
            HaSupport.awaitStatus(live, "cannot store", "127.0.0.1:" + live.port());
            assertThrows(TimeoutException.class, () -> held.get(1_500, TimeUnit.MILLISECONDS),
                "sends were confirmed while the backup could not store them:\n" + live.recentOutput());
            assertFalse(live.linesContaining("ha.replica-fault = wait").isEmpty(), live.recentOutput());

            Files.delete(filler);
            held.get(DEADLINE_MS, TimeUnit.MILLISECONDS);
            HaSupport.awaitStatus(live, "replica backup (in sync)", "127.0.0.1:" + live.port());
            assertFalse(backup.linesContaining("can store again").isEmpty(), backup.recentOutput());
            assertEveryBigMessageOnce(live.url(), 5 + BIG_MESSAGES);
        }
    }

    @Test
    void shouldGoOnAloneWithAWarningWhenConfiguredTo() throws Exception
    {
        try (BrokerProcess live = startLive("ha.replica-fault = alone");
            BrokerProcess backup = startBackup(live))
        {
            HaSupport.awaitStatus(live, "replica backup (in sync)", "127.0.0.1:" + live.port());
            final Path filler = fill();
            sendBig(live.url(), 0, BIG_MESSAGES);
            assertFalse(live.linesContaining("ha.replica-fault = alone: this node goes on without a replica").isEmpty(),
                live.recentOutput());
            assertFalse(live.linesContaining("stored on this node only").isEmpty(), live.recentOutput());

            Files.delete(filler);
            HaSupport.awaitStatus(live, "replica backup (in sync)", "127.0.0.1:" + live.port());
            sendBig(live.url(), BIG_MESSAGES, 5);
            assertEveryBigMessageOnce(live.url(), BIG_MESSAGES + 5);
        }
    }

    // ---- processes and messages -------------------------------------------------------------------------------

    private BrokerProcess startLive(final String... more) throws Exception
    {
        final String[] settings = new String[more.length + 2];
        settings[0] = "cluster = ha";
        settings[1] = "journal.segment-size = 1048576";
        System.arraycopy(more, 0, settings, 2, more.length);
        return BrokerProcess.startNode(dir.resolve("live"), "live", 0, settings);
    }

    private BrokerProcess startBackup(final BrokerProcess live) throws Exception
    {
        return BrokerProcess.startNode(disk.resolve("backup"), "backup", 0, "cluster = ha", "ha.role = backup",
            "ha.live = 127.0.0.1:" + live.port());
    }

    /**
     * @return a file that takes every byte the small disk had left.
     */
    private Path fill() throws IOException
    {
        final Path filler = disk.resolve("filler");
        try (FileChannel file = FileChannel.open(filler, StandardOpenOption.CREATE_NEW, StandardOpenOption.WRITE))
        {
            final ByteBuffer chunk = ByteBuffer.allocate(64 * 1024);
            for (int i = 0; i < 1_000; i++)
            {
                chunk.clear();
                file.write(chunk);
            }
            fail("a 40 MB disk took 64 MB");
        }
        catch (final IOException full)
        {
            if (!String.valueOf(full.getMessage()).contains("space"))
            {
                throw full;
            }
        }
        return filler;
    }

    private static void sendBigQuietly(final String url, final int from, final int count)
    {
        try
        {
            sendBig(url, from, count);
        }
        catch (final JMSException ex)
        {
            throw new UncheckedIOException(new IOException(ex));
        }
    }

    private static void sendBig(final String url, final int from, final int count) throws JMSException
    {
        try (Connection connection = new MeshConnectionFactory(url + "?callTimeout=120000").createConnection())
        {
            final Session session = connection.createSession(false, Session.AUTO_ACKNOWLEDGE);
            final MessageProducer producer = session.createProducer(session.createQueue("big"));
            producer.setDeliveryMode(DeliveryMode.PERSISTENT);
            for (int i = from; i < from + count; i++)
            {
                final BytesMessage message = session.createBytesMessage();
                message.writeBytes(new byte[BIG]);
                message.setIntProperty("seq", i);
                producer.send(message);
            }
        }
    }

    private static void assertEveryBigMessageOnce(final String url, final int count) throws JMSException
    {
        try (Connection connection = new MeshConnectionFactory(url).createConnection())
        {
            connection.start();
            final Session session = connection.createSession(false, Session.AUTO_ACKNOWLEDGE);
            final MessageConsumer consumer = session.createConsumer(session.createQueue("big"));
            for (int i = 0; i < count; i++)
            {
                final Message message = consumer.receive(DEADLINE_MS);
                if (message == null)
                {
                    fail("message " + i + " of " + count + " is missing");
                }
                assertEquals(i, message.getIntProperty("seq"));
            }
            assertNull(consumer.receive(500), "more messages than were sent");
        }
    }
}
