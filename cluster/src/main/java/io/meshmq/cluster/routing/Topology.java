package io.meshmq.cluster.routing;

import io.meshmq.cluster.ClusterCommand;
import io.meshmq.protocol.DestinationType;
import io.meshmq.selector.Selector;

import java.util.ArrayList;
import java.util.Collection;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.TreeMap;

/**
 * What this node knows of the others: the nodes, and their queues and subscriptions, indexed by address for routing.
 * <p>
 * Not thread safe: processor thread only.
 */
final class Topology
{
    /** The generation of a binding restored from disk: older than any snapshot, so the first drops it if absent. */
    static final long RESTORED = -1;
    private final Map<String, RemoteNode> nodes = new TreeMap<>();
    /** Remote queue bindings by queue name, and remote subscriptions by topic name. */
    private final Map<String, List<RemoteBinding>> queueBindings = new HashMap<>();
    private final Map<String, List<RemoteBinding>> topicBindings = new HashMap<>();
    /** A durable or shared subscription of another node came, went or changed its selector since last asked. */
    private boolean subscriptionsChanged;
    /** This node is suspended ({@code cluster suspend}): it takes no new work that another node can take. */
    boolean suspended;

    RemoteNode node(final String nodeId)
    {
        return nodes.get(nodeId);
    }

    void add(final RemoteNode node)
    {
        nodes.put(node.id, node);
    }

    /**
     * @return the nodes, ordered by id.
     */
    Collection<RemoteNode> nodes()
    {
        return nodes.values();
    }

    /**
     * @return the node of that name, or null.
     */
    RemoteNode named(final String name)
    {
        for (final RemoteNode node : nodes.values())
        {
            if (name.equals(node.name))
            {
                return node;
            }
        }
        return null;
    }

    /**
     * @return "no node 'NAME' in cluster 'C' (nodes: self, a, b)": what a name no node has says, with what the cluster
     * has.
     */
    String noSuchNode(final String name, final String self, final String cluster)
    {
        final List<String> names = new ArrayList<>(List.of(self));
        for (final RemoteNode node : nodes.values())
        {
            names.add(node.name);
        }
        return "no node '" + name + "' in cluster '" + cluster + "' (nodes: " + String.join(", ", names) + ")";
    }

    boolean hasBindings()
    {
        return !queueBindings.isEmpty() || !topicBindings.isEmpty();
    }

    /**
     * @return other nodes' bindings of the destination, or null for none (and for temporary destinations).
     */
    List<RemoteBinding> bindings(final byte type, final String name)
    {
        return type == DestinationType.QUEUE ? queueBindings.get(name) :
            type == DestinationType.TOPIC ? topicBindings.get(name) : null;
    }

    /**
     * Applies what a node told of one of its bindings; a null queue ends the snapshot sent at link-up, and drops the
     * bindings that snapshot did not name.
     *
     * @return true if the binding has consumers now.
     */
    boolean apply(final RemoteNode node, final ClusterCommand.Binding told)
    {
        if (told.queue() == null)
        {
            endSnapshot(node);
            return false;
        }
        RemoteBinding binding = node.bindings.get(told.queue());
        if (!told.exists())
        {
            if (binding != null)
            {
                unbind(binding);
            }
            return false;
        }
        if (binding == null)
        {
            binding = bind(node, told.queue(), told.address(), told.kind() == DestinationType.TOPIC);
        }
        if (binding.topic && (told.grouped() || binding.grouped) && (binding.grouped != told.grouped() ||
            !Objects.equals(textOf(binding.filter), textOf(told.filter()))))
        {
            subscriptionsChanged = true;
        }
        binding.grouped = told.grouped();
        binding.filter = told.filter();
        binding.consumers = told.consumers();
        binding.selectors = told.selectors();
        binding.weight = told.weight();
        binding.rank = told.rank();
        node.group = told.group();
        binding.generation = node.generation;
        return told.consumers() > 0;
    }

    /**
     * The snapshot the node sent since its link came up again is complete: the bindings it did not name go.
     *
     * @return those bindings.
     */
    List<RemoteBinding> endSnapshot(final RemoteNode node)
    {
        final List<RemoteBinding> stale = new ArrayList<>();
        for (final RemoteBinding binding : node.bindings.values())
        {
            if (binding.generation != node.generation)
            {
                stale.add(binding);
            }
        }
        stale.forEach(this::unbind);
        return stale;
    }

    /**
     * A durable or shared subscription of another node, known from before this node started: it takes its share of
     * publishes (they wait in the node's forward queue) until the node's first snapshot says whether it still exists.
     */
    void restore(final RemoteNode node, final String address, final String queue, final Selector filter)
    {
        if (node.bindings.containsKey(queue))
        {
            return;
        }
        final RemoteBinding binding = bind(node, queue, address, true);
        binding.grouped = true;
        binding.filter = filter;
        binding.generation = RESTORED;
    }

    /**
     * @return true once after durable or shared subscriptions of other nodes came, went or changed.
     */
    boolean takeSubscriptionsChanged()
    {
        final boolean changed = subscriptionsChanged;
        subscriptionsChanged = false;
        return changed;
    }

    /**
     * @return the durable and shared subscriptions of other nodes, as far as this node knows them.
     */
    List<RemoteBinding> groupedSubscriptions()
    {
        final List<RemoteBinding> grouped = new ArrayList<>();
        for (final RemoteNode node : nodes.values())
        {
            for (final RemoteBinding binding : node.bindings.values())
            {
                if (binding.topic && binding.grouped)
                {
                    grouped.add(binding);
                }
            }
        }
        return grouped;
    }

    /**
     * Forgets every binding of the node (it was switched off or removed).
     */
    void forget(final RemoteNode node)
    {
        new ArrayList<>(node.bindings.values()).forEach(this::unbind);
    }

    private RemoteBinding bind(final RemoteNode node, final String queue, final String address, final boolean topic)
    {
        final RemoteBinding binding = new RemoteBinding(node, queue, address, topic);
        node.bindings.put(queue, binding);
        (topic ? topicBindings : queueBindings).computeIfAbsent(address, a -> new ArrayList<>()).add(binding);
        return binding;
    }

    private static String textOf(final Selector selector)
    {
        return selector == null ? null : selector.text();
    }

    private void unbind(final RemoteBinding binding)
    {
        subscriptionsChanged |= binding.topic && binding.grouped;
        binding.node.bindings.remove(binding.queue);
        final Map<String, List<RemoteBinding>> index = binding.topic ? topicBindings : queueBindings;
        final List<RemoteBinding> list = index.get(binding.address);
        if (list != null)
        {
            list.remove(binding);
            if (list.isEmpty())
            {
                index.remove(binding.address);
            }
        }
    }
}
