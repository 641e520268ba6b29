package io.meshmq.engine;

import io.meshmq.jms.MeshConnectionFactory;
import io.meshmq.protocol.AdminTable;
import io.meshmq.protocol.AdminVerbs;
import jakarta.jms.BytesMessage;
import jakarta.jms.Connection;
import jakarta.jms.MessageConsumer;
import jakarta.jms.MessageProducer;
import jakarta.jms.Session;
import org.junit.jupiter.api.Test;

import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicReference;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * A queue's producers are held while its consumers fall behind ({@code producer-hold-bytes}, PAGE policy, no memory
 * limit reached), over TCP with the real client: held only when the queue has consumers, never for long when they
 * take nothing, and every message delivered once, in order.
 */
class ProducerHoldTest
{
    private static final int COUNT = 2_000;
    private static final String LEVEL = String.valueOf(64 * 1024);
    private static final int PER_COMMIT = 16;

    @Test
    void shouldHoldAProducerWhileItsQueuesConsumerFallsBehindButNotStopIt() throws Exception
    {
        withBroker(LEVEL, (broker, producing, consuming) ->
        {
            final MessageConsumer consumer = consumer(consuming);
            // The consumer takes nothing while the producer sends: holding the producer gains nothing, so each hold
            // ends after a stretch and the producer goes on (it would wait for ever under the BLOCK policy).
            final boolean held = sendWatched(producing, "orders");
            assertTrue(held, "the producer was never held, with " + COUNT + " KiB waiting for a consumer");
            assertTrue(producerHolds(broker) > 1, "held, let go after a stretch, held again: " + producerHolds(broker));

            receiveAll(consumer);
        });
    }

    @Test
    void shouldHoldATransactedProducerWhoseCommitsFillTheQueue() throws Exception
    {
        withBroker(LEVEL, (broker, producing, consuming) ->
        {
            final MessageConsumer consumer = consumer(consuming);
            // Its messages reach the queue only when it commits: the commit must start a hold as a send does.
            assertTrue(sendWatched(producing, "orders", true), "the transacted producer was never held");
            assertTrue(producerHolds(broker) > 1, "held by its commits more than once: " + producerHolds(broker));

            receiveAll(consumer);
        });
    }

    @Test
    void shouldNotHoldTheProducerOfAQueueWithoutConsumers() throws Exception
    {
        withBroker(LEVEL, (broker, producing, consuming) ->
        {
            assertFalse(sendWatched(producing, "orders"), "held, with nobody to take from the queue");
            assertEquals(0, producerHolds(broker));

            receiveAll(consumer(consuming));
        });
    }

    @Test
    void shouldNotHoldWhenTurnedOff() throws Exception
    {
        withBroker("-1", (broker, producing, consuming) ->
        {
            final MessageConsumer consumer = consumer(consuming);
            assertFalse(sendWatched(producing, "orders"), "held, with producer-hold-bytes = -1");
            assertEquals(0, producerHolds(broker));
            receiveAll(consumer);
        });
    }

    private interface Scenario
    {
        void run(TestBroker broker, Connection producing, Connection consuming) throws Exception;
    }

    /**
     * Runs the scenario against a broker whose queue "orders" has the producer-hold-bytes given, with a connection for
     * its producer and one for its consumer.
     */
    private static void withBroker(final String holdBytes, final Scenario scenario) throws Exception
    {
        try (TestBroker broker = TestBroker.start(context -> context.addressSettings()
                .set("orders", "producer-hold-bytes", holdBytes));
            Connection producing = new MeshConnectionFactory(broker.tcpUrl()).createConnection();
            Connection consuming = new MeshConnectionFactory(broker.tcpUrl()).createConnection())
        {
            scenario.run(broker, producing, consuming);
        }
    }

    /**
     * @return a consumer of "orders", its connection started.
     */
    private static MessageConsumer consumer(final Connection connection) throws Exception
    {
        final Session session = connection.createSession(false, Session.AUTO_ACKNOWLEDGE);
        final MessageConsumer consumer = session.createConsumer(session.createQueue("orders"));
        connection.start();
        return consumer;
    }

    /**
     * Sends {@link #COUNT} persistent messages of 1 KiB from another thread, looking at that thread's stack all the
     * while. Persistent: each send waits for its confirmation, which comes after the broker's word to wait, so the
     * producer is seen to wait at once (non-persistent sends are stopped only once the word arrives, and megabytes of
     * them can be on their way by then).
     *
     * @return whether it was seen waiting because the broker held it.
     */
    private static boolean sendWatched(final Connection connection, final String queue) throws Exception
    {
        return sendWatched(connection, queue, false);
    }

    /**
     * As {@link #sendWatched(Connection, String)}; {@code transacted}: in a transacted session that commits every
     * {@link #PER_COMMIT} messages.
     */
    private static boolean sendWatched(final Connection connection, final String queue, final boolean transacted)
        throws Exception
    {
        final Session session = connection.createSession(transacted, transacted ? Session.SESSION_TRANSACTED :
            Session.AUTO_ACKNOWLEDGE);
        final MessageProducer producer = session.createProducer(session.createQueue(queue));
        final AtomicReference<Exception> failure = new AtomicReference<>();
        final Thread sender = new Thread(() ->
        {
            try
            {
                for (int i = 0; i < COUNT; i++)
                {
                    final BytesMessage message = session.createBytesMessage();
                    message.writeBytes(new byte[1024]);
                    message.setIntProperty("n", i);
                    producer.send(message);
                    if (transacted && (i + 1) % PER_COMMIT == 0)
                    {
                        session.commit();
                    }
                }
                if (transacted)
                {
                    session.commit();
                }
            }
            catch (final Exception ex)
            {
                failure.set(ex);
            }
        }, "watched-producer");
        sender.start();
        boolean held = false;
        final long deadline = System.nanoTime() + 30_000_000_000L;
        while (sender.isAlive() && System.nanoTime() < deadline)
        {
            held |= HeldSenders.waitsForRoom(sender);
            Thread.yield();
        }
        assertFalse(sender.isAlive(), "the producer did not finish within 30 s");
        assertNull(failure.get());
        return held;
    }

    /**
     * @return the queue's producer-holds, as the admin verbs (and so metrics and JMX) see it.
     */
    private static long producerHolds(final TestBroker broker) throws Exception
    {
        final AdminTable queues = broker.broker().admin(AdminVerbs.QUEUE_LIST).get(10, TimeUnit.SECONDS);
        for (int row = 0; row < queues.rows().size(); row++)
        {
            if (queues.value(row, "name").equals("orders"))
            {
                return (Long)queues.value(row, "producer-holds");
            }
        }
        throw new AssertionError("no queue 'orders' in " + queues.rows());
    }

    private static void receiveAll(final MessageConsumer consumer) throws Exception
    {
        for (int i = 0; i < COUNT; i++)
        {
            final jakarta.jms.Message received = consumer.receive(5000);
            assertNotNull(received, "message " + i);
            assertEquals(i, received.getIntProperty("n"), "in order, none lost or twice");
        }
        assertNull(consumer.receiveNoWait(), "nothing more");
    }
}
