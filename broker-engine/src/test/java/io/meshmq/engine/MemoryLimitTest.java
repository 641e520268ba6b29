package io.meshmq.engine;

import io.meshmq.jms.MeshConnectionFactory;
import jakarta.jms.BytesMessage;
import jakarta.jms.Connection;
import jakarta.jms.DeliveryMode;
import jakarta.jms.MessageConsumer;
import jakarta.jms.MessageProducer;
import jakarta.jms.Queue;
import jakarta.jms.ResourceAllocationException;
import jakarta.jms.Session;
import jakarta.jms.Topic;
import org.junit.jupiter.api.Test;

import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicReference;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * Memory limits under the FAIL policy: a full address, or a full broker, refuses sends with a
 * ResourceAllocationException saying which limit, and takes them again once consumers drain it.
 */
class MemoryLimitTest
{
    private static final int BODY = 1024;

    private static BytesMessage message(final Session session) throws Exception
    {
        final BytesMessage message = session.createBytesMessage();
        message.writeBytes(new byte[BODY]);
        return message;
    }

    /**
     * @return how many sends succeeded before the first refusal (which must come within {@code bound}).
     */
    private static int fill(final Session session, final MessageProducer producer, final int bound) throws Exception
    {
        for (int i = 0; i < bound; i++)
        {
            try
            {
                producer.send(message(session));
            }
            catch (final ResourceAllocationException full)
            {
                return i;
            }
        }
        throw new AssertionError("no refusal within " + bound + " sends");
    }

    @Test
    void shouldRefuseSendsToAFullQueueUntilItDrains() throws Exception
    {
        try (TestBroker broker = TestBroker.start(context -> context.addressSettings()
            .set("small", "max-size-bytes", "10240").set("small", "address-full-policy", "FAIL"));
            Connection connection = new MeshConnectionFactory(broker.tcpUrl()).createConnection())
        {
            connection.start();
            final Session session = connection.createSession(false, Session.AUTO_ACKNOWLEDGE);
            final Queue small = session.createQueue("small");
            final MessageProducer producer = session.createProducer(small);
            final int accepted = fill(session, producer, 100);
            assertTrue(accepted >= 7 && accepted <= 10, "about 10 KiB of 1 KiB messages, not " + accepted);
            final ResourceAllocationException refused = assertThrows(ResourceAllocationException.class,
                () -> producer.send(message(session)));
            assertTrue(refused.getMessage().contains("address 'small' is full") &&
                refused.getMessage().contains("max-size-bytes is 10240"), refused.getMessage());
            session.createProducer(session.createQueue("other")).send(message(session));

            final Session transacted = connection.createSession(true, Session.SESSION_TRANSACTED);
            final MessageProducer inTransaction = transacted.createProducer(null);
            inTransaction.send(transacted.createQueue("other"), message(transacted));
            inTransaction.send(small, message(transacted));
            assertThrows(ResourceAllocationException.class, transacted::commit, "the whole transaction is refused");

            final MessageConsumer consumer = session.createConsumer(small);
            for (int i = 0; i < accepted; i++)
            {
                assertNotNull(consumer.receive(5000));
            }
            assertNull(consumer.receive(100));
            producer.send(message(session));
            assertNotNull(consumer.receive(5000), "drained, the queue takes messages again");
            final MessageConsumer other = session.createConsumer(session.createQueue("other"));
            assertNotNull(other.receive(5000));
            assertNull(other.receive(100), "the refused transaction left nothing in 'other'");
        }
    }

    @Test
    void shouldRefuseSendsToATopicWhoseSubscriptionIsFull() throws Exception
    {
        try (TestBroker broker = TestBroker.start(context -> context.addressSettings()
            .set("prices", "max-size-bytes", "10240").set("prices", "address-full-policy", "FAIL"));
            Connection connection = new MeshConnectionFactory(broker.tcpUrl() + "?clientID=limits").createConnection())
        {
            final Session session = connection.createSession(false, Session.AUTO_ACKNOWLEDGE);
            final Topic prices = session.createTopic("prices");
            session.createDurableConsumer(prices, "slow").close();
            final int accepted = fill(session, session.createProducer(prices), 100);
            assertTrue(accepted >= 7 && accepted <= 10, "not " + accepted);
            session.unsubscribe("slow");
            session.createProducer(prices).send(message(session));
        }
    }

    @Test
    void shouldBlockProducersOfAFullAddressUntilItDrains() throws Exception
    {
        for (final int deliveryMode : new int[] {DeliveryMode.PERSISTENT, DeliveryMode.NON_PERSISTENT})
        {
            try (TestBroker broker = TestBroker.start(context -> context.addressSettings()
                    .set("slow", "max-size-bytes", "10240").set("slow", "address-full-policy", "BLOCK"));
                Connection connection = new MeshConnectionFactory(broker.tcpUrl()).createConnection())
            {
                final Session session = connection.createSession(false, Session.AUTO_ACKNOWLEDGE);
                final Queue slow = session.createQueue("slow");
                final MessageProducer producer = session.createProducer(slow);
                producer.setDeliveryMode(deliveryMode);
                // Sends without a confirmation are stopped only once the broker's word arrives: those on their
                // way by then are taken (socket buffers hold megabytes), so the address goes over its limit by
                // about that much, and the stream must be longer than that to be stopped.
                final int count = deliveryMode == DeliveryMode.PERSISTENT ? 40 : 40_000;
                final AtomicInteger sent = new AtomicInteger();
                final AtomicReference<Exception> failure = new AtomicReference<>();
                final Thread sender = new Thread(() ->
                {
                    try
                    {
                        for (int i = 0; i < count; i++)
                        {
                            final BytesMessage message = message(session);
                            message.setIntProperty("n", i);
                            producer.send(message);
                            sent.incrementAndGet();
                        }
                    }
                    catch (final Exception ex)
                    {
                        failure.set(ex);
                    }
                }, "blocked-producer");
                sender.start();
                Poll.until("the producer waits for room", 10_000, () -> HeldSenders.waitsForRoom(sender) || !sender.isAlive());
                assertTrue(sender.isAlive(), "the producer sent all " + count + " without waiting");
                if (deliveryMode == DeliveryMode.PERSISTENT)
                {
                    assertTrue(sent.get() < 20, "blocked at about 10 KiB, not after " + sent.get() + " messages");
                }

                final Session consuming = connection.createSession(false, Session.AUTO_ACKNOWLEDGE);
                connection.start();
                final MessageConsumer consumer = consuming.createConsumer(slow);
                for (int i = 0; i < count; i++)
                {
                    final jakarta.jms.Message received = consumer.receive(5000);
                    assertNotNull(received, "message " + i + " (" + deliveryMode + ")");
                    assertEquals(i, received.getIntProperty("n"), "in order, none dropped");
                }
                sender.join(10_000);
                assertNull(failure.get());
                assertEquals(count, sent.get());
            }
        }
    }

    @Test
    void shouldRefuseEverySendOnceTheBrokerIsFull() throws Exception
    {
        try (TestBroker broker = TestBroker.start(context ->
            context.globalMaxSize(50_000).addressSettings().set("*", "address-full-policy", "FAIL"));
            Connection connection = new MeshConnectionFactory(broker.tcpUrl()).createConnection())
        {
            connection.start();
            final Session session = connection.createSession(false, Session.AUTO_ACKNOWLEDGE);
            final int accepted = fill(session, session.createProducer(session.createQueue("a")), 1000);
            assertTrue(accepted >= 35 && accepted <= 50, "about 50 kB of 1 KiB messages, not " + accepted);
            final ResourceAllocationException refused = assertThrows(ResourceAllocationException.class,
                () -> session.createProducer(session.createQueue("b")).send(message(session)));
            assertTrue(refused.getMessage().contains("global-max-size is 50000"), refused.getMessage());
            final MessageConsumer consumer = session.createConsumer(session.createQueue("a"));
            for (int i = 0; i < 10; i++)
            {
                assertNotNull(consumer.receive(5000));
            }
            session.createProducer(session.createQueue("b")).send(message(session));
            assertNotNull(session.createConsumer(session.createQueue("b")).receive(5000), "room again after draining");
        }
    }
}
