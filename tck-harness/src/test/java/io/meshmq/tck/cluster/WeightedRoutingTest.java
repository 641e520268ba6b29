package io.meshmq.tck.cluster;

import io.meshmq.admin.MeshAdmin;
import io.meshmq.protocol.AdminTable;
import io.meshmq.protocol.AdminVerbs;
import jakarta.jms.Connection;
import jakarta.jms.DeliveryMode;
import jakarta.jms.MessageProducer;
import jakarta.jms.Session;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.MethodOrderer;
import org.junit.jupiter.api.Order;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestMethodOrder;
import org.junit.jupiter.api.io.TempDir;

import java.nio.file.Path;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * Weighted and ranked routing among three broker processes (issue 21): n3 has weight 2 and, for {@code standby.*},
 * rank 2. A STRICT queue's messages sent on n1 are shared 1:1:2 within 5% over 30,000; a standby queue's messages go
 * only to n2's consumer (rank 1) while n2 is up, and all to n3's once n2 is killed.
 */
@TestMethodOrder(MethodOrderer.OrderAnnotation.class)
class WeightedRoutingTest
{
    private static final int SHARED = 30_000;
    @TempDir
    static Path dir;
    private static ClusterNodes nodes;

    @BeforeAll
    static void startCluster() throws Exception
    {
        nodes = ClusterNodes.startEach(dir, "weights", new String[][] {
            {}, {}, {"cluster.weight = 2", "address.standby.*.cluster-rank = 2"}},
            "address.weighted.load-balancing = STRICT");
        nodes.awaitMesh();
    }

    @AfterAll
    static void stopCluster() throws Exception
    {
        if (nodes != null)
        {
            nodes.close();
        }
    }

    @Test
    @Order(1)
    void shouldShareAStrictQueueByTheNodesWeights() throws Exception
    {
        for (int node = 0; node < 3; node++)
        {
            try (MeshAdmin admin = MeshAdmin.connect(nodes.url(node), null, null))
            {
                admin.createQueue("weighted");
            }
        }
        ClusterNodes.poll("n1 to know the queue on n2 and n3", 30_000,
            () -> nodes.remoteBindings(0, 1) >= 1 && nodes.remoteBindings(0, 2) >= 1);
        final AdminTable bindings = nodes.admin(0, AdminVerbs.CLUSTER_BINDINGS);
        for (int r = 0; r < bindings.rows().size(); r++)
        {
            final boolean ofN3 = "n3".equals(bindings.value(r, "node"));
            assertEquals(ofN3 ? 2L : 1L, bindings.value(r, "weight"), "cluster bindings on n1: " + bindings.rows());
            assertEquals(1L, bindings.value(r, "rank"));
        }

        send(0, "weighted", SHARED);
        ClusterNodes.poll(SHARED + " messages stored across the nodes", 60_000,
            () -> depth(0, "weighted") + depth(1, "weighted") + depth(2, "weighted") == SHARED);
        final long[] shares = {depth(0, "weighted"), depth(1, "weighted"), depth(2, "weighted")};
        final double[] expected = {SHARED / 4.0, SHARED / 4.0, SHARED / 2.0};
        for (int node = 0; node < 3; node++)
        {
            assertTrue(Math.abs(shares[node] - expected[node]) <= expected[node] * 0.05,
                "n" + (node + 1) + " got " + shares[node] + " of " + SHARED + ", expected " + expected[node] + " ±5%");
        }
    }

    @Test
    @Order(2)
    void shouldSendOnlyToTheFirstRankWhileItIsUpAndToTheStandbyOnceItIsNot() throws Exception
    {
        final Received[] received = new Received[3];
        final Connection[] connections = new Connection[3];
        try
        {
            for (int node = 1; node <= 2; node++)
            {
                connections[node] = nodes.factory(node).createConnection();
                final Session session = connections[node].createSession(false, Session.AUTO_ACKNOWLEDGE);
                received[node] = new Received();
                session.createConsumer(session.createQueue("standby.orders")).setMessageListener(received[node]);
                connections[node].start();
            }
            nodes.awaitRemoteConsumers(0, 1, 1);
            nodes.awaitRemoteConsumers(0, 2, 1);

            send(0, "standby.orders", 1_000);
            ClusterNodes.poll("1,000 on n2", 30_000, () -> received[1].count.get() == 1_000);
            assertEquals(0, received[2].count.get(), "n3 is of rank 2 for standby.*: nothing while n2 is up");

            nodes.kill(1);
            ClusterNodes.poll("n1 to see n2 down", 30_000, () -> !"up".equals(nodes.linkState(0, nodes.member(1))));
            send(0, "standby.orders", 1_000);
            ClusterNodes.poll("1,000 on n3", 30_000, () -> received[2].count.get() == 1_000);
            assertEquals(0, received[2].duplicates());
        }
        finally
        {
            for (final Connection connection : connections)
            {
                if (connection != null)
                {
                    connection.close();
                }
            }
        }
    }

    private static void send(final int node, final String queue, final int count) throws Exception
    {
        try (Connection connection = nodes.factory(node).createConnection())
        {
            final Session session = connection.createSession(false, Session.AUTO_ACKNOWLEDGE);
            final MessageProducer producer = session.createProducer(session.createQueue(queue));
            producer.setDeliveryMode(DeliveryMode.NON_PERSISTENT);
            for (int i = 0; i < count; i++)
            {
                producer.send(session.createTextMessage(queue + "-" + i));
            }
        }
    }

    private static long depth(final int node, final String queue)
    {
        try (MeshAdmin admin = MeshAdmin.connect(nodes.url(node), null, null))
        {
            return admin.queue(queue).messages();
        }
        catch (final Exception e)
        {
            throw new IllegalStateException(e);
        }
    }
}
