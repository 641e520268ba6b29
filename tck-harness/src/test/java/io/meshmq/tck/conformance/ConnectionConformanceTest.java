package io.meshmq.tck.conformance;

import jakarta.jms.Connection;
import jakarta.jms.ConnectionMetaData;
import jakarta.jms.IllegalStateException;
import jakarta.jms.MessageConsumer;
import jakarta.jms.MessageProducer;
import jakarta.jms.Queue;
import jakarta.jms.Session;
import jakarta.jms.TextMessage;

import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.TimeUnit;
import java.util.stream.IntStream;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * Specification 6.1: start and stop, close waiting for listeners, calls forbidden inside a listener, metadata.
 */
class ConnectionConformanceTest
{
    @EachTransport
    void shouldHoldDeliveryWhileStopped(final Conformance env) throws Exception
    {
        final Connection connection = env.consumerConnection();
        final Session session = connection.createSession(false, Session.AUTO_ACKNOWLEDGE);
        final Queue queue = session.createQueue(env.name("stopped"));
        final MessageConsumer consumer = session.createConsumer(queue);
        session.createProducer(queue).send(session.createMessage());
        assertNull(consumer.receive(100), "a connection not yet started delivers nothing");
        connection.start();
        connection.stop();
        connection.start();
        assertNotNull(consumer.receive(5000));
    }

    /**
     * Spring's listener container creates its consumer on one thread while another starts the shared connection:
     * what the broker sends the new consumer as the connection starts must arrive in order, none given back.
     */
    @EachTransport
    void shouldKeepOrderForAConsumerCreatedWhileItsConnectionStarts(final Conformance env) throws Exception
    {
        final int messages = 10;
        final Connection producing = env.producerConnection();
        final Session producerSession = producing.createSession(false, Session.AUTO_ACKNOWLEDGE);
        final ExecutorService creator = Executors.newSingleThreadExecutor();
        // Messages that cross to another node wait out a redistribution delay each round.
        final int rounds = env.transport().equals("two-nodes") ? 4 : 40;
        try
        {
            for (int round = 0; round < rounds; round++)
            {
                final Queue queue = producerSession.createQueue(env.name("starting-" + round));
                final MessageProducer producer = producerSession.createProducer(queue);
                for (int i = 0; i < messages; i++)
                {
                    producer.send(producerSession.createTextMessage("m" + i));
                }
                try (Connection connection = env.consumerFactory().createConnection())
                {
                    final Session session = connection.createSession(false, Session.AUTO_ACKNOWLEDGE);
                    final CountDownLatch go = new CountDownLatch(1);
                    final Future<MessageConsumer> created = creator.submit(() ->
                    {
                        go.await();
                        return session.createConsumer(queue);
                    });
                    go.countDown();
                    connection.start();
                    final MessageConsumer consumer = created.get(10, TimeUnit.SECONDS);
                    final List<String> received = new ArrayList<>();
                    for (int i = 0; i < messages; i++)
                    {
                        final TextMessage message = (TextMessage)consumer.receive(5000);
                        assertNotNull(message, "round " + round + ": received only " + received);
                        received.add(message.getText() + (message.getJMSRedelivered() ? " redelivered" : ""));
                    }
                    assertEquals(IntStream.range(0, messages).mapToObj(i -> "m" + i).toList(), received,
                        "round " + round);
                }
            }
        }
        finally
        {
            creator.shutdownNow();
        }
    }

    @EachTransport
    void shouldWaitForARunningListenerOnCloseAndRefuseStopInsideIt(final Conformance env) throws Exception
    {
        final Connection connection = env.consumerFactory().createConnection();
        final Session session = connection.createSession(false, Session.AUTO_ACKNOWLEDGE);
        final Queue queue = session.createQueue(env.name("listener"));
        final CountDownLatch inListener = new CountDownLatch(1);
        final CountDownLatch release = new CountDownLatch(1);
        final BlockingQueue<String> events = new LinkedBlockingQueue<>();
        session.createConsumer(queue).setMessageListener(message ->
        {
            try
            {
                connection.stop();
                events.add("stop allowed");
            }
            catch (final IllegalStateException ex)
            {
                events.add("stop refused");
            }
            catch (final Exception ex)
            {
                events.add("stop failed: " + ex);
            }
            inListener.countDown();
            try
            {
                release.await(10, TimeUnit.SECONDS);
            }
            catch (final InterruptedException ex)
            {
                Thread.currentThread().interrupt();
            }
            events.add("listener done");
        });
        connection.start();
        session.createProducer(queue).send(session.createMessage());
        assertTrue(inListener.await(10, TimeUnit.SECONDS));
        final Thread closer = new Thread(() ->
        {
            try
            {
                connection.close();
                events.add("closed");
            }
            catch (final Exception ex)
            {
                events.add("close failed: " + ex);
            }
        });
        closer.start();
        release.countDown();
        closer.join(10_000);
        final List<String> seen = new ArrayList<>();
        events.drainTo(seen);
        assertEquals(List.of("stop refused", "listener done", "closed"), seen);
    }

    @EachTransport
    void shouldDescribeTheProvider(final Conformance env) throws Exception
    {
        final ConnectionMetaData metaData = env.consumerConnection().getMetaData();
        assertEquals("3.1", metaData.getJMSVersion());
        assertEquals(3, metaData.getJMSMajorVersion());
        assertEquals(1, metaData.getJMSMinorVersion());
        assertEquals("MeshMQ", metaData.getJMSProviderName());
        final List<?> names = Collections.list(metaData.getJMSXPropertyNames());
        assertTrue(names.contains("JMSXDeliveryCount") && names.contains("JMSXGroupID") && names.contains("JMSXGroupSeq"),
            names.toString());
    }
}
