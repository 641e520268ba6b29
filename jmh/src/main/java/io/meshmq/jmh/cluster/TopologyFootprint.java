package io.meshmq.jmh.cluster;

import io.meshmq.admin.MeshAdmin;
import io.meshmq.jmh.brokers.BrokerUnderTest;
import io.meshmq.protocol.AdminTable;
import io.meshmq.protocol.AdminVerbs;
import org.apache.activemq.artemis.api.core.client.ActiveMQClient;
import org.apache.activemq.artemis.api.core.client.ClientSessionFactory;
import org.apache.activemq.artemis.api.core.client.ServerLocator;
import jakarta.jms.Connection;
import jakarta.jms.DeliveryMode;
import jakarta.jms.MessageProducer;
import jakarta.jms.Session;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.stream.Collectors;

/**
 * What keeping the cluster's picture costs, MeshMQ's full mesh against two full repositories and partial nodes, and
 * Apache ActiveMQ Artemis's cluster (static connectors to every node: its full mesh) beside them: for clusters of each
 * size, the links per node, the loopback bytes of the idle cluster per second (pings and what else the links
 * say), the loopback bytes while every node makes its queues (each node's queues told to the nodes that keep the
 * picture, plus the same client traffic in both layouts), and each broker's resident memory afterwards.
 * <pre>{@code
 * java -cp jmh/target/benchmarks.jar io.meshmq.jmh.cluster.TopologyFootprint 3,10,20 50
 * }</pre>
 * Not a throughput benchmark: one run per size and layout; the machine's loopback carries nothing else meanwhile.
 */
public final class TopologyFootprint
{
    private static final String CLUSTER = "footprint";
    private static final int FULL_REPOSITORIES = 2;
    private static final long IDLE_WINDOW_MS = 10_000;
    private static final long SETTLE_MS = 3_000;

    /**
     * How the cluster keeps its picture.
     */
    private enum Layout
    {
        FULL_MESH("full mesh"), REPOSITORIES("repositories"), ARTEMIS("artemis mesh");

        final String label;

        Layout(final String label)
        {
            this.label = label;
        }
    }

    private TopologyFootprint()
    {
    }

    /**
     * @param args cluster sizes (comma-separated), then queues made on each node.
     */
    public static void main(final String[] args) throws Exception
    {
        final int[] sizes = Arrays.stream((args.length > 0 ? args[0] : "3,10,20").split(","))
            .mapToInt(Integer::parseInt).toArray();
        final int queues = args.length > 1 ? Integer.parseInt(args[1]) : 50;
        System.out.println("nodes layout        links/node(avg,max) idle-lo-B/s  make-queues-lo-B  rss-MB(avg,max)");
        for (final int size : sizes)
        {
            for (final Layout layout : Layout.values())
            {
                if (layout != Layout.REPOSITORIES || size > FULL_REPOSITORIES)
                {
                    System.out.println(measure(size, layout, queues));
                }
            }
        }
    }

    private static String measure(final int size, final Layout layout, final int queues) throws Exception
    {
        final boolean repositories = layout == Layout.REPOSITORIES;
        final int[] ports = new int[size];
        for (int i = 0; i < size; i++)
        {
            ports[i] = BrokerUnderTest.freePort();
        }
        final List<BrokerUnderTest> nodes = new ArrayList<>();
        try
        {
            for (int i = 0; i < size; i++)
            {
                final int listed = repositories ? FULL_REPOSITORIES : size;
                final List<String> settings = new ArrayList<>(List.of("cluster = " + CLUSTER, "cluster.members = " +
                    Arrays.stream(ports).limit(listed).mapToObj(p -> "127.0.0.1:" + p)
                        .collect(Collectors.joining(","))));
                if (repositories)
                {
                    settings.add("cluster.repository = " + (i < FULL_REPOSITORIES ? "full" : "partial"));
                }
                final int self = ports[i];
                nodes.add(layout == Layout.ARTEMIS ? BrokerUnderTest.startArtemisMember(self,
                    Arrays.stream(ports).filter(p -> p != self).boxed().toList()) :
                    BrokerUnderTest.startMember("n" + (i + 1), self, settings));
            }
            for (int i = 0; i < size; i++)
            {
                final int expected = !repositories || i < FULL_REPOSITORIES ? size - 1 : FULL_REPOSITORIES;
                awaitLinked(nodes.get(i), layout, expected);
            }
            final long idleFrom = loopbackBytes();
            Thread.sleep(IDLE_WINDOW_MS);
            final long idlePerSecond = (loopbackBytes() - idleFrom) * 1000 / IDLE_WINDOW_MS;

            final long madeFrom = loopbackBytes();
            for (int i = 0; i < size; i++)
            {
                makeQueues(nodes.get(i), "n" + (i + 1), queues);
            }
            Thread.sleep(SETTLE_MS);
            final long made = loopbackBytes() - madeFrom - idlePerSecond * SETTLE_MS / 1000;

            long linksSum = 0;
            long linksMax = 0;
            long rssSum = 0;
            long rssMax = 0;
            for (final BrokerUnderTest node : nodes)
            {
                final long links = linked(node, layout);
                linksSum += links;
                linksMax = Math.max(linksMax, links);
                final long rss = node.residentKb() / 1024;
                rssSum += rss;
                rssMax = Math.max(rssMax, rss);
            }
            return String.format("%5d %-13s %8.1f %4d %14d %17d %10d %5d", size, layout.label,
                (double)linksSum / size, linksMax, idlePerSecond, made, rssSum / size, rssMax);
        }
        finally
        {
            for (final BrokerUnderTest node : nodes)
            {
                node.close();
            }
        }
    }

    private static void makeQueues(final BrokerUnderTest node, final String prefix, final int queues)
        throws Exception
    {
        try (Connection connection = node.connectionFactory().createConnection())
        {
            final Session session = connection.createSession(false, Session.AUTO_ACKNOWLEDGE);
            final MessageProducer producer = session.createProducer(null);
            producer.setDeliveryMode(DeliveryMode.NON_PERSISTENT);
            for (int q = 0; q < queues; q++)
            {
                // A queue of this node alone: sent here, it is made here (no other node has it).
                producer.send(session.createQueue(prefix + ".q" + q), session.createMessage());
            }
        }
    }

    private static void awaitLinked(final BrokerUnderTest node, final Layout layout, final long expected)
        throws Exception
    {
        final long deadline = System.nanoTime() + 120_000_000_000L;
        while (linked(node, layout) < expected)
        {
            if (System.nanoTime() > deadline)
            {
                throw new IllegalStateException(node.url() + " linked to fewer than " + expected + " nodes in 120 s");
            }
            Thread.sleep(100);
        }
    }

    /**
     * @return the nodes this one is linked with: for Artemis, the other members of the topology it tells clients.
     */
    private static long linked(final BrokerUnderTest node, final Layout layout) throws Exception
    {
        if (layout == Layout.ARTEMIS)
        {
            try (ServerLocator locator = ActiveMQClient.createServerLocator(node.url());
                 ClientSessionFactory factory = locator.createSessionFactory())
            {
                return factory.getServerLocator().getTopology().getMembers().size() - 1;
            }
        }
        try (MeshAdmin admin = MeshAdmin.connect(node.url(), null, null))
        {
            final AdminTable status = admin.call(AdminVerbs.CLUSTER_STATUS);
            final String linked = String.valueOf(status.value(0, "linked"));
            return Long.parseLong(linked.substring(0, linked.indexOf(' ')));
        }
    }

    private static long loopbackBytes() throws IOException
    {
        for (final String line : Files.readAllLines(Path.of("/proc/net/dev")))
        {
            final String trimmed = line.strip();
            if (trimmed.startsWith("lo:"))
            {
                return Long.parseLong(trimmed.substring(3).strip().split("\\s+")[0]);
            }
        }
        throw new IOException("no loopback interface in /proc/net/dev");
    }
}
