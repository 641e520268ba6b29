package io.meshmq.tck.spring;

import io.meshmq.jms.MeshConnectionFactory;
import jakarta.jms.ConnectionFactory;
import jakarta.jms.JMSException;
import jakarta.jms.Message;
import jakarta.jms.TextMessage;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;
import org.springframework.beans.factory.annotation.Value;
import org.springframework.context.annotation.AnnotationConfigApplicationContext;
import org.springframework.context.annotation.Bean;
import org.springframework.context.annotation.Configuration;
import org.springframework.core.env.MapPropertySource;
import org.springframework.jms.annotation.EnableJms;
import org.springframework.jms.annotation.JmsListener;
import org.springframework.jms.config.DefaultJmsListenerContainerFactory;
import org.springframework.jms.connection.CachingConnectionFactory;
import org.springframework.jms.core.JmsTemplate;
import org.springframework.messaging.handler.annotation.Header;
import org.springframework.messaging.handler.annotation.SendTo;

import java.util.Map;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotNull;

/**
 * {@code @JmsListener} methods with {@code @SendTo} replies, in an application context built the way Spring
 * applications configure JMS (issue 22): the reply goes to the request's {@code JMSReplyTo} when it has one, else to
 * the {@code @SendTo} destination; a selector on the listener passes only what it matches; headers are injected.
 */
class AnnotatedListenerTest
{
    @RegisterExtension
    static final SpringBroker BROKER = new SpringBroker();
    private static AnnotationConfigApplicationContext context;

    @BeforeAll
    static void start()
    {
        context = new AnnotationConfigApplicationContext();
        context.getEnvironment().getPropertySources()
            .addFirst(new MapPropertySource("test", Map.of("meshmq.url", BROKER.url())));
        context.register(Application.class);
        context.refresh();
    }

    @AfterAll
    static void stop()
    {
        context.close();
    }

    @Test
    void shouldSendTheReturnValueToTheSendToDestination()
    {
        final JmsTemplate template = context.getBean(JmsTemplate.class);
        template.convertAndSend("spring.upper.requests", "hello");
        assertEquals("HELLO", template.receiveAndConvert("spring.upper.replies"));
    }

    @Test
    void shouldReplyToTheRequestsReplyToDestinationBeforeSendTo() throws JMSException
    {
        final JmsTemplate template = context.getBean(JmsTemplate.class);
        final Message reply =
            template.sendAndReceive("spring.upper.requests", session -> session.createTextMessage("hi"));
        assertNotNull(reply, "reply through the temporary queue");
        assertEquals("HI", ((TextMessage)reply).getText());
    }

    @Test
    void shouldPassOnlyWhatTheListenersSelectorMatchesAndInjectHeaders()
    {
        final JmsTemplate template = context.getBean(JmsTemplate.class);
        for (final String region : new String[] {"us", "eu", "us", "eu"})
        {
            template.convertAndSend("spring.regional", "order from " + region, message ->
            {
                message.setStringProperty("region", region);
                return message;
            });
        }
        assertEquals("eu: order from eu", template.receiveAndConvert("spring.regional.handled"));
        assertEquals("eu: order from eu", template.receiveAndConvert("spring.regional.handled"));
        assertEquals("order from us", template.receiveAndConvert("spring.regional"), "the listener left it");
        assertEquals("order from us", template.receiveAndConvert("spring.regional"), "the listener left it");
    }

    @Configuration
    @EnableJms
    static class Application
    {
        @Bean
        ConnectionFactory connectionFactory(@Value("${meshmq.url}") final String brokerUrl)
        {
            return new CachingConnectionFactory(new MeshConnectionFactory(brokerUrl));
        }

        @Bean
        DefaultJmsListenerContainerFactory jmsListenerContainerFactory(final ConnectionFactory connectionFactory)
        {
            final DefaultJmsListenerContainerFactory factory = new DefaultJmsListenerContainerFactory();
            factory.setConnectionFactory(connectionFactory);
            factory.setSessionTransacted(true);
            factory.setConcurrency("2-3");
            return factory;
        }

        @Bean
        JmsTemplate jmsTemplate(final ConnectionFactory connectionFactory)
        {
            final JmsTemplate template = new JmsTemplate(connectionFactory);
            template.setReceiveTimeout(10_000);
            return template;
        }

        @Bean
        Listeners listeners()
        {
            return new Listeners();
        }
    }

    static class Listeners
    {
        @JmsListener(destination = "spring.upper.requests")
        @SendTo("spring.upper.replies")
        String upper(final String text)
        {
            return text.toUpperCase();
        }

        @JmsListener(destination = "spring.regional", selector = "region = 'eu'")
        @SendTo("spring.regional.handled")
        String regional(final String text, @Header("region") final String region)
        {
            return region + ": " + text;
        }
    }
}
