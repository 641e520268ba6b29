package io.meshmq.tck.cluster;

import io.meshmq.protocol.AdminTable;
import io.meshmq.protocol.AdminVerbs;
import io.meshmq.jms.MeshConnection;
import io.meshmq.jms.MeshConnectionFactory;
import jakarta.jms.Connection;
import jakarta.jms.JMSException;
import jakarta.jms.MessageConsumer;
import jakarta.jms.MessageProducer;
import jakarta.jms.Session;
import jakarta.jms.TextMessage;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.io.IOException;
import java.net.DatagramSocket;
import java.net.InetAddress;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.concurrent.ThreadLocalRandom;
import java.util.concurrent.atomic.AtomicReference;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * Members that find each other by UDP multicast on the loopback interface (issue 21), with no member listed: each
 * announces itself, the others link to it; a node no longer heard is dropped after the refresh timeout; a node of
 * another cluster on the same group is ignored, with one log line. Multicast works on these machines' loopback
 * (multicast loop on): a test that cannot send fails, it does not skip.
 */
class DiscoveryTest
{
    private static final int BROADCAST_PERIOD_MS = 200;
    private static final int REFRESH_TIMEOUT_MS = 2_000;

    @TempDir
    Path dir;

    @Test
    void shouldLinkNodesFoundByMulticastAndDropOneNoLongerHeard() throws Exception
    {
        try (ClusterNodes nodes = ClusterNodes.start(dir, "found", 3, false, discovery()))
        {
            nodes.awaitMesh();
            try (Connection consumerConnection = nodes.factory(2).createConnection();
                 Connection producerConnection = nodes.factory(0).createConnection())
            {
                final Session consumerSession = consumerConnection.createSession(false, Session.AUTO_ACKNOWLEDGE);
                final MessageConsumer consumer = consumerSession.createConsumer(consumerSession.createQueue("found"));
                consumerConnection.start();
                nodes.awaitRemoteConsumers(0, 2, 1);
                final Session session = producerConnection.createSession(false, Session.AUTO_ACKNOWLEDGE);
                final MessageProducer producer = session.createProducer(session.createQueue("found"));
                producer.send(session.createTextMessage("over a discovered link"));
                final TextMessage received = (TextMessage)consumer.receive(30_000);
                assertNotNull(received, "the message sent on n1 never reached n3's consumer");
                assertEquals("over a discovered link", received.getText());
            }

            nodes.kill(2);
            ClusterNodes.poll("n1 to drop n3 once it is not heard for " + REFRESH_TIMEOUT_MS + " ms", 30_000,
                () -> nodes.process(0).linesContaining("discovery: node 'n3'").stream()
                    .anyMatch(line -> line.contains("dropped from the mesh")));
            final AtomicReference<String> state = new AtomicReference<>();
            try
            {
                ClusterNodes.poll("n3 gone from n1's members", 30_000, () ->
                {
                    state.set(nodes.linkState(0, nodes.member(2)));
                    return state.get().isEmpty();
                });
            }
            catch (final AssertionError ex)
            {
                throw new AssertionError(ex.getMessage() + ": its link is still " + state.get() + "\n" +
                    nodes.outputs(), ex);
            }
            assertTrue(nodes.linkState(0, nodes.member(1)).startsWith("up"), "n2 is still heard: its link stays");
            assertEquals("discovered", definitionOf(nodes, 0, nodes.member(1)));
            final AdminTable status = nodes.status(0);
            boolean shown = false;
            for (int r = 0; r < status.rows().size(); r++)
            {
                if ("n2".equals(status.value(r, "node")))
                {
                    assertEquals("discovered", status.value(r, "found"), "cluster status says how n2 was found");
                    shown = true;
                }
            }
            assertTrue(shown, "n2 in n1's cluster status: " + status.rows());
        }
    }

    @Test
    void shouldConnectAClientToTheBrokersItHearsAndFailItOver() throws Exception
    {
        final String[] discovery = discovery();
        try (ClusterNodes nodes = ClusterNodes.start(dir, "heard", 2, false, discovery))
        {
            nodes.awaitMesh();
            final String group = "udp://" + setting(discovery, "discovery.group-address") + ":" +
                setting(discovery, "discovery.group-port") + "?localBindAddress=127.0.0.1&retryInterval=50";
            try (Connection connection = new MeshConnectionFactory(group).createConnection())
            {
                final String first = ((MeshConnection)connection).getBrokerUrl();
                final int serving = first.contains(":" + nodes.member(0).split(":")[1]) ? 0 : 1;
                final Session session = connection.createSession(false, Session.AUTO_ACKNOWLEDGE);
                final MessageProducer producer = session.createProducer(session.createQueue("heard"));
                producer.send(session.createTextMessage("before"));
                nodes.kill(serving);
                producer.send(session.createTextMessage("after"));
                final String now = ((MeshConnection)connection).getBrokerUrl();
                assertTrue(now.contains(nodes.member(1 - serving).split(":")[1]), "failed over to the other broker " +
                    "heard: " + now);
                final MessageConsumer consumer = session.createConsumer(session.createQueue("heard"));
                connection.start();
                final TextMessage after = (TextMessage)consumer.receive(30_000);
                assertNotNull(after, "the message sent after the failover");
            }
        }
        final JMSException silent = assertThrows(JMSException.class, () -> new MeshConnectionFactory("udp://" +
            setting(discovery, "discovery.group-address") + ":" + setting(discovery, "discovery.group-port") +
            "?localBindAddress=127.0.0.1&initialWaitTimeout=300").createConnection());
        assertTrue(silent.getMessage().contains("no broker announced itself on the discovery group") &&
            silent.getMessage().contains("within 300 ms (initialWaitTimeout)"), silent.getMessage());
    }

    @Test
    void shouldListenAgainAndFindABrokerStartedAfterEveryOneItKnewWasGone() throws Exception
    {
        final String[] discovery = discovery();
        final String group = "udp://" + setting(discovery, "discovery.group-address") + ":" +
            setting(discovery, "discovery.group-port") + "?localBindAddress=127.0.0.1&retryInterval=50" +
            "&maxRetryInterval=200&initialWaitTimeout=3000";
        Files.createDirectories(dir.resolve("first"));
        Files.createDirectories(dir.resolve("later"));
        try (ClusterNodes first = ClusterNodes.start(dir.resolve("first"), "relisten", 1, false, discovery);
             Connection connection = new MeshConnectionFactory(group).createConnection())
        {
            final Session session = connection.createSession(false, Session.AUTO_ACKNOWLEDGE);
            final MessageProducer producer = session.createProducer(session.createQueue("relisten"));
            producer.send(session.createTextMessage("to the first"));
            first.kill(0);
            try (ClusterNodes later = ClusterNodes.start(dir.resolve("later"), "relisten", 1, false, discovery))
            {
                producer.send(session.createTextMessage("to one started later"));
                final String now = ((MeshConnection)connection).getBrokerUrl();
                assertTrue(now.contains(later.member(0).split(":")[1]), "heard the new broker on the group: " + now);
                final MessageConsumer consumer = session.createConsumer(session.createQueue("relisten"));
                connection.start();
                final TextMessage received = (TextMessage)consumer.receive(30_000);
                assertNotNull(received);
                assertEquals("to one started later", received.getText());
            }
        }
    }

    private static String setting(final String[] settings, final String key)
    {
        for (final String line : settings)
        {
            if (line.startsWith(key + " ="))
            {
                return line.substring(line.indexOf('=') + 1).strip();
            }
        }
        throw new IllegalArgumentException(key);
    }

    @Test
    void shouldIgnoreANodeOfAnotherClusterOnTheSameGroupWithOneLine() throws Exception
    {
        final String[] discovery = discovery();
        Files.createDirectories(dir.resolve("ours"));
        Files.createDirectories(dir.resolve("theirs"));
        try (ClusterNodes ours = ClusterNodes.start(dir.resolve("ours"), "ours", 1, false, discovery);
             ClusterNodes theirs = ClusterNodes.start(dir.resolve("theirs"), "theirs", 1, false, discovery))
        {
            final String ignored = "it is in cluster 'theirs', this node in 'ours'";
            ClusterNodes.poll("the node of cluster 'ours' to ignore the other's announcements", 30_000,
                () -> !ours.process(0).linesContaining(ignored).isEmpty());
            // A bounded window of ten more announcements: still one line, and no link.
            final long until = System.nanoTime() + 10L * BROADCAST_PERIOD_MS * 1_000_000L;
            while (System.nanoTime() < until)
            {
                assertEquals(1, ours.process(0).linesContaining(ignored).size(), ours.outputs());
                Thread.sleep(BROADCAST_PERIOD_MS / 2);
            }
            assertEquals(1, ours.status(0).rows().size(), "linked to a node of another cluster: " +
                ours.status(0).rows());
            assertEquals(1, theirs.process(0).linesContaining("it is in cluster 'ours', this node in 'theirs'")
                .size(), theirs.outputs());
        }
    }

    /**
     * @return how node i knows a member, as {@code cluster list} says: configured, discovered, active...
     */
    private static String definitionOf(final ClusterNodes nodes, final int i, final String member)
    {
        final AdminTable list = nodes.admin(i, AdminVerbs.CLUSTER_LIST);
        for (int r = 0; r < list.rows().size(); r++)
        {
            if (member.equals(list.value(r, "member")))
            {
                return String.valueOf(list.value(r, "definition"));
            }
        }
        return "";
    }

    /**
     * @return discovery settings on a group and port of this test's own, on the loopback interface.
     */
    static String[] discovery() throws IOException
    {
        final ThreadLocalRandom random = ThreadLocalRandom.current();
        final int port;
        try (DatagramSocket socket = new DatagramSocket(0, InetAddress.getLoopbackAddress()))
        {
            port = socket.getLocalPort();
        }
        return new String[] {"discovery.group-address = 239.255." + random.nextInt(1, 255) + "." +
            random.nextInt(1, 255), "discovery.group-port = " + port, "discovery.local-bind-address = 127.0.0.1",
            "discovery.broadcast-period = " + BROADCAST_PERIOD_MS, "discovery.refresh-timeout = " + REFRESH_TIMEOUT_MS};
    }
}
