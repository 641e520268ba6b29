package io.meshmq.tck.conformance;

import jakarta.jms.Connection;
import jakarta.jms.IllegalStateException;
import jakarta.jms.MessageProducer;
import jakarta.jms.Queue;
import jakarta.jms.QueueBrowser;
import jakarta.jms.QueueSession;
import jakarta.jms.Session;
import jakarta.jms.TextMessage;
import jakarta.jms.TopicSession;

import java.util.ArrayList;
import java.util.Enumeration;
import java.util.List;
import java.util.NoSuchElementException;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;

/**
 * Specification 4.10 (browsing a queue) and the domain rules of QueueSession and TopicSession.
 */
class BrowserConformanceTest
{
    private static List<String> browse(final QueueBrowser browser) throws Exception
    {
        final List<String> texts = new ArrayList<>();
        final Enumeration<?> messages = browser.getEnumeration();
        while (messages.hasMoreElements())
        {
            texts.add(((TextMessage)messages.nextElement()).getText());
        }
        assertThrows(NoSuchElementException.class, messages::nextElement);
        return texts;
    }

    @EachTransport
    void shouldShowWaitingMessagesInOrderWithoutRemovingThem(final Conformance env) throws Exception
    {
        final Connection connection = env.consumerConnection();
        final Session session = connection.createSession(false, Session.AUTO_ACKNOWLEDGE);
        final Queue queue = session.createQueue(env.name("browse"));
        final MessageProducer producer = session.createProducer(queue);
        final List<String> sent = new ArrayList<>();
        for (int i = 0; i < 2500; i++)
        {
            final TextMessage message = session.createTextMessage("m" + i);
            message.setIntProperty("n", i);
            producer.send(message);
            sent.add("m" + i);
        }
        final QueueBrowser browser = session.createBrowser(queue);
        assertEquals(sent, browse(browser), "a snapshot larger than the consumer window arrives whole and in order");
        assertEquals(List.of("m3", "m4"), browse(session.createBrowser(queue, "n BETWEEN 3 AND 4")));
        assertEquals(queue, browser.getQueue());
        connection.start();
        assertEquals("m0", ((TextMessage)session.createConsumer(queue).receive(5000)).getText(),
            "browsing removed nothing");
        browser.close();
        assertThrows(IllegalStateException.class, browser::getEnumeration);
    }

    @EachTransport
    void shouldBrowseAnEmptyQueue(final Conformance env) throws Exception
    {
        final Session session = env.consumerConnection().createSession(false, Session.AUTO_ACKNOWLEDGE);
        assertFalse(session.createBrowser(session.createQueue(env.name("empty"))).getEnumeration().hasMoreElements());
    }

    @EachTransport
    void shouldRefuseTheOtherDomainsMethods(final Conformance env) throws Exception
    {
        final Connection connection = env.consumerConnection();
        final QueueSession queueSession = ((jakarta.jms.QueueConnection)connection).createQueueSession(false, Session.AUTO_ACKNOWLEDGE);
        final TopicSession topicSession = ((jakarta.jms.TopicConnection)connection).createTopicSession(false, Session.AUTO_ACKNOWLEDGE);
        assertThrows(IllegalStateException.class, () -> queueSession.createTopic("t"));
        assertThrows(IllegalStateException.class, queueSession::createTemporaryTopic);
        assertThrows(IllegalStateException.class, () -> queueSession.createDurableSubscriber(topicSession.createTopic("t"), "s"));
        assertThrows(IllegalStateException.class, () -> queueSession.unsubscribe("s"));
        assertThrows(IllegalStateException.class, () -> topicSession.createQueue("q"));
        assertThrows(IllegalStateException.class, topicSession::createTemporaryQueue);
        assertThrows(IllegalStateException.class, () -> topicSession.createBrowser(queueSession.createQueue("q")));
    }
}
