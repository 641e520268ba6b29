package io.meshmq.tck.cluster;

import io.meshmq.admin.MeshAdmin;
import io.meshmq.jms.MeshConnectionFactory;
import io.meshmq.protocol.AdminTable;
import io.meshmq.protocol.AdminVerbs;
import io.meshmq.tck.FreePorts;
import io.meshmq.tck.crash.BrokerProcess;

import java.io.IOException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.function.BooleanSupplier;
import java.util.stream.Collectors;

/**
 * A cluster of broker processes on 127.0.0.1, n1..nN, each listing all of them as members, each with its
 * own data directory under the test's.
 */
final class ClusterNodes implements AutoCloseable
{
    private final Path root;
    private final String cluster;
    private final int[] ports;
    private final BrokerProcess[] nodes;
    private final String[] settings;
    private boolean listMembers = true;
    /** Lines for one node only (a node's weight, say), by node index; none for most clusters. */
    private String[][] perNode = new String[0][];
    /** Appended to every node's URL: a TLS cluster's trust store, say. */
    private String urlOptions = "";
    /** With full and partial repositories: the first this many nodes are full, the others partial; 0 for a mesh. */
    private int fullRepositories;

    private ClusterNodes(final Path root, final String cluster, final int count, final String[] settings)
    {
        this.root = root;
        this.cluster = cluster;
        this.ports = new int[count];
        this.nodes = new BrokerProcess[count];
        this.settings = settings;
    }

    /**
     * @param settings configuration lines every node gets.
     */
    static ClusterNodes start(final Path root, final String cluster, final int count, final String... settings)
        throws IOException, InterruptedException
    {
        return start(root, cluster, count, true, settings);
    }

    /**
     * @param perNode  configuration lines for each node alone, one array per node (their count is the cluster's).
     * @param settings configuration lines every node gets.
     */
    static ClusterNodes startEach(final Path root, final String cluster, final String[][] perNode,
        final String... settings) throws IOException, InterruptedException
    {
        return startEach(root, cluster, perNode, true, settings);
    }

    /**
     * @param listMembers false to start each node with no members (they discover each other, say).
     */
    static ClusterNodes startEach(final Path root, final String cluster, final String[][] perNode,
        final boolean listMembers, final String... settings) throws IOException, InterruptedException
    {
        final ClusterNodes nodes = new ClusterNodes(root, cluster, perNode.length, settings);
        nodes.perNode = perNode;
        nodes.listMembers = listMembers;
        return nodes.startAll();
    }

    /**
     * @param listMembers false to start each node with no members: the mesh is then defined by {@code cluster add}.
     */
    static ClusterNodes start(final Path root, final String cluster, final int count, final boolean listMembers,
        final String... settings) throws IOException, InterruptedException
    {
        final ClusterNodes cluster1 = new ClusterNodes(root, cluster, count, settings);
        cluster1.listMembers = listMembers;
        return cluster1.startAll();
    }

    /**
     * @param full     the first nodes, full repositories, listing each other.
     * @param partial  the nodes after them, partial repositories listing the full ones as their members.
     * @param settings configuration lines every node gets.
     */
    static ClusterNodes startRepositories(final Path root, final String cluster, final int full, final int partial,
        final String... settings) throws IOException, InterruptedException
    {
        final ClusterNodes nodes = new ClusterNodes(root, cluster, full + partial, settings);
        nodes.fullRepositories = full;
        return nodes.startAll();
    }

    private ClusterNodes startAll() throws IOException, InterruptedException
    {
        for (int i = 0; i < ports.length; i++)
        {
            ports[i] = FreePorts.next();
        }
        try
        {
            for (int i = 0; i < ports.length; i++)
            {
                startNode(i);
            }
        }
        catch (final IOException | InterruptedException | RuntimeException ex)
        {
            close();
            throw ex;
        }
        return this;
    }

    String members()
    {
        return Arrays.stream(ports).mapToObj(p -> "127.0.0.1:" + p).collect(Collectors.joining(","));
    }

    void startNode(final int i) throws IOException, InterruptedException
    {
        final List<String> lines = new ArrayList<>(List.of("cluster = " + cluster));
        if (fullRepositories > 0)
        {
            lines.add("cluster.members = " + Arrays.stream(ports).limit(fullRepositories)
                .mapToObj(p -> "127.0.0.1:" + p).collect(Collectors.joining(",")));
            lines.add("cluster.repository = " + (i < fullRepositories ? "full" : "partial"));
        }
        else if (listMembers)
        {
            lines.add("cluster.members = " + members());
        }
        lines.addAll(List.of(settings));
        if (i < perNode.length)
        {
            lines.addAll(List.of(perNode[i]));
        }
        final String[] all = lines.toArray(new String[0]);
        final Path data = root.resolve("n" + (i + 1));
        nodes[i] = fullRepositories == 0 ? BrokerProcess.startNode(data, "n" + (i + 1), ports[i], all) :
            // Clusters of repositories are the large ones: small heaps, and a JIT that costs the two cores less.
            BrokerProcess.startNodeWithJvmOptions(data, "n" + (i + 1), ports[i],
                List.of("-Xmx96m", "-XX:+UseSerialGC", "-XX:TieredStopAtLevel=1"), all);
    }

    private String setting(final String key)
    {
        for (final String line : settings)
        {
            final String[] parts = line.split("=", 2);
            if (parts[0].strip().equals(key))
            {
                return parts[1].strip();
            }
        }
        return null;
    }

    void kill(final int i) throws InterruptedException
    {
        nodes[i].kill();
    }

    String member(final int i)
    {
        return "127.0.0.1:" + ports[i];
    }

    AdminTable admin(final int i, final String verb, final String... args)
    {
        try (MeshAdmin admin = MeshAdmin.connect(url(i), setting("cluster.user"), setting("cluster.password")))
        {
            return admin.call(verb, args);
        }
        catch (final Exception ex)
        {
            throw new IllegalStateException(verb + " on n" + (i + 1) + ": " + ex, ex);
        }
    }

    /**
     * @return the state of node i's link to a member (HOST:PORT) as {@code cluster list} shows it, "" if none.
     */
    String linkState(final int i, final String member)
    {
        final AdminTable list = admin(i, AdminVerbs.CLUSTER_LIST);
        for (int r = 0; r < list.rows().size(); r++)
        {
            if (member.equals(list.value(r, "member")))
            {
                return String.valueOf(list.value(r, "link"));
            }
        }
        return "";
    }

    String url(final int i)
    {
        return ("true".equals(setting("tls")) ? "tls" : "tcp") + "://127.0.0.1:" + ports[i] + urlOptions;
    }

    /**
     * @param options what clients of these nodes add to their URLs, e.g. {@code ?trustStore=...}.
     */
    ClusterNodes urlOptions(final String options)
    {
        this.urlOptions = options;
        return this;
    }

    MeshConnectionFactory factory(final int i)
    {
        return new MeshConnectionFactory(url(i));
    }

    Path dataDir(final int i)
    {
        return root.resolve("n" + (i + 1));
    }

    BrokerProcess process(final int i)
    {
        return nodes[i];
    }

    AdminTable status(final int i)
    {
        try (MeshAdmin admin = MeshAdmin.connect(url(i), setting("cluster.user"), setting("cluster.password")))
        {
            return admin.call(AdminVerbs.CLUSTER_STATUS);
        }
        catch (final Exception ex)
        {
            throw new IllegalStateException("cluster status of n" + (i + 1) + ": " + ex, ex);
        }
    }

    /**
     * @return the status row of another node as node i sees it, or -1 if it has none.
     */
    private static int rowOf(final AdminTable status, final String nodeName)
    {
        for (int r = 0; r < status.rows().size(); r++)
        {
            if (nodeName.equals(status.value(r, "node")))
            {
                return r;
            }
        }
        return -1;
    }

    /**
     * Waits until every node's links to every other are up.
     */
    void awaitMesh() throws InterruptedException
    {
        for (int i = 0; i < nodes.length; i++)
        {
            for (int j = 0; j < nodes.length; j++)
            {
                if (i != j)
                {
                    final int from = i;
                    final String to = "n" + (j + 1);
                    poll("n" + (i + 1) + "'s link to " + to, 30_000, () ->
                    {
                        final AdminTable status = status(from);
                        final int row = rowOf(status, to);
                        return row >= 0 && "up".equals(status.value(row, "state"));
                    });
                }
            }
        }
    }

    /**
     * Waits until node i knows of at least {@code consumers} consumers on node j.
     */
    void awaitRemoteConsumers(final int i, final int j, final long consumers) throws InterruptedException
    {
        poll("n" + (i + 1) + " to see " + consumers + " consumers on n" + (j + 1), 30_000, () ->
        {
            final AdminTable status = status(i);
            final int row = rowOf(status, "n" + (j + 1));
            return row >= 0 && ((Number)status.value(row, "consumers")).longValue() >= consumers;
        });
    }

    /**
     * @return how many queues and subscriptions node i knows node j has.
     */
    long remoteBindings(final int i, final int j)
    {
        final AdminTable status = status(i);
        final int row = rowOf(status, "n" + (j + 1));
        return row < 0 ? 0 : ((Number)status.value(row, "bindings")).longValue();
    }

    /**
     * @return the backlog node i has for node j.
     */
    long backlog(final int i, final int j)
    {
        final AdminTable status = status(i);
        final int row = rowOf(status, "n" + (j + 1));
        return row < 0 ? 0 : ((Number)status.value(row, "backlog")).longValue();
    }

    /**
     * The cluster status of any broker, by URL.
     */
    static final class Status
    {
        private final String url;
        private final String user;
        private final String password;

        Status(final String url)
        {
            this(url, null, null);
        }

        Status(final String url, final String user, final String password)
        {
            this.url = url;
            this.user = user;
            this.password = password;
        }

        /**
         * @return the state of the broker's link to a member (HOST:PORT), "" if it lists none.
         */
        String memberState(final String member)
        {
            try (MeshAdmin admin = MeshAdmin.connect(url, user, password))
            {
                final AdminTable status = admin.call(AdminVerbs.CLUSTER_STATUS);
                for (int r = 0; r < status.rows().size(); r++)
                {
                    if (member.equals(status.value(r, "url")))
                    {
                        return String.valueOf(status.value(r, "state"));
                    }
                }
                return "";
            }
            catch (final Exception ex)
            {
                throw new IllegalStateException(ex);
            }
        }
    }

    static void poll(final String what, final long timeoutMs, final BooleanSupplier condition) throws InterruptedException
    {
        final long deadline = System.nanoTime() + timeoutMs * 1_000_000L;
        while (!condition.getAsBoolean())
        {
            if (System.nanoTime() > deadline)
            {
                throw new AssertionError("timed out after " + timeoutMs + " ms waiting for " + what);
            }
            Thread.sleep(20);
        }
    }

    String outputs()
    {
        final StringBuilder all = new StringBuilder();
        for (int i = 0; i < nodes.length; i++)
        {
            if (nodes[i] != null)
            {
                all.append("--- n").append(i + 1).append(" ---\n").append(nodes[i].recentOutput()).append('\n');
            }
        }
        return all.toString();
    }

    @Override
    public void close() throws InterruptedException
    {
        for (final BrokerProcess node : nodes)
        {
            if (node != null)
            {
                node.kill();
            }
        }
    }
}
