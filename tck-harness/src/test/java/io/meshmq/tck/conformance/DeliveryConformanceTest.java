package io.meshmq.tck.conformance;

import io.meshmq.engine.processor.Processor;
import jakarta.jms.Connection;
import jakarta.jms.DeliveryMode;
import jakarta.jms.Message;
import jakarta.jms.MessageConsumer;
import jakarta.jms.MessageProducer;
import jakarta.jms.Queue;
import jakarta.jms.Session;
import jakarta.jms.TextMessage;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * Specification 3.4, 7.7 and 7.9: priority, time-to-live and expiry, delivery delay, message id and timestamp
 * hints; and the broker's redelivery delay and dead-letter address (choices as Artemis users expect: the
 * expired or dead message is moved, with the reason in a {@code JMS_MeshMQ_*} property).
 */
class DeliveryConformanceTest
{
    @EachTransport
    void shouldDeliverHigherPriorityFirst(final Conformance env) throws Exception
    {
        final Connection connection = env.consumerConnection();
        final Session session = connection.createSession(false, Session.AUTO_ACKNOWLEDGE);
        final Queue queue = session.createQueue(env.name("priority"));
        final Session producing = env.producerConnection().createSession(false, Session.AUTO_ACKNOWLEDGE);
        final MessageProducer producer = producing.createProducer(queue);
        for (int priority = 0; priority <= 9; priority++)
        {
            // Persistent: each send returns once stored, so all ten wait before the consumer comes.
            producer.send(producing.createTextMessage("p" + priority), DeliveryMode.PERSISTENT, priority, 0);
        }
        connection.start();
        final MessageConsumer consumer = session.createConsumer(queue);
        for (int priority = 9; priority >= 0; priority--)
        {
            final Message message = consumer.receive(5000);
            assertEquals(priority, message.getJMSPriority());
        }
    }

    @EachTransport
    void shouldMoveExpiredMessagesToTheExpiryQueueNeverToAConsumer(final Conformance env) throws Exception
    {
        final Connection connection = env.consumerConnection();
        final Session session = connection.createSession(false, Session.AUTO_ACKNOWLEDGE);
        final Queue queue = session.createQueue(env.name("ttl"));
        final Session producing = env.producerConnection().createSession(false, Session.AUTO_ACKNOWLEDGE);
        final MessageProducer producer = producing.createProducer(queue);
        producer.setTimeToLive(1);
        producer.send(producing.createTextMessage("short-lived"));
        producer.setTimeToLive(0);
        final TextMessage lasting = producing.createTextMessage("lasting");
        producer.send(lasting);
        assertEquals(0, lasting.getJMSExpiration());
        connection.start();
        final Queue expiryQueue = session.createQueue("conformance.ExpiryQueue");
        final MessageConsumer expired = session.createConsumer(expiryQueue,
            Processor.ORIGINAL_DESTINATION_PROPERTY + " = '" + queue.getQueueName() + "'");
        final Message moved = expired.receive(5000);
        assertNotNull(moved, "the expired message reached the expiry queue");
        assertEquals("short-lived", ((TextMessage)moved).getText());
        assertTrue(moved.propertyExists(Processor.ACTUAL_EXPIRY_PROPERTY));
        assertEquals("lasting", ((TextMessage)session.createConsumer(queue).receive(5000)).getText());
    }

    @EachTransport
    void shouldHoldADelayedMessageUntilItsDeliveryTime(final Conformance env) throws Exception
    {
        final Connection connection = env.consumerConnection();
        final Session session = connection.createSession(false, Session.AUTO_ACKNOWLEDGE);
        final Queue queue = session.createQueue(env.name("delayed"));
        final Session producing = env.producerConnection().createSession(false, Session.AUTO_ACKNOWLEDGE);
        final MessageProducer producer = producing.createProducer(queue);
        producer.setDeliveryDelay(400);
        final TextMessage delayed = producing.createTextMessage("later");
        producer.send(delayed);
        producer.setDeliveryDelay(0);
        producer.send(producing.createTextMessage("now"));
        connection.start();
        final MessageConsumer consumer = session.createConsumer(queue);
        assertEquals("now", ((TextMessage)consumer.receive(5000)).getText());
        final Message later = consumer.receive(5000);
        assertEquals("later", ((TextMessage)later).getText());
        assertTrue(System.currentTimeMillis() >= delayed.getJMSDeliveryTime(), "not delivered before its delivery time");
        assertEquals(delayed.getJMSTimestamp() + 400, later.getJMSDeliveryTime());
    }

    @EachTransport
    void shouldHoldADelayedMessageForAWaitingConsumerWithoutHoldingUpOthers(final Conformance env) throws Exception
    {
        final Connection connection = env.consumerConnection();
        final Session session = connection.createSession(false, Session.AUTO_ACKNOWLEDGE);
        final Queue queue = session.createQueue(env.name("delayed-waiting"));
        final MessageConsumer consumer = session.createConsumer(queue);
        connection.start();
        env.awaitConsumers(queue, 1);
        final Session producing = env.producerConnection().createSession(false, Session.AUTO_ACKNOWLEDGE);
        final MessageProducer producer = producing.createProducer(queue);
        producer.setDeliveryDelay(300);
        final TextMessage delayed = producing.createTextMessage("later");
        producer.send(delayed);
        producer.setDeliveryDelay(0);
        for (int i = 0; i < 3; i++)
        {
            producer.send(producing.createTextMessage("now " + i));
        }
        for (int i = 0; i < 3; i++)
        {
            assertEquals("now " + i, ((TextMessage)consumer.receive(5000)).getText());
        }
        final Message later = consumer.receive(5000);
        assertNotNull(later, "the delayed message arrived");
        assertEquals("later", ((TextMessage)later).getText());
        assertTrue(System.currentTimeMillis() >= delayed.getJMSDeliveryTime(), "not delivered before its delivery time");
    }

    @EachTransport
    void shouldDeadLetterAMessageOverTheDeliveryLimitWithTheReason(final Conformance env) throws Exception
    {
        final Connection connection = env.consumerConnection();
        final Session session = connection.createSession(true, Session.SESSION_TRANSACTED);
        final Queue queue = session.createQueue(TransportsExtension.RunningBroker.DLQ_PREFIX + env.name("poison"));
        final Session producing = env.producerConnection().createSession(true, Session.SESSION_TRANSACTED);
        producing.createProducer(queue).send(producing.createTextMessage("poison"));
        producing.commit();
        connection.start();
        final MessageConsumer consumer = session.createConsumer(queue);
        for (int attempt = 1; attempt <= 3; attempt++)
        {
            final Message message = consumer.receive(5000);
            assertNotNull(message, "attempt " + attempt);
            assertEquals(attempt, message.getIntProperty("JMSXDeliveryCount"));
            session.rollback();
        }
        assertNull(consumer.receive(100), "over max-delivery-attempts (3) the message left the queue");
        final MessageConsumer dlq = session.createConsumer(session.createQueue("conformance.DLQ"),
            Processor.ORIGINAL_DESTINATION_PROPERTY + " = '" + queue.getQueueName() + "'");
        final Message dead = dlq.receive(5000);
        assertEquals("poison", ((TextMessage)dead).getText());
        assertTrue(dead.getStringProperty(Processor.DEAD_LETTER_REASON_PROPERTY).contains("delivered 3 times"),
            dead.getStringProperty(Processor.DEAD_LETTER_REASON_PROPERTY));
        session.commit();
    }

    @EachTransport
    void shouldWaitOutTheRedeliveryDelay(final Conformance env) throws Exception
    {
        final Connection connection = env.consumerConnection();
        final Session session = connection.createSession(false, Session.CLIENT_ACKNOWLEDGE);
        final Queue queue = session.createQueue(TransportsExtension.RunningBroker.DELAYED_PREFIX + env.name("retry"));
        final Session producing = env.producerConnection().createSession(false, Session.AUTO_ACKNOWLEDGE);
        producing.createProducer(queue).send(producing.createTextMessage("retry me"));
        connection.start();
        final MessageConsumer consumer = session.createConsumer(queue);
        assertNotNull(consumer.receive(5000));
        final long recoveredNs = System.nanoTime();
        session.recover();
        final Message again = consumer.receive(5000);
        final long waitedMs = (System.nanoTime() - recoveredNs) / 1_000_000;
        assertNotNull(again);
        assertTrue(waitedMs >= TransportsExtension.RunningBroker.REDELIVERY_DELAY_MS - 20,
            "redelivered after " + waitedMs + " ms, the delay is " + TransportsExtension.RunningBroker.REDELIVERY_DELAY_MS);
        again.acknowledge();
    }

    @EachTransport
    void shouldHonourDisabledMessageIdAndTimestamp(final Conformance env) throws Exception
    {
        final Connection connection = env.consumerConnection();
        final Session session = connection.createSession(false, Session.AUTO_ACKNOWLEDGE);
        final Queue queue = session.createQueue(env.name("hints"));
        final Session producing = env.producerConnection().createSession(false, Session.AUTO_ACKNOWLEDGE);
        final MessageProducer producer = producing.createProducer(queue);
        producer.setDisableMessageID(true);
        producer.setDisableMessageTimestamp(true);
        producer.send(producing.createMessage());
        connection.start();
        final Message message = session.createConsumer(queue).receive(5000);
        assertNull(message.getJMSMessageID());
        assertEquals(0, message.getJMSTimestamp());
    }
}
