package io.meshmq.tck.cluster;

import io.meshmq.engine.security.PasswordHash;
import io.meshmq.jms.MeshConnectionFactory;
import io.meshmq.jms.jndi.MeshInitialContextFactory;
import io.meshmq.protocol.AdminTable;
import jakarta.jms.CompletionListener;
import jakarta.jms.Connection;
import jakarta.jms.ConnectionFactory;
import jakarta.jms.InvalidDestinationException;
import jakarta.jms.JMSSecurityException;
import jakarta.jms.JMSException;
import jakarta.jms.Message;
import jakarta.jms.MessageConsumer;
import jakarta.jms.MessageProducer;
import jakarta.jms.Queue;
import jakarta.jms.Session;
import jakarta.jms.TextMessage;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import javax.naming.Context;
import javax.naming.InitialContext;

import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Hashtable;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * Names that say where a message goes (issue 23): {@code orders@n2} reaches queue {@code orders} on n2 only, whichever
 * node it is sent to and whatever the load balancing; {@code orders@group:eu} only the nodes of group eu;
 * {@code orders@all} puts one copy on every node that has the queue; a send to a node that is down, or that the
 * cluster does not have, or to a group with no reachable node, fails at once naming it; consumers are told to use the
 * plain name.
 */
class AddressedSendTest
{
    @TempDir
    Path dir;

    @Test
    void shouldDeliverToTheNodeNamedOrToAllAndRefuseWhatCannotBeDelivered() throws Exception
    {
        try (ClusterNodes nodes = ClusterNodes.startEach(dir, "addressed", new String[][] {
            {"cluster.group = eu"}, {"cluster.group = eu"}, {"cluster.group = us"}}))
        {
            nodes.awaitMesh();
            final List<Connection> connections = new ArrayList<>();
            final MessageConsumer[] consumers = new MessageConsumer[3];
            try
            {
                for (int i = 0; i < 3; i++)
                {
                    final Connection connection = nodes.factory(i).createConnection();
                    connections.add(connection);
                    final Session session = connection.createSession();
                    consumers[i] = session.createConsumer(session.createQueue("orders"));
                    connection.start();
                }
                for (int i = 0; i < 3; i++)
                {
                    for (int j = 0; j < 3; j++)
                    {
                        if (i != j)
                        {
                            nodes.awaitRemoteConsumers(i, j, 1);
                        }
                    }
                }
                try (Connection connection = nodes.factory(0).createConnection())
                {
                    final Session session = connection.createSession();
                    final MessageProducer producer = session.createProducer(null);
                    for (int i = 0; i < 10; i++)
                    {
                        producer.send(session.createQueue("orders@n2"), session.createTextMessage("to-n2-" + i));
                    }
                    producer.send(session.createQueue("orders@n1"), session.createTextMessage("to-n1"));
                    producer.send(session.createQueue("orders@all"), session.createTextMessage("to-all"));

                    // n2 gets its ten, in order, then the broadcast; n1 its own and the broadcast; n3 the broadcast
                    for (int i = 0; i < 10; i++)
                    {
                        assertEquals("to-n2-" + i, text(consumers[1].receive(10_000)));
                    }
                    assertEquals("to-all", text(consumers[1].receive(10_000)));
                    assertEquals("to-n1", text(consumers[0].receive(10_000)));
                    assertEquals("to-all", text(consumers[0].receive(10_000)));
                    assertEquals("to-all", text(consumers[2].receive(10_000)));
                    for (final MessageConsumer consumer : consumers)
                    {
                        assertNull(consumer.receive(300), "nothing else anywhere");
                    }

                    // a JNDI entry may name the node too
                    final Hashtable<String, String> env = new Hashtable<>();
                    env.put(Context.INITIAL_CONTEXT_FACTORY, MeshInitialContextFactory.class.getName());
                    env.put(Context.PROVIDER_URL, nodes.url(0));
                    env.put(MeshInitialContextFactory.QUEUE_PREFIX + "ordersOnN3", "orders@n3");
                    final Context jndi = new InitialContext(env);
                    try (Connection looked = ((ConnectionFactory)jndi.lookup("ConnectionFactory")).createConnection())
                    {
                        final Session lookedSession = looked.createSession();
                        lookedSession.createProducer((Queue)jndi.lookup("ordersOnN3"))
                            .send(lookedSession.createTextMessage("by-jndi"));
                    }
                    jndi.close();
                    assertEquals("by-jndi", text(consumers[2].receive(10_000)));
                    assertNull(consumers[0].receive(300), "not on n1, where it was sent");

                    // a named group: us is n3 alone; eu is n1 and n2, never n3
                    for (int i = 0; i < 5; i++)
                    {
                        producer.send(session.createQueue("orders@group:us"), session.createTextMessage("us-" + i));
                    }
                    for (int i = 0; i < 5; i++)
                    {
                        assertEquals("us-" + i, text(consumers[2].receive(10_000)));
                    }
                    for (int i = 0; i < 20; i++)
                    {
                        producer.send(session.createQueue("orders@group:eu"), session.createTextMessage("eu-" + i));
                    }
                    int eu = 0;
                    while (consumers[0].receive(1_000) != null || consumers[1].receive(200) != null)
                    {
                        eu++;
                    }
                    assertEquals(20, eu, "every eu message on n1 or n2");
                    assertNull(consumers[2].receive(300), "none of them on n3");
                    final AdminTable status = nodes.status(0);
                    for (int r = 0; r < status.rows().size(); r++)
                    {
                        final String node = String.valueOf(status.value(r, "node"));
                        assertEquals(node.startsWith("n3") ? "us" : "eu", status.value(r, "group"), "group of " + node);
                    }
                    final InvalidDestinationException nobody = assertThrows(InvalidDestinationException.class,
                        () -> producer.send(session.createQueue("orders@group:asia"), session.createTextMessage("x")));
                    assertTrue(nobody.getMessage().contains("no node of group 'asia'"), nobody.getMessage());

                    final InvalidDestinationException unknown = assertThrows(InvalidDestinationException.class,
                        () -> producer.send(session.createQueue("orders@n9"), session.createTextMessage("lost")));
                    assertTrue(unknown.getMessage().contains("no node 'n9' in cluster 'addressed' (nodes: n1, "),
                        unknown.getMessage());
                    final InvalidDestinationException nowhere = assertThrows(InvalidDestinationException.class,
                        () -> producer.send(session.createQueue("missing@all"), session.createTextMessage("lost")));
                    assertTrue(nowhere.getMessage().contains("no node of cluster 'addressed' has queue 'missing'"),
                        nowhere.getMessage());
                    final JMSException consuming = assertThrows(JMSException.class,
                        () -> session.createConsumer(session.createQueue("orders@n2")));
                    assertTrue(consuming.getMessage().contains("consume from 'orders' on that node"),
                        consuming.getMessage());

                    connections.remove(2).close();
                    nodes.kill(2);
                    ClusterNodes.poll("n1 to see n3 down", 30_000, () -> !isUp(nodes.status(0), "n3"));
                    final long start = System.nanoTime();
                    final InvalidDestinationException down = assertThrows(InvalidDestinationException.class,
                        () -> producer.send(session.createQueue("orders@n3"), session.createTextMessage("lost")));
                    assertTrue(down.getMessage().contains("node 'n3' is not reachable"), down.getMessage());
                    final InvalidDestinationException groupDown = assertThrows(InvalidDestinationException.class,
                        () -> producer.send(session.createQueue("orders@group:us"), session.createTextMessage("x")));
                    assertTrue(groupDown.getMessage().contains("its nodes: n3 (down)"), groupDown.getMessage());
                    assertTrue(System.nanoTime() - start < 5_000_000_000L, "refused at once, not held");
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

    /**
     * A node that stops answering (SIGSTOP: its sockets stay open): a send to it is not held for ever but fails,
     * naming it, once the link is found silent or cluster.send-timeout passes, whichever is first; an asynchronous
     * send's listener is told the same. Where the address says hold, a send to it waits for it instead.
     */
    @Test
    void shouldTellTheSenderWhenTheNodeNamedDoesNotStoreTheMessageAndHoldWhereTheAddressSaysSo() throws Exception
    {
        try (ClusterNodes nodes = ClusterNodes.start(dir, "silent", 3, "cluster.send-timeout = 1500",
            "address.held.unreachable-node = hold"))
        {
            nodes.awaitMesh();
            try (Connection onN3 = nodes.factory(2).createConnection())
            {
                final Session session = onN3.createSession();
                session.createConsumer(session.createQueue("orders")).close();
                session.createConsumer(session.createQueue("held")).close();
            }
            ClusterNodes.poll("n1 to know n3's queues", 30_000, () -> nodes.remoteBindings(0, 2) >= 2);
            try (Connection connection = nodes.factory(0).createConnection())
            {
                final Session session = connection.createSession();
                final MessageProducer producer = session.createProducer(null);
                producer.send(session.createQueue("orders@n3"), session.createTextMessage("first"));

                nodes.process(2).pause();
                final CompletableFuture<Exception> asynchronous = new CompletableFuture<>();
                final long start = System.nanoTime();
                producer.send(session.createQueue("orders@n3"), session.createTextMessage("async"),
                    new CompletionListener()
                    {
                        @Override
                        public void onCompletion(final Message message)
                        {
                            asynchronous.complete(null);
                        }

                        @Override
                        public void onException(final Message message, final Exception exception)
                        {
                            asynchronous.complete(exception);
                        }
                    });
                final JMSException silent = assertThrows(JMSException.class,
                    () -> producer.send(session.createQueue("orders@n3"), session.createTextMessage("silent")));
                assertTrue(silent.getMessage().contains("send to 'orders@n3' failed: node 'n3' "),
                    silent.getMessage());
                final Exception told = asynchronous.get(20, TimeUnit.SECONDS);
                assertNotNull(told, "the asynchronous send was not confirmed either");
                assertTrue(told.getMessage().contains("node 'n3'"), told.getMessage());
                final long tookMs = (System.nanoTime() - start) / 1_000_000;
                System.out.println("a send to a stopped node failed after " + tookMs + " ms: " + silent.getMessage());
                assertTrue(tookMs < 15_000, "failed within the timeout or the link's silence, not held: " + tookMs);

                ClusterNodes.poll("n1 to see n3 down", 30_000, () -> !isUp(nodes.status(0), "n3"));
                producer.send(session.createQueue("held@n3"), session.createTextMessage("kept"));
                assertThrows(InvalidDestinationException.class,
                    () -> producer.send(session.createQueue("orders@n3"), session.createTextMessage("refused")));

                nodes.process(2).resume();
                ClusterNodes.poll("n1 to see n3 up again", 30_000, () -> isUp(nodes.status(0), "n3"));
                try (Connection onN3 = nodes.factory(2).createConnection())
                {
                    final Session consuming = onN3.createSession();
                    final MessageConsumer held = consuming.createConsumer(consuming.createQueue("held"));
                    final MessageConsumer orders = consuming.createConsumer(consuming.createQueue("orders"));
                    onN3.start();
                    assertEquals("kept", text(held.receive(10_000)), "held for n3 while it was down");
                    assertEquals("first", text(orders.receive(10_000)));
                }
            }
        }
    }

    @Test
    void shouldHoldAnAddressedSendToThePermissionsOfItsQueue() throws Exception
    {
        // With grouping handlers on (they see every queue's messages), a queue no node has still needs the right to
        // make it.
        try (ClusterNodes nodes = ClusterNodes.startEach(dir, "guarded", new String[][] {
            {"grouping.type = local"}, {"grouping.type = remote"}},
            "user.mesh = " + PasswordHash.hash("mesh-secret"), "user.mesh.roles = cluster, admin",
            "cluster.user = mesh", "cluster.password = mesh-secret",
            "user.app = " + PasswordHash.hash("app-secret"), "user.app.roles = app",
            "security.orders.send = app", "security.orders.consume = app", "security.orders.createAddress = app",
            "security.orders.createDurableQueue = app", "security.secret.send = admin",
            "security.fresh.send = app", "security.meshmq.management.manage = admin"))
        {
            nodes.awaitMesh();
            try (Connection connection = new MeshConnectionFactory(nodes.url(1) + "?user=app&password=app-secret")
                .createConnection())
            {
                final Session session = connection.createSession();
                final MessageConsumer consumer = session.createConsumer(session.createQueue("orders"));
                connection.start();
                nodes.awaitRemoteConsumers(0, 1, 1);
                try (Connection sender = new MeshConnectionFactory(nodes.url(0) + "?user=app&password=app-secret")
                    .createConnection())
                {
                    final Session sending = sender.createSession();
                    final MessageProducer producer = sending.createProducer(null);
                    producer.send(sending.createQueue("orders@n2"), sending.createTextMessage("allowed"));
                    assertEquals("allowed", text(consumer.receive(10_000)));
                    final JMSSecurityException refused = assertThrows(JMSSecurityException.class,
                        () -> producer.send(sending.createQueue("secret@n2"), sending.createTextMessage("no")));
                    assertTrue(refused.getMessage().contains("lacks permission 'send' on address 'secret'"),
                        refused.getMessage());
                    final JMSSecurityException unmade = assertThrows(JMSSecurityException.class,
                        () -> producer.send(sending.createQueue("fresh"), sending.createTextMessage("no")));
                    assertTrue(unmade.getMessage().contains("lacks permission 'createAddress' on address 'fresh'"),
                        unmade.getMessage());
                }
            }
        }
    }

    private static boolean isUp(final AdminTable status, final String node)
    {
        for (int r = 0; r < status.rows().size(); r++)
        {
            if (node.equals(status.value(r, "node")))
            {
                return String.valueOf(status.value(r, "state")).startsWith("up");
            }
        }
        return false;
    }

    private static String text(final Message message) throws JMSException
    {
        return message == null ? null : ((TextMessage)message).getText();
    }
}
