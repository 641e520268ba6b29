package io.meshmq.tck.conformance;

import jakarta.jms.Connection;
import jakarta.jms.DeliveryMode;
import jakarta.jms.InvalidSelectorException;
import jakarta.jms.InvalidSelectorRuntimeException;
import jakarta.jms.JMSContext;
import jakarta.jms.Message;
import jakarta.jms.MessageConsumer;
import jakarta.jms.MessageProducer;
import jakarta.jms.Queue;
import jakarta.jms.Session;
import jakarta.jms.TextMessage;
import jakarta.jms.Topic;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * Specification 3.8: message selectors, evaluated by the broker.
 */
class SelectorConformanceTest
{
    @EachTransport
    void shouldDeliverOnlyMatchingMessagesAndLeaveTheRestOnTheQueue(final Conformance env) throws Exception
    {
        final Connection connection = env.consumerConnection();
        final Session session = connection.createSession(false, Session.AUTO_ACKNOWLEDGE);
        final Queue queue = session.createQueue(env.name("selector"));
        final Session producing = env.producerConnection().createSession(false, Session.AUTO_ACKNOWLEDGE);
        final MessageProducer producer = producing.createProducer(queue);
        for (int i = 0; i < 10; i++)
        {
            final TextMessage message = producing.createTextMessage("m" + i);
            message.setIntProperty("n", i);
            message.setStringProperty("color", i % 2 == 0 ? "red" : "blue");
            producer.send(message);
        }
        connection.start();
        final MessageConsumer reds = session.createConsumer(queue, "color = 'red' AND n >= 4");
        assertEquals("m4", ((TextMessage)reds.receive(5000)).getText());
        assertEquals("m6", ((TextMessage)reds.receive(5000)).getText());
        assertEquals("m8", ((TextMessage)reds.receive(5000)).getText());
        assertNull(reds.receiveNoWait(), "m0 and m2 do not match n >= 4");
        reds.close();

        final MessageConsumer all = session.createConsumer(queue);
        for (final String expected : new String[] {"m0", "m1", "m2", "m3", "m5", "m7", "m9"})
        {
            final Message message = all.receive(5000);
            assertNotNull(message, "expected " + expected + " to be left on the queue");
            assertEquals(expected, ((TextMessage)message).getText());
        }
    }

    /**
     * Exact literals as Java writes integers (octal, hexadecimal, L), and property names a selector cannot refer to
     * (selector words), which still travel with the message (issue 16, items 4 and 8).
     */
    @EachTransport
    void shouldReadJavaNumericLiteralsAndCarryPropertiesNamedLikeSelectorWords(final Conformance env) throws Exception
    {
        final Connection connection = env.consumerConnection();
        final Session session = connection.createSession(false, Session.AUTO_ACKNOWLEDGE);
        final Queue queue = session.createQueue(env.name("literals"));
        final Session producing = env.producerConnection().createSession(false, Session.AUTO_ACKNOWLEDGE);
        final MessageProducer producer = producing.createProducer(queue);
        final TextMessage other = producing.createTextMessage("other");
        other.setIntProperty("myProp", 30);
        producer.send(other);
        final TextMessage message = producing.createTextMessage("29");
        message.setIntProperty("myProp", 29);
        message.setStringProperty("in", "a selector word");
        message.setBooleanProperty("like", true);
        producer.send(message);
        connection.start();
        final MessageConsumer consumer = session.createConsumer(queue,
            "myProp = 035 AND myProp = 0x1d AND myProp = 0X1DL AND myProp < 1.5e2 AND myProp > 2.5F");
        final Message received = consumer.receive(5000);
        assertNotNull(received);
        assertEquals("29", ((TextMessage)received).getText());
        assertEquals("a selector word", received.getStringProperty("in"));
        assertTrue(received.getBooleanProperty("like"));
    }

    @EachTransport
    void shouldSelectOnHeaderFields(final Conformance env) throws Exception
    {
        final Connection connection = env.consumerConnection();
        final Session session = connection.createSession(false, Session.AUTO_ACKNOWLEDGE);
        final Queue queue = session.createQueue(env.name("headers"));
        final Session producing = env.producerConnection().createSession(false, Session.AUTO_ACKNOWLEDGE);
        final MessageProducer producer = producing.createProducer(queue);
        final TextMessage plain = producing.createTextMessage("plain");
        producer.send(plain, DeliveryMode.NON_PERSISTENT, 2, 0);
        final TextMessage typed = producing.createTextMessage("typed");
        typed.setJMSType("car");
        typed.setJMSCorrelationID("c-1");
        producer.send(typed, DeliveryMode.PERSISTENT, 7, 0);
        connection.start();
        final MessageConsumer consumer = session.createConsumer(queue,
            "JMSType = 'car' AND JMSPriority > 5 AND JMSDeliveryMode = 'PERSISTENT' AND JMSCorrelationID LIKE 'c-%'" +
                " AND JMSMessageID IS NOT NULL AND JMSTimestamp > 0");
        assertEquals("typed", ((TextMessage)consumer.receive(5000)).getText());
        assertNull(consumer.receiveNoWait());
    }

    @EachTransport
    void shouldFilterTopicSubscriptionsAtPublishTime(final Conformance env) throws Exception
    {
        final Connection connection = env.consumerConnection();
        final Session session = connection.createSession(false, Session.AUTO_ACKNOWLEDGE);
        final Topic topic = session.createTopic(env.name("prices"));
        final MessageConsumer cheap = session.createConsumer(topic, "price < 10.5");
        final MessageConsumer everything = session.createConsumer(topic);
        connection.start();
        env.awaitSubscriptions(topic, 2, 2);
        final Session producing = env.producerConnection().createSession(false, Session.AUTO_ACKNOWLEDGE);
        final MessageProducer producer = producing.createProducer(topic);
        for (final double price : new double[] {5, 20, 10.4})
        {
            final Message message = producing.createMessage();
            message.setDoubleProperty("price", price);
            producer.send(message);
        }
        assertEquals(5.0, cheap.receive(5000).getDoubleProperty("price"));
        assertEquals(10.4, cheap.receive(5000).getDoubleProperty("price"));
        assertNull(cheap.receiveNoWait());
        for (int i = 0; i < 3; i++)
        {
            assertNotNull(everything.receive(5000));
        }
    }

    @EachTransport
    void shouldRejectAnInvalidSelectorAtCreationNamingThePosition(final Conformance env) throws Exception
    {
        final Connection connection = env.consumerConnection();
        final Session session = connection.createSession(false, Session.AUTO_ACKNOWLEDGE);
        final Queue queue = session.createQueue(env.name("invalid"));
        final InvalidSelectorException ex = assertThrows(InvalidSelectorException.class,
            () -> session.createConsumer(queue, "color = 'red' AND AND"));
        assertTrue(ex.getMessage().contains("position 19"), ex.getMessage());
        assertThrows(InvalidSelectorException.class, () -> session.createBrowser(queue, "a LIKE 5"));
        try (JMSContext context = env.consumerFactory().createContext())
        {
            assertThrows(InvalidSelectorRuntimeException.class, () -> context.createConsumer(queue, "=="));
        }
    }

    @EachTransport
    void shouldTreatAnEmptySelectorAsNone(final Conformance env) throws Exception
    {
        final Connection connection = env.consumerConnection();
        final Session session = connection.createSession(false, Session.AUTO_ACKNOWLEDGE);
        final Queue queue = session.createQueue(env.name("empty"));
        final Session producing = env.producerConnection().createSession(false, Session.AUTO_ACKNOWLEDGE);
        producing.createProducer(queue).send(producing.createMessage());
        connection.start();
        final MessageConsumer consumer = session.createConsumer(queue, "  ");
        assertNull(consumer.getMessageSelector());
        assertNotNull(consumer.receive(5000));
    }
}
