package io.meshmq.broker.cli;

import io.meshmq.bridge.Bridges;
import io.meshmq.broker.config.BrokerSettings;
import io.meshmq.broker.config.ConfigException;
import io.meshmq.cluster.BackupNode;
import io.meshmq.cluster.ColocatedNode;
import io.meshmq.cluster.HaNode;
import io.meshmq.cluster.Mesh;
import io.meshmq.cluster.link.ReplicaLink;
import io.meshmq.cluster.quorum.Ownership;
import io.meshmq.engine.Broker;
import io.meshmq.engine.BrokerContext;
import io.meshmq.engine.BrokerStartException;
import io.meshmq.engine.extension.AdminHandler;
import io.meshmq.engine.net.NativeTransport;
import io.meshmq.metrics.BrokerMetrics;

import java.io.PrintStream;
import java.nio.file.Path;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.atomic.AtomicReference;

/**
 * {@code meshmq run [--config FILE] [--name NODE] [--bind HOST:PORT] [--data DIR]}: a broker in the
 * foreground until Ctrl-C or SIGTERM. Flags override the file.
 */
public final class RunCommand
{
    public static final String USAGE = "run [--config FILE] [--name NODE] [--bind HOST:PORT] [--data DIR] " +
        "[--cluster NAME --members HOST:PORT,... [--repository full|partial]] " +
        "[--quorum HOST:PORT,... --quorum-bind HOST:PORT [--witness | --ha replication]]";

    private RunCommand()
    {
    }

    /**
     * Builds the broker's settings from the command line, without starting anything.
     */
    public static BrokerContext context(final String[] args) throws UsageException, ConfigException
    {
        final Flags flags = Flags.parse("run", args, 1, Set.of("--config", "--name", "--bind", "--data", "--cluster",
            "--members", "--repository", "--quorum", "--quorum-bind", "--ha"), Set.of("--witness"));
        final BrokerContext context = new BrokerContext();
        if (flags.has("--config"))
        {
            BrokerSettings.applyFile(Path.of(flags.get("--config")), context);
        }
        for (final String key : new String[] {"name", "bind", "data", "cluster"})
        {
            final String value = flags.get("--" + key);
            if (value != null)
            {
                BrokerSettings.apply(key, value.strip(), "--" + key, context);
            }
        }
        if (flags.has("--members"))
        {
            BrokerSettings.apply("cluster.members", flags.get("--members").strip(), "--members", context);
        }
        if (flags.has("--repository"))
        {
            BrokerSettings.apply("cluster.repository", flags.get("--repository").strip(), "--repository", context);
        }
        if (context.clusterPartial() && context.clusterMembers().isEmpty() && !context.discovers())
        {
            throw new ConfigException("a partial repository (--repository partial, cluster.repository = partial) " +
                "needs --members (cluster.members) naming the full repositories, or discovery to find them");
        }
        if (flags.has("--quorum"))
        {
            BrokerSettings.apply("ha.quorum", flags.get("--quorum").strip(), "--quorum", context);
        }
        if (flags.has("--quorum-bind"))
        {
            BrokerSettings.apply("ha.quorum-bind", flags.get("--quorum-bind").strip(), "--quorum-bind", context);
        }
        if (flags.has("--ha"))
        {
            BrokerSettings.apply("ha", flags.get("--ha").strip(), "--ha", context);
        }
        if (flags.has("--witness"))
        {
            BrokerSettings.apply("ha.role", "witness", "--witness", context);
        }
        return context;
    }

    public static int run(final String[] args, final PrintStream out) throws UsageException, ConfigException,
        BrokerStartException, InterruptedException
    {
        final BrokerContext context = context(args);
        if (!context.haQuorum().isEmpty())
        {
            return runWithQuorum(context, out);
        }
        if (context.haReplication())
        {
            throw new ConfigException("ha = replication needs ha.quorum = HOST:PORT,... (one voter per member, at " +
                "least three) and ha.quorum-bind: the quorum decides which member serves a journal");
        }
        if (context.haWitness())
        {
            throw new ConfigException("ha.role = witness needs ha.quorum (and ha.quorum-bind): a witness is a vote of " +
                "the quorum and nothing else");
        }
        if (context.haBackup())
        {
            return runBackup(context, out);
        }
        final long startNs = System.nanoTime();
        final Bridges bridges = bridges(context);
        context.adminHandler(bridges);
        final BrokerMetrics metrics = BrokerMetrics.prepare(context);
        final Broker broker = Broker.start(context);
        final Mesh mesh = Mesh.start(broker);
        bridges.start(context.vmId() != null ? "vm://" + context.vmId() : broker.url());
        final NodeManagement management;
        try
        {
            management = NodeManagement.start(context, broker, metrics, true);
        }
        catch (final java.io.UncheckedIOException ex)
        {
            stopInOrder(bridges, mesh, broker);
            throw new ConfigException(ex.getMessage());
        }
        // Start-up leaves about 15 MB of garbage (class files read from jars, mostly) in pages the heap touched once.
        // One collection of the few live megabytes lets G1 give those pages back, so an idle broker stays small
        // (about 61 MB resident instead of 73 on a 1 GB heap). The launcher owns this JVM; an embedded broker
        // (Broker.start) leaves its host's heap alone.
        System.gc();
        final CountDownLatch stopped = new CountDownLatch(1);
        final AtomicReference<String> stoppedItself = new AtomicReference<>();
        broker.stopped().thenAccept(reason ->
        {
            if (reason != null)
            {
                stoppedItself.set(reason);
                stopped.countDown();
            }
        });
        Runtime.getRuntime().addShutdownHook(new Thread(() ->
        {
            stopInOrder(management, bridges, mesh, broker);
            out.println("MeshMQ broker '" + context.name() + "' stopped");
            out.flush();
            stopped.countDown();
        }, "meshmq-shutdown"));
        final long startMs = (System.nanoTime() - startNs) / 1_000_000;
        out.println(listening(context, broker, mesh != null) + " (" + NativeTransport.name() + ", started in " +
            startMs + " ms); " + context.describeSecurity() + management.describe());
        out.flush();
        stopped.await();
        if (stoppedItself.get() != null)
        {
            out.println("MeshMQ broker '" + context.name() + "' stopped: " + stoppedItself.get());
            out.flush();
            return 1;
        }
        return 0;
    }

    /**
     * @throws ConfigException if a bridge kept in the data directory is no longer valid, or cannot be read.
     */
    private static Bridges bridges(final BrokerContext context) throws ConfigException
    {
        try
        {
            return new Bridges(context, context.dataDir());
        }
        catch (final IllegalArgumentException | java.io.UncheckedIOException ex)
        {
            throw new ConfigException(ex.getMessage());
        }
    }

    private static String listening(final BrokerContext context, final Broker broker, final boolean clustered)
    {
        return "MeshMQ broker '" + context.name() + "' listening on " + broker.url() +
            (context.vmId() != null && context.tcpEnabled() ? " and vm://" + context.vmId() : "") +
            ", data in " + context.dataDir().toAbsolutePath().normalize() +
            (!clustered ? "" : "; node " + broker.nodeId() + " of cluster '" + context.clusterName() + "', members " +
                context.clusterMembers());
    }

    /**
     * A witness, or a node that serves its journal or backs up its owner as the quorum decides, until the process is
     * stopped or cannot go on.
     */
    private static int runWithQuorum(final BrokerContext context, final PrintStream out) throws BrokerStartException,
        InterruptedException
    {
        final CountDownLatch stopped = new CountDownLatch(1);
        final AtomicReference<String> failure = new AtomicReference<>();
        final BrokerMetrics metrics = BrokerMetrics.prepare(context);
        final Map<String, NodeManagement> managed = new ConcurrentHashMap<>();
        final Map<String, Bridges> bridging = new ConcurrentHashMap<>();
        final HaNode.Events events = new HaNode.Events()
        {
            /**
             * The journal's bridges: this process's bridge.* lines (give every member the same, as Artemis's backups
             * are given their live's) and the journal's own bridges.properties (bridge create, mirrored with it).
             * Made before its broker starts: they read its address settings and answer its bridge verbs.
             */
            @Override
            public void starting(final BrokerContext node)
            {
                try
                {
                    final Bridges bridges = new Bridges(node, node.dataDir());
                    node.adminHandler(bridges);
                    stopInOrder(bridging.put(node.name(), bridges));
                }
                catch (final IllegalArgumentException | java.io.UncheckedIOException ex)
                {
                    node.adminHandler(AdminHandler.NONE);
                    stopInOrder(bridging.remove(node.name()));
                    print(out, "MeshMQ broker '" + node.name() + "' runs no bridges: " + ex.getMessage());
                }
            }

            @Override
            public void serving(final BrokerContext node, final Broker broker, final Ownership ownership,
                final String how)
            {
                final Bridges bridges = bridging.get(node.name());
                if (bridges != null)
                {
                    bridges.start(node.vmId() != null ? "vm://" + node.vmId() : broker.url());
                }
                // A colocated backup shares its process's addresses: MBeans only for it.
                String management = "";
                try
                {
                    final NodeManagement started = NodeManagement.start(node, broker, metrics,
                        node.name().equals(context.name()));
                    stopInOrder(managed.put(node.name(), started));
                    management = started.describe();
                }
                catch (final java.io.UncheckedIOException | IllegalStateException ex)
                {
                    management = "; not managed: " + ex.getMessage();
                }
                print(out, listening(node, broker, true) + "; " + how + "; " + node.describeSecurity() + management);
            }

            @Override
            public void backingUp(final BrokerContext node, final String live, final Path copy)
            {
                print(out, "MeshMQ backup '" + node.name() + "' of " + live + ": keeping a replica of its journal in " +
                    copy.toAbsolutePath().normalize() + "; takes it over when the quorum agrees");
            }

            @Override
            public void stoppedServing(final BrokerContext node, final String why)
            {
                stopInOrder(managed.remove(node.name()), bridging.remove(node.name()));
                print(out, "MeshMQ broker '" + node.name() + "' stopped serving: " + why);
            }

            @Override
            public void failed(final String why, final Throwable cause)
            {
                failure.set(why);
                stopped.countDown();
            }
        };
        final Runnable close;
        try
        {
            if (context.haReplication())
            {
                close = ColocatedNode.start(context, events)::close;
            }
            else
            {
                close = HaNode.start(context, events)::close;
            }
        }
        catch (final IllegalArgumentException | java.io.IOException ex)
        {
            throw new BrokerStartException("'" + context.name() + "' cannot start: " + ex.getMessage(), ex);
        }
        Runtime.getRuntime().addShutdownHook(new Thread(() ->
        {
            managed.values().forEach(RunCommand::stopInOrder);
            bridging.values().forEach(RunCommand::stopInOrder);
            close.run();
            print(out, "MeshMQ " + (context.haWitness() ? "witness" : "node") + " '" + context.name() + "' stopped");
            stopped.countDown();
        }, "meshmq-shutdown"));
        if (context.haWitness())
        {
            print(out, "MeshMQ witness '" + context.name() + "' voting at " + context.haQuorumBind() + " in the quorum " +
                "of cluster '" + context.clusterName() + "' " + context.haQuorum() + ", data in " +
                context.dataDir().toAbsolutePath().normalize());
        }
        stopped.await();
        if (failure.get() != null)
        {
            print(out, "MeshMQ node '" + context.name() + "' stops: " + failure.get());
            close.run();
            return 1;
        }
        return 0;
    }

    private static void print(final PrintStream out, final String line)
    {
        synchronized (out)
        {
            out.println(line);
            out.flush();
        }
    }

    /**
     * Keeps a replica of the live until the process is stopped.
     */
    private static int runBackup(final BrokerContext context, final PrintStream out) throws BrokerStartException,
        InterruptedException
    {
        final BackupNode backup;
        try
        {
            backup = BackupNode.start(context);
        }
        catch (final IllegalArgumentException ex)
        {
            throw new BrokerStartException("backup '" + context.name() + "' cannot start: " + ex.getMessage(), ex);
        }
        final CountDownLatch stopped = new CountDownLatch(1);
        Runtime.getRuntime().addShutdownHook(new Thread(() ->
        {
            backup.close();
            out.println("MeshMQ backup '" + context.name() + "' stopped");
            out.flush();
            stopped.countDown();
        }, "meshmq-shutdown"));
        out.println("MeshMQ backup '" + context.name() + "' of " + context.haLive() + ": keeping a replica of its data " +
            "directory in " + context.dataDir().resolve(ReplicaLink.REPLICA).toAbsolutePath().normalize() + " (a broker " +
            "started on that directory once it holds " + ReplicaLink.SYNCED + " has everything the live confirmed)");
        out.flush();
        stopped.await();
        return 0;
    }

    /**
     * Stops what serves the broker before the broker itself, so none of it asks a broker that is gone.
     *
     * @param parts null for one not started.
     */
    private static void stopInOrder(final AutoCloseable... parts)
    {
        for (final AutoCloseable part : parts)
        {
            if (part == null)
            {
                continue;
            }
            try
            {
                part.close();
            }
            catch (final Exception ex)
            {
                System.getLogger(RunCommand.class.getName()).log(System.Logger.Level.WARNING,
                    "stopping " + part.getClass().getSimpleName() + ": " + ex);
            }
        }
    }
}
