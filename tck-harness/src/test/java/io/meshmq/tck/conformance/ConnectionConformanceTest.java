package io.meshmq.tck.conformance;

import jakarta.jms.Connection;
import jakarta.jms.ConnectionMetaData;
import jakarta.jms.IllegalStateException;
import jakarta.jms.MessageConsumer;
import jakarta.jms.Queue;
import jakarta.jms.Session;

import java.util.Collections;
import java.util.List;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.TimeUnit;

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
        final List<String> seen = new java.util.ArrayList<>();
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
