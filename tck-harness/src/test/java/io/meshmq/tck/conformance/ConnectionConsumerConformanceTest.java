package io.meshmq.tck.conformance;

import jakarta.jms.Connection;
import jakarta.jms.ConnectionConsumer;
import jakarta.jms.JMSException;
import jakarta.jms.Message;
import jakarta.jms.MessageListener;
import jakarta.jms.MessageProducer;
import jakarta.jms.Queue;
import jakarta.jms.ServerSession;
import jakarta.jms.ServerSessionPool;
import jakarta.jms.Session;
import jakarta.jms.TextMessage;
import jakarta.jms.Topic;

import java.util.Map;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.function.Function;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertSame;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * Connection consumers (specification 6.1.6, the application server facility the resource adapter issue needs): a
 * connection consumer hands messages to server sessions from the application server's pool, which run them through
 * their sessions' message listeners and acknowledge them as those sessions do (issue 16, item 9).
 */
class ConnectionConsumerConformanceTest
{
    /**
     * A server session pool as an application server keeps one: sessions of one connection, each with its listener,
     * run on the server's threads and given back when done.
     */
    private static final class Pool implements ServerSessionPool, AutoCloseable
    {
        private final BlockingQueue<ServerSession> idle = new LinkedBlockingQueue<>();
        private final ExecutorService threads = Executors.newCachedThreadPool();
        private final int size;
        final AtomicInteger largestRun = new AtomicInteger();

        Pool(final Connection connection, final int size, final boolean transacted,
            final Function<Session, MessageListener> listeners) throws JMSException
        {
            this.size = size;
            for (int i = 0; i < size; i++)
            {
                final Session session = connection.createSession(transacted,
                    transacted ? Session.SESSION_TRANSACTED : Session.AUTO_ACKNOWLEDGE);
                final AtomicInteger inRun = new AtomicInteger();
                final MessageListener listener = listeners.apply(session);
                session.setMessageListener(message ->
                {
                    largestRun.accumulateAndGet(inRun.incrementAndGet(), Math::max);
                    listener.onMessage(message);
                });
                idle.add(new ServerSession()
                {
                    @Override
                    public Session getSession()
                    {
                        return session;
                    }

                    @Override
                    public void start()
                    {
                        final ServerSession self = this;
                        threads.execute(() ->
                        {
                            inRun.set(0);
                            session.run();
                            idle.add(self);
                        });
                    }
                });
            }
        }

        /**
         * Waits until every server session is back in the pool: what they ran is acknowledged (or committed) by then.
         */
        void awaitIdle() throws InterruptedException
        {
            Conformance.await("every server session back in the pool", () -> idle.size() == size);
        }

        @Override
        public ServerSession getServerSession() throws JMSException
        {
            try
            {
                return idle.take();
            }
            catch (final InterruptedException ex)
            {
                Thread.currentThread().interrupt();
                throw new JMSException("interrupted waiting for a server session");
            }
        }

        @Override
        public void close() throws InterruptedException
        {
            threads.shutdown();
            threads.awaitTermination(10, TimeUnit.SECONDS);
        }
    }

    private static void send(final Conformance env, final jakarta.jms.Destination destination, final String... texts)
        throws JMSException
    {
        final Session session = env.producerConnection().createSession(false, Session.AUTO_ACKNOWLEDGE);
        final MessageProducer producer = session.createProducer(destination);
        for (final String text : texts)
        {
            producer.send(session.createTextMessage(text));
        }
    }

    private static String text(final Message message)
    {
        try
        {
            return ((TextMessage)message).getText();
        }
        catch (final JMSException ex)
        {
            throw new IllegalStateException(ex);
        }
    }

    /**
     * Every message was acknowledged by the server sessions: a new consumer finds none.
     */
    private static void assertNothingLeft(final Conformance env, final Queue queue) throws JMSException
    {
        final Connection after = env.consumerConnection();
        after.start();
        assertNull(after.createSession(false, Session.AUTO_ACKNOWLEDGE).createConsumer(queue).receive(200),
            "a message was not acknowledged");
    }

    @EachTransport
    void shouldHandEachQueueMessageToOneServerSessionAtMostMaxMessagesAtATime(final Conformance env) throws Exception
    {
        final Connection connection = env.consumerConnection();
        final Queue queue = connection.createSession(false, Session.AUTO_ACKNOWLEDGE).createQueue(env.name("cc-queue"));
        final Map<String, Integer> received = new ConcurrentHashMap<>();
        try (Pool pool = new Pool(connection, 3, false, session -> message -> received.merge(text(message), 1, Integer::sum)))
        {
            final ConnectionConsumer consumer = connection.createConnectionConsumer(queue, null, pool, 5);
            assertSame(pool, consumer.getServerSessionPool());
            connection.start();
            env.awaitConsumers(queue, 1);
            final String[] texts = new String[30];
            for (int i = 0; i < texts.length; i++)
            {
                texts[i] = "m" + i;
            }
            send(env, queue, texts);
            Conformance.await("30 messages through the server sessions", () -> received.size() == 30);
            pool.awaitIdle();
            consumer.close();
            assertTrue(received.values().stream().allMatch(n -> n == 1), "each message once: " + received);
            assertTrue(pool.largestRun.get() <= 5, "a run held " + pool.largestRun.get() + " messages");
        }
        assertNothingLeft(env, queue);
    }

    @EachTransport
    void shouldRedeliverWhatATransactedServerSessionRolledBack(final Conformance env) throws Exception
    {
        final Connection connection = env.consumerConnection();
        final Queue queue = connection.createSession(false, Session.AUTO_ACKNOWLEDGE).createQueue(env.name("cc-tx"));
        final Map<String, Boolean> committed = new ConcurrentHashMap<>();
        try (Pool pool = new Pool(connection, 2, true, session -> message ->
        {
            try
            {
                if ("fail-once".equals(text(message)) && !message.getJMSRedelivered())
                {
                    session.rollback();
                    return;
                }
                final boolean redelivered = message.getJMSRedelivered();
                session.commit();
                // Counted once committed: the test closes the connection consumer when all are.
                committed.put(text(message), redelivered);
            }
            catch (final JMSException ex)
            {
                throw new IllegalStateException(ex);
            }
        }))
        {
            final ConnectionConsumer consumer = connection.createConnectionConsumer(queue, null, pool, 1);
            connection.start();
            env.awaitConsumers(queue, 1);
            send(env, queue, "fail-once", "a", "b", "c");
            Conformance.await("every message committed", () -> committed.size() == 4);
            pool.awaitIdle();
            consumer.close();
            assertEquals(Boolean.TRUE, committed.get("fail-once"), "it came again after the rollback, marked so");
        }
        assertNothingLeft(env, queue);
    }

    @EachTransport
    void shouldFeedADurableConnectionConsumer(final Conformance env) throws Exception
    {
        final Connection connection = env.consumerFactory("clientID=" + env.name("cc-client")).createConnection();
        env.track(connection);
        final Topic topic = connection.createSession(false, Session.AUTO_ACKNOWLEDGE).createTopic(env.name("cc-topic"));
        final Map<String, Integer> received = new ConcurrentHashMap<>();
        try (Pool pool = new Pool(connection, 1, false, session -> message -> received.merge(text(message), 1, Integer::sum)))
        {
            final ConnectionConsumer consumer =
                connection.createDurableConnectionConsumer(topic, "durable", null, pool, 2);
            connection.start();
            env.awaitSubscriptions(topic, 1, 1);
            send(env, topic, "p1", "p2", "p3");
            Conformance.await("three publishes", () -> received.size() == 3);
            pool.awaitIdle();
            consumer.close();
        }
        connection.createSession(false, Session.AUTO_ACKNOWLEDGE).unsubscribe("durable");
    }
}
