package io.meshmq.tck.cluster;

import io.meshmq.admin.MeshAdmin;
import io.meshmq.jms.MeshConnectionFactory;
import io.meshmq.protocol.AdminTable;
import io.meshmq.protocol.AdminVerbs;
import io.meshmq.tck.FreePorts;
import io.meshmq.tck.crash.BrokerProcess;
import jakarta.jms.Connection;
import jakarta.jms.DeliveryMode;
import jakarta.jms.JMSException;
import jakarta.jms.Message;
import jakarta.jms.MessageConsumer;
import jakarta.jms.MessageProducer;
import jakarta.jms.Session;
import jakarta.jms.TextMessage;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.HashSet;
import java.util.List;
import java.util.Set;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * Full and partial repositories on real processes (issue 23): twenty nodes, n1 and n2 full repositories, n3..n20
 * partial ones that list only n1 and n2. A partial node links to the repositories and to the nodes it sends to, not
 * to every node; a queue hosted on three partial nodes takes a fourth's messages balanced among them; a publish on a
 * partial node reaches every node's subscriber once; killing a repository stops nothing.
 */
class PartialRepositoryTest
{
    private static final int FULL = 2;
    private static final int NODES = 20;
    /** The partial nodes n5, n6, n7 host queue orders; n10 sends to it; n20 publishes to topic news. */
    private static final int[] HOSTS = {4, 5, 6};
    private static final int SENDER = 9;
    private static final int PUBLISHER = 19;

    @TempDir
    Path dir;

    @Test
    void shouldLinkOnlyWhatIsUsedAndKeepWorkingWhenARepositoryDies() throws Exception
    {
        try (ClusterNodes nodes = ClusterNodes.startRepositories(dir, "repos", FULL, NODES - FULL))
        {
            for (int i = 0; i < NODES; i++)
            {
                final int node = i;
                final int expected = i < FULL ? NODES - 1 : FULL;
                ClusterNodes.poll("n" + (i + 1) + " linked to " + expected + " nodes", 60_000,
                    () -> linked(nodes, node) >= expected);
            }
            final List<Connection> connections = new ArrayList<>();
            try
            {
                final MessageConsumer[] subscribers = new MessageConsumer[NODES];
                final MessageConsumer[] hosts = new MessageConsumer[HOSTS.length];
                for (int i = 0; i < NODES; i++)
                {
                    final Connection connection = nodes.factory(i).createConnection();
                    connections.add(connection);
                    final Session session = connection.createSession();
                    subscribers[i] = session.createConsumer(session.createTopic("news"));
                    for (int h = 0; h < HOSTS.length; h++)
                    {
                        if (HOSTS[h] == i)
                        {
                            hosts[h] = session.createConsumer(session.createQueue("orders"));
                        }
                    }
                    connection.start();
                }
                for (int repository = 0; repository < FULL; repository++)
                {
                    final int r = repository;
                    ClusterNodes.poll("n" + (r + 1) + " to know every subscription and the queue's hosts", 60_000,
                        () -> bindings(nodes, r, "news", false) == NODES - 1 &&
                            bindings(nodes, r, "orders", true) == HOSTS.length);
                }

                send(nodes.factory(SENDER), "orders", false, "first", 30);
                assertBalanced(hosts, "first", 30);

                publish(nodes.factory(PUBLISHER), "one");
                for (int i = 0; i < NODES; i++)
                {
                    assertOnce(subscribers[i], "one", "n" + (i + 1));
                }

                final StringBuilder links = new StringBuilder("links per node (a full mesh of " + NODES + " has " +
                    (NODES - 1) + " each):");
                for (int i = 0; i < NODES; i++)
                {
                    final int count = linked(nodes, i);
                    links.append(" n").append(i + 1).append('=').append(count);
                    if (i >= FULL)
                    {
                        assertTrue(count <= bound(i), "n" + (i + 1) + " has " + count + " links, more than the " +
                            bound(i) + " of the repositories and the nodes it talks to");
                    }
                }
                System.out.println(links);

                // A node's name: the first send is refused while the repositories are asked, a later one goes.
                final String refusal = sendToNode(nodes.factory(11), "orders@n6");
                assertTrue(refusal == null || refusal.contains("it asks them now"), refusal);
                ClusterNodes.poll("a send to orders@n6 from n12", 30_000,
                    () -> sendToNode(nodes.factory(11), "orders@n6") == null);
                final Message addressed = hosts[1].receive(30_000);
                assertNotNull(addressed, "n6 got what was sent to orders@n6");
                assertEquals("to-n6", ((TextMessage)addressed).getText());
                if (refusal == null)
                {
                    assertNotNull(hosts[1].receive(30_000), "both sends reached n6");
                }

                nodes.kill(0);
                // A name no node looked up before, asked of the repository that is left.
                send(nodes.factory(15), "orders", false, "after", 9);
                assertBalanced(hosts, "after", 9);
                publish(nodes.factory(PUBLISHER), "two");
                for (int i = 1; i < NODES; i++)
                {
                    assertOnce(subscribers[i], "two", "n" + (i + 1));
                }
            }
            finally
            {
                for (final Connection connection : connections)
                {
                    connection.close();
                }
            }
        }
    }

    @Test
    void shouldSayWhenAPartialNodeIsGivenAsAFullRepositoryAndStillDeliver() throws Exception
    {
        final int port1 = FreePorts.next();
        final int port2 = FreePorts.next();
        try (BrokerProcess n1 = BrokerProcess.startNode(dir.resolve("n1"), "n1", port1, "cluster = wrong",
                "cluster.members = 127.0.0.1:" + port2, "cluster.repository = partial");
            BrokerProcess n2 = BrokerProcess.startNode(dir.resolve("n2"), "n2", port2, "cluster = wrong",
                "cluster.members = 127.0.0.1:" + port1, "cluster.repository = partial"))
        {
            final String expected = "partial node 'n1' is given member 127.0.0.1:" + port2 + " (node 'n2') as a " +
                "full repository, but that node is a partial repository";
            ClusterNodes.poll("n1's status to say n2 is no full repository", 30_000,
                () -> stateOf(n1.url(), "n2").contains("ERROR: " + expected));
            ClusterNodes.poll("n1's log to say so", 30_000, () -> !n1.linesContaining(expected).isEmpty());
            assertTrue(String.valueOf(status(n1.url()).value(0, "state")).contains("NO FULL REPOSITORY LINKED"));

            // With no full repository to answer, a message waits for the answer, then is kept here: never lost.
            final long sentAt = System.nanoTime();
            send(new MeshConnectionFactory(n1.url()), "alone", true, "kept", 1);
            try (Connection connection = new MeshConnectionFactory(n1.url()).createConnection())
            {
                final Session session = connection.createSession();
                final MessageConsumer consumer = session.createConsumer(session.createQueue("alone"));
                connection.start();
                final Message kept = consumer.receive(30_000);
                assertNotNull(kept, "the message sent while no repository answered");
                assertEquals("kept-0", ((TextMessage)kept).getText());
            }
            assertTrue((System.nanoTime() - sentAt) / 1_000_000 >= 4_000, "it waited for an answer first");
            assertFalse(n1.linesContaining("no full repository answered this partial node's lookup of 'alone'")
                .isEmpty());
        }
    }

    @Test
    void shouldAnswerARequestToATemporaryQueueOfAPartialNodeTheResponderNeverHeardOf() throws Exception
    {
        try (ClusterNodes nodes = ClusterNodes.startRepositories(dir, "replies", 1, 2);
             Connection responding = nodes.factory(2).createConnection();
             Connection requesting = nodes.factory(1).createConnection())
        {
            ClusterNodes.poll("n1 linked with both partial nodes", 30_000, () -> linked(nodes, 0) == 2);
            final Session responder = responding.createSession();
            final MessageConsumer requests = responder.createConsumer(responder.createQueue("requests"));
            final MessageProducer replies = responder.createProducer(null);
            responding.start();
            ClusterNodes.poll("n1 to know n3's queue", 30_000, () -> bindings(nodes, 0, "requests", true) == 1);

            final Session requester = requesting.createSession();
            final jakarta.jms.TemporaryQueue replyTo = requester.createTemporaryQueue();
            final MessageConsumer answers = requester.createConsumer(replyTo);
            requesting.start();
            for (int i = 0; i < 3; i++)
            {
                final TextMessage request = requester.createTextMessage("question-" + i);
                request.setJMSReplyTo(replyTo);
                requester.createProducer(requester.createQueue("requests")).send(request);
                final Message asked = requests.receive(30_000);
                assertNotNull(asked, "request " + i + " reached n3");
                replies.send(asked.getJMSReplyTo(), responder.createTextMessage("answer-" + i));
                final Message answer = answers.receive(30_000);
                assertNotNull(answer, "answer " + i + " reached n2's temporary queue");
                assertEquals("answer-" + i, ((TextMessage)answer).getText());
            }
            assertEquals(2, linked(nodes, 2), "n3 linked to n1 and, to answer, to n2");
        }
    }

    @Test
    void shouldDeliverAMessageParkedForAnAnswerAfterTheNodeWasKilledAndRestarted() throws Exception
    {
        try (ClusterNodes nodes = ClusterNodes.startRepositories(dir, "parked", 1, 2);
             Connection consuming = nodes.factory(2).createConnection())
        {
            ClusterNodes.poll("n1 linked with both partial nodes", 30_000, () -> linked(nodes, 0) == 2);
            final Session session = consuming.createSession();
            final MessageConsumer consumer = session.createConsumer(session.createQueue("orders"));
            consuming.start();
            ClusterNodes.poll("n1 to know n3's queue", 30_000, () -> bindings(nodes, 0, "orders", true) == 1);

            nodes.kill(0);
            // No repository to ask: the message waits, stored, for the answer; its node dies meanwhile.
            send(nodes.factory(1), "orders", true, "parked", 1);
            nodes.kill(1);
            nodes.startNode(0);
            nodes.startNode(1);

            final Message received = consumer.receive(60_000);
            assertNotNull(received, "the parked message, after its node's restart\n" + nodes.outputs());
            assertEquals("parked-0", ((TextMessage)received).getText());
            assertNull(consumer.receive(500), "once");
        }
    }

    @Test
    void shouldFindTheFullRepositoryByDiscoveryAndLinkOnlyToIt() throws Exception
    {
        final String[][] roles = {{}, {"cluster.repository = partial"}, {"cluster.repository = partial"}};
        try (ClusterNodes nodes = ClusterNodes.startEach(dir, "found", roles, false, DiscoveryTest.discovery()))
        {
            ClusterNodes.poll("n1 linked with both partial nodes", 30_000, () -> linked(nodes, 0) == 2);
            try (Connection connection = nodes.factory(2).createConnection())
            {
                final Session session = connection.createSession();
                final MessageConsumer consumer = session.createConsumer(session.createQueue("found"));
                connection.start();
                ClusterNodes.poll("n1 to know n3's queue", 30_000, () -> bindings(nodes, 0, "found", true) == 1);
                assertEquals(1, linked(nodes, 1), "n2 heard n3 announce itself, and links only to n1");
                send(nodes.factory(1), "found", true, "heard", 1);
                final Message received = consumer.receive(30_000);
                assertNotNull(received, "n2's message to n3's queue");
                assertEquals("heard-0", ((TextMessage)received).getText());
            }
            assertEquals(2, linked(nodes, 1), "n2 linked to n3 once it had a message for it");
            assertEquals("partial", nodes.status(0).value(1, "repository"));
        }
    }

    /**
     * @return the most links partial node i may have: the repositories, and the nodes it sends to or that send to it.
     */
    private static int bound(final int i)
    {
        if (i == PUBLISHER)
        {
            return NODES - 1;
        }
        int bound = FULL + 1; // the publisher links to every node with a subscriber
        if (i == SENDER)
        {
            bound += HOSTS.length;
        }
        for (final int host : HOSTS)
        {
            bound += host == i ? 1 : 0;
        }
        return bound;
    }

    private static void send(final MeshConnectionFactory factory, final String queue, final boolean persistent,
        final String prefix, final int count) throws Exception
    {
        try (Connection connection = factory.createConnection())
        {
            final Session session = connection.createSession();
            final MessageProducer producer = session.createProducer(session.createQueue(queue));
            producer.setDeliveryMode(persistent ? DeliveryMode.PERSISTENT : DeliveryMode.NON_PERSISTENT);
            for (int i = 0; i < count; i++)
            {
                producer.send(session.createTextMessage(prefix + "-" + i));
            }
        }
    }

    /**
     * @return null once sent, else why it was refused.
     */
    private static String sendToNode(final MeshConnectionFactory factory, final String name)
    {
        try (Connection connection = factory.createConnection())
        {
            final Session session = connection.createSession();
            session.createProducer(session.createQueue(name)).send(session.createTextMessage("to-n6"));
            return null;
        }
        catch (final JMSException ex)
        {
            return ex.getMessage();
        }
    }

    private static void publish(final MeshConnectionFactory factory, final String text) throws Exception
    {
        try (Connection connection = factory.createConnection())
        {
            final Session session = connection.createSession();
            session.createProducer(session.createTopic("news")).send(session.createTextMessage(text));
        }
    }

    private static void assertBalanced(final MessageConsumer[] hosts, final String prefix, final int count)
        throws Exception
    {
        final Set<String> received = new HashSet<>();
        final int[] each = new int[hosts.length];
        final long deadline = System.nanoTime() + 30_000_000_000L;
        while (received.size() < count && System.nanoTime() < deadline)
        {
            for (int h = 0; h < hosts.length; h++)
            {
                final Message message = hosts[h].receive(50);
                if (message != null)
                {
                    final String text = ((TextMessage)message).getText();
                    assertTrue(text.startsWith(prefix) && received.add(text), "unexpected or twice: " + text);
                    each[h]++;
                }
            }
        }
        assertEquals(count, received.size(), "every message sent to the queue's hosts");
        for (int h = 0; h < hosts.length; h++)
        {
            assertTrue(each[h] > 0, "n" + (HOSTS[h] + 1) + " took none of " + count + ": " + Arrays.toString(each));
        }
    }

    private static void assertOnce(final MessageConsumer subscriber, final String text, final String node)
        throws Exception
    {
        final Message message = subscriber.receive(30_000);
        assertNotNull(message, "the subscriber on " + node + " got nothing");
        assertEquals(text, ((TextMessage)message).getText(), node);
        assertNull(subscriber.receive(100), "the subscriber on " + node + " got it twice");
    }

    /**
     * @return how many other nodes node i is linked with, either way.
     */
    private static int linked(final ClusterNodes nodes, final int i)
    {
        final String linked = String.valueOf(nodes.status(i).value(0, "linked"));
        return Integer.parseInt(linked.substring(0, linked.indexOf(' ')));
    }

    /**
     * @return how many other nodes' queues (with consumers) or subscriptions of that name node i knows.
     */
    private static long bindings(final ClusterNodes nodes, final int i, final String address,
        final boolean withConsumers)
    {
        final AdminTable table = nodes.admin(i, AdminVerbs.CLUSTER_BINDINGS);
        long count = 0;
        for (int r = 0; r < table.rows().size(); r++)
        {
            if (address.equals(table.value(r, "address")) &&
                (!withConsumers || ((Number)table.value(r, "consumers")).longValue() > 0))
            {
                count++;
            }
        }
        return count;
    }

    private static AdminTable status(final String url) throws Exception
    {
        try (MeshAdmin admin = MeshAdmin.connect(url, null, null))
        {
            return admin.call(AdminVerbs.CLUSTER_STATUS);
        }
    }

    private static String stateOf(final String url, final String node)
    {
        try
        {
            final AdminTable status = status(url);
            for (int r = 0; r < status.rows().size(); r++)
            {
                if (node.equals(status.value(r, "node")))
                {
                    return String.valueOf(status.value(r, "state"));
                }
            }
            return "";
        }
        catch (final Exception ex)
        {
            return "";
        }
    }
}
