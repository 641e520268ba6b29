package io.meshmq.tck.conformance;

import jakarta.jms.IllegalStateException;
import jakarta.jms.Queue;
import jakarta.jms.QueueConnection;
import jakarta.jms.QueueSession;
import jakarta.jms.Session;
import jakarta.jms.Topic;
import jakarta.jms.TopicConnection;
import jakarta.jms.TopicSession;
import org.junit.jupiter.api.function.Executable;

import java.util.Map;

import static org.junit.jupiter.api.Assertions.assertThrows;

/**
 * The domain-specific interfaces refuse what belongs to the other domain with {@code IllegalStateException}, as their
 * javadoc says, not with a plain JMSException (issue 16, item 7).
 */
class DomainConformanceTest
{
    @EachTransport
    void shouldRefuseTopicMethodsOnAQueueConnectionAndQueueSession(final Conformance env) throws Exception
    {
        try (QueueConnection connection = env.consumerFactory().createQueueConnection())
        {
            final QueueSession session = connection.createQueueSession(false, Session.AUTO_ACKNOWLEDGE);
            final Topic topic = env.producerConnection().createSession().createTopic(env.name("domain"));
            assertAllRefused(Map.of(
                "createSharedConnectionConsumer", () -> connection.createSharedConnectionConsumer(topic, "s", null, null, 1),
                "createDurableConnectionConsumer", () -> connection.createDurableConnectionConsumer(topic, "d", null, null, 1),
                "createSharedDurableConnectionConsumer",
                () -> connection.createSharedDurableConnectionConsumer(topic, "sd", null, null, 1),
                "createTopic", () -> session.createTopic("t"),
                "createTemporaryTopic", session::createTemporaryTopic,
                "createDurableSubscriber", () -> session.createDurableSubscriber(topic, "d"),
                "createDurableConsumer", () -> session.createDurableConsumer(topic, "d"),
                "createSharedConsumer", () -> session.createSharedConsumer(topic, "s"),
                "createSharedDurableConsumer", () -> session.createSharedDurableConsumer(topic, "sd"),
                "unsubscribe", () -> session.unsubscribe("d")));
        }
    }

    @EachTransport
    void shouldRefuseQueueMethodsOnATopicSession(final Conformance env) throws Exception
    {
        try (TopicConnection connection = env.consumerFactory().createTopicConnection())
        {
            final TopicSession session = connection.createTopicSession(false, Session.AUTO_ACKNOWLEDGE);
            final Queue queue = env.producerConnection().createSession().createQueue(env.name("domain"));
            assertAllRefused(Map.of(
                "createQueue", () -> session.createQueue("q"),
                "createTemporaryQueue", session::createTemporaryQueue,
                "createBrowser", () -> session.createBrowser(queue),
                "createBrowser with a selector", () -> session.createBrowser(queue, "x = 1")));
        }
    }

    private static void assertAllRefused(final Map<String, Executable> calls)
    {
        calls.forEach((method, call) -> assertThrows(IllegalStateException.class, call, method));
    }
}
