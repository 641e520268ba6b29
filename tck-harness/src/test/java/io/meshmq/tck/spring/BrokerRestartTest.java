package io.meshmq.tck.spring;

import io.meshmq.jms.MeshConnectionFactory;
import io.meshmq.tck.FreePorts;
import io.meshmq.tck.crash.BrokerProcess;
import jakarta.jms.DeliveryMode;
import jakarta.jms.MessageListener;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.springframework.jms.connection.CachingConnectionFactory;
import org.springframework.jms.core.JmsTemplate;
import org.springframework.jms.listener.DefaultMessageListenerContainer;

import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.concurrent.ConcurrentHashMap;

import static io.meshmq.tck.spring.ListenerContainerTest.await;
import static io.meshmq.tck.spring.ListenerContainerTest.text;
import static org.junit.jupiter.api.Assertions.assertEquals;

/**
 * A Spring application outlives its broker (issue 22): the broker process is killed with SIGKILL and started again on
 * its port and data; the listener container recovers by itself, the caching factory's template sends again, and the
 * persistent messages that waited in the killed broker are delivered, each once.
 */
class BrokerRestartTest
{
    @TempDir
    Path dataDir;

    @Test
    void shouldRecoverTheContainerAndTemplateAfterTheBrokerIsKilledAndRestarted() throws Exception
    {
        final int port = FreePorts.next();
        final BrokerProcess[] broker = {BrokerProcess.startNode(dataDir, "spring-restart", port)};
        final CachingConnectionFactory caching =
            new CachingConnectionFactory(new MeshConnectionFactory(broker[0].url()));
        final JmsTemplate template = new JmsTemplate(caching);
        template.setDeliveryMode(DeliveryMode.PERSISTENT);
        final ConcurrentHashMap<String, Integer> received = new ConcurrentHashMap<>();
        final List<String> order = Collections.synchronizedList(new ArrayList<>());
        final DefaultMessageListenerContainer container = new DefaultMessageListenerContainer();
        container.setConnectionFactory(caching);
        container.setDestinationName("spring.restart");
        container.setSessionTransacted(true);
        container.setRecoveryInterval(100);
        container.setMessageListener((MessageListener)message ->
        {
            final String text = text(message);
            received.merge(text, 1, Integer::sum);
            order.add(text);
        });
        container.afterPropertiesSet();
        container.start();
        try
        {
            for (int i = 0; i < 10; i++)
            {
                template.convertAndSend("spring.restart", "before " + i);
            }
            await(() -> received.size() >= 10, () -> "received " + received.keySet());

            container.stop();
            for (int i = 0; i < 10; i++)
            {
                template.convertAndSend("spring.restart", "waiting " + i);
            }
            broker[0].kill();
            container.start();
            broker[0] = BrokerProcess.startNode(dataDir, "spring-restart", port);

            sendUntilAccepted(template, "after 0");
            for (int i = 1; i < 10; i++)
            {
                template.convertAndSend("spring.restart", "after " + i);
            }
            await(() -> received.size() >= 30, () -> "received " + received.keySet() + "; broker:\n" +
                broker[0].recentOutput());
            received.forEach((text, times) -> assertEquals(1, times, text + " delivered " + times + " times"));
            assertEquals(30, received.size());
        }
        finally
        {
            container.shutdown();
            caching.destroy();
            broker[0].close();
        }
    }

    /**
     * The first send after the restart may still meet the connection the kill broke (the factory learns of it
     * asynchronously): Spring reports that as an exception and the next send uses a new connection.
     */
    private static void sendUntilAccepted(final JmsTemplate template, final String text) throws InterruptedException
    {
        final List<RuntimeException> failures = new ArrayList<>();
        await(() ->
        {
            try
            {
                template.convertAndSend("spring.restart", text);
                return true;
            }
            catch (final RuntimeException e)
            {
                failures.add(e);
                return false;
            }
        }, () -> "sends failed: " + failures);
    }
}
