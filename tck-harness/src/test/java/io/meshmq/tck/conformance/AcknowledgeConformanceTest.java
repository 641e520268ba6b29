package io.meshmq.tck.conformance;

import jakarta.jms.Connection;
import jakarta.jms.Message;
import jakarta.jms.MessageConsumer;
import jakarta.jms.MessageProducer;
import jakarta.jms.Queue;
import jakarta.jms.Session;
import jakarta.jms.TextMessage;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * Specification 6.2.10: acknowledgement modes and {@code recover()}.
 */
class AcknowledgeConformanceTest
{
    /**
     * Sends m0..m(count-1) from the producer's side: across nodes, they wait there for the consumer.
     */
    private static void send(final Conformance env, final Queue queue, final int count) throws Exception
    {
        try (Connection connection = env.producerFactory().createConnection())
        {
            final Session session = connection.createSession(false, Session.AUTO_ACKNOWLEDGE);
            final MessageProducer producer = session.createProducer(queue);
            for (int i = 0; i < count; i++)
            {
                producer.send(session.createTextMessage("m" + i));
            }
        }
    }

    @EachTransport
    void shouldAcknowledgeEverythingTheSessionConsumedInClientAcknowledgeMode(final Conformance env) throws Exception
    {
        final Queue queue;
        try (Connection connection = env.consumerFactory().createConnection())
        {
            final Session session = connection.createSession(false, Session.CLIENT_ACKNOWLEDGE);
            queue = session.createQueue(env.name("client-ack"));
            send(env, queue, 4);
            connection.start();
            final MessageConsumer consumer = session.createConsumer(queue);
            consumer.receive(5000);
            final Message second = consumer.receive(5000);
            consumer.receive(5000);
            second.acknowledge();
        }
        final Connection connection = env.consumerConnection();
        final Session session = connection.createSession(false, Session.AUTO_ACKNOWLEDGE);
        connection.start();
        final MessageConsumer consumer = session.createConsumer(queue);
        assertEquals("m3", ((TextMessage)consumer.receive(5000)).getText(),
            "acknowledging the second message acknowledged the first and third as well");
        assertNull(consumer.receiveNoWait());
    }

    @EachTransport
    void shouldRedeliverUnacknowledgedMessagesOnCloseMarkedRedelivered(final Conformance env) throws Exception
    {
        final Queue queue;
        try (Connection connection = env.consumerFactory().createConnection())
        {
            final Session session = connection.createSession(false, Session.CLIENT_ACKNOWLEDGE);
            queue = session.createQueue(env.name("unacked"));
            send(env, queue, 1);
            connection.start();
            final Message first = session.createConsumer(queue).receive(5000);
            assertFalse(first.getJMSRedelivered());
            assertEquals(1, first.getIntProperty("JMSXDeliveryCount"));
        }
        final Connection connection = env.consumerConnection();
        final Session session = connection.createSession(false, Session.AUTO_ACKNOWLEDGE);
        connection.start();
        final Message again = session.createConsumer(queue).receive(5000);
        assertTrue(again.getJMSRedelivered());
        assertEquals(2, again.getIntProperty("JMSXDeliveryCount"));
    }

    @EachTransport
    void shouldRedeliverInOrderAfterRecover(final Conformance env) throws Exception
    {
        final Connection connection = env.consumerConnection();
        final Session session = connection.createSession(false, Session.CLIENT_ACKNOWLEDGE);
        final Queue queue = session.createQueue(env.name("recover"));
        send(env, queue, 3);
        connection.start();
        final MessageConsumer consumer = session.createConsumer(queue);
        consumer.receive(5000);
        consumer.receive(5000);
        session.recover();
        for (int i = 0; i < 3; i++)
        {
            final Message message = consumer.receive(5000);
            assertEquals("m" + i, ((TextMessage)message).getText());
            assertEquals(i < 2, message.getJMSRedelivered(), "m" + i + " redelivered flag");
            assertEquals(i < 2 ? 2 : 1, message.getIntProperty("JMSXDeliveryCount"));
        }
        session.recover();
        final Message third = consumer.receive(5000);
        assertEquals("m0", ((TextMessage)third).getText());
        assertEquals(3, third.getIntProperty("JMSXDeliveryCount"));
    }

    @EachTransport
    void shouldRedeliverToAListenerAfterRecoverInAutoAcknowledgeMode(final Conformance env) throws Exception
    {
        final Connection connection = env.consumerConnection();
        final Session session = connection.createSession(false, Session.AUTO_ACKNOWLEDGE);
        final Queue queue = session.createQueue(env.name("auto-recover"));
        send(env, queue, 1);
        final java.util.concurrent.BlockingQueue<Integer> counts = new java.util.concurrent.LinkedBlockingQueue<>();
        session.createConsumer(queue).setMessageListener(message ->
        {
            try
            {
                final int count = message.getIntProperty("JMSXDeliveryCount");
                counts.add(count);
                if (count == 1)
                {
                    session.recover();
                }
            }
            catch (final Exception ex)
            {
                counts.add(-1);
            }
        });
        connection.start();
        assertEquals(1, counts.poll(5, java.util.concurrent.TimeUnit.SECONDS));
        assertEquals(2, counts.poll(5, java.util.concurrent.TimeUnit.SECONDS),
            "recover() in a listener redelivers the message being processed");
    }

    @EachTransport
    void shouldConsumeEverythingOnceInDupsOkMode(final Conformance env) throws Exception
    {
        final Connection connection = env.consumerConnection();
        final Session session = connection.createSession(false, Session.DUPS_OK_ACKNOWLEDGE);
        final Queue queue = session.createQueue(env.name("dups-ok"));
        send(env, queue, 50);
        connection.start();
        final MessageConsumer consumer = session.createConsumer(queue);
        for (int i = 0; i < 50; i++)
        {
            assertEquals("m" + i, ((TextMessage)consumer.receive(5000)).getText());
        }
        consumer.close();
        awaitAcknowledged(env, queue.getQueueName(), 50);
    }

    @EachTransport
    void shouldAcknowledgeWhatADupsOkListenerTookOnceItIsIdle(final Conformance env) throws Exception
    {
        final Connection connection = env.consumerConnection();
        final Session session = connection.createSession(false, Session.DUPS_OK_ACKNOWLEDGE);
        final Queue queue = session.createQueue(env.name("dups-ok-listener"));
        // Not a multiple of the client's acknowledgement batch: the last ones go only once the listener is idle.
        final int count = 250;
        final java.util.concurrent.CountDownLatch received = new java.util.concurrent.CountDownLatch(count);
        session.createConsumer(queue).setMessageListener(m -> received.countDown());
        send(env, queue, count);
        connection.start();
        assertTrue(received.await(10, java.util.concurrent.TimeUnit.SECONDS));
        awaitAcknowledged(env, queue.getQueueName(), count);
    }

    @EachTransport
    void shouldAcknowledgeWhatADupsOkReceiverTookBeforeItWaits(final Conformance env) throws Exception
    {
        final Connection connection = env.consumerConnection();
        final Session session = connection.createSession(false, Session.DUPS_OK_ACKNOWLEDGE);
        final Queue queue = session.createQueue(env.name("dups-ok-receiver"));
        final int count = 150;
        send(env, queue, count);
        connection.start();
        final MessageConsumer consumer = session.createConsumer(queue);
        for (int i = 0; i < count; i++)
        {
            assertEquals("m" + i, ((TextMessage)consumer.receive(5000)).getText());
        }
        assertNull(consumer.receive(100), "nothing more");
        // The consumer stays open: the acknowledgements went out when the receive found nothing to take.
        awaitAcknowledged(env, queue.getQueueName(), count);
    }

    private static void awaitAcknowledged(final Conformance env, final String queue, final long count) throws Exception
    {
        final io.meshmq.admin.MeshAdmin admin = env.admin();
        Conformance.await(count + " acknowledged and none delivering", () ->
        {
            try
            {
                final io.meshmq.admin.MeshAdmin.QueueInfo info = admin.queue(queue);
                return info.messages() == 0 && info.delivering() == 0 && info.acknowledged() == count;
            }
            catch (final Exception ex)
            {
                throw new AssertionError(ex);
            }
        });
    }
}
