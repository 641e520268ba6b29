package io.meshmq.cluster.routing;

import io.meshmq.cluster.ClusterIdentity;
import io.meshmq.cluster.MemberDefinition;
import io.meshmq.cluster.membership.MemberDefinitions;
import io.meshmq.cluster.wire.ClusterFrameEncoder;
import io.meshmq.engine.extension.EngineControl;
import io.meshmq.engine.ring.ConnectionOutput;
import io.meshmq.protocol.AdminTable;
import io.meshmq.protocol.WireWriter;

import java.io.IOException;
import java.util.List;
import java.util.Map;
import java.util.function.Consumer;

/**
 * The cluster connections defined at run time ({@code cluster add|remove}): merged from what nodes send, kept in the
 * data directory, spread to every node this one is linked with, handed to the mesh; and the nodes whose member was
 * switched off or removed, which take no more messages.
 * <p>
 * Not thread safe: processor thread only.
 */
final class Membership
{
    private static final System.Logger LOG = System.getLogger(Membership.class.getName());

    private final ClusterIdentity identity;
    private final MemberDefinitions definitions;
    private final EngineControl control;
    private final Topology topology;
    private final Peers peers;
    private final WireWriter frame;

    Membership(final ClusterIdentity identity, final EngineControl control, final Topology topology, final Peers peers,
        final WireWriter frame)
    {
        this.identity = identity;
        this.definitions = MemberDefinitions.load(identity.definitions());
        this.control = control;
        this.topology = topology;
        this.peers = peers;
        this.frame = frame;
    }

    /**
     * Tells a node the definitions this one knows.
     */
    void send(final ConnectionOutput output)
    {
        control.write(output, ClusterFrameEncoder.members(frame, definitions.all()));
    }

    /**
     * Merges definitions another node sent (or none, to have the mesh told the current ones): what changed is kept,
     * spread to every node this one is linked with, and handed to the mesh.
     */
    void merge(final List<MemberDefinition> heard)
    {
        boolean changed = false;
        for (final MemberDefinition definition : heard)
        {
            changed |= definitions.merge(definition);
        }
        if (changed)
        {
            try
            {
                definitions.save();
            }
            catch (final IOException ex)
            {
                LOG.log(System.Logger.Level.ERROR, "cluster connection definitions not saved (they are used, and " +
                    "lost at restart unless saved later): " + ex);
            }
            for (final Peers.Peer peer : peers.all())
            {
                send(peer.output);
            }
            for (final RemoteNode node : topology.nodes())
            {
                if (node.bridge.link() != null)
                {
                    send(node.bridge.link());
                }
            }
            forgetRetiredNodes();
        }
        final Consumer<List<MemberDefinition>> listener = identity.onDefinitions().get();
        if (listener != null && (changed || heard.isEmpty()))
        {
            listener.accept(List.copyOf(definitions.all()));
        }
    }

    /**
     * @return how this node knows a member (HOST:PORT): discovered (heard on the discovery group now), cluster add,
     * joined (it linked to this node first), or configured (cluster.members).
     */
    String foundBy(final String member)
    {
        if (member == null)
        {
            return "";
        }
        if (identity.discovered() != null && identity.discovered().contains(member))
        {
            return "discovered";
        }
        final MemberDefinition definition = definitions.get(member);
        if (definition != null)
        {
            return definition.stamp() == 0 ? "joined" : "cluster add";
        }
        return identity.members().containsKey(member) ? "configured" : "joined";
    }

    /**
     * A node joined from a member address no definition names: it is a member from now on.
     */
    void joinedFrom(final String url, final String nodeId)
    {
        // With discovery, members come and go as they are heard: a join makes no lasting definition.
        if (url != null && definitions.get(url) == null && identity.discovered() == null)
        {
            merge(List.of(new MemberDefinition(url, true, false, 0, nodeId)));
        }
    }

    /**
     * @return true if the node's member address is defined switched off or removed: nothing more is routed to it.
     */
    boolean isRetired(final RemoteNode node)
    {
        final MemberDefinition definition = node.url == null ? null : definitions.get(node.url);
        return definition != null && !definition.isUsed();
    }

    /**
     * Nodes switched off or removed take no more messages: their queues and subscriptions are forgotten. What
     * already waits in a forward queue stays there (listed by status) for an operator to purge, or to flow again
     * if the member is added back.
     */
    void forgetRetiredNodes()
    {
        for (final RemoteNode node : topology.nodes())
        {
            if (isRetired(node))
            {
                final MemberDefinition definition = definitions.get(node.url);
                final String waiting = node.backlog() == 0 ? "" :
                    "; " + node.backlog() + " messages wait in " + node.bridge.queue().name();
                node.state = (definition.removed() ? "removed" : "switched off") + " (member " + node.url + ")" + waiting;
                if (!node.bindings.isEmpty())
                {
                    LOG.log(System.Logger.Level.INFO, "node '" + node.name + "' (member " + node.url + ") is " +
                        (definition.removed() ? "removed" : "switched off") + ": its " + node.bindings.size() +
                        " queues and subscriptions are forgotten" + (node.backlog() == 0 ? "" : "; " + node.backlog() +
                        " messages for it wait in " + node.bridge.queue().name()));
                    topology.forget(node);
                }
            }
        }
    }

    /**
     * {@code cluster add|remove}: a new definition, made here and spread from here.
     */
    AdminTable define(final String member, final boolean active, final boolean removed)
    {
        final MemberDefinition previous = definitions.get(member);
        final long stamp = Math.max(control.nowMs(), previous == null ? 0 : previous.stamp() + 1);
        merge(List.of(new MemberDefinition(member, active, removed, stamp, identity.nodeId())));
        return new AdminTable("member", "state").row(member, removed ? "removed" : active ? "active" : "inactive");
    }

    /**
     * {@code cluster list}: every connection defined at run time, and the state of this node's link to it.
     */
    AdminTable table()
    {
        final AdminTable table = new AdminTable("member", "definition", "link");
        final String self = identity.url().get();
        for (final MemberDefinition definition : definitions.all())
        {
            final String link = definition.member().equals(self) ? "this node" :
                identity.members().getOrDefault(definition.member(), definition.isUsed() ? "not started" : "not used");
            table.row(definition.member(), definition.removed() ? "removed" : definition.active() ? "active" : "inactive",
                link);
        }
        for (final Map.Entry<String, String> member : identity.members().entrySet())
        {
            if (definitions.get(member.getKey()) == null)
            {
                table.row(member.getKey(), identity.discovered() != null &&
                    identity.discovered().contains(member.getKey()) ? "discovered" : "configured",
                    member.getValue());
            }
        }
        return table;
    }

    /**
     * @return the member (HOST:PORT) a {@code cluster add|remove} names.
     * @throws IllegalArgumentException if the arguments are wrong, saying how.
     */
    static String memberArgument(final String verb, final String[] args)
    {
        if (args.length < 1 || args.length > 2 || args[0] == null || args[0].isBlank())
        {
            throw new IllegalArgumentException(verb + " takes a member (HOST:PORT) and, for cluster.add, optionally " +
                "active or inactive");
        }
        final String member = args[0].strip();
        final int colon = member.lastIndexOf(':');
        if (colon <= 0 || member.indexOf(' ') >= 0 || !member.substring(colon + 1).matches("[0-9]{1,5}"))
        {
            throw new IllegalArgumentException(verb + ": member '" + member + "' must be HOST:PORT");
        }
        if (args.length > 1 && !"inactive".equals(args[1]) && !"active".equals(args[1]))
        {
            throw new IllegalArgumentException(verb + ": '" + args[1] + "' must be active or inactive");
        }
        return member;
    }
}
