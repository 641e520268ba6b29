package io.meshmq.tck.replication;

import io.meshmq.admin.MeshAdmin;
import io.meshmq.jms.MeshConnectionFactory;
import io.meshmq.jms.message.MeshMessage;
import io.meshmq.protocol.AdminTable;
import io.meshmq.protocol.AdminVerbs;
import io.meshmq.tck.FreePorts;
import io.meshmq.tck.crash.BrokerProcess;
import io.meshmq.tck.large.Bodies;
import io.meshmq.tck.replication.HaSupport.AckingConsumer;
import io.meshmq.tck.replication.HaSupport.AsyncPublisher;
import io.meshmq.tck.replication.HaSupport.DurableListener;
import io.meshmq.tck.replication.HaSupport.Producer;
import io.meshmq.tck.replication.HaSupport.TransactedConsumer;
import io.meshmq.tck.replication.HaSupport.TransactedProducer;
import jakarta.jms.BytesMessage;
import jakarta.jms.Connection;
import jakarta.jms.DeliveryMode;
import jakarta.jms.JMSException;
import jakarta.jms.Message;
import jakarta.jms.MessageConsumer;
import jakarta.jms.MessageProducer;
import jakarta.jms.Session;
import jakarta.jms.TextMessage;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Collections;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.Collectors;
import java.util.stream.IntStream;

import static io.meshmq.tck.replication.HaSupport.awaitCondition;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * Three processes with {@code ha = replication} (issue 19): each serves its own journal and keeps a replica of the
 * next member's, and the three are the quorum's voters; no other process. Under load through failover URL lists — a
 * producer sending persistent messages one by one and a consumer acknowledging each (CLIENT_ACKNOWLEDGE); a producer
 * committing transactions of ten and a consumer receiving in transactions; a publisher sending asynchronously with a
 * completion listener to a topic whose durable subscriber is a message listener (AUTO_ACKNOWLEDGE) — {@code kill -9} of
 * each process in turn, ten times, each restarted before the next: the journals the killed process served are served
 * by their replicas in the other two, the restarted process becomes their replica, every confirmed message is
 * consumed, none comes again after its acknowledgement or consuming commit was confirmed, every committed transaction
 * is there once, none the broker said it rolled back, none in part, and every completed async send reached the durable
 * subscription.
 */
class ColocatedTest
{
    private static final int NODES = 3;
    private static final int ROUNDS = 10;
    /** Message groups each of two members sends. */
    private static final int GROUPS = 20;

    @TempDir
    Path dir;
    private final BrokerProcess[] nodes = new BrokerProcess[NODES];
    private final int[] ports = new int[NODES];
    private final int[] backupPorts = new int[NODES];
    private final String[] quorum = new String[NODES];

    @AfterEach
    void stopAll() throws InterruptedException
    {
        for (final BrokerProcess node : nodes)
        {
            if (node != null)
            {
                node.close();
            }
        }
    }

    @Test
    void shouldServeEveryJournalThroughTenKillsWithEveryConfirmedMessageOnce() throws Exception
    {
        startAll();
        // cluster status of a member says who holds its journal's replica, what the quorum holds, and what its own
        // backup does: the members sorted by address, each backs up the next.
        final List<String> sorted = Arrays.stream(ports).mapToObj(port -> "127.0.0.1:" + port).sorted().toList();
        final int at = sorted.indexOf("127.0.0.1:" + ports[0]);
        final String next = sorted.get((at + 1) % NODES);
        final String previous = sorted.get((at + 2) % NODES);
        final String previousName = "n" + Arrays.stream(ports).boxed().toList()
            .indexOf(Integer.parseInt(previous.substring(previous.indexOf(':') + 1)));
        HaSupport.awaitStatus(nodes[0], "replica " + previousName + "-backup (in sync), lag ",
            "127.0.0.1:" + ports[0]);
        HaSupport.awaitStatus(nodes[0], " ms; quorum: journal ", "127.0.0.1:" + ports[0]);
        HaSupport.awaitStatus(nodes[0], "owned at epoch 1, replica " + previousName + "-backup in sync; lease read ",
            "127.0.0.1:" + ports[0]);
        HaSupport.awaitStatus(nodes[0], "'n0-backup': replica of " + next + " in sync, ready to take over journal ",
            "127.0.0.1:" + ports[0]);

        // Each kind of client starts on another node, so that routing between the nodes carries their messages.
        final String urls = failoverUrls(0);
        final Producer producer = new Producer(urls);
        final AckingConsumer consumer = new AckingConsumer(failoverUrls(1));
        final TransactedProducer transacted = new TransactedProducer(failoverUrls(2));
        final TransactedConsumer transactedConsumer = new TransactedConsumer(failoverUrls(0));
        final DurableListener subscriber = new DurableListener(failoverUrls(1));
        final AsyncPublisher publisher = new AsyncPublisher(failoverUrls(2));
        final List<Long> takeoverMs = new ArrayList<>();
        try (producer)
        {
            for (int round = 0; round < ROUNDS; round++)
            {
                final int victim = round % NODES;
                final int before = producer.confirmedCount();
                awaitCondition(() -> producer.confirmedCount() >= before + 100, "100 sends confirmed before kill " +
                    (round + 1), nodes);
                final Map<String, String> servedBefore = served();
                final List<String> lost = servedBefore.entrySet().stream()
                    .filter(entry -> entry.getValue().startsWith(victim + "/")).map(Map.Entry::getKey).toList();
                nodes[victim].kill();
                final long killedNs = System.nanoTime();
                awaitCondition(() -> served().keySet().containsAll(lost) && lost.stream()
                    .noneMatch(journal -> served().get(journal).startsWith(victim + "/")), "journals " + lost +
                    " of the killed node served again (round " + (round + 1) + ")", alive());
                final String url = served().get(lost.get(0)).substring(2);
                sendOneTo(url);
                takeoverMs.add((System.nanoTime() - killedNs) / 1_000_000);
                if (round == 0)
                {
                    // The producer was on node 0 (the first of its URLs): it follows node 0's journal to the backup
                    // that serves it now, where that journal's transactions and duplicate ids are.
                    awaitCondition(() -> !producer.failedOverTo().isEmpty(), "the producer failing over", nodes);
                    assertEquals(url, producer.failedOverTo().get(0).replaceAll("[?,].*", ""),
                        "the producer failed over to another journal than its own");
                }
                System.out.println("colocated round " + (round + 1) + ": killed node " + victim + " serving " + lost +
                    "; first send confirmed at " + url + " " + takeoverMs.get(takeoverMs.size() - 1) +
                    " ms after the kill");

                nodes[victim] = start(victim);
                awaitServedAndReplicated(nodes[victim], 2);
            }
        }
        System.out.println("colocated takeover times (kill -9 to the first send confirmed on the replica), ms: " +
            takeoverMs);
        final String everywhere = Arrays.stream(ports).mapToObj(port -> "tcp://127.0.0.1:" + port)
            .collect(Collectors.joining(",")) + "," + Arrays.stream(backupPorts)
            .mapToObj(port -> "tcp://127.0.0.1:" + port).collect(Collectors.joining(","));
        final int consumedDuringKills = consumer.receivedCount();
        final int again = consumer.assertEveryConfirmedMessageConsumed(everywhere, producer);
        System.out.println("colocated: " + producer.confirmed().size() + " sends confirmed, " + consumedDuringKills +
            " received and acknowledged one by one during the kills, " + again + " received twice (their " +
            "acknowledgement lost in a failover)");
        System.out.println("colocated: " + transacted.assertEveryCommittedBatchOnce(everywhere, transactedConsumer));
        try
        {
            System.out.println("colocated: " + publisher.assertEveryCompletedSendDelivered(subscriber, everywhere));
        }
        catch (final AssertionError ex)
        {
            throw new AssertionError(ex.getMessage() + "\nwhat every node holds:\n" + holdings(), ex);
        }
    }

    /**
     * @return every serving address's queues and subscriptions with their depth, to tell where missing messages are.
     */
    private String holdings()
    {
        final StringBuilder out = new StringBuilder();
        for (final int port : IntStream.concat(Arrays.stream(ports), Arrays.stream(backupPorts)).toArray())
        {
            out.append("127.0.0.1:").append(port).append('\n');
            try (MeshAdmin admin = MeshAdmin.connect("tcp://127.0.0.1:" + port, null, null))
            {
                for (final String verb : List.of(AdminVerbs.QUEUE_LIST, AdminVerbs.SUBSCRIPTION_LIST,
                    AdminVerbs.CLUSTER_BINDINGS))
                {
                    final AdminTable table = admin.call(verb);
                    out.append("  ").append(verb).append(' ').append(table.columns()).append('\n');
                    table.rows().forEach(row -> out.append("    ").append(row).append('\n'));
                }
            }
            catch (final JMSException ex)
            {
                out.append("  ").append(ex.getMessage()).append('\n');
            }
        }
        return out.toString();
    }

    /**
     * With ha.failback, a process that was killed takes its own journal back once it holds it in sync again: after
     * each kill and restart every process serves its own journal, on its own port, and nothing confirmed is lost.
     */
    @Test
    void shouldServeEachJournalAtHomeAgainWithFailback() throws Exception
    {
        startAll("ha.failback = true");
        final Map<String, String> home = served();
        final Producer producer = new Producer(failoverUrls(0));
        try (producer)
        {
            for (int victim = 0; victim < NODES; victim++)
            {
                final int before = producer.confirmedCount();
                awaitCondition(() -> producer.confirmedCount() >= before + 100, "100 sends confirmed before killing " +
                    "node " + victim, nodes);
                nodes[victim].kill();
                final int killed = victim;
                awaitCondition(() -> served().size() == NODES && served().values().stream()
                    .noneMatch(at -> at.startsWith(killed + "/")), "the journals of node " + victim + " served by " +
                    "the others", alive());
                nodes[victim] = start(victim, "ha.failback = true");
                awaitCondition(() -> served().equals(home), "every journal served at home again after node " +
                    victim + " failed back (now " + served() + ", at first " + home + ")", nodes);
                final int back = producer.confirmedCount();
                awaitCondition(() -> producer.confirmedCount() >= back + 100, "100 sends after the failback", nodes);
            }
        }
        final String everywhere = Arrays.stream(ports).mapToObj(port -> "tcp://127.0.0.1:" + port)
            .collect(Collectors.joining(","));
        HaSupport.assertEveryConfirmedMessageOnce(everywhere, producer.confirmed(), producer.unconfirmed());
    }

    /**
     * Core bridges go with their journal: the process that takes a journal over runs its bridges there — those of its
     * configuration (every member is given the same bridge lines) and those made at run time on the journal's node
     * (kept in the journal's data directory, mirrored to its replica) — and they forward what waited in it, once.
     */
    @Test
    void shouldRunEachJournalsBridgesWhereverTheJournalIsServed() throws Exception
    {
        final int targetPort = FreePorts.next();
        final String target = "tcp://127.0.0.1:" + targetPort;
        startAll("bridge.out.source-queue = outbound", "bridge.out.target-url = " + target,
            "bridge.out.retry-interval = 100", "bridge.out.max-retry-interval = 400");
        final String own = "tcp://127.0.0.1:" + ports[0];
        try (MeshAdmin admin = MeshAdmin.connect(own, null, null))
        {
            admin.call("bridge.create", "made", "source-queue=made", "target-url=" + target,
                "target-address=landed", "retry-interval=100", "max-retry-interval=400");
        }
        // The target is not there yet: what is sent waits in the journals it was sent to, node 0's among them.
        send(own, "outbound", 200);
        send(own, "made", 100);
        final List<String> lost = served().entrySet().stream().filter(entry -> entry.getValue().startsWith("0/"))
            .map(Map.Entry::getKey).toList();
        nodes[0].kill();
        awaitCondition(() -> served().keySet().containsAll(lost) && lost.stream()
            .noneMatch(journal -> served().get(journal).startsWith("0/")), "node 0's journal served again", alive());
        try (BrokerProcess receiving = BrokerProcess.startNode(dir.resolve("target"), "target", targetPort))
        {
            assertEquals(200, receiveOnce(receiving.url(), "outbound", 200), "every message of outbound once");
            assertEquals(100, receiveOnce(receiving.url(), "landed", 100), "every message of the bridge made at " +
                "run time once: it came with node 0's journal");
        }
    }

    /**
     * Large bodies go with their journal (issue 23): persistent large messages sent to member 0 are on its replica in
     * another process; killed, its journal is taken over there, and a consumer on another member gets each body whole
     * (across the cluster's separate body connection, staged on the consumer's member), once.
     */
    @Test
    void shouldServeEachJournalsLargeBodiesAfterItsTakeover() throws Exception
    {
        startAll();
        final long[] lengths = {2_000_000, 300_000, 5_000_000};
        try (Connection connection = new MeshConnectionFactory("tcp://127.0.0.1:" + ports[0]).createConnection())
        {
            final Session session = connection.createSession();
            final MessageProducer producer = session.createProducer(session.createQueue("bodies"));
            for (int i = 0; i < lengths.length; i++)
            {
                final BytesMessage message = session.createBytesMessage();
                message.setObjectProperty(MeshMessage.INPUT_STREAM, Bodies.stream(lengths[i]));
                message.setIntProperty("seq", i);
                producer.send(message);
            }
        }
        final List<String> lost = served().entrySet().stream().filter(entry -> entry.getValue().startsWith("0/"))
            .map(Map.Entry::getKey).toList();
        nodes[0].kill();
        awaitCondition(() -> served().keySet().containsAll(lost) && lost.stream()
            .noneMatch(journal -> served().get(journal).startsWith("0/")), "node 0's journal served again", alive());
        try (Connection connection = new MeshConnectionFactory("tcp://127.0.0.1:" + ports[1]).createConnection())
        {
            connection.start();
            final Session session = connection.createSession();
            final MessageConsumer consumer = session.createConsumer(session.createQueue("bodies"));
            final Set<Integer> seen = new HashSet<>();
            for (int i = 0; i < lengths.length; i++)
            {
                final Message message = consumer.receive(HaSupport.DEADLINE_MS);
                assertNotNull(message, "large message lost with node 0 (" + seen + " came)");
                final int seq = message.getIntProperty("seq");
                assertTrue(seen.add(seq), "large message " + seq + " came twice");
                final Bodies.Sink sink = new Bodies.Sink();
                message.setObjectProperty(MeshMessage.SAVE_STREAM, sink);
                assertEquals(Bodies.checksum(lengths[seq]), sink.checksum(), "large message " + seq + "'s body");
            }
            assertNull(consumer.receive(1_000), "a large message twice");
        }
    }

    /**
     * The grouping handler's role and pins go with its journal: member 0 is the handler; killed, its journal is taken
     * over by a backup in another process, which is the handler in its place, and every group stays with the consumer
     * it had, in order.
     */
    @Test
    void shouldKeepEachMessageGroupWhereItWasWhenTheHandlersJournalIsTakenOver() throws Exception
    {
        for (int i = 0; i < NODES; i++)
        {
            ports[i] = FreePorts.next();
            backupPorts[i] = FreePorts.next();
            quorum[i] = "127.0.0.1:" + FreePorts.next();
        }
        for (int i = 0; i < NODES; i++)
        {
            nodes[i] = start(i, "grouping.type = " + (i == 0 ? "local" : "remote"),
                "address.orders.prefer-local = false");
        }
        for (final BrokerProcess node : nodes)
        {
            awaitServedAndReplicated(node, 1);
        }
        final Map<String, List<String>> received = new ConcurrentHashMap<>();
        final List<Connection> listeners = new ArrayList<>();
        try
        {
            for (int i = 1; i < NODES; i++)
            {
                final List<String> got = Collections.synchronizedList(new ArrayList<>());
                received.put("n" + i, got);
                final Connection connection = new MeshConnectionFactory("tcp://127.0.0.1:" + ports[i])
                    .createConnection();
                listeners.add(connection);
                final Session session = connection.createSession(false, Session.AUTO_ACKNOWLEDGE);
                session.createConsumer(session.createQueue("orders")).setMessageListener(message ->
                {
                    try
                    {
                        got.add(message.getStringProperty("JMSXGroupID") + " " + message.getIntProperty("seq"));
                    }
                    catch (final JMSException ex)
                    {
                        throw new IllegalStateException(ex);
                    }
                });
                connection.start();
            }
            awaitCondition(() -> sendGroupedProbe("tcp://127.0.0.1:" + ports[1]), "a grouped send accepted", nodes);
            sendGroups(0);
            awaitCondition(() -> countOf(received, "p") == 2 * GROUPS * 5, "the groups received", nodes);
            final Map<String, String> before = holdersInOrder(received, 0);

            final List<String> lost = served().entrySet().stream().filter(entry -> entry.getValue().startsWith("0/"))
                .map(Map.Entry::getKey).toList();
            nodes[0].kill();
            awaitCondition(() -> served().keySet().containsAll(lost) && lost.stream()
                .noneMatch(journal -> served().get(journal).startsWith("0/")), "the handler's journal served again",
                alive());
            awaitCondition(() -> sendGroupedProbe("tcp://127.0.0.1:" + ports[1]), "a grouped send accepted by the " +
                "handler's journal where it is served now", alive());
            sendGroups(5);
            awaitCondition(() -> countOf(received, "p") == 2 * 2 * GROUPS * 5, "the groups' next messages",
                alive());
            assertEquals(before, holdersInOrder(received, 5), "every group where it was before the takeover");
        }
        finally
        {
            for (final Connection connection : listeners)
            {
                connection.close();
            }
        }
    }

    /**
     * Members 1 and 2 each send their groups' next five messages, interleaved.
     */
    private void sendGroups(final int firstSeq) throws JMSException
    {
        for (int i = 1; i < NODES; i++)
        {
            try (Connection connection = new MeshConnectionFactory("tcp://127.0.0.1:" + ports[i]).createConnection())
            {
                final Session session = connection.createSession(false, Session.AUTO_ACKNOWLEDGE);
                final MessageProducer producer = session.createProducer(session.createQueue("orders"));
                for (int seq = firstSeq; seq < firstSeq + 5; seq++)
                {
                    for (int group = 0; group < GROUPS; group++)
                    {
                        final Message message = session.createTextMessage("m");
                        message.setStringProperty("JMSXGroupID", "p" + i + "-g" + group);
                        message.setIntProperty("seq", seq);
                        producer.send(message);
                    }
                }
            }
        }
    }

    private static boolean sendGroupedProbe(final String url)
    {
        try (Connection connection = new MeshConnectionFactory(url).createConnection())
        {
            final Session session = connection.createSession(false, Session.AUTO_ACKNOWLEDGE);
            final Message message = session.createTextMessage("probe");
            message.setStringProperty("JMSXGroupID", "x-probe");
            message.setIntProperty("seq", 0);
            session.createProducer(session.createQueue("orders")).send(message);
            return true;
        }
        catch (final JMSException notYet)
        {
            return false;
        }
    }

    private static int countOf(final Map<String, List<String>> received, final String prefix)
    {
        int count = 0;
        for (final List<String> got : received.values())
        {
            synchronized (got)
            {
                count += (int)got.stream().filter(entry -> entry.startsWith(prefix)).count();
            }
        }
        return count;
    }

    /**
     * @return each group's consumer for its messages from {@code firstSeq} on, failing unless they came to one, in
     * order.
     */
    private static Map<String, String> holdersInOrder(final Map<String, List<String>> received, final int firstSeq)
    {
        final Map<String, String> holders = new HashMap<>();
        final Map<String, Integer> next = new HashMap<>();
        for (final Map.Entry<String, List<String>> consumer : received.entrySet())
        {
            synchronized (consumer.getValue())
            {
                for (final String entry : consumer.getValue())
                {
                    final String[] parts = entry.split(" ");
                    final int seq = Integer.parseInt(parts[1]);
                    if (!parts[0].startsWith("p") || seq < firstSeq || seq >= firstSeq + 5)
                    {
                        continue;
                    }
                    final String previous = holders.putIfAbsent(parts[0], consumer.getKey());
                    assertTrue(previous == null || previous.equals(consumer.getKey()), parts[0] + " at two consumers");
                    assertEquals(next.getOrDefault(parts[0], firstSeq), seq, parts[0] + " out of order");
                    next.put(parts[0], seq + 1);
                }
            }
        }
        assertEquals(2 * GROUPS, holders.size());
        return holders;
    }

    private static void send(final String url, final String queue, final int count) throws JMSException
    {
        try (Connection connection = new MeshConnectionFactory(url).createConnection())
        {
            final Session session = connection.createSession(false, Session.AUTO_ACKNOWLEDGE);
            final MessageProducer producer = session.createProducer(session.createQueue(queue));
            producer.setDeliveryMode(DeliveryMode.PERSISTENT);
            for (int i = 0; i < count; i++)
            {
                producer.send(session.createTextMessage(queue + " " + i));
            }
        }
    }

    /**
     * @return how many distinct messages came, failing on one that comes twice.
     */
    private static int receiveOnce(final String url, final String queue, final int expected) throws JMSException
    {
        final Set<String> seen = new HashSet<>();
        try (Connection connection = new MeshConnectionFactory(url).createConnection())
        {
            final Session session = connection.createSession(false, Session.AUTO_ACKNOWLEDGE);
            final MessageConsumer consumer = session.createConsumer(session.createQueue(queue));
            connection.start();
            Message message;
            while ((message = consumer.receive(seen.size() < expected ? HaSupport.DEADLINE_MS : 1_000)) != null)
            {
                final String text = ((TextMessage)message).getText();
                assertTrue(seen.add(text), text + " came twice");
            }
        }
        return seen.size();
    }

    /**
     * @return the members' URLs as a failover list beginning with member {@code first}.
     */
    private String failoverUrls(final int first)
    {
        return IntStream.range(0, NODES).mapToObj(i -> "tcp://127.0.0.1:" + ports[(first + i) % NODES])
            .collect(Collectors.joining(",")) + "?retryInterval=50&retryIntervalMultiplier=1";
    }

    // ---- the cluster's state, from the processes' own lines ---------------------------------------------------------

    /**
     * @return for every journal a living process serves: "PROCESS/URL".
     */
    private Map<String, String> served()
    {
        return HaSupport.served(nodes);
    }

    /**
     * Waits until the three journals are served and {@code node} says its {@code replicas} backups are ready to take
     * over (each node one at first; a restarted node two: it serves nothing, its journals were taken over).
     */
    private void awaitServedAndReplicated(final BrokerProcess node, final int replicas) throws InterruptedException
    {
        awaitCondition(() -> served().size() == NODES, "every journal served", nodes);
        awaitCondition(() -> node.linesContaining("is ready to take over").size() >= replicas, replicas + " replicas " +
            "in sync on " + node.url(), nodes);
    }

    private BrokerProcess[] alive()
    {
        return Arrays.stream(nodes).filter(BrokerProcess::isAlive).toArray(BrokerProcess[]::new);
    }

    private static void sendOneTo(final String url) throws JMSException
    {
        try (Connection connection = new MeshConnectionFactory(url).createConnection())
        {
            final Session session = connection.createSession(false, Session.AUTO_ACKNOWLEDGE);
            final MessageProducer producer = session.createProducer(session.createQueue("probe"));
            producer.setDeliveryMode(DeliveryMode.PERSISTENT);
            producer.send(session.createTextMessage("probe"));
        }
    }

    // ---- processes ---------------------------------------------------------------------------------------------------

    /**
     * Starts the three members on ports of their own and waits until each serves its journal and its backup is ready.
     */
    private void startAll(final String... extra) throws Exception
    {
        for (int i = 0; i < NODES; i++)
        {
            ports[i] = FreePorts.next();
            backupPorts[i] = FreePorts.next();
            quorum[i] = "127.0.0.1:" + FreePorts.next();
        }
        for (int i = 0; i < NODES; i++)
        {
            nodes[i] = start(i, extra);
        }
        for (final BrokerProcess node : nodes)
        {
            awaitServedAndReplicated(node, 1);
        }
    }

    private BrokerProcess start(final int i, final String... extra) throws Exception
    {
        final String members = Arrays.stream(ports).mapToObj(port -> "127.0.0.1:" + port)
            .collect(Collectors.joining(","));
        final List<String> settings = new ArrayList<>(List.of("cluster = colocated", "cluster.members = " + members,
            "ha = replication", "ha.quorum = " + String.join(",", quorum), "ha.quorum-bind = " + quorum[i],
            "ha.backup-bind = 127.0.0.1:" + backupPorts[i]));
        settings.addAll(List.of(extra));
        final BrokerProcess process = BrokerProcess.startNode(dir.resolve("n" + i), "n" + i, ports[i],
            settings.toArray(String[]::new));
        assertEquals(true, process.isAlive());
        return process;
    }
}
