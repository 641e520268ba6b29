package io.meshmq.tck.cluster;

import jakarta.jms.Connection;
import jakarta.jms.DeliveryMode;
import jakarta.jms.MessageConsumer;
import jakarta.jms.MessageProducer;
import jakarta.jms.Session;
import jakarta.jms.Topic;
import io.meshmq.admin.MeshAdmin;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * Three broker processes in one cluster: how queue messages are balanced among them, redistribution of
 * stranded messages, and topics reaching subscribers on every node exactly once.
 */
class ClusterMeshTest
{
    @TempDir
    static Path dir;
    private static ClusterNodes nodes;

    @BeforeAll
    static void startCluster() throws Exception
    {
        nodes = ClusterNodes.start(dir, "mesh-test", 3,
            "address.strict*.load-balancing = STRICT",
            "address.off*.load-balancing = OFF",
            "address.stranded.redistribution-delay = 0");
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
    void shouldBalanceEachModeAsConfigured() throws Exception
    {
        final String[] queues = {"demand", "strict", "off"};
        final List<Connection> connections = new ArrayList<>();
        final Received[][] received = new Received[3][3];
        try
        {
            for (int node = 1; node <= 2; node++)
            {
                final Connection connection = nodes.factory(node).createConnection();
                connections.add(connection);
                final Session session = connection.createSession(false, Session.AUTO_ACKNOWLEDGE);
                for (int q = 0; q < queues.length; q++)
                {
                    received[node][q] = new Received();
                    session.createConsumer(session.createQueue(queues[q])).setMessageListener(received[node][q]);
                }
                connection.start();
            }
            nodes.awaitRemoteConsumers(0, 1, 3);
            nodes.awaitRemoteConsumers(0, 2, 3);

            try (Connection producerConnection = nodes.factory(0).createConnection())
            {
                final Session session = producerConnection.createSession(false, Session.AUTO_ACKNOWLEDGE);
                for (final String queue : queues)
                {
                    final MessageProducer producer = session.createProducer(session.createQueue(queue));
                    for (int i = 0; i < 300; i++)
                    {
                        producer.setDeliveryMode(i % 2 == 0 ? DeliveryMode.PERSISTENT : DeliveryMode.NON_PERSISTENT);
                        producer.send(session.createTextMessage(queue + "-" + i));
                    }
                }
            }

            // ON_DEMAND: n1 has no consumer, so everything goes to n2 and n3, and both get some.
            ClusterNodes.poll("ON_DEMAND messages on n2 and n3", 30_000,
                () -> received[1][0].bodies.size() + received[2][0].bodies.size() == 300);
            assertTrue(received[1][0].count.get() > 0 && received[2][0].count.get() > 0,
                "n2 got " + received[1][0].count + ", n3 got " + received[2][0].count);
            assertEquals(0, received[1][0].duplicates() + received[2][0].duplicates());
            assertEquals(300, received[1][0].count.get() + received[2][0].count.get());
            assertEquals(0, depth(0, "demand"));

            // STRICT: round robin over all three nodes, consumers or not.
            ClusterNodes.poll("STRICT messages on n2 and n3", 30_000,
                () -> received[1][1].count.get() == 100 && received[2][1].count.get() == 100);
            assertEquals(100, depth(0, "strict"));

            // OFF: everything stays on n1.
            assertEquals(300, depth(0, "off"));
            assertEquals(0, received[1][2].count.get() + received[2][2].count.get());
        }
        finally
        {
            for (final Connection connection : connections)
            {
                connection.close();
            }
        }
    }

    @Test
    void shouldRedistributeStrandedMessagesToANewConsumer() throws Exception
    {
        try (Connection connection = nodes.factory(0).createConnection())
        {
            final Session session = connection.createSession(true, Session.SESSION_TRANSACTED);
            final MessageProducer producer = session.createProducer(session.createQueue("stranded"));
            for (int i = 0; i < 10_000; i++)
            {
                producer.send(session.createTextMessage("stranded-" + i));
                if (i % 1000 == 999)
                {
                    session.commit();
                }
            }
        }
        assertEquals(10_000, depth(0, "stranded"));
        final Received received = new Received();
        try (Connection connection = nodes.factory(2).createConnection())
        {
            final Session session = connection.createSession(false, Session.AUTO_ACKNOWLEDGE);
            session.createConsumer(session.createQueue("stranded")).setMessageListener(received);
            connection.start();
            ClusterNodes.poll("10,000 redistributed messages on n3", 60_000, () -> received.bodies.size() == 10_000);
            assertEquals(0, received.duplicates());
            assertEquals(0, depth(0, "stranded"));
        }
    }

    @Test
    void shouldDeliverATopicMessageToEverySubscriberOnEveryNodeOnce() throws Exception
    {
        final List<Connection> connections = new ArrayList<>();
        final Received[] received = new Received[3];
        try
        {
            for (int node = 0; node < 3; node++)
            {
                final Connection connection = nodes.factory(node).createConnection();
                connections.add(connection);
                final Session session = connection.createSession(false, Session.AUTO_ACKNOWLEDGE);
                received[node] = new Received();
                session.createConsumer(session.createTopic("prices")).setMessageListener(received[node]);
                connection.start();
            }
            nodes.awaitRemoteConsumers(0, 1, 1);
            nodes.awaitRemoteConsumers(0, 2, 1);
            try (Connection connection = nodes.factory(0).createConnection())
            {
                final Session session = connection.createSession(false, Session.AUTO_ACKNOWLEDGE);
                final MessageProducer producer = session.createProducer(session.createTopic("prices"));
                for (int i = 0; i < 500; i++)
                {
                    producer.setDeliveryMode(i % 2 == 0 ? DeliveryMode.PERSISTENT : DeliveryMode.NON_PERSISTENT);
                    producer.send(session.createTextMessage("price-" + i));
                }
            }
            for (int node = 0; node < 3; node++)
            {
                final Received on = received[node];
                ClusterNodes.poll("500 prices on n" + (node + 1), 30_000, () -> on.bodies.size() == 500);
            }
            for (int node = 0; node < 3; node++)
            {
                assertEquals(500, received[node].count.get(), "deliveries on n" + (node + 1));
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

    @Test
    void shouldFollowADurableSubscriberToAnotherNode() throws Exception
    {
        final String clientId = "roaming";
        final long bindingsBefore = nodes.remoteBindings(0, 1);
        try (Connection connection = nodes.factory(1).createConnection())
        {
            connection.setClientID(clientId);
            final Session session = connection.createSession(false, Session.AUTO_ACKNOWLEDGE);
            session.createDurableSubscriber(session.createTopic("news"), "sub").close();
        }
        ClusterNodes.poll("n1 to know of the subscription on n2", 30_000, () -> nodes.remoteBindings(0, 1) > bindingsBefore);
        publish(0, "news", "away-", 200);
        // Published while the subscriber was away: kept on n2, where the subscription is.
        ClusterNodes.poll("n2 to hold the 200 messages", 30_000, () -> subscriptionDepth(1, "sub") == 200);

        final Received received = new Received();
        try (Connection connection = nodes.factory(2).createConnection())
        {
            connection.setClientID(clientId);
            final Session session = connection.createSession(false, Session.AUTO_ACKNOWLEDGE);
            final Topic topic = session.createTopic("news");
            final MessageConsumer consumer = session.createDurableSubscriber(topic, "sub");
            consumer.setMessageListener(received);
            connection.start();
            ClusterNodes.poll("the 200 messages on n3", 60_000, () -> received.bodies.size() == 200);
            nodes.awaitRemoteConsumers(0, 2, 1);
            publish(0, "news", "back-", 100);
            ClusterNodes.poll("the 100 new messages on n3", 30_000, () -> received.bodies.size() == 300);
            assertEquals(300, received.count.get());
            consumer.close();
            session.unsubscribe("sub");
        }
    }

    private static void publish(final int node, final String topic, final String prefix, final int count) throws Exception
    {
        try (Connection connection = nodes.factory(node).createConnection())
        {
            final Session session = connection.createSession(false, Session.AUTO_ACKNOWLEDGE);
            final MessageProducer producer = session.createProducer(session.createTopic(topic));
            for (int i = 0; i < count; i++)
            {
                producer.send(session.createTextMessage(prefix + i));
            }
        }
    }

    private static long depth(final int node, final String queue) throws Exception
    {
        try (MeshAdmin admin = MeshAdmin.connect(nodes.url(node), null, null))
        {
            return admin.queue(queue).messages();
        }
    }

    private static long subscriptionDepth(final int node, final String name)
    {
        try (MeshAdmin admin = MeshAdmin.connect(nodes.url(node), null, null))
        {
            final io.meshmq.protocol.AdminTable table = admin.call(io.meshmq.protocol.AdminVerbs.SUBSCRIPTION_LIST);
            for (int r = 0; r < table.rows().size(); r++)
            {
                if (name.equals(table.value(r, "name")))
                {
                    return ((Number)table.value(r, "messages")).longValue();
                }
            }
            return -1;
        }
        catch (final Exception ex)
        {
            throw new IllegalStateException(ex);
        }
    }
}
