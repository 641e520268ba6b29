package io.meshmq.tck.spring;

import jakarta.jms.DeliveryMode;
import jakarta.jms.JMSException;
import jakarta.jms.Message;
import jakarta.jms.QueueBrowser;
import jakarta.jms.TextMessage;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;
import org.springframework.jms.connection.CachingConnectionFactory;
import org.springframework.jms.core.JmsTemplate;
import org.springframework.jms.listener.DefaultMessageListenerContainer;
import org.springframework.jms.listener.SessionAwareMessageListener;

import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.Map;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * {@code JmsTemplate}'s operations over a {@code CachingConnectionFactory}, as a Spring application uses them
 * (issue 22): convert and send with a post-processor, receive with a selector, browse, send with explicit quality of
 * service, and {@code sendAndReceive} through a temporary queue to a responder.
 */
class JmsTemplateOperationsTest
{
    @RegisterExtension
    static final SpringBroker BROKER = new SpringBroker();
    private CachingConnectionFactory caching;
    private JmsTemplate template;

    @BeforeEach
    void template()
    {
        caching = BROKER.caching();
        template = BROKER.template();
    }

    @Test
    void shouldConvertAMapAndSetPropertiesThroughAPostProcessor() throws JMSException
    {
        final String queue = queue("convert");
        template.convertAndSend(queue, Map.of("order", 42L, "item", "tea"), message ->
        {
            message.setStringProperty("region", "eu");
            return message;
        });

        final Message received = template.receive(queue);
        assertNotNull(received);
        assertEquals("eu", received.getStringProperty("region"));
        assertEquals(Map.of("order", 42L, "item", "tea"), template.getMessageConverter().fromMessage(received));
    }

    @Test
    void shouldReceiveOnlyWhatTheSelectorMatchesAndLeaveTheRest() throws JMSException
    {
        final String queue = queue("selected");
        for (final String kind : List.of("a", "b", "a", "b"))
        {
            template.convertAndSend(queue, "kind " + kind, message ->
            {
                message.setStringProperty("kind", kind);
                return message;
            });
        }

        assertEquals("kind b", template.receiveSelectedAndConvert(queue, "kind = 'b'"));
        assertEquals("kind b", template.receiveSelectedAndConvert(queue, "kind = 'b'"));
        template.setReceiveTimeout(200);
        assertNull(template.receiveSelected(queue, "kind = 'b'"), "both b messages were taken");
        template.setReceiveTimeout(10_000);
        assertEquals("kind a", template.receiveAndConvert(queue));
        assertEquals("kind a", template.receiveAndConvert(queue));
    }

    @Test
    void shouldBrowseWithoutTakingAndWithASelector()
    {
        final String queue = queue("browse");
        for (int i = 0; i < 5; i++)
        {
            final int n = i;
            template.convertAndSend(queue, "m" + i, message ->
            {
                message.setIntProperty("n", n);
                return message;
            });
        }

        assertEquals(List.of("m0", "m1", "m2", "m3", "m4"), template.browse(queue, JmsTemplateOperationsTest::texts));
        assertEquals(List.of("m3", "m4"), template.browseSelected(queue, "n >= 3", JmsTemplateOperationsTest::texts));
        for (int i = 0; i < 5; i++)
        {
            assertEquals("m" + i, template.receiveAndConvert(queue), "browsing took nothing");
        }
    }

    @Test
    void shouldSendWithExplicitQualityOfService() throws JMSException
    {
        final String queue = queue("qos");
        template.setExplicitQosEnabled(true);
        template.setDeliveryMode(DeliveryMode.NON_PERSISTENT);
        template.setPriority(7);
        template.setTimeToLive(60_000);
        final long before = System.currentTimeMillis();
        template.convertAndSend(queue, "quick");

        final Message received = template.receive(queue);
        assertNotNull(received);
        assertEquals(DeliveryMode.NON_PERSISTENT, received.getJMSDeliveryMode());
        assertEquals(7, received.getJMSPriority());
        assertTrue(received.getJMSExpiration() >= before + 60_000, "expiration " + received.getJMSExpiration());
    }

    @Test
    void shouldSendAndReceiveThroughATemporaryQueue() throws JMSException
    {
        final String queue = queue("request");
        final DefaultMessageListenerContainer responder = new DefaultMessageListenerContainer();
        responder.setConnectionFactory(caching);
        responder.setDestinationName(queue);
        responder.setMessageListener((SessionAwareMessageListener<Message>)(request, session) ->
        {
            final TextMessage reply = session.createTextMessage(((TextMessage)request).getText().toUpperCase());
            reply.setJMSCorrelationID(request.getJMSMessageID());
            session.createProducer(request.getJMSReplyTo()).send(reply);
        });
        responder.afterPropertiesSet();
        responder.start();
        try
        {
            for (int i = 0; i < 20; i++)
            {
                final String text = "ping " + i;
                final Message reply = template.sendAndReceive(queue, session -> session.createTextMessage(text));
                assertNotNull(reply, "reply " + i);
                assertEquals(text.toUpperCase(), ((TextMessage)reply).getText());
            }
        }
        finally
        {
            responder.shutdown();
        }
    }

    private static String queue(final String use)
    {
        return SpringBroker.uniqueName("template-" + use);
    }

    private static List<String> texts(final jakarta.jms.Session session, final QueueBrowser browser)
        throws JMSException
    {
        final List<String> texts = new ArrayList<>();
        for (final Object message : Collections.list(browser.getEnumeration()))
        {
            texts.add(((TextMessage)message).getText());
        }
        return texts;
    }
}
