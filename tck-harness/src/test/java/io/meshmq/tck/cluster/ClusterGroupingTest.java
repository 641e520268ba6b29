package io.meshmq.tck.cluster;

import jakarta.jms.Connection;
import jakarta.jms.JMSException;
import jakarta.jms.Message;
import jakarta.jms.MessageConsumer;
import jakarta.jms.MessageProducer;
import jakarta.jms.Session;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.concurrent.atomic.AtomicInteger;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * Grouping handlers (issue 21): three nodes, n1 the local handler, n2 and n3 remote; a listener on each node and a
 * producer on each sending its groups interleaved: every group's messages reach one consumer, in the order sent. The
 * consumer of n2 closes while the producers go on: its groups move to the consumers of the other nodes, each to one,
 * in order; then the handler's own consumer closes, and its groups move too. The handler is killed and restarted:
 * every group stays where it was. With the handler gone, a grouped send fails, saying why.
 */
class ClusterGroupingTest
{
    private static final int GROUPS_PER_PRODUCER = 34;
    private static final int MESSAGES_PER_GROUP = 10;

    @TempDir
    Path dir;

    /** What each consumer got, in arrival order: "group seq". */
    private final Map<String, ConcurrentLinkedQueue<String>> received = new HashMap<>();
    private final AtomicInteger count = new AtomicInteger();

    @Test
    void shouldKeepEachGroupAtOneConsumerInOrderAcrossTheClusterAndWhenItsConsumerCloses() throws Exception
    {
        try (ClusterNodes nodes = ClusterNodes.startEach(dir, "grouping", new String[][] {
            {"grouping.type = local"}, {"grouping.type = remote"}, {"grouping.type = remote"}},
            "address.orders.prefer-local = false", "address.orders.redistribution-delay = 200"))
        {
            nodes.awaitMesh();
            final List<Connection> listeners = new ArrayList<>();
            try
            {
                for (int i = 0; i < 3; i++)
                {
                    listeners.add(listen(nodes, i));
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
                final int total = 3 * GROUPS_PER_PRODUCER * MESSAGES_PER_GROUP;
                produceOnEveryNode(nodes, 0);
                awaitReceived(nodes, total);
                final Map<String, String> firstHolders = assertEachGroupAtOneConsumerInOrder(0);
                System.out.println("groups per consumer: " + countByConsumer(firstHolders));
                assertTrue(countByConsumer(firstHolders).size() >= 2, "groups spread over the consumers: " +
                    countByConsumer(firstHolders));

                // n2's consumer closes: its groups move, each to one other consumer and in order (the messages
                // waiting on n2 first), while the producers go on; the rest stay where they are.
                listeners.get(1).close();
                ClusterNodes.poll("n1 to see n2's consumer gone", 30_000, () -> consumersOf(nodes, 0, "n2") == 0);
                produceOnEveryNode(nodes, MESSAGES_PER_GROUP);
                awaitReceived(nodes, 2 * total);
                final Map<String, String> secondHolders = assertEachGroupAtOneConsumerInOrder(MESSAGES_PER_GROUP);
                assertMovedOnlyFrom("n2", firstHolders, secondHolders);

                // The handler's own consumer closes (n2 has one again): its groups move from the handler's node.
                listeners.set(1, listen(nodes, 1));
                nodes.awaitRemoteConsumers(0, 1, 1);
                listeners.get(0).close();
                ClusterNodes.poll("n2 to see n1's consumer gone", 30_000, () -> consumersOf(nodes, 1, "n1") == 0);
                produceOnEveryNode(nodes, 2 * MESSAGES_PER_GROUP);
                awaitReceived(nodes, 3 * total);
                final Map<String, String> thirdHolders = assertEachGroupAtOneConsumerInOrder(2 * MESSAGES_PER_GROUP);
                assertMovedOnlyFrom("n1", secondHolders, thirdHolders);

                // The handler restarts (kill -9): it still knows every group's node.
                nodes.kill(0);
                nodes.startNode(0);
                nodes.awaitMesh();
                listeners.set(0, listen(nodes, 0));
                for (int i = 1; i < 3; i++)
                {
                    nodes.awaitRemoteConsumers(i, 0, 1);
                    nodes.awaitRemoteConsumers(0, i, 1);
                }
                produceOnEveryNode(nodes, 3 * MESSAGES_PER_GROUP);
                awaitReceived(nodes, 4 * total);
                assertEquals(thirdHolders, assertEachGroupAtOneConsumerInOrder(3 * MESSAGES_PER_GROUP),
                    "each group where it was before the handler's restart");

                nodes.kill(0);
                ClusterNodes.poll("n2 to see the handler down", 30_000, () -> !isUp(nodes, 1, "n1"));
                try (Connection connection = nodes.factory(1).createConnection())
                {
                    final Session session = connection.createSession();
                    final MessageProducer producer = session.createProducer(session.createQueue("orders"));
                    final Message message = session.createTextMessage("late");
                    message.setStringProperty("JMSXGroupID", "p1-g0");
                    final JMSException refused = assertThrows(JMSException.class, () -> producer.send(message));
                    assertTrue(refused.getMessage().contains("node 'n1' is not reachable"), refused.getMessage());
                }
            }
            finally
            {
                for (final Connection connection : listeners)
                {
                    connection.close();
                }
            }
        }
    }

    /**
     * A move left halfway by a kill -9: n2 holds the groups and loses its consumer, n3 has one but is stopped
     * (SIGSTOP), so n2's messages of them wait to cross to n3 and the handler, told nothing yet, holds the groups' new
     * messages; the handler (n1), or the old node (n2), is killed and restarted, n3 goes on: every message reaches n3's
     * consumer once, each group in order, the held ones after the moved ones.
     */
    @ParameterizedTest(name = "kill n{0}")
    @ValueSource(ints = {1, 2})
    void shouldFinishAMoveLeftHalfwayWhenANodeWasKilled(final int killed) throws Exception
    {
        try (ClusterNodes nodes = ClusterNodes.startEach(dir, "halfway", new String[][] {
            {"grouping.type = local"}, {"grouping.type = remote"}, {"grouping.type = remote"}},
            "address.orders.prefer-local = false", "address.orders.redistribution-delay = 200"))
        {
            // n3's consumer outlives n3's stop, which lasts longer than the default connectionTTL.
            nodes.urlOptions("?connectionTTL=120000").awaitMesh();
            final List<Connection> listeners = new ArrayList<>();
            try
            {
                listeners.add(listen(nodes, 1));
                nodes.awaitRemoteConsumers(0, 1, 1);
                final int groups = 10;
                sendRound(nodes, 1, groups, 0);
                awaitReceived(nodes, groups);
                assertEquals(groups, received.get("n2").size(), "pinned to n2, the only consumer");

                listeners.add(listen(nodes, 2));
                nodes.awaitRemoteConsumers(0, 2, 1);
                nodes.awaitRemoteConsumers(1, 2, 1);
                listeners.get(0).close();
                ClusterNodes.poll("n1 to see n2's consumer gone", 30_000, () -> consumersOf(nodes, 0, "n2") == 0);

                // n3 stops: the handler still counts its consumer for the link's silence (3 s), time enough for n2
                // to ask and the handler to start the moves.
                nodes.process(2).pause();
                sendRound(nodes, 1, groups, 1);
                ClusterNodes.poll("the handler to move every group", 10_000,
                    () -> handlerState(nodes).contains(groups + " moving"));
                sendRound(nodes, 0, groups, 2);
                sendRound(nodes, 1, groups, 3);
                assertTrue(handlerState(nodes).contains(groups + " moving"), handlerState(nodes));

                nodes.kill(killed - 1);
                nodes.startNode(killed - 1);
                nodes.process(2).resume();
                awaitReceived(nodes, 4 * groups);
                final List<String> atN3 = new ArrayList<>(received.get("n3"));
                assertEquals(3 * groups, atN3.size(), "rounds 1 to 3, all at n3, once: " + atN3);
                for (int group = 0; group < groups; group++)
                {
                    final String name = "g" + group;
                    assertEquals(List.of(name + " 1", name + " 2", name + " 3"),
                        atN3.stream().filter(entry -> entry.startsWith(name + " ")).toList(), "group " + name);
                }
                ClusterNodes.poll("the moves to end", 30_000, () -> !handlerState(nodes).contains(" moving"));
            }
            finally
            {
                for (final Connection connection : listeners)
                {
                    connection.close();
                }
            }
        }
    }

    /**
     * Sends one message of each group g0..g(groups-1), sequence {@code seq}, to the node.
     */
    private static void sendRound(final ClusterNodes nodes, final int node, final int groups, final int seq)
        throws JMSException
    {
        try (Connection connection = nodes.factory(node).createConnection())
        {
            final Session session = connection.createSession();
            final MessageProducer sender = session.createProducer(session.createQueue("orders"));
            for (int group = 0; group < groups; group++)
            {
                final Message message = session.createTextMessage("m");
                message.setStringProperty("JMSXGroupID", "g" + group);
                message.setIntProperty("seq", seq);
                sender.send(message);
            }
        }
    }

    private static String handlerState(final ClusterNodes nodes)
    {
        final io.meshmq.protocol.AdminTable status = nodes.status(0);
        return String.valueOf(status.value(0, "state"));
    }

    private void awaitReceived(final ClusterNodes nodes, final int total) throws InterruptedException
    {
        try
        {
            ClusterNodes.poll(total + " messages received", 60_000, () -> count.get() >= total);
        }
        catch (final AssertionError ex)
        {
            final StringBuilder where = new StringBuilder(count.get() + " received; ");
            for (int i = 0; i < 3; i++)
            {
                where.append("n").append(i + 1).append(": ")
                    .append(nodes.admin(i, io.meshmq.protocol.AdminVerbs.QUEUE_LIST).rows()).append(' ')
                    .append(nodes.status(i).rows()).append('\n');
            }
            throw new AssertionError(ex.getMessage() + "\n" + where, ex);
        }
    }

    private Connection listen(final ClusterNodes nodes, final int node) throws JMSException
    {
        final String name = "n" + (node + 1);
        final ConcurrentLinkedQueue<String> got = new ConcurrentLinkedQueue<>();
        received.put(name, got);
        final Connection connection = nodes.factory(node).createConnection();
        final Session session = connection.createSession();
        final MessageConsumer consumer = session.createConsumer(session.createQueue("orders"));
        consumer.setMessageListener(message ->
        {
            try
            {
                got.add(message.getStringProperty("JMSXGroupID") + " " + message.getIntProperty("seq"));
                count.incrementAndGet();
            }
            catch (final JMSException ex)
            {
                throw new IllegalStateException(ex);
            }
        });
        connection.start();
        return connection;
    }

    /**
     * Each node's producer sends its groups' next messages, interleaved: one message of each group in turn.
     */
    private static void produceOnEveryNode(final ClusterNodes nodes, final int firstSeq) throws Exception
    {
        final List<Thread> producers = new ArrayList<>();
        final List<Throwable> failures = new ArrayList<>();
        for (int node = 0; node < 3; node++)
        {
            final int on = node;
            final Thread producer = new Thread(() ->
            {
                try (Connection connection = nodes.factory(on).createConnection())
                {
                    final Session session = connection.createSession();
                    final MessageProducer sender = session.createProducer(session.createQueue("orders"));
                    for (int seq = firstSeq; seq < firstSeq + MESSAGES_PER_GROUP; seq++)
                    {
                        for (int group = 0; group < GROUPS_PER_PRODUCER; group++)
                        {
                            final Message message = session.createTextMessage("m");
                            message.setStringProperty("JMSXGroupID", "p" + on + "-g" + group);
                            message.setIntProperty("seq", seq);
                            sender.send(message);
                        }
                    }
                }
                catch (final Throwable ex)
                {
                    synchronized (failures)
                    {
                        failures.add(ex);
                    }
                }
            }, "producer-n" + (node + 1));
            producer.start();
            producers.add(producer);
        }
        for (final Thread producer : producers)
        {
            producer.join(120_000);
        }
        if (!failures.isEmpty())
        {
            throw new AssertionError("a producer failed: " + failures, failures.get(0));
        }
    }

    /**
     * @return each group's consumer (its node's name) for the messages from {@code firstSeq} on; fails unless each
     * group's messages from there reached one consumer in the order sent.
     */
    private Map<String, String> assertEachGroupAtOneConsumerInOrder(final int firstSeq)
    {
        final Map<String, String> holder = new HashMap<>();
        final Map<String, Integer> next = new HashMap<>();
        for (final Map.Entry<String, ConcurrentLinkedQueue<String>> consumer : received.entrySet())
        {
            for (final String entry : consumer.getValue())
            {
                final String[] parts = entry.split(" ");
                final int seq = Integer.parseInt(parts[1]);
                if (seq < firstSeq || seq >= firstSeq + MESSAGES_PER_GROUP)
                {
                    continue;
                }
                final String previous = holder.putIfAbsent(parts[0], consumer.getKey());
                assertTrue(previous == null || previous.equals(consumer.getKey()), "group " + parts[0] + " reached " +
                    previous + " and " + consumer.getKey());
                final int expected = next.getOrDefault(parts[0], firstSeq);
                assertEquals(expected, seq, "group " + parts[0] + " at " + consumer.getKey() + " out of order");
                next.put(parts[0], seq + 1);
            }
        }
        assertEquals(3 * GROUPS_PER_PRODUCER, holder.size(), "every group received");
        for (final Map.Entry<String, Integer> group : next.entrySet())
        {
            assertEquals(firstSeq + MESSAGES_PER_GROUP, group.getValue(), "all of " + group.getKey());
        }
        return holder;
    }

    /**
     * Fails unless exactly the groups {@code before} had at {@code left} are elsewhere {@code after}, and no other
     * group moved.
     */
    private static void assertMovedOnlyFrom(final String left, final Map<String, String> before,
        final Map<String, String> after)
    {
        int moved = 0;
        for (final Map.Entry<String, String> group : before.entrySet())
        {
            final String now = after.get(group.getKey());
            if (left.equals(group.getValue()))
            {
                assertTrue(!left.equals(now), "group " + group.getKey() + " still at " + left + ": " + after);
                moved++;
            }
            else
            {
                assertEquals(group.getValue(), now, "group " + group.getKey() + " moved, its consumer still there");
            }
        }
        assertTrue(moved > 0, "some groups were at " + left + ": " + before);
        System.out.println(moved + " groups moved from " + left + ": " + countByConsumer(after));
    }

    private static Map<String, Integer> countByConsumer(final Map<String, String> holders)
    {
        final Map<String, Integer> counts = new HashMap<>();
        holders.values().forEach(consumer -> counts.merge(consumer, 1, Integer::sum));
        return counts;
    }

    private static long consumersOf(final ClusterNodes nodes, final int from, final String node)
    {
        final io.meshmq.protocol.AdminTable status = nodes.status(from);
        for (int r = 0; r < status.rows().size(); r++)
        {
            if (node.equals(status.value(r, "node")))
            {
                return ((Number)status.value(r, "consumers")).longValue();
            }
        }
        return -1;
    }

    private static boolean isUp(final ClusterNodes nodes, final int from, final String node)
    {
        final io.meshmq.protocol.AdminTable status = nodes.status(from);
        for (int r = 0; r < status.rows().size(); r++)
        {
            if (node.equals(status.value(r, "node")))
            {
                return String.valueOf(status.value(r, "state")).startsWith("up");
            }
        }
        return false;
    }
}
