package io.meshmq.tck.conformance;

import jakarta.jms.Connection;
import jakarta.jms.IllegalStateException;
import jakarta.jms.IllegalStateRuntimeException;
import jakarta.jms.InvalidClientIDException;
import jakarta.jms.InvalidDestinationException;
import jakarta.jms.JMSContext;
import jakarta.jms.JMSException;
import jakarta.jms.MessageConsumer;
import jakarta.jms.MessageProducer;
import jakarta.jms.Session;
import jakarta.jms.TextMessage;
import jakarta.jms.Topic;

import java.util.HashSet;
import java.util.Set;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;

/**
 * Specification 6.11, 8.3 and 4.3.2: durable and shared subscriptions, unsubscribe, client ids and noLocal.
 */
class SubscriptionConformanceTest
{
    private static void publish(final Conformance env, final Topic topic, final String... texts) throws Exception
    {
        try (Connection connection = env.producerFactory().createConnection())
        {
            final Session session = connection.createSession(false, Session.AUTO_ACKNOWLEDGE);
            final MessageProducer producer = session.createProducer(topic);
            for (final String text : texts)
            {
                producer.send(session.createTextMessage(text));
            }
        }
    }

    private static String text(final MessageConsumer consumer) throws JMSException
    {
        final TextMessage message = (TextMessage)consumer.receive(5000);
        assertNotNull(message, "expected a message");
        return message.getText();
    }

    @EachTransport
    void shouldKeepMessagesForAnInactiveDurableSubscription(final Conformance env) throws Exception
    {
        final String clientId = env.name("client");
        final Topic topic;
        try (Connection connection = env.consumerFactory("clientID=" + clientId).createConnection())
        {
            final Session session = connection.createSession(false, Session.AUTO_ACKNOWLEDGE);
            topic = session.createTopic(env.name("news"));
            session.createDurableSubscriber(topic, "sub").close();
        }
        env.awaitSubscriptions(topic, 1, 0);
        publish(env, topic, "while away 1", "while away 2");
        try (Connection connection = env.consumerFactory("clientID=" + clientId).createConnection())
        {
            final Session session = connection.createSession(false, Session.AUTO_ACKNOWLEDGE);
            connection.start();
            final MessageConsumer consumer = session.createDurableConsumer(topic, "sub");
            assertEquals("while away 1", text(consumer));
            assertEquals("while away 2", text(consumer));
            consumer.close();
            session.unsubscribe("sub");
            assertThrows(InvalidDestinationException.class, () -> session.unsubscribe("sub"),
                "a subscription that does not exist cannot be unsubscribed");
        }
    }

    @EachTransport
    void shouldRefuseASecondActiveConsumerAndUnsubscribeWhileActive(final Conformance env) throws Exception
    {
        final Connection connection = env.consumerFactory("clientID=" + env.name("single")).createConnection();
        env.track(connection);
        final Session session = connection.createSession(false, Session.AUTO_ACKNOWLEDGE);
        final Topic topic = session.createTopic(env.name("active"));
        final MessageConsumer consumer = session.createDurableConsumer(topic, "sub");
        final Session other = connection.createSession(false, Session.AUTO_ACKNOWLEDGE);
        assertThrows(IllegalStateException.class, () -> other.createDurableConsumer(topic, "sub"));
        assertThrows(IllegalStateException.class, () -> other.unsubscribe("sub"));
        consumer.close();
        other.unsubscribe("sub");
    }

    @EachTransport
    void shouldNeedAClientIdForAnUnsharedDurableSubscription(final Conformance env) throws Exception
    {
        final Session session = env.consumerConnection().createSession(false, Session.AUTO_ACKNOWLEDGE);
        final Topic topic = session.createTopic(env.name("no-client-id"));
        assertThrows(IllegalStateException.class, () -> session.createDurableConsumer(topic, "sub"));
        try (JMSContext context = env.consumerFactory().createContext())
        {
            assertThrows(IllegalStateRuntimeException.class, () -> context.createDurableConsumer(topic, "sub"));
        }
    }

    @EachTransport
    void shouldReplaceAnInactiveDurableSubscriptionWhoseSelectorChanged(final Conformance env) throws Exception
    {
        final Connection connection = env.consumerFactory("clientID=" + env.name("changer")).createConnection();
        env.track(connection);
        final Session session = connection.createSession(false, Session.AUTO_ACKNOWLEDGE);
        final Topic topic = session.createTopic(env.name("changing"));
        session.createDurableConsumer(topic, "sub", null, false).close();
        env.awaitSubscriptions(topic, 1, 0);
        publish(env, topic, "old");
        session.createDurableConsumer(topic, "sub", "JMSType = 'new'", false).close();
        connection.start();
        final MessageConsumer consumer = session.createDurableConsumer(topic, "sub", "JMSType = 'new'", false);
        assertNull(consumer.receive(100), "the old subscription's message went with it");
        consumer.close();
        session.unsubscribe("sub");
    }

    @EachTransport
    void shouldShareADurableSubscriptionBetweenConsumers(final Conformance env) throws Exception
    {
        final Connection first = env.consumerConnection();
        final Connection second = env.consumerConnection();
        final Session a = first.createSession(false, Session.AUTO_ACKNOWLEDGE);
        final Session b = second.createSession(false, Session.AUTO_ACKNOWLEDGE);
        final Topic topic = a.createTopic(env.name("shared-durable"));
        final MessageConsumer ca = a.createSharedDurableConsumer(topic, "workers");
        final MessageConsumer cb = b.createSharedDurableConsumer(topic, "workers");
        first.start();
        second.start();
        env.awaitSubscriptions(topic, 1, 2);
        publish(env, topic, "1", "2", "3", "4");
        final Set<String> seen = new HashSet<>();
        Conformance.await("all four shared", () ->
        {
            try
            {
                final TextMessage x = (TextMessage)ca.receive(10);
                final TextMessage y = (TextMessage)cb.receive(10);
                if (x != null && !seen.add(x.getText()) || y != null && !seen.add(y.getText()))
                {
                    throw new AssertionError("a message was delivered twice");
                }
                return seen.size() == 4;
            }
            catch (final JMSException ex)
            {
                throw new AssertionError(ex);
            }
        });
        ca.close();
        cb.close();
        a.unsubscribe("workers");
    }

    @EachTransport
    void shouldShareANonDurableSubscriptionAndDropItWithTheLastConsumer(final Conformance env) throws Exception
    {
        final Connection connection = env.consumerConnection();
        final Session session = connection.createSession(false, Session.AUTO_ACKNOWLEDGE);
        final Topic topic = session.createTopic(env.name("shared"));
        final MessageConsumer first = session.createSharedConsumer(topic, "pool");
        final MessageConsumer second = session.createSharedConsumer(topic, "pool");
        assertThrows(JMSException.class, () -> session.createSharedConsumer(topic, "pool", "a = 1"),
            "a shared subscription in use cannot change its selector");
        connection.start();
        env.awaitSubscriptions(topic, 1, 2);
        publish(env, topic, "x");
        final TextMessage got = (TextMessage)first.receive(200);
        final TextMessage other = (TextMessage)second.receive(got == null ? 5000 : 50);
        assertEquals(1, (got == null ? 0 : 1) + (other == null ? 0 : 1), "exactly one consumer of the pool got it");
        first.close();
        second.close();
        env.awaitSubscriptions(topic, 0, 0);
        publish(env, topic, "nobody subscribed");
        final MessageConsumer fresh = session.createSharedConsumer(topic, "pool");
        assertNull(fresh.receive(100), "the subscription ended with its last consumer");
    }

    @EachTransport
    void shouldRefuseADuplicateClientIdAndOneSetLate(final Conformance env) throws Exception
    {
        final String clientId = env.name("unique");
        final Connection owner = env.consumerConnection();
        owner.setClientID(clientId);
        final Connection late = env.consumerConnection();
        assertThrows(InvalidClientIDException.class, () -> late.setClientID(clientId));
        assertThrows(InvalidClientIDException.class,
            () -> env.track(env.consumerFactory("clientID=" + clientId).createConnection()));
        late.createSession(false, Session.AUTO_ACKNOWLEDGE);
        assertThrows(IllegalStateException.class, () -> late.setClientID(env.name("other")));
        owner.close();
        env.track(env.consumerFactory("clientID=" + clientId).createConnection());
    }

    @EachTransport
    void shouldNotDeliverOwnMessagesToANoLocalSubscriber(final Conformance env) throws Exception
    {
        final Connection connection = env.consumerConnection();
        final Session session = connection.createSession(false, Session.AUTO_ACKNOWLEDGE);
        final Topic topic = session.createTopic(env.name("no-local"));
        final MessageConsumer noLocal = session.createConsumer(topic, null, true);
        final MessageConsumer local = session.createConsumer(topic, null, false);
        connection.start();
        env.awaitSubscriptions(topic, 2, 2);
        session.createProducer(topic).send(session.createTextMessage("mine"));
        publish(env, topic, "theirs");
        assertEquals("theirs", text(noLocal));
        assertNull(noLocal.receive(50));
        assertEquals("mine", text(local));
        assertEquals("theirs", text(local));
    }
}
