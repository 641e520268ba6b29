package io.meshmq.tck.cluster;

import io.meshmq.jms.FailoverEvent;
import io.meshmq.jms.MeshConnection;
import io.meshmq.jms.MeshConnectionFactory;
import io.meshmq.protocol.AdminTable;
import io.meshmq.protocol.AdminVerbs;
import io.meshmq.tck.failover.ClientThreads;
import io.meshmq.tck.failover.RequestReply;
import jakarta.jms.Connection;
import jakarta.jms.DeliveryMode;
import jakarta.jms.JMSException;
import jakarta.jms.Message;
import jakarta.jms.MessageConsumer;
import jakarta.jms.MessageProducer;
import jakarta.jms.Session;
import jakarta.jms.TemporaryQueue;
import jakarta.jms.TemporaryTopic;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeSet;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.Semaphore;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicLong;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * Three nodes; every client is given only n1's URL. n1 is killed with SIGKILL: the clients go on on n2/n3, which
 * n1 announced to them; once n1 is back, what it had stored reaches the consumers too. Every confirmed message is
 * consumed, and none twice: the consumers acknowledge (CLIENT_ACKNOWLEDGE) and count only acknowledgements that
 * returned, so a message stored twice would be counted twice, while one whose acknowledgement the kill took (which
 * the spec lets come again) is not.
 */
class MeshFailoverTest
{
    private static final String QUEUE = "mesh-failover";

    @TempDir
    Path dir;

    private final ClientThreads clients = new ClientThreads();
    private final AtomicBoolean producing = new AtomicBoolean(true);
    private final Set<Integer> confirmed = ConcurrentHashMap.newKeySet();
    /** Acknowledgements that returned, by message. */
    private final Map<Integer, AtomicInteger> consumed = new ConcurrentHashMap<>();
    /**
     * Messages whose acknowledge threw FAILED_OVER: its answer was lost with n1, so they were consumed there, or they
     * come again.
     */
    private final Set<Integer> maybeConsumed = ConcurrentHashMap.newKeySet();
    private final AtomicLong killedAt = new AtomicLong();
    private final AtomicLong firstSentAfterKill = new AtomicLong();
    private final AtomicLong firstReceivedAfterKill = new AtomicLong();
    private final List<Long> failoverMs = new CopyOnWriteArrayList<>();

    @Test
    void shouldCarryOnOnTheAnnouncedNodesAndDeliverWhatTheDeadNodeHeldOnceItReturns() throws Exception
    {
        try (ClusterNodes nodes = ClusterNodes.start(dir, "mesh-failover", 3))
        {
            nodes.awaitMesh();
            final String url = nodes.url(0) + "?reconnectAttempts=-1&failoverTimeout=60000&retryInterval=20" +
                "&maxRetryInterval=200";
            final AtomicInteger ids = new AtomicInteger();
            try
            {
                clients.start("listener", () -> listen(url));
                clients.start("receiver", () -> receive(url));
                clients.start("sync-producer", () -> produce(url, ids, false));
                clients.start("async-producer", () -> produce(url, ids, true));
                // The admin connection that asks for the status is a client too.
                ClusterNodes.poll("four clients on n1", 30_000, () -> clients(nodes.status(0), "n1") == 4 + 1);
                ClusterNodes.poll("300 messages confirmed", 60_000, () -> confirmed.size() >= 300 || clients.anyFailed());
                clients.assertNoneFailed();

                killedAt.set(System.nanoTime());
                nodes.kill(0);
                ClusterNodes.poll("the four clients to fail over", 30_000, () -> failoverMs.size() == 4 || clients.anyFailed());
                ClusterNodes.poll("a send confirmed and a message received on another node", 60_000,
                    () -> firstSentAfterKill.get() != 0 && firstReceivedAfterKill.get() != 0 || clients.anyFailed());
                clients.assertNoneFailed();
                System.out.printf("n1 killed: the clients failed over in %s ms; a send was confirmed on the new node " +
                    "%d ms after the kill, a message received %d ms after it%n", failoverMs,
                    msAfterKill(firstSentAfterKill), msAfterKill(firstReceivedAfterKill));
                ClusterNodes.poll("the four clients on n2 and n3", 30_000, () ->
                {
                    final AdminTable status = nodes.status(1);
                    return clients(status, "n2") + clients(status, "n3") == 4 + 1;
                });

                final int before = confirmed.size();
                ClusterNodes.poll("300 more messages confirmed", 60_000,
                    () -> confirmed.size() >= before + 300 || clients.anyFailed());
                producing.set(false);
                nodes.startNode(0);
                nodes.awaitMesh();
                pollQuietly(90_000, () -> consumedOrMaybe().containsAll(confirmed) || clients.anyFailed());
            }
            finally
            {
                producing.set(false);
                clients.stop();
            }
            clients.assertNoneFailed();
            final Set<Integer> missing = new TreeSet<>(confirmed);
            missing.removeAll(consumedOrMaybe());
            assertTrue(missing.isEmpty(), missing.size() + " of " + confirmed.size() + " confirmed messages never " +
                "consumed: " + missing + "\n" + queues(nodes) + nodes.outputs());
            for (final Map.Entry<Integer, AtomicInteger> consumption : consumed.entrySet())
            {
                assertEquals(1, consumption.getValue().get(), "message " + consumption.getKey() + " was acknowledged " +
                    consumption.getValue() + " times: it was stored twice");
            }
        }
    }

    @Test
    void shouldAnswerRequestsToTemporaryDestinationsMadeAgainOnAnotherNode() throws Exception
    {
        try (ClusterNodes nodes = ClusterNodes.start(dir, "mesh-temporary", 3))
        {
            nodes.awaitMesh();
            try (Connection responder = new MeshConnectionFactory(nodes.url(2)).createConnection();
                Connection requester = connect(nodes.url(0) + "?reconnectAttempts=-1&retryInterval=20",
                    new AtomicBoolean()))
            {
                RequestReply.respond(responder.createSession(false, Session.AUTO_ACKNOWLEDGE), "requests", clients::failed);
                responder.start();
                nodes.awaitRemoteConsumers(0, 2, 1);
                nodes.awaitRemoteConsumers(1, 2, 1);
                requester.start();
                final Session session = requester.createSession(false, Session.AUTO_ACKNOWLEDGE);
                final TemporaryQueue replyTo = session.createTemporaryQueue();
                final MessageProducer requests = session.createProducer(session.createQueue("requests"));
                final MessageConsumer answers = session.createConsumer(replyTo);
                final TemporaryTopic replyTopic = session.createTemporaryTopic();
                final MessageConsumer topicAnswers = session.createConsumer(replyTopic);
                assertEquals("re: one", RequestReply.request(session, requests, answers, replyTo, "one", 15_000));
                assertEquals("re: uno", RequestReply.request(session, requests, topicAnswers, replyTopic, "uno", 15_000));
                nodes.kill(0);
                ClusterNodes.poll("the requester to fail over", 30_000, () -> failoverMs.size() == 1);
                // The responder's node learns where the temporary queue is now as the requester's new node tells it.
                assertEquals("re: two", RequestReply.request(session, requests, answers, replyTo, "two", 15_000));
                assertEquals("re: three", RequestReply.request(session, requests, answers, replyTo, "three", 15_000));
                assertEquals("re: due", RequestReply.request(session, requests, topicAnswers, replyTopic, "due", 15_000));
                clients.assertNoneFailed();
            }
        }
    }

    private Set<Integer> consumedOrMaybe()
    {
        final Set<Integer> all = new java.util.HashSet<>(consumed.keySet());
        all.addAll(maybeConsumed);
        return all;
    }

    private static String queues(final ClusterNodes nodes)
    {
        final StringBuilder all = new StringBuilder();
        for (int i = 0; i < 3; i++)
        {
            all.append("n").append(i + 1).append(": ").append(nodes.admin(i, AdminVerbs.QUEUE_LIST).rows()).append('\n');
        }
        return all.toString();
    }

    private static long clients(final AdminTable status, final String node)
    {
        for (int r = 0; r < status.rows().size(); r++)
        {
            final String name = String.valueOf(status.value(r, "node"));
            if (name.equals(node) || name.equals(node + " (this node)"))
            {
                return ((Number)status.value(r, "clients")).longValue();
            }
        }
        return -1;
    }

    private long msAfterKill(final AtomicLong at)
    {
        return TimeUnit.NANOSECONDS.toMillis(at.get() - killedAt.get());
    }

    /**
     * @param movedOver set once this client has failed over.
     */
    private Connection connect(final String url, final AtomicBoolean movedOver) throws JMSException
    {
        final Connection connection = new MeshConnectionFactory(url).createConnection();
        ((MeshConnection)connection).setFailoverListener(event ->
        {
            if (event.kind() == FailoverEvent.Kind.COMPLETED)
            {
                failoverMs.add(event.tookMs());
                movedOver.set(true);
            }
            else if (event.kind() == FailoverEvent.Kind.FAILED)
            {
                clients.failed(new AssertionError("failover failed", event.cause()));
            }
        });
        return connection;
    }

    private static int id(final Message message)
    {
        try
        {
            return message.getIntProperty("id");
        }
        catch (final JMSException ex)
        {
            throw new IllegalStateException(ex);
        }
    }

    private void acknowledged(final int id)
    {
        consumed.computeIfAbsent(id, k -> new AtomicInteger()).incrementAndGet();
    }

    private void delivered(final AtomicBoolean movedOver)
    {
        if (movedOver.get())
        {
            firstReceivedAfterKill.compareAndSet(0, System.nanoTime());
        }
    }

    private void listen(final String url) throws Exception
    {
        final AtomicBoolean movedOver = new AtomicBoolean();
        try (Connection connection = connect(url, movedOver))
        {
            final Session session = connection.createSession(false, Session.CLIENT_ACKNOWLEDGE);
            session.createConsumer(session.createQueue(QUEUE)).setMessageListener(message ->
            {
                try
                {
                    delivered(movedOver);
                    message.acknowledge();
                    acknowledged(id(message));
                }
                catch (final JMSException ex)
                {
                    if (!"FAILED_OVER".equals(ex.getErrorCode()))
                    {
                        clients.failed(ex);
                    }
                    maybeConsumed.add(id(message));
                }
            });
            connection.start();
            // Listens until the test interrupts it.
            new java.util.concurrent.CountDownLatch(1).await();
        }
        catch (final InterruptedException ex)
        {
            Thread.currentThread().interrupt();
        }
    }

    private void receive(final String url) throws JMSException
    {
        final AtomicBoolean movedOver = new AtomicBoolean();
        try (Connection connection = connect(url, movedOver))
        {
            connection.start();
            final Session session = connection.createSession(false, Session.CLIENT_ACKNOWLEDGE);
            final MessageConsumer consumer = session.createConsumer(session.createQueue(QUEUE));
            final List<Integer> batch = new ArrayList<>();
            Message last = null;
            while (!Thread.currentThread().isInterrupted())
            {
                final Message message = consumer.receive(100);
                if (message != null)
                {
                    delivered(movedOver);
                    batch.add(message.getIntProperty("id"));
                    last = message;
                }
                if (batch.isEmpty() || message != null && batch.size() < 10)
                {
                    continue;
                }
                try
                {
                    last.acknowledge();
                    batch.forEach(this::acknowledged);
                }
                catch (final JMSException ex)
                {
                    if (!"FAILED_OVER".equals(ex.getErrorCode()))
                    {
                        throw ex;
                    }
                    maybeConsumed.addAll(batch);
                }
                batch.clear();
            }
        }
    }

    private void sent(final int id, final AtomicBoolean movedOver)
    {
        confirmed.add(id);
        if (movedOver.get())
        {
            firstSentAfterKill.compareAndSet(0, System.nanoTime());
        }
    }

    /**
     * Sends persistent messages until told to stop: one at a time, or asynchronously with up to 100 unconfirmed.
     */
    private void produce(final String url, final AtomicInteger ids, final boolean async) throws Exception
    {
        final Semaphore window = new Semaphore(100);
        final AtomicBoolean movedOver = new AtomicBoolean();
        try (Connection connection = connect(url, movedOver))
        {
            final Session session = connection.createSession(false, Session.AUTO_ACKNOWLEDGE);
            final MessageProducer producer = session.createProducer(session.createQueue(QUEUE));
            producer.setDeliveryMode(DeliveryMode.PERSISTENT);
            while (producing.get())
            {
                if (!window.tryAcquire(100, TimeUnit.MILLISECONDS))
                {
                    continue;
                }
                final int id = ids.incrementAndGet();
                final Message message = session.createTextMessage((async ? "async " : "sync ") + id);
                message.setIntProperty("id", id);
                if (!async)
                {
                    producer.send(message);
                    sent(id, movedOver);
                    window.release();
                    continue;
                }
                producer.send(message, clients.completion("async send " + id, window, () -> sent(id, movedOver)));
            }
            window.tryAcquire(100, 60, TimeUnit.SECONDS);
        }
    }

    /**
     * Polls until the condition holds or the time is up; the assertions after it say what is missing.
     */
    private static void pollQuietly(final long timeoutMs, final java.util.function.BooleanSupplier condition)
        throws InterruptedException
    {
        final long deadline = System.nanoTime() + TimeUnit.MILLISECONDS.toNanos(timeoutMs);
        while (!condition.getAsBoolean() && System.nanoTime() < deadline)
        {
            Thread.sleep(10);
        }
    }
}
