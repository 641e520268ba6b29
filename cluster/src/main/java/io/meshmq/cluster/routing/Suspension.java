package io.meshmq.cluster.routing;

import io.meshmq.cluster.ClusterIdentity;
import io.meshmq.cluster.wire.ClusterFrameEncoder;
import io.meshmq.engine.extension.EngineControl;
import io.meshmq.protocol.AdminTable;
import io.meshmq.protocol.AdminVerbs;
import io.meshmq.protocol.WireWriter;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;

/**
 * Taking a node out of the cluster's work and back, as IBM MQ's SUSPEND/RESUME QMGR and RESET CLUSTER do:
 * {@code cluster suspend NODE} makes a node take no new work another node can take (its bindings rank last and count
 * no consumers, everywhere, this node's own routing included) and sends its clients to other nodes, so it drains; the
 * node says so to every node linked to it, and keeps it across its restarts until {@code cluster resume NODE}. Any node
 * can be asked: it asks the node named over its link. {@code cluster force-remove NODE} forgets a node that is down
 * for good, on every member, and says what it held.
 * <p>
 * Not thread safe: processor thread only.
 */
final class Suspension
{
    static final String FILE = "cluster-suspended";
    private static final String SUSPENDED = "suspended";
    private static final System.Logger LOG = System.getLogger(Suspension.class.getName());

    private final ClusterIdentity identity;
    private final EngineControl control;
    private final Topology topology;
    private final Membership membership;
    private final WireWriter frame;
    private final Runnable topologyChanged;

    /**
     * @param topologyChanged tells clients of the members they may use now.
     */
    Suspension(final ClusterIdentity identity, final EngineControl control, final Topology topology,
        final Membership membership, final WireWriter frame, final Runnable topologyChanged)
    {
        this.identity = identity;
        this.control = control;
        this.topology = topology;
        this.membership = membership;
        this.frame = frame;
        this.topologyChanged = topologyChanged;
    }

    /**
     * Recovery: a node suspended before its restart stays suspended.
     */
    void restore()
    {
        final Path directory = control.dataDirectory();
        if (directory == null)
        {
            return;
        }
        try
        {
            topology.suspended = SUSPENDED.equals(Files.readString(directory.resolve(FILE), StandardCharsets.UTF_8)
                .strip());
        }
        catch (final NoSuchFileException none)
        {
            return;
        }
        catch (final IOException ex)
        {
            LOG.log(System.Logger.Level.WARNING, "cannot read " + directory.resolve(FILE) + " (" + ex + "): this " +
                "node starts not suspended");
        }
        if (topology.suspended)
        {
            LOG.log(System.Logger.Level.WARNING, "node '" + identity.nodeName() + "' is suspended (cluster resume " +
                identity.nodeName() + " takes it back): it takes no new work another node can take");
        }
    }

    /**
     * {@code cluster suspend|resume NODE}.
     */
    AdminTable suspend(final String verb, final String[] args, final boolean suspend)
    {
        final String name = nodeArgument(verb, args);
        final AdminTable answer = new AdminTable("node", "state");
        if (name.equals(identity.nodeName()))
        {
            return answer.row(name, apply(suspend, "an operator here"));
        }
        final RemoteNode node = existing(name);
        if (!node.isUp())
        {
            throw new IllegalArgumentException(RemoteNode.named(name) + " is not reachable (" + node.state + "): " +
                "ask it when it is back");
        }
        control.write(node.bridge.link(), ClusterFrameEncoder.suspend(frame, suspend));
        return answer.row(name, "asked");
    }

    /**
     * Suspends or resumes this node.
     *
     * @param by who asked, for the log.
     * @return its state now, and where its clients went.
     */
    String apply(final boolean suspend, final String by)
    {
        if (topology.suspended != suspend)
        {
            topology.suspended = suspend;
            try
            {
                control.replaceFile(FILE, suspend ? SUSPENDED : "resumed");
            }
            catch (final IOException ex)
            {
                LOG.log(System.Logger.Level.WARNING, "cannot write " + FILE + " (" + ex + "): after a restart this " +
                    "node is " + (suspend ? "not suspended" : "suspended") + " again");
            }
            LOG.log(System.Logger.Level.WARNING, "node '" + identity.nodeName() + "' is " + (suspend ? "suspended" :
                "resumed") + " (asked by " + by + ")" + (suspend ? ": it takes no new work another node can take" :
                ""));
            topologyChanged.run();
        }
        if (!suspend)
        {
            return "resumed";
        }
        if (!anyOtherUp())
        {
            return "suspended; its clients stay: no other node is up to take them";
        }
        final int moved = control.sendClientsAway("node '" + identity.nodeName() + "' is suspended: connect to " +
            "another member of the cluster");
        return moved == 0 ? "suspended" : "suspended; " + moved + " clients sent to other nodes";
    }

    /**
     * {@code cluster force-remove NODE}: a node that is down is forgotten on every member.
     */
    AdminTable forceRemove(final String verb, final String[] args)
    {
        final String name = nodeArgument(verb, args);
        if (name.equals(identity.nodeName()))
        {
            throw new IllegalArgumentException(verb + ": '" + name + "' is this node; run it on another member");
        }
        final RemoteNode node = existing(name);
        if (node.isUp())
        {
            throw new IllegalArgumentException(RemoteNode.named(name) + " is up: force-remove is for a node that " +
                "will never return (suspend it, stop it, then remove it)");
        }
        if (node.url == null)
        {
            throw new IllegalArgumentException(RemoteNode.named(name) + " was never linked here, so this node " +
                "does not know its member address: run force-remove on a member that knew it");
        }
        final List<String> held = new ArrayList<>(node.bindings.keySet());
        held.sort(null);
        final long waiting = node.backlog();
        membership.define(node.url, false, true);
        LOG.log(System.Logger.Level.WARNING, RemoteNode.named(name) + " (member " + node.url + ") force-removed; " +
            "it held queues and subscriptions " + held + "; " + waiting + " messages for it wait in " +
            node.bridge.queue().name());
        return new AdminTable("node", "member", "state", "queues", "waiting-here")
            .row(name, node.url, node.state, String.join(", ", held), waiting);
    }

    private boolean anyOtherUp()
    {
        for (final RemoteNode node : topology.nodes())
        {
            if (node.isUp() && !node.suspended)
            {
                return true;
            }
        }
        return false;
    }

    private RemoteNode existing(final String name)
    {
        final RemoteNode node = topology.named(name);
        if (node == null)
        {
            throw new IllegalArgumentException(topology.noSuchNode(name, identity.nodeName(), identity.clusterName()));
        }
        return node;
    }

    private static String nodeArgument(final String verb, final String[] args)
    {
        if (args.length != 1 || args[0] == null || args[0].isBlank())
        {
            throw new IllegalArgumentException(verb + " takes a node's name (as " + AdminVerbs.CLUSTER_STATUS +
                " shows it)");
        }
        return args[0].strip();
    }
}
