package io.meshmq.tck.conformance;

import jakarta.jms.Connection;
import jakarta.jms.IllegalStateException;
import jakarta.jms.InvalidDestinationException;
import jakarta.jms.JMSException;
import jakarta.jms.MessageConsumer;
import jakarta.jms.MessageProducer;
import jakarta.jms.Session;
import jakarta.jms.TemporaryQueue;
import jakarta.jms.TemporaryTopic;
import jakarta.jms.TextMessage;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;

/**
 * Specification 6.14: temporary destinations live with their connection and only it may consume.
 */
class TemporaryDestinationConformanceTest
{
    @EachTransport
    void shouldRoundTripARequestThroughATemporaryReplyQueue(final Conformance env) throws Exception
    {
        final Connection requester = env.consumerConnection();
        final Session session = requester.createSession(false, Session.AUTO_ACKNOWLEDGE);
        final TemporaryQueue replies = session.createTemporaryQueue();
        final MessageConsumer replyConsumer = session.createConsumer(replies);
        requester.start();

        final Connection responder = env.producerConnection();
        final Session other = responder.createSession(false, Session.AUTO_ACKNOWLEDGE);
        final TextMessage request = session.createTextMessage("ping");
        request.setJMSReplyTo(replies);
        other.createProducer(request.getJMSReplyTo()).send(other.createTextMessage("pong"));
        assertEquals("pong", ((TextMessage)replyConsumer.receive(5000)).getText());
        assertThrows(IllegalStateException.class, () -> other.createConsumer(replies),
            "only the creating connection may consume");
    }

    @EachTransport
    void shouldRefuseToDeleteATemporaryDestinationInUse(final Conformance env) throws Exception
    {
        final Connection connection = env.consumerConnection();
        final Session session = connection.createSession(false, Session.AUTO_ACKNOWLEDGE);
        final TemporaryQueue queue = session.createTemporaryQueue();
        final MessageConsumer consumer = session.createConsumer(queue);
        assertThrows(JMSException.class, queue::delete);
        consumer.close();
        queue.delete();
        final TemporaryTopic topic = session.createTemporaryTopic();
        final MessageConsumer subscriber = session.createConsumer(topic);
        assertThrows(JMSException.class, topic::delete);
        subscriber.close();
        topic.delete();
    }

    @EachTransport
    void shouldPublishToATemporaryTopicFromAnotherConnection(final Conformance env) throws Exception
    {
        final Connection subscriberConnection = env.consumerConnection();
        final Session session = subscriberConnection.createSession(false, Session.AUTO_ACKNOWLEDGE);
        final TemporaryTopic events = session.createTemporaryTopic();
        final MessageConsumer all = session.createConsumer(events);
        final MessageConsumer urgent = session.createConsumer(events, "urgent = TRUE");
        subscriberConnection.start();

        final Session publisher = env.producerConnection().createSession(false, Session.AUTO_ACKNOWLEDGE);
        final MessageProducer producer = publisher.createProducer(events);
        final TextMessage first = publisher.createTextMessage("routine");
        first.setBooleanProperty("urgent", false);
        producer.send(first);
        final TextMessage second = publisher.createTextMessage("alarm");
        second.setBooleanProperty("urgent", true);
        producer.send(second);
        assertEquals("routine", ((TextMessage)all.receive(5000)).getText());
        assertEquals("alarm", ((TextMessage)all.receive(5000)).getText());
        assertEquals("alarm", ((TextMessage)urgent.receive(5000)).getText());
        assertNull(urgent.receiveNoWait());
    }

    @EachTransport
    @OneNode("a send to another node's temporary queue is stored for that node: that it is gone is learnt there, "
        + "after the send returned, and the message is dropped with the queue")
    void shouldEndATemporaryQueueWithItsConnection(final Conformance env) throws Exception
    {
        final TemporaryQueue queue;
        try (Connection connection = env.consumerFactory().createConnection())
        {
            queue = connection.createSession(false, Session.AUTO_ACKNOWLEDGE).createTemporaryQueue();
        }
        final Session session = env.producerConnection().createSession(false, Session.AUTO_ACKNOWLEDGE);
        final JMSException ex = assertThrows(JMSException.class, () -> session.createProducer(queue).send(session.createMessage()));
        assertEquals(InvalidDestinationException.class, ex.getClass(), ex.toString());
    }
}
