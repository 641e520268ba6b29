package io.meshmq.tck.spring;

import io.meshmq.jms.MeshConnectionFactory;
import jakarta.jms.Connection;
import jakarta.jms.Message;
import jakarta.jms.MessageConsumer;
import jakarta.jms.Session;
import jakarta.jms.TextMessage;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;
import org.springframework.jms.connection.CachingConnectionFactory;
import org.springframework.jms.core.JmsTemplate;

import java.util.ArrayList;
import java.util.List;
import java.util.UUID;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotNull;

/**
 * Spring's JMS support as applications use it: a {@code CachingConnectionFactory} keeps the consumer a
 * {@code JmsTemplate.receive} made, and that idle consumer must not hold the messages another consumer of the queue
 * waits for; a {@code JmsTemplate} that receives without waiting finds a message waiting on the broker (issue 16,
 * items 2 and 3).
 */
class SpringJmsTemplateTest
{
    @RegisterExtension
    static final SpringBroker BROKER = new SpringBroker();

    @Test
    void shouldLetAnotherConsumerTakeWhatACachedTemplateConsumerWasSentAhead() throws Exception
    {
        final String queue = "spring-cached-" + UUID.randomUUID();
        final CachingConnectionFactory caching = new CachingConnectionFactory(new MeshConnectionFactory(BROKER.url()));
        caching.setCacheConsumers(true);
        try
        {
            final JmsTemplate template = new JmsTemplate(caching);
            template.setReceiveTimeout(5_000);
            for (int i = 0; i < 10; i++)
            {
                template.convertAndSend(queue, "m" + i);
            }
            assertEquals("m0", template.receiveAndConvert(queue), "the template's consumer is cached after this");

            try (Connection connection = new MeshConnectionFactory(BROKER.url()).createConnection())
            {
                final Session session = connection.createSession(false, Session.AUTO_ACKNOWLEDGE);
                final MessageConsumer other = session.createConsumer(session.createQueue(queue));
                connection.start();
                final List<String> received = new ArrayList<>();
                for (int i = 1; i < 10; i++)
                {
                    final Message message = other.receive(10_000);
                    assertNotNull(message, "message m" + i + " (received so far: " + received + ")");
                    received.add(((TextMessage)message).getText());
                }
                assertEquals(List.of("m1", "m2", "m3", "m4", "m5", "m6", "m7", "m8", "m9"), received);
            }
        }
        finally
        {
            caching.destroy();
        }
    }

    @Test
    void shouldFindAWaitingMessageWithANoWaitTemplate() throws Exception
    {
        final String queue = "spring-no-wait-" + UUID.randomUUID();
        final JmsTemplate template = new JmsTemplate(new MeshConnectionFactory(BROKER.url()));
        template.setReceiveTimeout(JmsTemplate.RECEIVE_TIMEOUT_NO_WAIT);
        for (int i = 0; i < 20; i++)
        {
            template.convertAndSend(queue, "try " + i);
            assertEquals("try " + i, template.receiveAndConvert(queue), "try " + i + ": the message waits on the broker");
        }
    }
}
