package io.meshmq.tck.crash;

import io.meshmq.jms.MeshConnectionFactory;
import jakarta.jms.BytesMessage;
import jakarta.jms.Connection;
import jakarta.jms.Message;
import jakarta.jms.MessageConsumer;
import jakarta.jms.MessageProducer;
import jakarta.jms.ResourceAllocationException;
import jakarta.jms.Session;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.nio.file.Path;
import java.util.List;
import java.util.Set;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * A broker with a 64 MiB heap offered twice its heap in messages. By default it pages what does not fit, and
 * after a kill -9 and a restart (with the same heap) every message comes back in order. Under the FAIL policy
 * it refuses sends at its global limit (half the heap) instead of running out of memory.
 */
class SmallHeapTest
{
    private static final String HEAP = "64m";
    /**
     * The paging test's broker runs on Netty's epoll instead of the default NIO, so the build also runs the transport
     * users may choose on Linux ({@code -Dmeshmq.transport.native=true}).
     */
    private static final List<String> SMALL_HEAP_ON_EPOLL = List.of("-Xmx" + HEAP, "-Dmeshmq.transport.native=true");
    private static final int BODY = 64 * 1024;
    /** 128 MiB: twice the heap. */
    private static final int OFFERED = 2048;

    @TempDir
    Path workDir;

    private static BytesMessage message(final Session session, final int n) throws Exception
    {
        final BytesMessage message = session.createBytesMessage();
        message.writeBytes(new byte[BODY]);
        message.setIntProperty("n", n);
        return message;
    }

    @Test
    void shouldPageABacklogTwiceTheHeapAndDrainItInOrderAfterAKill() throws Exception
    {
        final Path data = workDir.resolve("paged");
        try (BrokerProcess broker = BrokerProcess.startWithJvmOptions(data, SMALL_HEAP_ON_EPOLL);
            Connection connection = new MeshConnectionFactory(broker.url()).createConnection())
        {
            // The broker's class path carries Netty's epoll library for these platforms; elsewhere it stays on NIO.
            final boolean epoll = System.getProperty("os.name").equals("Linux") &&
                Set.of("amd64", "aarch64").contains(System.getProperty("os.arch"));
            assertTrue(broker.recentOutput().contains(epoll ? "(epoll, started in" : "(nio, started in"),
                broker.recentOutput());
            final Session session = connection.createSession(false, Session.AUTO_ACKNOWLEDGE);
            final MessageProducer producer = session.createProducer(session.createQueue("backlog"));
            for (int i = 0; i < OFFERED; i++)
            {
                producer.send(message(session, i));
            }
            broker.kill();
        }
        catch (final jakarta.jms.JMSException closingAfterTheKill)
        {
            // the connection's close cannot reach a killed broker
        }
        try (BrokerProcess broker = BrokerProcess.startWithJvmOptions(data, SMALL_HEAP_ON_EPOLL);
            Connection connection = new MeshConnectionFactory(broker.url()).createConnection())
        {
            connection.start();
            final Session session = connection.createSession(false, Session.AUTO_ACKNOWLEDGE);
            final MessageConsumer consumer = session.createConsumer(session.createQueue("backlog"));
            for (int i = 0; i < OFFERED; i++)
            {
                final Message message = consumer.receive(10_000);
                if (message == null)
                {
                    throw new AssertionError("message " + i + " of " + OFFERED + " did not arrive within 10 s; the broker " +
                        "has " + queueState(broker.url()) + " and said:\n" + broker.recentOutput());
                }
                assertEquals(i, message.getIntProperty("n"), "in order");
            }
            assertNull(consumer.receive(100), "each once");
        }
    }

    private static String queueState(final String url)
    {
        try (io.meshmq.admin.MeshAdmin admin = io.meshmq.admin.MeshAdmin.connect(url, null, null))
        {
            return admin.queue("backlog").toString();
        }
        catch (final Exception ex)
        {
            return "(no queue state: " + ex + ")";
        }
    }

    @Test
    void shouldRefuseSendsAtItsLimitUnderTheFailPolicy() throws Exception
    {
        try (BrokerProcess broker = BrokerProcess.startWithHeap(workDir.resolve("fail"), HEAP,
                "address.*.address-full-policy = FAIL");
            Connection connection = new MeshConnectionFactory(broker.url()).createConnection())
        {
            final Session session = connection.createSession(false, Session.AUTO_ACKNOWLEDGE);
            final MessageProducer producer = session.createProducer(session.createQueue("backlog"));
            int accepted = 0;
            String refusal = null;
            while (accepted < OFFERED && refusal == null)
            {
                try
                {
                    producer.send(message(session, accepted));
                    accepted++;
                }
                catch (final ResourceAllocationException full)
                {
                    refusal = full.getMessage();
                }
            }
            assertNotNull(refusal, "the broker took " + accepted + " messages of 64 KiB without refusing");
            assertTrue(refusal.contains("global-max-size"), refusal);
            final long acceptedBytes = (long)accepted * BODY;
            assertTrue(acceptedBytes > 16L << 20 && acceptedBytes <= 40L << 20,
                "refused at about half of the 64 MiB heap, not after " + (acceptedBytes >> 20) + " MiB");

            connection.start();
            final MessageConsumer consumer = session.createConsumer(session.createQueue("backlog"));
            for (int i = 0; i < accepted; i++)
            {
                final Message message = consumer.receive(10_000);
                assertNotNull(message, "message " + i + " of " + accepted);
                assertEquals(i, message.getIntProperty("n"), "in order");
            }
            assertNull(consumer.receive(100));
            producer.send(message(session, accepted));
            assertNotNull(consumer.receive(10_000), "drained, it takes messages again");
        }
    }

    /**
     * Messages of 1 MiB are humongous objects to G1: each takes two 1 MiB regions. Counted at their bytes, a backlog of
     * them would take twice the heap the limit allows and run it out before paging starts (issue 17, item 5): counted
     * at what the heap pays, they page in time and all come back in order.
     */
    @Test
    void shouldPageMessagesOfAMebibyteBeforeTheHeapRunsOut() throws Exception
    {
        final int body = 1024 * 1024;
        final int offered = 160;
        try (BrokerProcess broker = BrokerProcess.startWithHeap(workDir.resolve("large"), "128m");
            Connection connection = new MeshConnectionFactory(broker.url()).createConnection())
        {
            final Session session = connection.createSession(false, Session.AUTO_ACKNOWLEDGE);
            final MessageProducer producer = session.createProducer(session.createQueue("large"));
            for (int i = 0; i < offered; i++)
            {
                final BytesMessage message = session.createBytesMessage();
                message.writeBytes(new byte[body]);
                message.setIntProperty("n", i);
                producer.send(message);
            }
            connection.start();
            final MessageConsumer consumer = session.createConsumer(session.createQueue("large"));
            for (int i = 0; i < offered; i++)
            {
                final Message message = consumer.receive(10_000);
                assertNotNull(message, "message " + i + " of " + offered + "; the broker said: " + broker.recentOutput());
                assertEquals(i, message.getIntProperty("n"));
            }
            assertTrue(broker.isAlive(), broker.recentOutput());
            assertFalse(broker.recentOutput().contains("OutOfMemoryError"), broker.recentOutput());
        }
    }
}
