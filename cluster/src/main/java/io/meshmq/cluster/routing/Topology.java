package io.meshmq.cluster.routing;

import io.meshmq.cluster.ClusterCommand;
import io.meshmq.protocol.DestinationType;

import java.util.ArrayList;
import java.util.Collection;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;

/**
 * What this node knows of the others: the nodes, and their queues and subscriptions, indexed by address for routing.
 * <p>
 * Not thread safe: processor thread only.
 */
final class Topology
{
    private final Map<String, RemoteNode> nodes = new TreeMap<>();
    /** Remote queue bindings by queue name, and remote subscriptions by topic name. */
    private final Map<String, List<RemoteBinding>> queueBindings = new HashMap<>();
    private final Map<String, List<RemoteBinding>> topicBindings = new HashMap<>();

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
            final List<RemoteBinding> stale = new ArrayList<>();
            for (final RemoteBinding binding : node.bindings.values())
            {
                if (binding.generation != node.generation)
                {
                    stale.add(binding);
                }
            }
            stale.forEach(this::unbind);
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
            binding = new RemoteBinding(node, told.queue(), told.address(), told.kind() == DestinationType.TOPIC);
            node.bindings.put(told.queue(), binding);
            (binding.topic ? topicBindings : queueBindings).computeIfAbsent(told.address(), a -> new ArrayList<>())
                .add(binding);
        }
        binding.grouped = told.grouped();
        binding.filter = told.filter();
        binding.consumers = told.consumers();
        binding.selectors = told.selectors();
        binding.generation = node.generation;
        return told.consumers() > 0;
    }

    /**
     * Forgets every binding of the node (it was switched off or removed).
     */
    void forget(final RemoteNode node)
    {
        new ArrayList<>(node.bindings.values()).forEach(this::unbind);
    }

    private void unbind(final RemoteBinding binding)
    {
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
