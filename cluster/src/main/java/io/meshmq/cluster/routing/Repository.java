package io.meshmq.cluster.routing;

import io.meshmq.cluster.ClusterCommand;
import io.meshmq.cluster.RepositoryRole;
import io.meshmq.cluster.wire.ClusterFrameEncoder;
import io.meshmq.engine.extension.EngineControl;
import io.meshmq.protocol.DestinationType;
import io.meshmq.protocol.TemporaryNames;
import io.meshmq.protocol.WireWriter;
import io.meshmq.selector.Selector;
import org.agrona.collections.Long2ObjectHashMap;

import java.util.ArrayList;
import java.util.HashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;

/**
 * A full repository's part for the partial nodes that joined it: it links back to each for as long as that node's
 * connection lasts (so it hears of its queues and subscriptions, and can send it messages), answers their lookups
 * from what it knows of every node, and tells each the later changes of the names it looked up.
 * <p>
 * Not thread safe: processor thread only.
 */
final class Repository
{
    private static final System.Logger LOG = System.getLogger(Repository.class.getName());
    /** Full repositories linked to, past which a full mesh is worth a second look. */
    private static final int MESH_SUGGESTION_NODES = 8;
    private static final long REPEAT_LOG_MS = 60_000;

    /**
     * A partial node joined to this one.
     */
    private record Partial(Peers.Peer peer, String url)
    {
    }

    private final EngineControl control;
    private final Topology topology;
    private final WireWriter frame;
    private final RepositoryRole role;
    private final Long2ObjectHashMap<Partial> partials = new Long2ObjectHashMap<>();
    /** By name, the partial nodes that looked it up: they hear of its changes. */
    private final Map<String, Set<Peers.Peer>> interest = new HashMap<>();
    private final String nodeName;
    /** When each misconfiguration was last logged. */
    private final Map<String, Long> logged = new HashMap<>();
    private boolean meshSuggested;

    Repository(final EngineControl control, final Topology topology, final WireWriter frame,
        final RepositoryRole role, final String nodeName)
    {
        this.control = control;
        this.topology = topology;
        this.frame = frame;
        this.role = role;
        this.nodeName = nodeName;
    }

    /**
     * A link this node opened is up: a partial node checks that a member it was given is a full repository; a full one
     * past {@value #MESH_SUGGESTION_NODES} full nodes suggests partial repositories, once.
     */
    void linked(final RemoteNode node)
    {
        if (role.partial())
        {
            if (node.partial && !node.linkWanted)
            {
                misconfigured(node);
            }
            return;
        }
        int full = 0;
        for (final RemoteNode other : topology.nodes())
        {
            full += other.isUp() && !other.partial ? 1 : 0;
        }
        if (!meshSuggested && full >= MESH_SUGGESTION_NODES)
        {
            meshSuggested = true;
            LOG.log(System.Logger.Level.INFO, "this node is linked to " + full + " other full repositories: every " +
                "node of a full mesh links to every other and knows every queue; past a handful of nodes, keep two " +
                "or three full repositories and give the others cluster.repository = partial");
        }
    }

    /**
     * A partial node's member (a full repository it was given) says it is partial too: as IBM MQ's AMQ9427, said
     * with both ends and the fix, at most once a minute, and in status.
     */
    private void misconfigured(final RemoteNode node)
    {
        final String problem = "partial node '" + nodeName + "' is given member " + node.url + " (node '" +
            node.name + "') as a full repository, but that node is a partial repository: list only nodes with " +
            "cluster.repository = full in cluster.members of partial nodes, or make node '" + node.name + "' full";
        node.state = "up; ERROR: " + problem;
        final Long loggedAt = logged.get(problem);
        if (loggedAt == null || control.nowMs() - loggedAt >= REPEAT_LOG_MS)
        {
            logged.put(problem, control.nowMs());
            LOG.log(System.Logger.Level.ERROR, problem + " (logged again only after a minute)");
        }
    }

    /**
     * A partial node joined over the peer's connection: this node links back to it, at {@code url}.
     */
    void joined(final Peers.Peer peer, final String url)
    {
        if (url == null)
        {
            LOG.log(System.Logger.Level.ERROR, "partial node '" + peer.nodeName + "' joined without saying where it " +
                "is reached (cluster.advertise): this full repository cannot link to it, so it does not know its " +
                "queues and subscriptions");
            return;
        }
        partials.put(peer.output.id(), new Partial(peer, url));
        publishWanted();
    }

    void closed(final long connectionId)
    {
        final Partial gone = partials.remove(connectionId);
        if (gone == null)
        {
            return;
        }
        interest.values().forEach(peers -> peers.remove(gone.peer()));
        interest.values().removeIf(Set::isEmpty);
        publishWanted();
    }

    /**
     * A partial node asks for every node's queues and subscriptions of the name (or a temporary destination's node):
     * told at once, then of every change, for as long as its connection lasts.
     */
    void lookup(final Peers.Peer peer, final String name)
    {
        final String owner = TemporaryNames.nodeOf(name);
        if (partials.containsKey(peer.output.id()) && owner == null)
        {
            // Only a joined partial node hears of changes, and not of a temporary destination's (its node is the
            // answer, and request/reply makes a new name per requester).
            interest.computeIfAbsent(name, n -> new LinkedHashSet<>()).add(peer);
        }
        for (final byte type : new byte[] {DestinationType.QUEUE, DestinationType.TOPIC})
        {
            final List<RemoteBinding> bindings = topology.bindings(type, name);
            for (final RemoteBinding binding : bindings == null ? List.<RemoteBinding>of() : bindings)
            {
                if (!binding.node.id.equals(peer.nodeId) && binding.node.url != null)
                {
                    control.write(peer.output, known(binding.node, type, binding.address, binding.queue, true,
                        binding.grouped, binding.filter, binding.consumers, binding.selectors, binding.weight,
                        binding.rank));
                }
            }
        }
        final RemoteNode node = owner == null || owner.equals(peer.nodeId) ? null : topology.node(owner);
        if (node != null && node.url != null)
        {
            control.write(peer.output, ClusterFrameEncoder.knownNode(frame, node.id, node.name, node.url));
        }
        control.write(peer.output, ClusterFrameEncoder.lookupAnswered(frame, name));
    }

    /**
     * A node told this one of a change to a queue or subscription: the partial nodes that looked its name up hear
     * of it.
     */
    void changed(final RemoteNode node, final ClusterCommand.Binding told)
    {
        final Set<Peers.Peer> asking = told.queue() == null ? null : interest.get(told.address());
        if (asking == null || node.url == null)
        {
            return;
        }
        for (final Peers.Peer peer : asking)
        {
            if (!peer.nodeId.equals(node.id))
            {
                control.write(peer.output, known(node, told.kind(), told.address(), told.queue(), told.exists(),
                    told.grouped(), told.filter(), told.consumers(), told.selectors(), told.weight(), told.rank()));
            }
        }
    }

    /**
     * A node's queue or subscription is gone (its snapshot no longer names it): the partial nodes that looked its name
     * up hear of it.
     */
    void dropped(final RemoteBinding binding)
    {
        changed(binding.node, new ClusterCommand.Binding(binding.node.id, binding.topic ? DestinationType.TOPIC :
            DestinationType.QUEUE, binding.address, binding.queue, false, binding.grouped, binding.filter, 0,
            new Selector[0], binding.weight, binding.rank, binding.node.group));
    }

    /**
     * @return how many partial nodes are joined to this one, and how many names they looked up.
     */
    String describe()
    {
        return partials.isEmpty() ? "" : "; full repository of " + partials.size() + " partial nodes (" +
            interest.size() + " names looked up)";
    }

    private WireWriter known(final RemoteNode node, final byte kind, final String address, final String queue,
        final boolean exists, final boolean grouped, final Selector filter, final int consumers,
        final Selector[] selectors, final int weight, final int rank)
    {
        final List<String> texts = new ArrayList<>(selectors == null ? 0 : selectors.length);
        for (int i = 0; selectors != null && i < selectors.length; i++)
        {
            texts.add(selectors[i] == null ? null : selectors[i].text());
        }
        return ClusterFrameEncoder.knownBinding(frame, node.id, node.name, node.url, kind, address, queue, exists,
            grouped, filter == null ? null : filter.text(), consumers, texts, weight, rank, node.group);
    }

    private void publishWanted()
    {
        final Map<String, String> wanted = new HashMap<>();
        for (final Partial partial : partials.values())
        {
            wanted.put(partial.url(), partial.peer().nodeId);
        }
        role.wantLinks(wanted);
    }
}
