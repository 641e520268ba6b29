package io.meshmq.tck.spring;

import jakarta.jms.JMSException;
import jakarta.jms.Message;
import jakarta.jms.MessageListener;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;
import org.springframework.jms.connection.CachingConnectionFactory;
import org.springframework.jms.connection.JmsTransactionManager;
import org.springframework.jms.core.JmsTemplate;
import org.springframework.jms.listener.DefaultMessageListenerContainer;
import org.springframework.transaction.support.TransactionTemplate;

import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.atomic.AtomicInteger;

import static io.meshmq.tck.spring.ListenerContainerTest.await;
import static io.meshmq.tck.spring.ListenerContainerTest.text;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * {@code JmsTransactionManager} over MeshMQ (issue 22): a transaction template's sends and receives commit or roll
 * back together, and a listener container run by the transaction manager rolls back what its listener sent when the
 * listener throws, then redelivers the input.
 */
class TransactionManagerTest
{
    @RegisterExtension
    static final SpringBroker BROKER = new SpringBroker();
    private CachingConnectionFactory caching;
    private JmsTemplate template;
    private TransactionTemplate transactions;

    @BeforeEach
    void transactionTemplate()
    {
        caching = BROKER.caching();
        template = BROKER.template();
        transactions = new TransactionTemplate(new JmsTransactionManager(caching));
    }

    @Test
    void shouldSendNothingFromATransactionRolledBack()
    {
        final String queue = name("send");
        transactions.executeWithoutResult(status ->
        {
            template.convertAndSend(queue, "rolled back");
            status.setRollbackOnly();
        });
        assertThrows(IllegalStateException.class, () -> transactions.executeWithoutResult(status ->
        {
            template.convertAndSend(queue, "thrown away");
            throw new IllegalStateException("the application fails after sending");
        }));
        transactions.executeWithoutResult(status -> template.convertAndSend(queue, "committed"));

        assertEquals("committed", template.receiveAndConvert(queue));
        template.setReceiveTimeout(200);
        assertNull(template.receive(queue), "only the committed message was sent");
    }

    @Test
    void shouldPutBackWhatATransactionRolledBackHadReceived() throws JMSException
    {
        final String queue = name("receive");
        final String out = name("receive-out");
        template.convertAndSend(queue, "work");

        transactions.executeWithoutResult(status ->
        {
            assertEquals("work", template.receiveAndConvert(queue));
            template.convertAndSend(out, "result");
            status.setRollbackOnly();
        });

        final Message again = transactions.execute(status ->
        {
            final Message message = template.receive(queue);
            template.convertAndSend(out, "result");
            return message;
        });
        assertNotNull(again, "the rolled back receive put the message back");
        assertEquals("work", text(again));
        assertTrue(again.getJMSRedelivered());
        assertEquals("result", template.receiveAndConvert(out));
        template.setReceiveTimeout(200);
        assertNull(template.receive(out), "the rolled back transaction's send never happened");
    }

    @Test
    void shouldRollBackAListenersSendsWhenItThrowsUnderTheTransactionManager() throws Exception
    {
        final String in = name("listener-in");
        final String out = name("listener-out");
        final AtomicInteger attempts = new AtomicInteger();
        final JmsTemplate inListener = new JmsTemplate(caching);
        final DefaultMessageListenerContainer container = new DefaultMessageListenerContainer();
        container.setConnectionFactory(caching);
        container.setDestinationName(in);
        container.setTransactionManager(new JmsTransactionManager(caching));
        container.setMessageListener((MessageListener)message ->
        {
            inListener.convertAndSend(out, "out of " + text(message) + " attempt " + attempts.incrementAndGet());
            if (attempts.get() < 3)
            {
                throw new IllegalStateException("attempt " + attempts.get() + " fails after sending");
            }
        });
        container.afterPropertiesSet();
        container.start();
        try
        {
            template.convertAndSend(in, "job");
            await(() -> attempts.get() >= 3, () -> attempts.get() + " attempts");

            final List<String> sent = new ArrayList<>();
            sent.add((String)template.receiveAndConvert(out));
            template.setReceiveTimeout(200);
            final Object more = template.receiveAndConvert(out);
            if (more != null)
            {
                sent.add((String)more);
            }
            assertEquals(List.of("out of job attempt 3"), sent, "only the attempt that committed sent");
        }
        finally
        {
            container.shutdown();
        }
    }

    private static String name(final String use)
    {
        return SpringBroker.uniqueName("tx-" + use);
    }
}
