package io.meshmq.engine;

import io.meshmq.jms.MeshConnectionFactory;
import jakarta.jms.BytesMessage;
import jakarta.jms.Connection;
import jakarta.jms.MessageConsumer;
import jakarta.jms.MessageProducer;
import jakarta.jms.Queue;
import jakarta.jms.ResourceAllocationException;
import jakarta.jms.Session;
import jakarta.jms.Topic;
import org.junit.jupiter.api.Test;

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
