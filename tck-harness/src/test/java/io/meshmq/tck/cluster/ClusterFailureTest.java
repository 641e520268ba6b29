package io.meshmq.tck.cluster;

import io.meshmq.admin.MeshAdmin;
import io.meshmq.engine.security.PasswordHash;
import io.meshmq.protocol.AdminVerbs;
import io.meshmq.tck.crash.BrokerProcess;
import jakarta.jms.Connection;
import jakarta.jms.JMSSecurityException;
import jakarta.jms.MessageProducer;
import jakarta.jms.Session;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.net.InetAddress;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicReference;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

/**
 * Cluster nodes killed with SIGKILL and restarted, and nodes that must not join.
 */
class ClusterFailureTest
{
    @TempDir
    Path dir;

    /**
     * n1 is killed while it forwards to n2's consumer, then restarted on the same data: every message it
     * confirmed reaches the consumer exactly once, those in flight on the link included.
     */
    @Test
    void shouldNeitherLoseNorDoubleForwardsWhenTheSendingNodeIsKilled() throws Exception
    {
        try (ClusterNodes nodes = ClusterNodes.start(dir, "crash-test", 2))
        {
            nodes.awaitMesh();
            final Received received = new Received();
            try (Connection consumerConnection = nodes.factory(1).createConnection())
            {
                final Session consumerSession = consumerConnection.createSession(false, Session.AUTO_ACKNOWLEDGE);
                consumerSession.createConsumer(consumerSession.createQueue("flow")).setMessageListener(received);
                consumerConnection.start();
                nodes.awaitRemoteConsumers(0, 1, 1);

                final Set<String> confirmed = ConcurrentHashMap.newKeySet();
                // Three kills: each leaves some forwards stored on n2 but not yet confirmed to n1.
                for (int round = 0; round < 3; round++)
                {
                    final AtomicReference<Exception> stopped = new AtomicReference<>();
                    final int target = confirmed.size() + 2_000;
                    final String prefix = "flow-" + round + "-";
                    final Thread producer = new Thread(() -> produce(nodes, 0, "flow", prefix, confirmed, 1_000_000, stopped),
                        "producer");
                    producer.start();
                    ClusterNodes.poll("2,000 more confirmed sends", 60_000,
                        () -> confirmed.size() >= target && received.count.get() > 0 || stopped.get() != null);
                    nodes.kill(0);
                    producer.join(30_000);
                    assertTrue(stopped.get() != null && !"sent everything".equals(stopped.get().getMessage()),
                        "the producer should have lost its connection");
                    nodes.startNode(0);
                    nodes.awaitMesh();
                }
                ClusterNodes.poll("every confirmed message on n2", 60_000, () -> received.bodies.containsAll(confirmed));
                assertEquals(0, received.duplicates(), "messages delivered twice");
                ClusterNodes.poll("n1's forward queue to drain", 30_000, () -> nodes.backlog(0, 1) == 0);
                assertEquals(0, received.duplicates(), "messages delivered twice");
            }
        }
    }

    /**
     * n2, where the consumer is, is killed three times while n1 forwards to it, and restarted on the same data:
     * every message n1 confirmed is consumed, and none is consumed twice. Forwards n2 had stored but not yet
     * confirmed when it died are sent again to the restarted n2, which must recognise them.
     */
    @Test
    void shouldNeitherLoseNorDoubleForwardsWhenTheReceivingNodeIsKilled() throws Exception
    {
        try (ClusterNodes nodes = ClusterNodes.start(dir, "crash-test", 2))
        {
            nodes.awaitMesh();
            final TransactedConsumer consumer = new TransactedConsumer(nodes, 1, "inflow");
            final Thread consuming = new Thread(consumer, "consumer on n2");
            consuming.start();
            final Set<String> confirmed = ConcurrentHashMap.newKeySet();
            final AtomicReference<Exception> stopped = new AtomicReference<>();
            final Thread producer = new Thread(() -> produce(nodes, 0, "inflow", "in-", confirmed, 12_000, stopped),
                "producer on n1");
            try
            {
                nodes.awaitRemoteConsumers(0, 1, 1);
                producer.start();
                for (int round = 0; round < 3; round++)
                {
                    final int target = consumer.consumed.size() + 1_000;
                    ClusterNodes.poll("1,000 more consumed on n2", 60_000,
                        () -> consumer.consumed.size() >= target || stopped.get() != null);
                    nodes.kill(1);
                    nodes.startNode(1);
                    nodes.awaitMesh();
                }
                producer.join(120_000);
                assertEquals("sent everything", stopped.get().getMessage(), "the producer on n1 kept its connection");
                ClusterNodes.poll("every confirmed message consumed on n2", 60_000, () ->
                    consumer.consumedOrInDoubt().containsAll(confirmed));
                assertEquals(0, consumer.duplicates.get(), "messages consumed twice: " + consumer.duplicateSample);
                ClusterNodes.poll("n1's forward queue to drain", 30_000, () -> nodes.backlog(0, 1) == 0);
                assertTrue(consumer.consumed.size() + consumer.inDoubt.size() >= confirmed.size());
            }
            finally
            {
                consumer.stop();
                consuming.join(30_000);
                producer.join(30_000);
            }
        }
    }

    /**
     * While n2 is down, messages for its durable subscription wait on n1, in memory: at n1's global limit n1
     * refuses further such sends with a clear error instead of running out of memory, and once n2 is back every
     * accepted message reaches the subscription.
     */
    @Test
    void shouldRefuseMessagesForADownNodeAtTheMemoryLimitAndDeliverTheAcceptedOnes() throws Exception
    {
        try (ClusterNodes nodes = ClusterNodes.start(dir, "full-test", 2, "global-max-size = 1000000"))
        {
            nodes.awaitMesh();
            final String clientId = "roamer";
            try (Connection connection = nodes.factory(1).createConnection())
            {
                connection.setClientID(clientId);
                final Session session = connection.createSession(false, Session.AUTO_ACKNOWLEDGE);
                session.createDurableSubscriber(session.createTopic("alerts"), "sub").close();
            }
            ClusterNodes.poll("n1 to know n2's subscription", 30_000, () -> nodes.remoteBindings(0, 1) > 0);
            nodes.kill(1);
            final Set<String> accepted = new java.util.LinkedHashSet<>();
            String refusal = null;
            try (Connection connection = nodes.factory(0).createConnection())
            {
                final Session session = connection.createSession(false, Session.AUTO_ACKNOWLEDGE);
                final MessageProducer producer = session.createProducer(session.createTopic("alerts"));
                final String body = "x".repeat(10_000);
                for (int i = 0; i < 1_000 && refusal == null; i++)
                {
                    try
                    {
                        producer.send(session.createTextMessage(i + ":" + body));
                        accepted.add(i + ":" + body);
                    }
                    catch (final jakarta.jms.ResourceAllocationException ex)
                    {
                        refusal = ex.getMessage();
                    }
                }
            }
            assertTrue(refusal != null && refusal.contains("must wait to cross to another node"), String.valueOf(refusal));
            assertTrue(accepted.size() > 10, accepted.size() + " accepted before the limit");

            nodes.startNode(1);
            nodes.awaitMesh();
            final Received received = new Received();
            try (Connection connection = nodes.factory(1).createConnection())
            {
                connection.setClientID(clientId);
                final Session session = connection.createSession(false, Session.AUTO_ACKNOWLEDGE);
                session.createDurableSubscriber(session.createTopic("alerts"), "sub").setMessageListener(received);
                connection.start();
                ClusterNodes.poll("every accepted message at the subscription", 30_000,
                    () -> received.bodies.containsAll(accepted));
            }
            assertEquals(0, received.duplicates());
            ClusterNodes.poll("n1's forward queue to drain", 30_000, () -> nodes.backlog(0, 1) == 0);
        }
    }

    /**
     * n1 knew of n2's durable subscription; both are killed and n1 restarts alone: what is published on n1 while n2
     * is still down waits for n2's subscription, and reaches it once n2 is back. (Before n1 kept what it knew of
     * other nodes' subscriptions in its data directory, such publishes found no subscriber and were gone.)
     */
    @Test
    void shouldKeepPublishesForADurableSubscriptionOfANodeStillDownAfterARestart() throws Exception
    {
        try (ClusterNodes nodes = ClusterNodes.start(dir, "restart-test", 2))
        {
            nodes.awaitMesh();
            final String clientId = "sleeper";
            try (Connection connection = nodes.factory(1).createConnection())
            {
                connection.setClientID(clientId);
                final Session session = connection.createSession(false, Session.AUTO_ACKNOWLEDGE);
                session.createDurableSubscriber(session.createTopic("news"), "sub", "edition > 0", false).close();
            }
            ClusterNodes.poll("n1 to know n2's subscription", 30_000, () -> nodes.remoteBindings(0, 1) > 0);
            nodes.kill(1);
            nodes.kill(0);
            nodes.startNode(0);

            final Set<String> published = new java.util.LinkedHashSet<>();
            try (Connection connection = nodes.factory(0).createConnection())
            {
                final Session session = connection.createSession(false, Session.AUTO_ACKNOWLEDGE);
                final MessageProducer producer = session.createProducer(session.createTopic("news"));
                for (int i = 0; i < 200; i++)
                {
                    final jakarta.jms.Message message = session.createTextMessage("news " + i);
                    // the subscription's selector still applies: edition 0 is not for it
                    message.setIntProperty("edition", i % 2);
                    producer.send(message);
                    if (i % 2 == 1)
                    {
                        published.add("news " + i);
                    }
                }
            }

            nodes.startNode(1);
            nodes.awaitMesh();
            final Received received = new Received();
            try (Connection connection = nodes.factory(1).createConnection())
            {
                connection.setClientID(clientId);
                final Session session = connection.createSession(false, Session.AUTO_ACKNOWLEDGE);
                session.createDurableSubscriber(session.createTopic("news"), "sub", "edition > 0", false)
                    .setMessageListener(received);
                connection.start();
                ClusterNodes.poll("every message published while n2 was down at its subscription", 30_000,
                    () -> received.bodies.containsAll(published));
                ClusterNodes.poll("n1's forward queue to drain", 30_000, () -> nodes.backlog(0, 1) == 0);
            }
            assertEquals(published, Set.copyOf(received.bodies), "only what the selector takes");
            assertEquals(0, received.duplicates());
        }
    }

    /**
     * Receives in transactions of up to 50 from one node, reconnecting whenever that node goes away. A commit that
     * fails leaves its messages in doubt: they may have been consumed (the node stored the commit and died before
     * answering) or may come again.
     */
    private static final class TransactedConsumer implements Runnable
    {
        private final ClusterNodes nodes;
        private final int node;
        private final String queue;
        private volatile boolean stopping;
        final Set<String> consumed = ConcurrentHashMap.newKeySet();
        final Set<String> inDoubt = ConcurrentHashMap.newKeySet();
        final java.util.concurrent.atomic.AtomicInteger duplicates = new java.util.concurrent.atomic.AtomicInteger();
        volatile String duplicateSample = "";

        TransactedConsumer(final ClusterNodes nodes, final int node, final String queue)
        {
            this.nodes = nodes;
            this.node = node;
            this.queue = queue;
        }

        Set<String> consumedOrInDoubt()
        {
            final Set<String> all = new java.util.HashSet<>(consumed);
            all.addAll(inDoubt);
            return all;
        }

        void stop()
        {
            stopping = true;
        }

        @Override
        public void run()
        {
            final List<String> batch = new ArrayList<>();
            while (!stopping)
            {
                try (Connection connection = nodes.factory(node).createConnection())
                {
                    final Session session = connection.createSession(true, Session.SESSION_TRANSACTED);
                    final jakarta.jms.MessageConsumer consumer = session.createConsumer(session.createQueue(queue));
                    connection.start();
                    while (!stopping)
                    {
                        final jakarta.jms.Message message = consumer.receive(100);
                        if (message != null)
                        {
                            batch.add(((jakarta.jms.TextMessage)message).getText());
                        }
                        if (batch.size() == 50 || message == null && !batch.isEmpty())
                        {
                            session.commit();
                            for (final String body : batch)
                            {
                                if (!consumed.add(body) && !inDoubt.contains(body))
                                {
                                    duplicates.incrementAndGet();
                                    duplicateSample = body;
                                }
                            }
                            batch.clear();
                        }
                    }
                }
                catch (final jakarta.jms.JMSException ex)
                {
                    inDoubt.addAll(batch);
                    batch.clear();
                    pauseBeforeReconnecting();
                }
            }
        }

        private void pauseBeforeReconnecting()
        {
            try
            {
                Thread.sleep(50);
            }
            catch (final InterruptedException ex)
            {
                Thread.currentThread().interrupt();
                stopping = true;
            }
        }
    }

    /**
     * Sends persistent messages in transactions of 100 until {@code count} are sent or the connection fails; the
     * committed ones are confirmed. Ends with "sent everything" in {@code stopped}, or the failure.
     */
    private static void produce(final ClusterNodes nodes, final int node, final String queue, final String prefix,
        final Set<String> confirmed, final int count, final AtomicReference<Exception> stopped)
    {
        try (Connection connection = nodes.factory(node).createConnection())
        {
            final Session session = connection.createSession(true, Session.SESSION_TRANSACTED);
            final MessageProducer producer = session.createProducer(session.createQueue(queue));
            final List<String> batch = new ArrayList<>();
            for (int i = 0; i < count; i++)
            {
                final String body = prefix + i;
                producer.send(session.createTextMessage(body));
                batch.add(body);
                if (batch.size() == 100)
                {
                    session.commit();
                    confirmed.addAll(batch);
                    batch.clear();
                }
            }
            session.commit();
            confirmed.addAll(batch);
            stopped.set(new IllegalStateException("sent everything"));
        }
        catch (final Exception ex)
        {
            stopped.set(ex);
        }
    }

    /**
     * A node of another cluster listing n1 as a member is refused, with both cluster names in the log, once
     * however often it retries.
     */
    @Test
    void shouldRefuseANodeOfAnotherClusterAndSaySoOnce() throws Exception
    {
        try (ClusterNodes nodes = ClusterNodes.start(dir, "right", 1))
        {
            final String member = nodes.url(0).substring("tcp://".length());
            try (BrokerProcess stranger = BrokerProcess.startNode(dir.resolve("stranger"), "stranger", 0,
                "cluster = wrong", "cluster.members = " + member))
            {
                final ClusterNodes.Status status = new ClusterNodes.Status(stranger.url());
                ClusterNodes.poll("the stranger to be refused 4 times", 30_000,
                    () -> status.memberState(member).startsWith("down (4 failed attempts)"));
                final String state = status.memberState(member);
                assertTrue(state.contains("cluster 'wrong'") && state.contains("cluster 'right'"), state);
                assertEquals(1, count(stranger.recentOutput(), "the cluster names differ"), stranger.recentOutput());
                assertEquals(1, count(nodes.process(0).recentOutput(), "the cluster names differ"),
                    nodes.process(0).recentOutput());
            }
        }
    }

    /**
     * A member listed under two addresses (a name and an address of one node) gets one link; the other address
     * waits, saying why, instead of replacing the first link there again and again.
     */
    @Test
    void shouldLinkOnceToANodeListedUnderTwoAddresses() throws Exception
    {
        assumeTrue("127.0.0.1".equals(InetAddress.getByName("localhost").getHostAddress()), "localhost is 127.0.0.1 here");
        try (ClusterNodes nodes = ClusterNodes.start(dir, "twice", 1))
        {
            final String byAddress = nodes.member(0);
            final String byName = "localhost:" + byAddress.substring(byAddress.indexOf(':') + 1);
            try (BrokerProcess n0 = BrokerProcess.startNode(dir.resolve("n0"), "n0", 0, "cluster = twice",
                "cluster.members = " + byAddress + ", " + byName))
            {
                final ClusterNodes.Status status = new ClusterNodes.Status(n0.url());
                ClusterNodes.poll("one address linked, the other refused 3 times", 30_000, () ->
                    isUp(status.memberState(byAddress)) && isWaiting(status.memberState(byName)) ||
                    isUp(status.memberState(byName)) && isWaiting(status.memberState(byAddress)));
                final String linked = isUp(status.memberState(byAddress)) ? byAddress : byName;
                final String other = linked.equals(byAddress) ? byName : byAddress;
                assertTrue(status.memberState(other).contains("already linked through member " + linked),
                    status.memberState(other));

                final Received received = new Received();
                try (Connection consumerConnection = nodes.factory(0).createConnection();
                    Connection producerConnection = new io.meshmq.jms.MeshConnectionFactory(n0.url()).createConnection())
                {
                    final Session consumerSession = consumerConnection.createSession(false, Session.AUTO_ACKNOWLEDGE);
                    consumerSession.createConsumer(consumerSession.createQueue("once")).setMessageListener(received);
                    consumerConnection.start();
                    final Session session = producerConnection.createSession(false, Session.AUTO_ACKNOWLEDGE);
                    final MessageProducer producer = session.createProducer(session.createQueue("once"));
                    for (int i = 0; i < 200; i++)
                    {
                        producer.send(session.createTextMessage("once-" + i));
                    }
                    ClusterNodes.poll("200 messages through the one link", 30_000, () -> received.bodies.size() == 200);
                }
                assertEquals(0, received.duplicates());
                assertTrue(isUp(status.memberState(linked)), "the link stayed up: " + status.memberState(linked));
            }
        }
    }

    private static boolean isUp(final String state)
    {
        return state.startsWith("up");
    }

    private static boolean isWaiting(final String state)
    {
        return state.matches("down \\(([3-9]|\\d\\d+) failed attempts\\): .*already linked.*");
    }

    /**
     * With users configured, a cluster connection must authenticate as a user with role "cluster", and the cluster
     * verbs need permission manage (by default, role "admin").
     */
    @Test
    void shouldLinkOnlyWithTheClusterRoleWhenSecurityIsOn() throws Exception
    {
        final String[] users = {
            "user.mesh = " + PasswordHash.hash("mesh-secret"), "user.mesh.roles = cluster, admin",
            "user.app = " + PasswordHash.hash("app-secret"), "user.app.roles = app, admin",
            "user.plain = " + PasswordHash.hash("plain-secret"), "user.plain.roles = app"};
        final List<String> settings = new ArrayList<>(List.of(users));
        settings.addAll(List.of("cluster.user = mesh", "cluster.password = mesh-secret"));
        try (ClusterNodes nodes = ClusterNodes.start(dir, "secure", 2, settings.toArray(new String[0])))
        {
            nodes.awaitMesh();
            for (final String verb : List.of(AdminVerbs.CLUSTER_STATUS, AdminVerbs.CLUSTER_ADD))
            {
                try (MeshAdmin plain = MeshAdmin.connect(nodes.url(0), "plain", "plain-secret"))
                {
                    final JMSSecurityException refused = assertThrows(JMSSecurityException.class,
                        () -> plain.call(verb, "127.0.0.1:1"));
                    assertTrue(refused.getMessage().contains("user 'plain' lacks permission 'manage'"),
                        refused.getMessage());
                }
            }
            final String member = nodes.url(0).substring("tcp://".length());
            final List<String> intruder = new ArrayList<>(List.of(users));
            intruder.addAll(List.of("cluster = secure", "cluster.members = " + member, "cluster.user = app",
                "cluster.password = app-secret"));
            try (BrokerProcess stranger = BrokerProcess.startNode(dir.resolve("intruder"), "intruder", 0,
                intruder.toArray(new String[0])))
            {
                final ClusterNodes.Status status = new ClusterNodes.Status(stranger.url(), "app", "app-secret");
                ClusterNodes.poll("the intruder to be refused", 30_000,
                    () -> status.memberState(member).contains("does not have role 'cluster'"));
            }
        }
    }

    private static int count(final String text, final String part)
    {
        int count = 0;
        for (int at = text.indexOf(part); at >= 0; at = text.indexOf(part, at + 1))
        {
            count++;
        }
        return count;
    }
}
