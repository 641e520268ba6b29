package io.meshmq.tck.crash;

import io.meshmq.jms.MeshConnectionFactory;
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

import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * A broker whose disk fills up (a small tmpfs the test mounts, so it needs root) refuses new persistent messages
 * saying why, still stores acknowledgements, so consuming frees the disk and it takes messages again by itself, and
 * never brings back what was acknowledged.
 */
class FullDiskTest
{
    private static final String QUEUE = "full-disk";
    private static final int BODY = 16 * 1024;

    @TempDir
    Path workDir;

    private SmallDisk smallDisk;
    private Path disk;

    @BeforeEach
    void mountSmallDisk() throws Exception
    {
        smallDisk = SmallDisk.mount(workDir.resolve("disk"), "24m");
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
    void shouldRefuseSendsOnAFullDiskYetStoreAcknowledgementsAndTakeSendsAgainOnceConsumingFreedIt() throws Exception
    {
        final Path data = disk.resolve("broker");
        final int stored;
        try (BrokerProcess broker = BrokerProcess.start(data, "journal.segment-size = 1048576"))
        {
            final String url = broker.url();
            stored = fill(url);
            assertTrue(stored > 100, "the disk took " + stored + " messages before it was full");
            assertEquals(stored, consume(url, stored).size(), "every stored message is consumed, acknowledged");
            final long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(30);
            String refusal = "";
            while (true)
            {
                try
                {
                    send(url, "after");
                    break;
                }
                catch (final JMSException ex)
                {
                    refusal = ex.getMessage();
                }
                assertTrue(System.nanoTime() < deadline, "sends are still refused 30 s after consuming: " + refusal);
                Thread.sleep(50);
            }
            broker.kill();
        }
        try (BrokerProcess broker = BrokerProcess.start(data, "journal.segment-size = 1048576"))
        {
            final List<String> after = consume(broker.url(), 1);
            assertEquals(List.of("after"), after, "nothing acknowledged came back after the restart");
        }
    }

    /**
     * Sends persistent messages until the broker refuses one because the disk is full.
     *
     * @return how many it stored.
     */
    private static int fill(final String url) throws Exception
    {
        try (Connection connection = new MeshConnectionFactory(url).createConnection())
        {
            final Session session = connection.createSession(false, Session.AUTO_ACKNOWLEDGE);
            final MessageProducer producer = session.createProducer(session.createQueue(QUEUE));
            producer.setDeliveryMode(DeliveryMode.PERSISTENT);
            for (int i = 0; i < 10_000; i++)
            {
                try
                {
                    producer.send(session.createTextMessage("x".repeat(BODY)));
                }
                catch (final JMSException ex)
                {
                    assertTrue(ex.getMessage().contains("disk is full"), "refused saying why: " + ex.getMessage());
                    return i;
                }
            }
        }
        throw new AssertionError("24 MiB took 10,000 messages of 16 KiB");
    }

    private static void send(final String url, final String text) throws JMSException
    {
        try (Connection connection = new MeshConnectionFactory(url).createConnection())
        {
            final Session session = connection.createSession(false, Session.AUTO_ACKNOWLEDGE);
            session.createProducer(session.createQueue(QUEUE)).send(session.createTextMessage(text));
        }
    }

    /**
     * Receives {@code count} messages, acknowledging every 50 (CLIENT_ACKNOWLEDGE waits for the broker), and
     * checks none follows.
     */
    private static List<String> consume(final String url, final int count) throws JMSException
    {
        final List<String> texts = new ArrayList<>();
        try (Connection connection = new MeshConnectionFactory(url).createConnection())
        {
            connection.start();
            final Session session = connection.createSession(false, Session.CLIENT_ACKNOWLEDGE);
            final MessageConsumer consumer = session.createConsumer(session.createQueue(QUEUE));
            for (int i = 0; i < count; i++)
            {
                final Message message = consumer.receive(10_000);
                assertNotNull(message, "message " + i + " of " + count);
                final String text = message.getBody(String.class);
                texts.add(text.length() > 10 ? "x" : text);
                if (i % 50 == 49 || i == count - 1)
                {
                    message.acknowledge();
                }
            }
            assertNull(consumer.receive(200), "no more than " + count);
        }
        return texts;
    }
}
