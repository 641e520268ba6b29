package io.meshmq.cluster.routing;

import io.meshmq.cluster.ClusterIdentity;
import io.meshmq.engine.extension.EngineControl;
import io.meshmq.engine.processor.AddressSettings;
import io.meshmq.engine.processor.MessageReference;
import io.meshmq.engine.processor.ServerMessage;
import io.meshmq.engine.processor.ServerQueue;
import io.meshmq.protocol.DestinationType;

import java.util.ArrayList;
import java.util.List;

/**
 * Queue names that say where a message goes: {@code orders@n2} (queue {@code orders} on node n2, and nowhere else),
 * {@code orders@group:eu} (balanced, by the address's load balancing, among the nodes whose {@code cluster.group} is
 * eu) and {@code orders@all} (one copy to {@code orders} on every node that has it: a cluster broadcast). A send to a
 * node that is down or that this cluster does not have, or to a group none of whose nodes can take it, is refused,
 * naming them, rather than held: the sender learns at once that it cannot be delivered; a send that goes to another
 * node is answered once that node stored it ({@link AwaitedStores}). Where the address's {@code unreachable-node} is
 * hold, a send to a node that is down (or a broadcast while one is) waits for it in its forward queue instead, and is
 * answered once stored here. Such names are for sending; consumers use the plain name on the node.
 * <p>
 * Not thread safe: processor thread only.
 */
final class AddressedNames
{
    static final String ALL = "all";
    static final String GROUP = "group:";
    private static final char AT = '@';

    private final String nodeName;
    private final String clusterName;
    private final String group;
    private final Topology topology;
    private final ForwardCopies copies;
    private final Router router;
    private final EngineControl control;

    AddressedNames(final ClusterIdentity identity, final Topology topology, final ForwardCopies copies,
        final Router router, final EngineControl control)
    {
        this.nodeName = identity.nodeName();
        this.clusterName = identity.clusterName();
        this.group = identity.group();
        this.topology = topology;
        this.copies = copies;
        this.router = router;
        this.control = control;
    }

    /**
     * @return the queue an addressed name means ({@code orders} for {@code orders@n2}); the name itself otherwise.
     */
    static String queueOf(final String name)
    {
        final int at = name.lastIndexOf(AT);
        return at <= 0 || at == name.length() - 1 ? name : name.substring(0, at);
    }

    static boolean isAddressed(final String name)
    {
        return !queueOf(name).equals(name);
    }

    private static String targetOf(final String name)
    {
        return name.substring(name.lastIndexOf(AT) + 1);
    }

    /**
     * @return null if a message may be sent to the name now; else why not, naming the node.
     */
    String sendRefusal(final byte type, final String name)
    {
        if (type != DestinationType.QUEUE)
        {
            return "'" + name + "' names a node, and only queues are addressed by node (a topic reaches every " +
                "node's subscribers already)";
        }
        final String target = targetOf(name);
        if (target.equals(nodeName))
        {
            return null;
        }
        final boolean holds = control.settingsOf(queueOf(name)).unreachableNode(true) ==
            AddressSettings.UnreachableNode.HOLD;
        if (target.equals(ALL))
        {
            final List<RemoteBinding> there = topology.bindings(DestinationType.QUEUE, queueOf(name));
            if (!storesHere(name) && (there == null || there.isEmpty()))
            {
                return "no node of cluster '" + clusterName + "' has queue '" + queueOf(name) + "': '" + name +
                    "' cannot be delivered";
            }
            for (int i = 0; !holds && there != null && i < there.size(); i++)
            {
                final RemoteNode node = there.get(i).node;
                if (!node.isReachable())
                {
                    return RemoteNode.named(node.name) + " has queue '" + queueOf(name) + "' and is not reachable (" +
                        node.state + "): '" + name + "' cannot be delivered to every node (with address." +
                        queueOf(name) + ".unreachable-node = hold its copy would wait for it)";
                }
            }
            return null;
        }
        if (target.startsWith(GROUP))
        {
            final String wanted = target.substring(GROUP.length());
            return wanted.equals(group) || !groupBindings(queueOf(name), wanted).isEmpty() ? null :
                "no node of group '" + wanted + "' that has queue '" + queueOf(name) + "' is reachable (" +
                groupNodes(wanted) + "): '" + name + "' cannot be delivered";
        }
        final RemoteNode node = topology.named(target);
        if (node == null)
        {
            return topology.noSuchNode(target, nodeName, clusterName) + ": '" + name + "' cannot be delivered";
        }
        return node.isReachable() || holds ? null : "node '" + target + "' is not reachable (" + node.state + "): '" +
            name + "' cannot be delivered";
    }

    /**
     * @return true if a send to the name puts the message in this node's queue too: a broadcast, and this node has
     * the queue.
     */
    boolean storesHere(final String name)
    {
        if (!targetOf(name).equals(ALL))
        {
            return false;
        }
        final ServerQueue here = control.existingQueue(queueOf(name));
        return here != null && !here.isTemporary();
    }

    /**
     * @return why a consumer may not use an addressed name.
     */
    static String consumerRefusal(final String name)
    {
        return "'" + name + "' says where messages are sent; to take them, consume from '" + queueOf(name) + "' on " +
            "that node";
    }

    /**
     * Routes a message sent to an addressed name (which {@link #sendRefusal} allowed).
     */
    void route(final String name, final ServerMessage message, final List<MessageReference> into,
        final List<MessageReference> forwards)
    {
        final String queue = queueOf(name);
        final String target = targetOf(name);
        if (target.equals(nodeName))
        {
            into.add(control.queue(queue).reference(message));
            return;
        }
        if (target.startsWith(GROUP))
        {
            final String wanted = target.substring(GROUP.length());
            final Binding chosen = router.chooseAmong(wanted.equals(group) ? control.queue(queue) : null,
                groupBindings(queue, wanted), message, queue);
            if (chosen instanceof RemoteBinding remote)
            {
                forwards.add(copies.copy(message, remote.node.bridge.queue(), DestinationType.QUEUE, queue,
                    List.of(queue), false));
            }
            else if (chosen instanceof LocalBinding here)
            {
                into.add(here.queue().reference(message));
            }
            return;
        }
        if (!target.equals(ALL))
        {
            forwards.add(copies.copy(message, topology.named(target).bridge.queue(), DestinationType.QUEUE, queue,
                List.of(queue), false));
            return;
        }
        if (storesHere(name))
        {
            into.add(control.existingQueue(queue).reference(message));
        }
        final List<RemoteBinding> there = topology.bindings(DestinationType.QUEUE, queue);
        for (int i = 0; there != null && i < there.size(); i++)
        {
            final RemoteNode node = there.get(i).node;
            forwards.add(copies.copy(message, node.bridge.queue(), DestinationType.QUEUE, queue, List.of(queue),
                false));
        }
    }

    /**
     * @return the queue's bindings on reachable nodes of the group.
     */
    private List<RemoteBinding> groupBindings(final String queue, final String wanted)
    {
        final List<RemoteBinding> members = new ArrayList<>();
        final List<RemoteBinding> there = topology.bindings(DestinationType.QUEUE, queue);
        for (int i = 0; there != null && i < there.size(); i++)
        {
            final RemoteBinding binding = there.get(i);
            if (wanted.equals(binding.node.group) && binding.node.isReachable())
            {
                members.add(binding);
            }
        }
        return members;
    }

    private String groupNodes(final String wanted)
    {
        final List<String> members = new ArrayList<>();
        for (final RemoteNode node : topology.nodes())
        {
            if (wanted.equals(node.group))
            {
                members.add(node.name + (node.isReachable() ? "" : " (down)"));
            }
        }
        return members.isEmpty() ? "no node is known in that group" : "its nodes: " + String.join(", ", members);
    }
}
