package io.meshmq.tck.bridge;

import io.meshmq.admin.MeshAdmin;
import io.meshmq.jms.MeshConnectionFactory;
import io.meshmq.protocol.AdminTable;
import io.meshmq.tck.FreePorts;
import io.meshmq.tck.crash.BrokerProcess;
import jakarta.jms.Connection;
import jakarta.jms.DeliveryMode;
import jakarta.jms.JMSException;
import jakarta.jms.Message;
import jakarta.jms.MessageConsumer;
import jakarta.jms.MessageProducer;
import jakarta.jms.Session;
import jakarta.jms.TextMessage;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import java.util.function.BooleanSupplier;
import java.util.function.Supplier;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * Core bridges between two standalone broker processes (issue 21): every message arrives once while the target and
 * then the source are killed with SIGKILL under load; a filter passes only what it matches; a message the target
 * refuses lands in the source's dead-letter queue with the reason and the bridge goes on; a bridge made at run time
 * is kept across a restart until deleted.
 */
class CoreBridgeTest
{
    private static final long DEADLINE_MS = 60_000;

    @TempDir
    Path dir;

    @Test
    void shouldForwardEveryMessageOnceWhileTheTargetAndThenTheSourceAreKilled() throws Exception
    {
        final int targetPort = FreePorts.next();
        final int sourcePort = FreePorts.next();
        final String[] bridge = {"bridge.out.source-queue = outbox",
            "bridge.out.target-url = tcp://127.0.0.1:" + targetPort, "bridge.out.target-address = inbox",
            "bridge.out.retry-interval = 100", "bridge.out.max-retry-interval = 400"};
        BrokerProcess target = BrokerProcess.startNode(dir.resolve("target"), "target", targetPort);
        BrokerProcess source = BrokerProcess.startNode(dir.resolve("source"), "source", sourcePort, bridge);
        try
        {
            send(source.url(), "outbox", 0, 1_000, null);
            final String firstTarget = target.url();
            await(() -> depth(firstTarget, "inbox") > 100, () -> "the bridge to forward some");
            target.kill();
            send(source.url(), "outbox", 1_000, 1_000, null);
            target = BrokerProcess.startNode(dir.resolve("target"), "target", targetPort);
            final String targetUrl = target.url();
            await(() -> depth(targetUrl, "inbox") > 1_200, () -> "the bridge to forward again");
            source.kill();
            source = BrokerProcess.startNode(dir.resolve("source"), "source", sourcePort, bridge);
            send(source.url(), "outbox", 2_000, 1_000, null);

            final Map<String, Integer> received = receiveAll(target.url(), "inbox", 3_000);
            final List<String> doubled = new ArrayList<>();
            received.forEach((text, times) ->
            {
                if (times > 1)
                {
                    doubled.add(text + " x" + times);
                }
            });
            assertEquals(List.of(), doubled, "delivered more than once");
            assertEquals(3_000, received.size());
            assertEquals(0, depth(source.url(), "outbox"));
        }
        finally
        {
            source.close();
            target.close();
        }
    }

    @Test
    void shouldFilterDeadLetterRefusalsAndKeepARunTimeBridgeUntilDeleted() throws Exception
    {
        final int sourcePort = FreePorts.next();
        try (BrokerProcess target = BrokerProcess.startNode(dir.resolve("target"), "target", 0, "auto-create = false",
            "queues = eu"))
        {
            final String url = "tcp://127.0.0.1:" + target.port();
            final String[] bridges = {"bridge.eu.source-queue = orders", "bridge.eu.target-url = " + url,
                "bridge.eu.target-address = eu", "bridge.eu.filter = region = 'eu'",
                "bridge.lost.source-queue = lost", "bridge.lost.target-url = " + url,
                "bridge.lost.target-address = nowhere"};
            BrokerProcess source = BrokerProcess.startNode(dir.resolve("source"), "source", sourcePort, bridges);
            try
            {
                send(source.url(), "orders", 0, 10, "eu");
                send(source.url(), "orders", 10, 10, "us");
                assertEquals(10, receiveAll(target.url(), "eu", 10).size());
                final String sourceUrl = source.url();
                await(() -> depth(sourceUrl, "orders") == 10, () -> "the us orders to stay on the source");

                send(source.url(), "lost", 0, 3, null);
                final List<Message> dead = receive(source.url(), "DLQ", 3);
                for (final Message message : dead)
                {
                    final String reason = message.getStringProperty("JMS_MeshMQ_DeadLetterReason");
                    assertTrue(reason != null && reason.contains("bridge 'lost'") && reason.contains("refused it"),
                        "reason: " + reason);
                }
                final AdminTable status = admin(source.url(), "bridge.status");
                assertEquals(3L, cell(status, "lost", "dead-lettered"), status.rows().toString());
                assertEquals(10L, cell(status, "eu", "forwarded"), status.rows().toString());
                assertEquals(10L, cell(status, "eu", "backlog"), "the us orders wait: " + status.rows());

                admin(source.url(), "bridge.create", "later", "source-queue=later", "target-url=" + url,
                    "target-address=eu");
                send(source.url(), "later", 100, 5, null);
                assertEquals(5, receiveAll(target.url(), "eu", 5).size());
                source.close();
                source = BrokerProcess.startNode(dir.resolve("source"), "source", sourcePort, bridges);
                assertEquals("bridge create", cell(admin(source.url(), "bridge.list"), "later", "defined"),
                    "kept across the restart");
                send(source.url(), "later", 200, 5, null);
                assertEquals(5, receiveAll(target.url(), "eu", 5).size());
                admin(source.url(), "bridge.delete", "later");
                source.close();
                source = BrokerProcess.startNode(dir.resolve("source"), "source", sourcePort, bridges);
                assertNull(cell(admin(source.url(), "bridge.list"), "later", "defined"), "deleted for good");
            }
            finally
            {
                source.close();
            }
        }
    }

    private static void send(final String url, final String queue, final int from, final int count,
        final String region) throws JMSException
    {
        try (Connection connection = new MeshConnectionFactory(url).createConnection())
        {
            final Session session = connection.createSession(false, Session.AUTO_ACKNOWLEDGE);
            final MessageProducer producer = session.createProducer(session.createQueue(queue));
            producer.setDeliveryMode(DeliveryMode.PERSISTENT);
            for (int i = from; i < from + count; i++)
            {
                final TextMessage message = session.createTextMessage("m-" + i);
                if (region != null)
                {
                    message.setStringProperty("region", region);
                }
                producer.send(message);
            }
        }
    }

    /**
     * Receives until {@code expected} distinct messages came, then a little longer for doubles.
     *
     * @return how often each text arrived.
     */
    private static Map<String, Integer> receiveAll(final String url, final String queue, final int expected)
        throws JMSException
    {
        final Map<String, Integer> received = new HashMap<>();
        try (Connection connection = new MeshConnectionFactory(url).createConnection())
        {
            final Session session = connection.createSession(false, Session.AUTO_ACKNOWLEDGE);
            final MessageConsumer consumer = session.createConsumer(session.createQueue(queue));
            connection.start();
            final long deadline = System.nanoTime() + TimeUnit.MILLISECONDS.toNanos(DEADLINE_MS);
            while (received.size() < expected && System.nanoTime() < deadline)
            {
                final Message message = consumer.receive(1_000);
                if (message != null)
                {
                    received.merge(((TextMessage)message).getText(), 1, Integer::sum);
                }
            }
            assertEquals(expected, received.size(), "distinct messages on " + queue + " within " + DEADLINE_MS + " ms");
            for (Message late = consumer.receive(500); late != null; late = consumer.receive(500))
            {
                received.merge(((TextMessage)late).getText(), 1, Integer::sum);
            }
        }
        return received;
    }

    private static List<Message> receive(final String url, final String queue, final int count) throws JMSException
    {
        final List<Message> messages = new ArrayList<>();
        try (Connection connection = new MeshConnectionFactory(url).createConnection())
        {
            final Session session = connection.createSession(false, Session.AUTO_ACKNOWLEDGE);
            final MessageConsumer consumer = session.createConsumer(session.createQueue(queue));
            connection.start();
            for (int i = 0; i < count; i++)
            {
                final Message message = consumer.receive(DEADLINE_MS);
                assertNotNull(message, "message " + (i + 1) + " of " + count + " on " + queue);
                messages.add(message);
            }
        }
        return messages;
    }

    private static long depth(final String url, final String queue)
    {
        try (MeshAdmin admin = MeshAdmin.connect(url, null, null))
        {
            return admin.queues().stream().filter(q -> q.name().equals(queue)).mapToLong(MeshAdmin.QueueInfo::messages)
                .sum();
        }
        catch (final JMSException ex)
        {
            return -1;
        }
    }

    private static AdminTable admin(final String url, final String verb, final String... args) throws JMSException
    {
        try (MeshAdmin admin = MeshAdmin.connect(url, null, null))
        {
            return admin.call(verb, args);
        }
    }

    private static Object cell(final AdminTable table, final String bridge, final String column)
    {
        for (int r = 0; r < table.rows().size(); r++)
        {
            if (bridge.equals(table.value(r, "bridge")))
            {
                return table.value(r, column);
            }
        }
        return null;
    }

    private static void await(final BooleanSupplier condition, final Supplier<String> what) throws InterruptedException
    {
        final long deadline = System.nanoTime() + TimeUnit.MILLISECONDS.toNanos(DEADLINE_MS);
        while (!condition.getAsBoolean())
        {
            if (System.nanoTime() > deadline)
            {
                throw new AssertionError("not within " + DEADLINE_MS + " ms: " + what.get());
            }
            Thread.sleep(20);
        }
    }
}
