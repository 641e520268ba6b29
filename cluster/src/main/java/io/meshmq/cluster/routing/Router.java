package io.meshmq.cluster.routing;

import io.meshmq.engine.extension.EngineControl;
import io.meshmq.engine.processor.AddressSettings;
import io.meshmq.engine.processor.MessageReference;
import io.meshmq.engine.processor.ServerMessage;
import io.meshmq.engine.processor.ServerQueue;
import io.meshmq.engine.processor.SubscriptionSpec;
import io.meshmq.engine.processor.TopicAddress;
import io.meshmq.protocol.DestinationType;
import io.meshmq.protocol.TemporaryNames;

import java.util.ArrayList;
import java.util.EnumMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * Where a message goes among this node and the others: for each routing key (a queue's name, a subscription's), the
 * address's load balancer picks one binding; messages for other nodes become copies in their forward queues, one copy
 * per node however many of its queues take the message.
 * <p>
 * Not thread safe: processor thread only.
 */
final class Router
{
    /**
     * Bindings of one routing key: this node's (or null) and other nodes'.
     */
    private static final class Group
    {
        ServerQueue local;
        final List<RemoteBinding> remote = new ArrayList<>(2);
    }

    private final String nodeId;
    private final Topology topology;
    private final ForwardCopies copies;
    private final EngineControl control;
    private final Map<AddressSettings.LoadBalancing, LoadBalancer> balancers =
        new EnumMap<>(AddressSettings.LoadBalancing.class);
    private final Map<String, Group> groups = new LinkedHashMap<>();
    private final Map<RemoteNode, List<String>> targets = new LinkedHashMap<>();
    private final LocalBinding local;

    Router(final String nodeId, final Topology topology, final ForwardCopies copies, final RoundRobin roundRobin,
        final EngineControl control)
    {
        this.nodeId = nodeId;
        this.topology = topology;
        this.copies = copies;
        this.control = control;
        this.local = new LocalBinding(topology);
        for (final AddressSettings.LoadBalancing policy : AddressSettings.LoadBalancing.values())
        {
            balancers.put(policy, LoadBalancer.of(policy, roundRobin));
        }
    }

    /**
     * @return the other node a temporary destination lives on, if this node knows that node; else null (a
     * destination here, or of no node this one knows). That is the node its name says, unless its connection failed
     * over and made it again on another node, which then announced it.
     */
    RemoteNode temporaryOwner(final byte type, final String name)
    {
        final boolean queue = type == DestinationType.TEMPORARY_QUEUE;
        if (!queue && type != DestinationType.TEMPORARY_TOPIC)
        {
            return null;
        }
        if (queue ? isTemporaryQueueHere(name) : isTemporaryTopicHere(name))
        {
            return null;
        }
        // Its connection's node announces it: a temporary queue made there again, or a temporary topic's subscribers.
        // A node that is down keeps what it announced (its connection may have failed over to one that is up).
        final List<RemoteBinding> there = topology.bindings(queue ? DestinationType.QUEUE : DestinationType.TOPIC, name);
        for (int i = 0; there != null && i < there.size(); i++)
        {
            if (there.get(i).node.isReachable())
            {
                return there.get(i).node;
            }
        }
        final String owner = TemporaryNames.nodeOf(name);
        return owner == null || owner.equals(nodeId) ? null : topology.node(owner);
    }

    private boolean isTemporaryQueueHere(final String name)
    {
        final ServerQueue here = control.existingQueue(name);
        return here != null && here.isTemporary();
    }

    private boolean isTemporaryTopicHere(final String name)
    {
        final TopicAddress here = control.existingTopic(name);
        return here != null && here.isTemporary();
    }

    /**
     * @return true if other nodes have bindings for the destination, so {@link #route} must decide.
     */
    boolean routes(final byte type, final String name)
    {
        final List<RemoteBinding> remote = topology.bindings(type, name);
        return remote != null && !remote.isEmpty() || temporaryOwner(type, name) != null;
    }

    /**
     * Routes a message among this node's queues ({@code into}) and other nodes' (copies in their forward queues,
     * {@code forwards}), by the address's load balancing.
     */
    void route(final byte type, final String name, final ServerMessage message, final String publisherClientId,
        final long publisherConnectionId, final List<MessageReference> into, final List<MessageReference> forwards)
    {
        final RemoteNode owner = temporaryOwner(type, name);
        if (owner != null)
        {
            // The node whose connection made it has it, and nobody else: no balancing.
            forwards.add(copies.copy(message, owner.bridge.queue(), type, name, List.of(name), false));
            return;
        }
        final AddressSettings settings = control.settingsOf(name);
        final AddressSettings.LoadBalancing policy = settings.loadBalancing();
        final LoadBalancer balancer = balancers.get(policy);
        targets.clear();
        if (type == DestinationType.QUEUE)
        {
            final ServerQueue queue = control.queue(name);
            take(balancer.choose(local.bind(queue, settings), topology.bindings(type, name), message, name,
                settings.preferLocal()), message, into);
        }
        else
        {
            final TopicAddress topic = control.topic(name);
            topic.published();
            groups.clear();
            for (final ServerQueue subscription : topic.subscriptions())
            {
                if (subscription.accepts(message, publisherClientId, publisherConnectionId))
                {
                    groups.computeIfAbsent(routingKey(subscription), k -> new Group()).local = subscription;
                }
            }
            if (policy != AddressSettings.LoadBalancing.OFF)
            {
                for (final RemoteBinding binding : topology.bindings(type, name))
                {
                    // A non-durable subscription lives only as long as its node: none to wait for while it is down.
                    if ((binding.grouped || binding.node.isReachable()) && binding.accepts(message))
                    {
                        groups.computeIfAbsent(binding.routingKey(), k -> new Group()).remote.add(binding);
                    }
                }
            }
            for (final Map.Entry<String, Group> entry : groups.entrySet())
            {
                final Group group = entry.getValue();
                final LocalBinding here = group.local == null ? null : local.bind(group.local, settings);
                take(group.remote.isEmpty() ? here :
                    balancer.choose(here, group.remote, message, entry.getKey(), settings.preferLocal()), message,
                    into);
            }
        }
        for (final Map.Entry<RemoteNode, List<String>> target : targets.entrySet())
        {
            forwards.add(copies.copy(message, target.getKey().bridge.queue(), type, name, target.getValue(), false));
        }
    }

    /**
     * Chooses among some of a queue's bindings (a named group's nodes) by the address's load balancing (ON_DEMAND
     * where it is OFF: the sender asked for the group).
     *
     * @param here this node's queue, if this node is among them; else null.
     * @return the binding chosen, or null for none.
     */
    Binding chooseAmong(final ServerQueue here, final List<RemoteBinding> there, final ServerMessage message,
        final String queue)
    {
        final AddressSettings settings = control.settingsOf(queue);
        final LocalBinding local = here == null ? null : this.local.bind(here, settings);
        if (there.isEmpty())
        {
            return local;
        }
        final AddressSettings.LoadBalancing policy = settings.loadBalancing() == AddressSettings.LoadBalancing.OFF ?
            AddressSettings.LoadBalancing.ON_DEMAND : settings.loadBalancing();
        return balancers.get(policy).choose(local, there, message, queue, settings.preferLocal());
    }

    /**
     * @param here this node's queue, or null.
     * @return true if any of the bindings has a consumer that would take the message, as load balancing sees it (a
     * suspended node's count none).
     */
    boolean hasConsumerAmong(final ServerQueue here, final List<RemoteBinding> there, final ServerMessage message,
        final String queue)
    {
        if (here != null && local.bind(here, control.settingsOf(queue)).hasConsumerFor(message))
        {
            return true;
        }
        for (int i = 0; i < there.size(); i++)
        {
            if (there.get(i).hasConsumerFor(message))
            {
                return true;
            }
        }
        return false;
    }

    private void take(final Binding chosen, final ServerMessage message, final List<MessageReference> into)
    {
        if (chosen instanceof RemoteBinding remote)
        {
            targets.computeIfAbsent(remote.node, n -> new ArrayList<>(1)).add(remote.queue);
        }
        else if (chosen instanceof LocalBinding here)
        {
            into.add(here.queue().reference(message));
        }
    }

    private static String routingKey(final ServerQueue subscription)
    {
        final SubscriptionSpec spec = subscription.subscription();
        return spec.durable() || spec.shared() ? subscription.name() : "\u0000" + subscription.name();
    }
}
