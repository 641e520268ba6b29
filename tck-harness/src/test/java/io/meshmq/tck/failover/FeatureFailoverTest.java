package io.meshmq.tck.failover;

import io.meshmq.jms.FailoverEvent;
import io.meshmq.jms.MeshConnection;
import io.meshmq.jms.MeshConnectionFactory;
import io.meshmq.tck.crash.BrokerProcess;
import jakarta.jms.Connection;
import jakarta.jms.JMSConsumer;
import jakarta.jms.JMSContext;
import jakarta.jms.JMSException;
import jakarta.jms.Message;
import jakarta.jms.MessageConsumer;
import jakarta.jms.MessageProducer;
import jakarta.jms.Queue;
import jakarta.jms.QueueBrowser;
import jakarta.jms.Session;
import jakarta.jms.TemporaryQueue;
import jakarta.jms.TextMessage;
import jakarta.jms.Topic;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Enumeration;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * Each kind of consumer and each API the spec offers carries on through its broker's SIGKILL and restart: the
 * application's objects keep working, and what it was doing at the moment of the kill completes.
 */
class FeatureFailoverTest
{
    private static final long WAIT_MS = 30_000;

    @TempDir
    Path workDir;

    private BrokerProcess broker;
    private int port;
    private String url;

    @BeforeEach
    void startBroker() throws Exception
    {
        broker = BrokerProcess.start(workDir.resolve("broker"));
        port = broker.port();
        url = "tcp://127.0.0.1:" + port + "?reconnectAttempts=-1&failoverTimeout=60000&retryInterval=20" +
            "&maxRetryInterval=200";
    }

    @AfterEach
    void stopBroker() throws InterruptedException
    {
        broker.close();
    }

    /**
     * Kills the broker, starts it again on its port and data, and waits until the connection has failed over.
     */
    private void restartUnder(final Connection... connections) throws Exception
    {
        final CountDownLatch failedOver = new CountDownLatch(connections.length);
        for (final Connection connection : connections)
        {
            ((MeshConnection)connection).setFailoverListener(event ->
            {
                if (event.kind() == FailoverEvent.Kind.COMPLETED)
                {
                    failedOver.countDown();
                }
            });
        }
        broker.kill();
        broker = BrokerProcess.startNode(workDir.resolve("broker"), "crash", port);
        assertTrue(failedOver.await(WAIT_MS, TimeUnit.MILLISECONDS), "the connections failed over");
    }

    private Connection connect() throws JMSException
    {
        return new MeshConnectionFactory(url).createConnection();
    }

    private void send(final String queue, final String... texts) throws JMSException
    {
        try (Connection connection = connect())
        {
            final Session session = connection.createSession(false, Session.AUTO_ACKNOWLEDGE);
            final MessageProducer producer = session.createProducer(session.createQueue(queue));
            for (final String text : texts)
            {
                producer.send(session.createTextMessage(text));
            }
        }
    }

    @Test
    void shouldReturnFromAReceiveWaitingThroughTheFailoverWithTheMessageSentAfterIt() throws Exception
    {
        try (Connection connection = connect())
        {
            connection.start();
            final Session session = connection.createSession(false, Session.AUTO_ACKNOWLEDGE);
            final MessageConsumer consumer = session.createConsumer(session.createQueue("receive-through"));
            final CompletableFuture<Message> received = CompletableFuture.supplyAsync(() ->
            {
                try
                {
                    return consumer.receive(WAIT_MS);
                }
                catch (final JMSException ex)
                {
                    throw new IllegalStateException(ex);
                }
            });
            restartUnder(connection);
            send("receive-through", "after the restart");
            final Message message = received.get(WAIT_MS, TimeUnit.MILLISECONDS);
            assertNotNull(message, "the receive waiting through the failover got the message");
            assertEquals("after the restart", ((TextMessage)message).getText());
        }
    }

    @Test
    void shouldGoOnBrowsingWhereTheBrowserWasShowingEachMessageOnce() throws Exception
    {
        final String[] texts = new String[20];
        for (int i = 0; i < texts.length; i++)
        {
            texts[i] = "m" + i;
        }
        send("browse-through", texts);
        try (Connection connection = connect())
        {
            connection.start();
            final Session session = connection.createSession(false, Session.AUTO_ACKNOWLEDGE);
            final QueueBrowser browser = session.createBrowser(session.createQueue("browse-through"));
            final Enumeration<?> messages = browser.getEnumeration();
            final List<String> seen = new ArrayList<>();
            for (int i = 0; i < 5; i++)
            {
                seen.add(((TextMessage)messages.nextElement()).getText());
            }
            restartUnder(connection);
            while (messages.hasMoreElements())
            {
                seen.add(((TextMessage)messages.nextElement()).getText());
            }
            assertEquals(List.of(texts), seen, "each message shown once, in order");
        }
    }

    @Test
    void shouldKeepAJmsContextSendingAndReceiving() throws Exception
    {
        final MeshConnectionFactory factory = new MeshConnectionFactory(url);
        try (JMSContext context = factory.createContext())
        {
            final Queue queue = context.createQueue("context-through");
            final JMSConsumer consumer = context.createConsumer(queue);
            for (int i = 0; i < 5; i++)
            {
                context.createProducer().send(queue, "before " + i);
            }
            for (int i = 0; i < 5; i++)
            {
                assertEquals("before " + i, consumer.receiveBody(String.class, WAIT_MS));
            }
            broker.kill();
            broker = BrokerProcess.startNode(workDir.resolve("broker"), "crash", port);
            // The first send after the kill waits for the failover.
            for (int i = 0; i < 5; i++)
            {
                context.createProducer().send(queue, "after " + i);
            }
            for (int i = 0; i < 5; i++)
            {
                assertEquals("after " + i, ((TextMessage)nextNew(consumer::receive, "before")).getText());
            }
        }
    }

    @Test
    void shouldAnswerRequestsThroughATemporaryQueueMadeAgainUnderItsName() throws Exception
    {
        try (Connection responder = connect(); Connection requester = connect())
        {
            RequestReply.respond(responder.createSession(false, Session.AUTO_ACKNOWLEDGE), "requests", failure ->
            {
                throw new IllegalStateException(failure);
            });
            responder.start();
            requester.start();
            final Session session = requester.createSession(false, Session.AUTO_ACKNOWLEDGE);
            final TemporaryQueue replyTo = session.createTemporaryQueue();
            final String name = replyTo.getQueueName();
            final MessageProducer requests = session.createProducer(session.createQueue("requests"));
            final MessageConsumer answers = session.createConsumer(replyTo);
            assertEquals("re: one", RequestReply.request(session, requests, answers, replyTo, "one", WAIT_MS));
            restartUnder(responder, requester);
            assertEquals("re: two", RequestReply.request(session, requests, answers, replyTo, "two", WAIT_MS));
            assertEquals(name, replyTo.getQueueName(), "the temporary queue kept its name");
        }
    }

    @Test
    void shouldContinueADurableSubscriptionWithWhatWasPublishedMeanwhile() throws Exception
    {
        try (Connection subscriber = connect(); Connection publisher = connect())
        {
            subscriber.setClientID("durable-through");
            subscriber.start();
            final Session session = subscriber.createSession(false, Session.AUTO_ACKNOWLEDGE);
            final Topic topic = session.createTopic("news");
            final MessageConsumer consumer = session.createDurableSubscriber(topic, "reader");
            final Session publishing = publisher.createSession(false, Session.AUTO_ACKNOWLEDGE);
            final MessageProducer producer = publishing.createProducer(topic);
            producer.send(publishing.createTextMessage("before"));
            assertEquals("before", ((TextMessage)consumer.receive(WAIT_MS)).getText());
            broker.kill();
            broker = BrokerProcess.startNode(workDir.resolve("broker"), "crash", port);
            // Published as soon as the publisher is back, maybe before the subscriber is.
            producer.send(publishing.createTextMessage("meanwhile"));
            producer.send(publishing.createTextMessage("after"));
            assertEquals("meanwhile", ((TextMessage)nextNew(consumer::receive, "before")).getText());
            assertEquals("after", ((TextMessage)nextNew(consumer::receive, "before")).getText());
        }
    }

    @Test
    void shouldShareASubscriptionAcrossTheFailoverDeliveringEachMessageOnce() throws Exception
    {
        try (Connection first = connect(); Connection second = connect(); Connection publisher = connect())
        {
            first.start();
            second.start();
            final Session one = first.createSession(false, Session.AUTO_ACKNOWLEDGE);
            final Session two = second.createSession(false, Session.AUTO_ACKNOWLEDGE);
            final MessageConsumer a = one.createSharedConsumer(one.createTopic("prices"), "board");
            final MessageConsumer b = two.createSharedConsumer(two.createTopic("prices"), "board");
            final Session publishing = publisher.createSession(false, Session.AUTO_ACKNOWLEDGE);
            final MessageProducer producer = publishing.createProducer(publishing.createTopic("prices"));
            final List<String> received = new ArrayList<>();
            for (int i = 0; i < 10; i++)
            {
                producer.send(publishing.createTextMessage("before " + i));
            }
            drain(received, 10, a, b);
            restartUnder(first, second, publisher);
            for (int i = 0; i < 10; i++)
            {
                producer.send(publishing.createTextMessage("after " + i));
            }
            drain(received, 20, a, b);
            for (int i = 0; i < 10; i++)
            {
                assertTrue(received.contains("before " + i) && received.contains("after " + i), received.toString());
            }
            assertEquals(20, received.size(), "each message once: " + received);
        }
    }

    @FunctionalInterface
    private interface Receive
    {
        Message receive(long timeoutMs) throws JMSException;
    }

    /**
     * @return the next message that is not one received before the kill: those may come again (their automatic
     * acknowledgements were on their way when the broker died), marked redelivered.
     */
    private static Message nextNew(final Receive consumer, final String before) throws JMSException
    {
        while (true)
        {
            final Message message = consumer.receive(WAIT_MS);
            assertNotNull(message, "a message after the restart");
            if (!((TextMessage)message).getText().startsWith(before))
            {
                return message;
            }
            assertTrue(message.getJMSRedelivered(), "a message received before the kill comes again only as redelivered");
        }
    }

    private static void drain(final List<String> received, final int until, final MessageConsumer... consumers)
        throws JMSException
    {
        final long deadline = System.nanoTime() + TimeUnit.MILLISECONDS.toNanos(WAIT_MS);
        while (received.size() < until && System.nanoTime() < deadline)
        {
            for (final MessageConsumer consumer : consumers)
            {
                final Message message = consumer.receive(20);
                final String text = message == null ? null : ((TextMessage)message).getText();
                // One received before the kill may come again, marked so: its acknowledgement died with the broker.
                if (message != null && !(message.getJMSRedelivered() && received.contains(text)))
                {
                    received.add(text);
                }
            }
        }
        assertEquals(until, received.size(), "received so far: " + received);
    }
}
