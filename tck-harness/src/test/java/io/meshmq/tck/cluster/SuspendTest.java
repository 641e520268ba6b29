package io.meshmq.tck.cluster;

import io.meshmq.jms.MeshConnectionFactory;
import io.meshmq.protocol.AdminTable;
import io.meshmq.protocol.AdminVerbs;
import jakarta.jms.Connection;
import jakarta.jms.MessageProducer;
import jakarta.jms.Session;
import jakarta.jms.TextMessage;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.nio.file.Path;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * {@code cluster suspend|resume|force-remove} on real processes (issue 23): a node suspended from another member sends
 * its failing-over clients to the other nodes, takes none of the new work (not even what is sent to it), stays
 * suspended across a restart until resumed; a node that is gone is forgotten on every member.
 */
class SuspendTest
{
    @TempDir
    Path dir;

    @Test
    void shouldDrainASuspendedNodeUntilResumedAndForgetOneThatIsGone() throws Exception
    {
        try (ClusterNodes nodes = ClusterNodes.start(dir, "suspend", 3))
        {
            nodes.awaitMesh();
            final Set<String> received = ConcurrentHashMap.newKeySet();
            final String failingOver = nodes.url(1) + "?reconnectAttempts=-1&failoverTimeout=60000&retryInterval=20" +
                "&maxRetryInterval=200";
            try (Connection listening = new MeshConnectionFactory(failingOver).createConnection())
            {
                final Session session = listening.createSession();
                session.createConsumer(session.createQueue("orders")).setMessageListener(message ->
                {
                    try
                    {
                        received.add(((TextMessage)message).getText());
                    }
                    catch (final Exception ex)
                    {
                        throw new IllegalStateException(ex);
                    }
                });
                listening.start();
                ClusterNodes.poll("n1 to see the listener on n2", 30_000, () -> clientsOf(nodes.status(0), "n2") == 1);

                assertEquals("asked", nodes.admin(0, AdminVerbs.CLUSTER_SUSPEND, "n2").value(0, "state"));
                ClusterNodes.poll("n1 to see n2 suspended", 30_000, () -> isSuspended(nodes.status(0), "n2"));
                ClusterNodes.poll("the listener to leave n2", 30_000, () -> clientsOf(nodes.status(0), "n2") == 0);
                assertTrue(isSuspended(nodes.status(1), "n2 (this node)"), "n2 says so itself");
                // Until n2 has heard of the listener's queue on the node it moved to, n2 has nowhere else to put
                // what is sent to it, suspended or not.
                ClusterNodes.poll("n2 to know the listener on another node", 30_000,
                    () -> consumersElsewhere(nodes.admin(1, AdminVerbs.CLUSTER_BINDINGS), "orders") > 0);
                final long addedOnN2 = added(nodes, 1);

                send(nodes.url(1), "to-n2-", 20);
                send(nodes.url(0), "to-n1-", 20);
                ClusterNodes.poll("40 messages at the listener, now on another node", 30_000,
                    () -> received.size() == 40);
                assertEquals(addedOnN2, added(nodes, 1), "n2 took none of them, not even those sent to it");

                nodes.kill(1);
                nodes.startNode(1);
                nodes.awaitMesh();
                ClusterNodes.poll("n1 to see n2 still suspended after its restart", 30_000,
                    () -> isSuspended(nodes.status(0), "n2"));
                nodes.admin(2, AdminVerbs.CLUSTER_RESUME, "n2");
                ClusterNodes.poll("n1 to see n2 resumed", 30_000, () -> !isSuspended(nodes.status(0), "n2"));

                final IllegalStateException up = assertThrows(IllegalStateException.class,
                    () -> nodes.admin(0, AdminVerbs.CLUSTER_FORCE_REMOVE, "n2"));
                assertTrue(up.getMessage().contains("node 'n2' is up"), up.getMessage());
                nodes.kill(2);
                ClusterNodes.poll("n1 to see n3 down", 30_000, () -> !stateOf(nodes.status(0), "n3").startsWith("up"));
                final AdminTable removed = nodes.admin(0, AdminVerbs.CLUSTER_FORCE_REMOVE, "n3");
                System.out.println("force-remove n3: " + removed.rows());
                assertEquals("n3", removed.value(0, "node"));
                assertTrue(String.valueOf(removed.value(0, "state")).startsWith("removed"), removed.rows().toString());
                ClusterNodes.poll("n2 to have heard n3 is removed", 30_000,
                    () -> stateOf(nodes.status(1), "n3").startsWith("removed"));
            }
        }
    }

    private static void send(final String url, final String prefix, final int count) throws Exception
    {
        try (Connection connection = new MeshConnectionFactory(url).createConnection())
        {
            final Session session = connection.createSession();
            final MessageProducer producer = session.createProducer(session.createQueue("orders"));
            for (int i = 0; i < count; i++)
            {
                producer.send(session.createTextMessage(prefix + i));
            }
        }
    }

    private static long added(final ClusterNodes nodes, final int node)
    {
        final AdminTable queues = nodes.admin(node, AdminVerbs.QUEUE_LIST);
        for (int r = 0; r < queues.rows().size(); r++)
        {
            if ("orders".equals(queues.value(r, "name")))
            {
                return ((Number)queues.value(r, "added")).longValue();
            }
        }
        return 0;
    }

    /**
     * @return the consumers a node's cluster bindings count on other nodes for a queue.
     */
    private static long consumersElsewhere(final AdminTable bindings, final String queue)
    {
        long consumers = 0;
        for (int r = 0; r < bindings.rows().size(); r++)
        {
            if (queue.equals(bindings.value(r, "queue")))
            {
                consumers += ((Number)bindings.value(r, "consumers")).longValue();
            }
        }
        return consumers;
    }

    private static int rowOf(final AdminTable status, final String node)
    {
        for (int r = 0; r < status.rows().size(); r++)
        {
            if (node.equals(status.value(r, "node")))
            {
                return r;
            }
        }
        throw new AssertionError("no status row for " + node + ": " + status.rows());
    }

    private static long clientsOf(final AdminTable status, final String node)
    {
        return ((Number)status.value(rowOf(status, node), "clients")).longValue();
    }

    private static boolean isSuspended(final AdminTable status, final String node)
    {
        return Boolean.TRUE.equals(status.value(rowOf(status, node), "suspended"));
    }

    private static String stateOf(final AdminTable status, final String node)
    {
        return String.valueOf(status.value(rowOf(status, node), "state"));
    }
}
