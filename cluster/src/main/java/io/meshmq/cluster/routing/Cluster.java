package io.meshmq.cluster.routing;

import io.meshmq.cluster.ClusterCommand;
import io.meshmq.cluster.ClusterIdentity;
import io.meshmq.cluster.MemberDefinition;
import io.meshmq.cluster.membership.MemberDefinitions;
import io.meshmq.engine.extension.EngineControl;
import io.meshmq.engine.extension.ProcessorExtension;
import io.meshmq.engine.extension.QueueDrain;
import io.meshmq.engine.journal.JournalWriteException;
import io.meshmq.engine.processor.AddressSettings;
import io.meshmq.engine.processor.LinkPosition;
import io.meshmq.engine.processor.MessageReference;
import io.meshmq.engine.processor.ServerMessage;
import io.meshmq.engine.processor.ServerQueue;
import io.meshmq.engine.processor.SubscriptionSpec;
import io.meshmq.engine.processor.TopicAddress;
import io.meshmq.engine.ring.ConnectionOutput;
import io.meshmq.engine.ring.ExtensionCommand;
import io.meshmq.protocol.AdminTable;
import io.meshmq.protocol.AdminVerbs;
import io.meshmq.protocol.BrokerEventEncoder;
import io.meshmq.protocol.DestinationType;
import io.meshmq.protocol.ErrorCode;
import io.meshmq.protocol.FrameType;
import io.meshmq.protocol.ProtocolException;
import io.meshmq.protocol.TemporaryNames;
import io.meshmq.protocol.WireWriter;
import io.meshmq.selector.Selector;
import org.agrona.collections.Long2ObjectHashMap;

import java.util.ArrayList;
import java.util.Arrays;
import java.util.HashMap;
import java.util.IdentityHashMap;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeMap;

/**
 * The processor's side of the cluster: what the other nodes have (their bindings), where a message goes among
 * this node and them (load balancing), the store-and-forward queues to each node and the forwards in flight,
 * the forwards other nodes send here (stored once, however often resent), what this node tells the nodes
 * that joined it about its own queues, and redistribution of messages stranded without consumers.
 * <p>
 * Design note: a message for another node is first stored here, in that node's forward queue, as a copy
 * carrying its route and a sequence number (incarnation in the high bits, so it grows across restarts). It
 * leaves the forward queue only when the other node confirms it stored it; that node keeps the highest
 * sequence it stored from each node in the same journal record as the message, so a resend after a lost
 * confirmation or a crash is recognised and only confirmed. This needs the forward queue to send in
 * sequence order: its copies all have the same priority, and the original priority travels in a property.
 * <p>
 * Not thread safe: owned by the processor thread.
 */
public final class Cluster implements ProcessorExtension
{
    /** Names beginning so are the cluster's own queues; clients cannot use them. */
    static final String RESERVED_PREFIX = "$mesh.";
    static final String FORWARD_QUEUE_PREFIX = RESERVED_PREFIX + "forward.";
    static final String ROUTE_PROPERTY = "JMS_MeshMQ_ClusterRoute";
    static final String SEQUENCE_PROPERTY = "JMS_MeshMQ_ClusterSequence";
    static final String PRIORITY_PROPERTY = "JMS_MeshMQ_ClusterPriority";
    private static final Set<String> FORWARD_PROPERTIES = Set.of(ROUTE_PROPERTY, SEQUENCE_PROPERTY, PRIORITY_PROPERTY);
    private static final int FORWARD_PRIORITY = 4;
    private static final int INCARNATION_SHIFT = 40;
    /** Forwards to one node sent and not yet confirmed. */
    private static final int FORWARD_WINDOW = 1000;
    /** Messages one queue moves to other nodes per redistribution pass. */
    private static final int REDISTRIBUTION_BATCH = 500;
    static final long REDISTRIBUTION_CHECK_MS = 100;
    private static final long PAUSE_AFTER_REFUSAL_MS = 1000;
    private static final long REPEAT_REFUSAL_LOG_MS = 60_000;
    private static final System.Logger LOG = System.getLogger(Cluster.class.getName());

    /**
     * A node that joined this one: it is told of every change to this node's bindings.
     */
    private static final class Peer
    {
        final ConnectionOutput output;
        final String nodeId;
        final String nodeName;
        /** False once the same node joined again on another connection: this one's forwards are refused. */
        boolean current = true;

        Peer(final ConnectionOutput output, final String nodeId, final String nodeName)
        {
            this.output = output;
            this.nodeId = nodeId;
            this.nodeName = nodeName;
        }
    }

    /**
     * Bindings of one routing key: this node's (or null) and other nodes'.
     */
    private static final class Group
    {
        ServerQueue local;
        final List<RemoteBinding> remote = new ArrayList<>(2);
    }

    private final ClusterIdentity identity;
    private final EngineControl control;
    private final WireWriter frame = new WireWriter(64 * 1024);
    private final Map<String, RemoteNode> nodes = new TreeMap<>();
    /** Remote queue bindings by queue name, and remote subscriptions by topic name. */
    private final Map<String, List<RemoteBinding>> queueBindings = new HashMap<>();
    private final Map<String, List<RemoteBinding>> topicBindings = new HashMap<>();
    private final Long2ObjectHashMap<Peer> peers = new Long2ObjectHashMap<>();
    private final Map<String, LinkPosition> positions = new HashMap<>();
    private final Set<ServerQueue> changed = new LinkedHashSet<>();
    private final Map<String, int[]> roundRobin = new HashMap<>();
    private final Map<String, Group> groups = new LinkedHashMap<>();
    private final Map<RemoteNode, List<String>> targets = new LinkedHashMap<>();
    /** Reused by each routing choice: the members it picks among. */
    private final List<Object> choices = new ArrayList<>();
    private final Map<String, Long> refusalsLogged = new HashMap<>();
    /** Cluster connections defined at run time; null outside a cluster. */
    private final MemberDefinitions definitions;
    /** Queues whose messages may move to other nodes' consumers once this time (ms) has come. */
    private final Map<ServerQueue, Long> redistributeAtMs = new IdentityHashMap<>();
    private long nextSequence;
    private long lastRedistributionMs;

    /**
     * @param identity who this node is in its cluster.
     * @param control  what the processor lets the cluster do.
     */
    public Cluster(final ClusterIdentity identity, final EngineControl control)
    {
        this.identity = identity;
        this.control = control;
        this.nextSequence = identity.incarnation() << INCARNATION_SHIFT;
        this.definitions = MemberDefinitions.load(identity.definitions());
    }

    static boolean isReserved(final String name)
    {
        return name.startsWith(RESERVED_PREFIX);
    }

    @Override
    public String refusal(final String name)
    {
        return isReserved(name) ?
            "'" + name + "' is reserved: names beginning with '" + RESERVED_PREFIX + "' belong to the cluster" : null;
    }

    /**
     * @return true for a queue of messages waiting to cross to another node (known by its name, so also while
     * recovery rebuilds it).
     */
    @Override
    public boolean ownsQueue(final String name)
    {
        return name.startsWith(FORWARD_QUEUE_PREFIX);
    }

    /**
     * @return what clients put in the names of their temporary destinations ({@link TemporaryNames}): this node's
     * id and incarnation, so a name is never made twice in the cluster, not even after a restart; null outside a
     * cluster.
     */
    @Override
    public String temporaryScope()
    {
        return identity.nodeId() + "." + identity.incarnation();
    }

    /**
     * @return the other node a temporary destination lives on, as its name says, if this node knows that node;
     * else null (a destination of this node, or of no node it knows).
     */
    private RemoteNode temporaryOwner(final byte type, final String name)
    {
        if (type != DestinationType.TEMPORARY_QUEUE && type != DestinationType.TEMPORARY_TOPIC)
        {
            return null;
        }
        final String nodeId = TemporaryNames.nodeOf(name);
        return nodeId == null || nodeId.equals(identity.nodeId()) ? null : nodes.get(nodeId);
    }

    /**
     * @return true if the temporary destination lives on another node this one can forward to.
     */
    @Override
    public boolean isElsewhere(final byte type, final String name)
    {
        return temporaryOwner(type, name) != null;
    }

    // ---- recovery -----------------------------------------------------------------------------------------

    @Override
    public void restored(final LinkPosition position)
    {
        positions.put(position.nodeId(), position);
    }

    /**
     * Forward queues found by recovery are nodes this one had messages for: known, down, until their links
     * come up.
     */
    @Override
    public void recovered()
    {
        for (final ServerQueue queue : control.queues())
        {
            if (queue.name().startsWith(FORWARD_QUEUE_PREFIX))
            {
                node(queue.name().substring(FORWARD_QUEUE_PREFIX.length()));
            }
        }
    }

    private RemoteNode node(final String nodeId)
    {
        RemoteNode node = nodes.get(nodeId);
        if (node == null)
        {
            final ServerQueue forwardQueue = control.queue(FORWARD_QUEUE_PREFIX + nodeId);
            node = new RemoteNode(nodeId, forwardQueue);
            forwardQueue.drainBy(new NodeDrain(node));
            nodes.put(nodeId, node);
        }
        return node;
    }

    // ---- routing ------------------------------------------------------------------------------------------

    /**
     * @return true if other nodes have bindings for the destination, so {@link #route} must decide.
     */
    @Override
    public boolean routes(final byte type, final String name)
    {
        final List<RemoteBinding> remote = type == DestinationType.QUEUE ? queueBindings.get(name) :
            type == DestinationType.TOPIC ? topicBindings.get(name) : null;
        return remote != null && !remote.isEmpty() || temporaryOwner(type, name) != null;
    }

    /**
     * Routes a message among this node's queues ({@code into}) and other nodes' (copies in their forward
     * queues, {@code copies}), by the address's load balancing.
     */
    @Override
    public void route(final byte type, final String name, final ServerMessage message, final String publisherClientId,
        final long publisherConnectionId, final List<MessageReference> into, final List<MessageReference> copies)
    {
        final RemoteNode owner = temporaryOwner(type, name);
        if (owner != null)
        {
            // The node whose connection made it has it, and nobody else: no balancing.
            copies.add(forwardCopy(message, owner, type, name, List.of(name)));
            return;
        }
        final AddressSettings.LoadBalancing balancing = control.settingsOf(name).loadBalancing();
        targets.clear();
        if (type == DestinationType.QUEUE)
        {
            final ServerQueue local = control.queue(name);
            final Object choice = choose(balancing, local, queueBindings.get(name), message, name);
            if (choice instanceof RemoteBinding)
            {
                target((RemoteBinding)choice);
            }
            else
            {
                into.add(local.reference(message));
            }
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
            if (balancing != AddressSettings.LoadBalancing.OFF)
            {
                for (final RemoteBinding binding : topicBindings.get(name))
                {
                    // A non-durable subscription lives only as long as its node: none to wait for while it is down.
                    if ((binding.grouped || binding.node.isUp()) && binding.accepts(message))
                    {
                        groups.computeIfAbsent(binding.routingKey(), k -> new Group()).remote.add(binding);
                    }
                }
            }
            for (final Map.Entry<String, Group> entry : groups.entrySet())
            {
                final Group group = entry.getValue();
                final Object choice = group.remote.isEmpty() ? group.local :
                    choose(balancing, group.local, group.remote, message, entry.getKey());
                if (choice instanceof RemoteBinding)
                {
                    target((RemoteBinding)choice);
                }
                else if (choice != null)
                {
                    into.add(((ServerQueue)choice).reference(message));
                }
            }
        }
        for (final Map.Entry<RemoteNode, List<String>> target : targets.entrySet())
        {
            copies.add(forwardCopy(message, target.getKey(), type, name, target.getValue()));
        }
    }

    private static String routingKey(final ServerQueue subscription)
    {
        final SubscriptionSpec spec = subscription.subscription();
        return spec.durable() || spec.shared() ? subscription.name() : "\u0000" + subscription.name();
    }

    private void target(final RemoteBinding binding)
    {
        targets.computeIfAbsent(binding.node, n -> new ArrayList<>(1)).add(binding.queue);
    }

    /**
     * @return the local queue (possibly null, for none) or the remote binding that takes the message.
     */
    private Object choose(final AddressSettings.LoadBalancing balancing, final ServerQueue local,
        final List<RemoteBinding> remote, final ServerMessage message, final String key)
    {
        if (balancing == AddressSettings.LoadBalancing.OFF || remote == null || remote.isEmpty())
        {
            return local;
        }
        final List<Object> candidates = choices;
        candidates.clear();
        if (balancing == AddressSettings.LoadBalancing.STRICT)
        {
            if (local != null)
            {
                candidates.add(local);
            }
            candidates.addAll(remote);
            return next(key, candidates);
        }
        final boolean localTakes = local != null && local.hasConsumerFor(message);
        if (localTakes && local.keepsUp())
        {
            return local;
        }
        if (localTakes)
        {
            candidates.add(local);
        }
        for (final RemoteBinding binding : remote)
        {
            if (binding.hasConsumerFor(message))
            {
                candidates.add(binding);
            }
        }
        if (candidates.isEmpty())
        {
            // Nobody consumes it now: it stays here, or (a subscription of other nodes only) goes where the
            // subscription is, to wait there.
            if (local != null)
            {
                return local;
            }
            candidates.addAll(remote);
        }
        return next(key, candidates);
    }

    private Object next(final String key, final List<Object> candidates)
    {
        final int[] counter = roundRobin.computeIfAbsent(key, k -> new int[1]);
        final int index = Math.floorMod(counter[0]++, candidates.size());
        return candidates.get(index);
    }

    @Override
    public void onCommand(final ConnectionOutput connection, final long correlationId, final ExtensionCommand command)
    {
        if (command instanceof ClusterCommand.Receive receive)
        {
            receive(connection, receive.sequence(), receive.kind(), receive.address(), receive.queues(), receive.message());
        }
        else if (command instanceof ClusterCommand.Forwarded forwarded)
        {
            forwarded(forwarded.nodeId(), forwarded.sequence(), forwarded.failure());
        }
        else if (command instanceof ClusterCommand.Binding binding)
        {
            binding(binding.nodeId(), binding.kind(), binding.address(), binding.queue(), binding.exists(),
                binding.grouped(), binding.filter(), binding.consumers(), binding.selectors());
        }
        else if (command instanceof ClusterCommand.Join join)
        {
            if (control.isOpen(connection))
            {
                join(connection, correlationId, join.clusterName(), join.nodeId(), join.nodeName(), join.url());
            }
        }
        else if (command instanceof ClusterCommand.LinkUp up)
        {
            linkUp(up.nodeId(), up.nodeName(), up.url(), up.link());
        }
        else if (command instanceof ClusterCommand.LinkDown down)
        {
            linkDown(down.nodeId(), down.reason());
        }
        else if (command instanceof ClusterCommand.Members members)
        {
            mergeMembers(members.definitions());
        }
        else
        {
            throw new IllegalStateException("not a cluster command: " + command);
        }
    }

    /**
     * @return a reference, in the node's forward queue, to a copy of the message that carries its route and
     * a new sequence number.
     */
    private MessageReference forwardCopy(final ServerMessage message, final RemoteNode node, final byte type,
        final String address, final List<String> queues)
    {
        final StringBuilder route = new StringBuilder().append((char)('0' + type)).append(address);
        for (final String queue : queues)
        {
            route.append('\u0000').append(queue);
        }
        final byte[] encoded = message.fields().rewrite(message.encoded(), Map.of(
            ROUTE_PROPERTY, route.toString(),
            SEQUENCE_PROPERTY, ++nextSequence,
            PRIORITY_PROPERTY, message.priority()), Set.of(), message.expiration(), FORWARD_PRIORITY);
        final ServerMessage copy = control.message(encoded, message.originConnectionId());
        return node.forwardQueue.reference(copy);
    }

    // ---- forwarding ---------------------------------------------------------------------------------------

    void linkUp(final String nodeId, final String nodeName, final String url, final ConnectionOutput link)
    {
        final RemoteNode node = node(nodeId);
        if (node.link != null)
        {
            linkDown(nodeId, "replaced by a new link");
        }
        node.name = nodeName;
        node.url = url;
        node.link = link;
        node.generation++;
        node.state = "up";
        node.pausedUntilMs = 0;
        LOG.log(System.Logger.Level.INFO, "cluster link to node '" + nodeName + "' (" + url + ") is up; " +
            node.backlog() + " messages wait to cross it");
        sendMembers(link);
        control.touch(node.forwardQueue);
    }

    /**
     * The link is gone: forwards it did not confirm go back to the front of the queue, in order, to be sent
     * again on the next link (the other node recognises any it stored).
     */
    void linkDown(final String nodeId, final String reason)
    {
        final RemoteNode node = nodes.get(nodeId);
        if (node == null)
        {
            return;
        }
        if (node.link != null)
        {
            LOG.log(System.Logger.Level.INFO, "cluster link to node '" + node.name + "' is down: " + reason);
        }
        node.link = null;
        node.state = "down: " + reason;
        forgetRetiredNodes();
        final long[] sequences = new long[node.inFlight.size()];
        int i = 0;
        for (final Long2ObjectHashMap<MessageReference>.KeyIterator it = node.inFlight.keySet().iterator(); it.hasNext(); )
        {
            sequences[i++] = it.nextLong();
        }
        Arrays.sort(sequences);
        for (final long sequence : sequences)
        {
            final MessageReference reference = node.inFlight.remove(sequence);
            node.forwardQueue.giveBack(reference);
        }
        for (final RemoteBinding binding : node.bindings.values())
        {
            binding.consumers = 0;
        }
    }

    /**
     * Sends what waits in a node's forward queue, as far as the link and the window allow.
     */
    void forward(final RemoteNode node)
    {
        if (node.link == null || node.pausedUntilMs > control.nowMs())
        {
            return;
        }
        final ServerQueue queue = node.forwardQueue;
        MessageReference reference = queue.first();
        while (reference != null && node.inFlight.size() < FORWARD_WINDOW)
        {
            if (!node.link.isWritable())
            {
                control.stalled(queue);
                return;
            }
            final MessageReference next = queue.after(reference);
            if (reference.message().isExpired(control.nowMs()))
            {
                queue.remove(reference);
                control.expire(queue, reference);
            }
            else
            {
                queue.remove(reference);
                if (send(node, reference))
                {
                    reference.countDelivery();
                }
            }
            reference = next;
        }
    }

    /**
     * @return false if the copy was undecodable and dropped.
     */
    private boolean send(final RemoteNode node, final MessageReference reference)
    {
        final ServerMessage copy = reference.message();
        final long sequence;
        final String route;
        final int priority;
        final byte[] original;
        try
        {
            sequence = ((Number)copy.fields().property(SEQUENCE_PROPERTY)).longValue();
            route = (String)copy.fields().property(ROUTE_PROPERTY);
            priority = ((Number)copy.fields().property(PRIORITY_PROPERTY)).intValue();
            original = copy.fields().rewrite(copy.encoded(), Map.of(), FORWARD_PROPERTIES, copy.expiration(), priority);
        }
        catch (final ProtocolException | ClassCastException | NullPointerException ex)
        {
            LOG.log(System.Logger.Level.ERROR, "dropped a message in the forward queue to node '" + node.name +
                "': its route cannot be read (" + ex + ")");
            control.drop(reference);
            return false;
        }
        final String[] parts = route.split("\u0000", -1);
        frame.reset().beginFrame(FrameType.CLUSTER_SEND)
            .writeLong(sequence)
            .writeByte((byte)(parts[0].charAt(0) - '0'))
            .writeString(parts[0].substring(1))
            .writeInt(parts.length - 1);
        for (int i = 1; i < parts.length; i++)
        {
            frame.writeString(parts[i]);
        }
        frame.writeRaw(original, 0, original.length).endFrame();
        control.write(node.link, frame);
        node.inFlight.put(sequence, reference);
        return true;
    }

    /**
     * The other node answered a forward: stored (the copy is done with), or refused (it goes back, and the
     * link pauses; the other node closes the link, so everything after it is sent again in order).
     */
    void forwarded(final String nodeId, final long sequence, final String failure)
    {
        final RemoteNode node = nodes.get(nodeId);
        final MessageReference reference = node == null ? null : node.inFlight.remove(sequence);
        if (reference == null)
        {
            return;
        }
        if (failure == null)
        {
            node.forwarded++;
            control.acknowledge(reference);
            if (!node.forwardQueue.isEmpty())
            {
                control.touch(node.forwardQueue);
            }
            return;
        }
        LOG.log(System.Logger.Level.WARNING, "node '" + node.name + "' refused a forwarded message, sent again in " +
            PAUSE_AFTER_REFUSAL_MS + " ms: " + failure);
        node.forwardQueue.giveBack(reference);
        node.pausedUntilMs = control.nowMs() + PAUSE_AFTER_REFUSAL_MS;
    }

    // ---- receiving ----------------------------------------------------------------------------------------

    /**
     * Another node connected and asks to join: refused unless it is of this cluster and not this node. A node
     * that joins is answered, sent a snapshot of this node's bindings and the definitions this node knows, and
     * told of every change from then on.
     */
    void join(final ConnectionOutput output, final long correlationId, final String clusterName, final String nodeId,
        final String nodeName, final String url)
    {
        if (!identity.clusterName().equals(clusterName))
        {
            refuse(output, correlationId, "node '" + nodeName + "' of cluster '" + clusterName + "' cannot join node '" + identity.nodeName() + "' of cluster '" + identity.clusterName() +
                "': the cluster names differ");
            return;
        }
        if (identity.nodeId().equals(nodeId))
        {
            // Expected: a member list may name the node itself. The link learns so and stops.
            control.error(output, correlationId, ErrorCode.CLUSTER_MISMATCH, "node '" + nodeName + "' connected to itself " +
                "(its member list names its own address, which is fine: that link is not used)");
            output.close();
            return;
        }
        for (final Peer peer : peers.values())
        {
            if (peer.nodeId.equals(nodeId))
            {
                peer.current = false;
            }
        }
        final Peer peer = new Peer(output, nodeId, nodeName);
        peers.put(output.id(), peer);
        BrokerEventEncoder.beginReply(frame, correlationId).writeString(identity.nodeId()).writeString(identity.nodeName())
            .endFrame();
        control.write(output, frame);
        for (final ServerQueue queue : control.queues())
        {
            announce(peer, queue);
        }
        for (final TopicAddress topic : control.topics())
        {
            for (final ServerQueue subscription : topic.subscriptions())
            {
                announce(peer, subscription);
            }
        }
        frame.reset().beginFrame(FrameType.CLUSTER_BINDING).writeByte(DestinationType.NONE).endFrame();
        control.write(output, frame);
        // The joining node is a member from now on, unless a definition says otherwise; and it learns ours.
        if (url != null && definitions.get(url) == null)
        {
            mergeMembers(List.of(new MemberDefinition(url, true, false, 0, nodeId)));
        }
        sendMembers(output);
    }

    // ---- cluster connections defined at run time ------------------------------------------------------------

    private void sendMembers(final ConnectionOutput output)
    {
        frame.reset().beginFrame(FrameType.CLUSTER_MEMBERS);
        MemberDefinitions.write(frame, definitions.all());
        frame.endFrame();
        control.write(output, frame);
    }

    /**
     * Merges definitions another node sent (or none, to have the cluster layer told the current ones): what
     * changed is kept, spread to every node this one is linked with, and handed to the cluster layer.
     */
    void mergeMembers(final List<MemberDefinition> heard)
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
            catch (final java.io.IOException ex)
            {
                LOG.log(System.Logger.Level.ERROR, "cluster connection definitions not saved (they are used, and " +
                    "lost at restart unless saved later): " + ex);
            }
            for (final Peer peer : peers.values())
            {
                sendMembers(peer.output);
            }
            for (final RemoteNode node : nodes.values())
            {
                if (node.link != null)
                {
                    sendMembers(node.link);
                }
            }
        }
        if (changed)
        {
            forgetRetiredNodes();
        }
        final java.util.function.Consumer<List<MemberDefinition>> listener = identity.onDefinitions().get();
        if (listener != null && (changed || heard.isEmpty()))
        {
            listener.accept(List.copyOf(definitions.all()));
        }
    }

    /**
     * @return true if the node's member address is defined switched off or removed: nothing more is routed to it.
     */
    private boolean isRetired(final RemoteNode node)
    {
        final MemberDefinition definition = node.url == null ? null : definitions.get(node.url);
        return definition != null && !definition.isUsed();
    }

    /**
     * Nodes switched off or removed take no more messages: their queues and subscriptions are forgotten. What
     * already waits in a forward queue stays there (listed by status) for an operator to purge, or to flow again
     * if the member is added back.
     */
    private void forgetRetiredNodes()
    {
        for (final RemoteNode node : nodes.values())
        {
            if (isRetired(node))
            {
                final MemberDefinition definition = definitions.get(node.url);
                node.state = (definition.removed() ? "removed" : "switched off") + " (member " + node.url + ")" +
                    (node.backlog() == 0 ? "" : "; " + node.backlog() + " messages wait in " + node.forwardQueue.name());
                if (!node.bindings.isEmpty())
                {
                    LOG.log(System.Logger.Level.INFO, "node '" + node.name + "' (member " + node.url + ") is " +
                        (definition.removed() ? "removed" : "switched off") + ": its " + node.bindings.size() +
                        " queues and subscriptions are forgotten" + (node.backlog() == 0 ? "" : "; " + node.backlog() +
                        " messages for it wait in " + node.forwardQueue.name()));
                    new ArrayList<>(node.bindings.values()).forEach(this::unbind);
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
        mergeMembers(List.of(new MemberDefinition(member, active, removed, stamp, identity.nodeId())));
        return new AdminTable("member", "state").row(member, removed ? "removed" : active ? "active" : "inactive");
    }

    /**
     * {@code cluster list}: every connection defined at run time, and the state of this node's link to it.
     */
    AdminTable membersTable()
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
                table.row(member.getKey(), "configured", member.getValue());
            }
        }
        return table;
    }

    /**
     * Takes a node's forward queue: what waits there is sent over the node's link.
     */
    private final class NodeDrain implements QueueDrain
    {
        private final RemoteNode node;

        NodeDrain(final RemoteNode node)
        {
            this.node = node;
        }

        @Override
        public void drain(final ServerQueue queue)
        {
            forward(node);
        }

        @Override
        public String describe()
        {
            return "node '" + node.name + "' of the cluster";
        }
    }

    private void refuse(final ConnectionOutput output, final long correlationId, final String reason)
    {
        // A misconfigured node retries for ever: say so once a minute, not at every attempt.
        final Long loggedAt = refusalsLogged.get(reason);
        if (loggedAt == null || control.nowMs() - loggedAt >= REPEAT_REFUSAL_LOG_MS)
        {
            refusalsLogged.put(reason, control.nowMs());
            LOG.log(System.Logger.Level.WARNING, "refused a cluster connection from " + output.remoteAddress() + ": " + reason +
                " (logged again only after a minute)");
        }
        control.error(output, correlationId, ErrorCode.CLUSTER_MISMATCH, reason);
        output.close();
    }

    @Override
    public void onConnectionClosed(final long connectionId)
    {
        peers.remove(connectionId);
    }

    /**
     * A message another node forwarded: stored in the named queues here unless it was stored before.
     */
    void receive(final ConnectionOutput output, final long sequence, final byte kind, final String address,
        final String[] queues, final byte[] encoded)
    {
        final Peer peer = peers.get(output.id());
        if (peer == null || !peer.current)
        {
            control.error(output, sequence, ErrorCode.ILLEGAL_STATE, peer == null ?
                "CLUSTER_SEND before CLUSTER_JOIN" : "this link was replaced by a newer one of the same node");
            return;
        }
        LinkPosition position = positions.get(peer.nodeId);
        if (position == null)
        {
            position = new LinkPosition(peer.nodeId, 0);
            positions.put(peer.nodeId, position);
        }
        final long mark = control.mark();
        if (sequence <= position.sequence())
        {
            control.confirm(output, sequence, mark);
            return;
        }
        final ServerMessage message = control.message(encoded, 0);
        final List<MessageReference> references = new ArrayList<>(queues.length);
        if (kind == DestinationType.QUEUE)
        {
            for (final String name : queues)
            {
                references.add(control.queue(name).reference(message));
            }
        }
        else if (kind == DestinationType.TEMPORARY_QUEUE)
        {
            // Gone with its connection meanwhile: the message goes with it, as it would had it been here.
            final ServerQueue queue = control.existingQueue(address);
            if (queue != null && queue.isTemporary())
            {
                references.add(queue.reference(message));
            }
        }
        else if (kind == DestinationType.TEMPORARY_TOPIC)
        {
            final TopicAddress topic = control.existingTopic(address);
            if (topic != null && topic.isTemporary())
            {
                topic.published();
                for (final ServerQueue subscription : topic.subscriptions())
                {
                    if (subscription.accepts(message, null, 0))
                    {
                        references.add(subscription.reference(message));
                    }
                }
            }
        }
        else
        {
            final TopicAddress topic = control.existingTopic(address);
            for (final ServerQueue subscription : topic == null ? List.<ServerQueue>of() : topic.subscriptions())
            {
                for (final String name : queues)
                {
                    if (subscription.name().equals(name))
                    {
                        references.add(subscription.reference(message));
                    }
                }
            }
        }
        try
        {
            control.storeReceived(position, sequence, message, references);
        }
        catch (final JournalWriteException ex)
        {
            // Refused, and the link closed: the sender sends this and everything after it again, in order.
            control.error(output, sequence, ErrorCode.STORAGE, "message not stored: " + ex.getMessage());
            peer.current = false;
            output.close();
            return;
        }
        position.stored(sequence);
        control.enqueue(references);
        control.confirm(output, sequence, mark);
    }

    // ---- what this node tells others ------------------------------------------------------------------------

    /**
     * A queue or subscription was made or deleted, or its consumers changed: the nodes that joined this one
     * hear of it at the end of the batch.
     */
    @Override
    public void changed(final ServerQueue queue)
    {
        if (queue.isDeleted())
        {
            redistributeAtMs.remove(queue);
        }
        if (!peers.isEmpty() && isAnnounced(queue))
        {
            changed.add(queue);
        }
    }

    private static boolean isAnnounced(final ServerQueue queue)
    {
        return !queue.isTemporary() && !isReserved(queue.name());
    }

    @Override
    public void onEndOfBatch()
    {
        if (changed.isEmpty())
        {
            return;
        }
        for (final Peer peer : peers.values())
        {
            for (final ServerQueue queue : changed)
            {
                announce(peer, queue);
            }
        }
        changed.clear();
    }

    private void announce(final Peer peer, final ServerQueue queue)
    {
        if (!isAnnounced(queue))
        {
            return;
        }
        final SubscriptionSpec spec = queue.subscription();
        final boolean subscription = spec != null;
        final int consumers = queue.openConsumers();
        final Set<String> selectors = queue.consumerSelectors();
        frame.reset().beginFrame(FrameType.CLUSTER_BINDING)
            .writeByte(subscription ? DestinationType.TOPIC : DestinationType.QUEUE)
            .writeString(subscription ? spec.topic() : queue.name())
            .writeString(queue.name())
            .writeBoolean(!queue.isDeleted())
            .writeBoolean(!subscription || spec.durable() || spec.shared())
            .writeString(subscription ? spec.selectorText() : null)
            .writeInt(consumers)
            .writeInt(selectors.size());
        for (final String selector : selectors)
        {
            frame.writeString(selector);
        }
        frame.endFrame();
        control.write(peer.output, frame);
    }

    // ---- what other nodes tell this one ---------------------------------------------------------------------

    /**
     * A binding of another node changed; a null queue ends the snapshot sent when the link came up, and
     * drops the bindings that snapshot did not name.
     */
    void binding(final String nodeId, final byte kind, final String address, final String queue, final boolean exists,
        final boolean grouped, final Selector filter, final int consumers, final Selector[] selectors)
    {
        final RemoteNode node = nodes.get(nodeId);
        if (node == null || isRetired(node))
        {
            return;
        }
        if (queue == null)
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
            return;
        }
        RemoteBinding binding = node.bindings.get(queue);
        if (!exists)
        {
            if (binding != null)
            {
                unbind(binding);
            }
            return;
        }
        if (binding == null)
        {
            binding = new RemoteBinding(node, queue, address, kind == DestinationType.TOPIC);
            node.bindings.put(queue, binding);
            (binding.topic ? topicBindings : queueBindings).computeIfAbsent(address, a -> new ArrayList<>()).add(binding);
        }
        binding.grouped = grouped;
        binding.filter = filter;
        binding.consumers = consumers;
        binding.selectors = selectors;
        binding.generation = node.generation;
        if (consumers > 0)
        {
            // A consumer appeared there: stranded messages here may move to it.
            lastRedistributionMs = 0;
        }
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

    // ---- timing -------------------------------------------------------------------------------------------

    /**
     * @return when the cluster next wants a tick: soon while it has bindings to redistribute to or forwards
     * paused after a refusal.
     */
    @Override
    public long nextTickDueMs(final long nowMs)
    {
        return nodes.isEmpty() ? Long.MAX_VALUE : lastRedistributionMs + REDISTRIBUTION_CHECK_MS;
    }

    @Override
    public void onTick(final long nowMs)
    {
        for (final RemoteNode node : nodes.values())
        {
            if (node.isUp() && node.pausedUntilMs != 0 && node.pausedUntilMs <= nowMs)
            {
                node.pausedUntilMs = 0;
                control.touch(node.forwardQueue);
            }
        }
        redistribute(nowMs);
    }

    // ---- redistribution -----------------------------------------------------------------------------------

    /**
     * Moves messages of queues that have no consumers here to nodes whose queue of the same name has, once
     * the address's redistribution delay has passed. A move is one journal record: the copies in the forward
     * queues and the end of the originals, so a crash keeps one or the other.
     */
    void redistribute(final long nowMs)
    {
        if (nowMs - lastRedistributionMs < REDISTRIBUTION_CHECK_MS)
        {
            return;
        }
        lastRedistributionMs = nowMs;
        if (queueBindings.isEmpty() && topicBindings.isEmpty())
        {
            return;
        }
        for (final ServerQueue queue : new ArrayList<>(control.queues()))
        {
            redistribute(queue, queueBindings.get(queue.name()), nowMs);
        }
        for (final TopicAddress topic : control.topics())
        {
            final List<RemoteBinding> remote = topicBindings.get(topic.name());
            if (remote != null)
            {
                for (final ServerQueue subscription : new ArrayList<>(topic.subscriptions()))
                {
                    final SubscriptionSpec spec = subscription.subscription();
                    if (spec.durable() || spec.shared())
                    {
                        redistribute(subscription, remote, nowMs);
                    }
                }
            }
        }
    }

    private void redistribute(final ServerQueue queue, final List<RemoteBinding> remote, final long nowMs)
    {
        if (remote == null || queue.size() == 0 || queue.drain() != null || queue.openConsumers() > 0 ||
            queue.isTemporary())
        {
            redistributeAtMs.remove(queue);
            return;
        }
        final AddressSettings settings = control.settingsOf(queue);
        final List<RemoteBinding> takers = new ArrayList<>();
        for (final RemoteBinding binding : remote)
        {
            if (binding.queue.equals(queue.name()) && binding.hasConsumers())
            {
                takers.add(binding);
            }
        }
        if (settings.redistributionDelayMs() < 0 || settings.loadBalancing() == AddressSettings.LoadBalancing.OFF ||
            takers.isEmpty())
        {
            redistributeAtMs.remove(queue);
            return;
        }
        final long dueMs = redistributeAtMs.computeIfAbsent(queue, q -> nowMs + settings.redistributionDelayMs());
        if (nowMs < dueMs)
        {
            return;
        }
        final List<MessageReference> moved = new ArrayList<>();
        final List<MessageReference> copies = new ArrayList<>();
        final byte type = queue.subscription() == null ? DestinationType.QUEUE : DestinationType.TOPIC;
        final String address = queue.subscription() == null ? queue.name() : queue.subscription().topic();
        MessageReference reference = queue.first();
        final List<Object> candidates = new ArrayList<>(takers.size());
        while (reference != null && moved.size() < REDISTRIBUTION_BATCH)
        {
            final MessageReference next = queue.after(reference);
            candidates.clear();
            for (final RemoteBinding binding : takers)
            {
                if (binding.hasConsumerFor(reference.message()))
                {
                    candidates.add(binding);
                }
            }
            if (!candidates.isEmpty() && !reference.message().isExpired(nowMs))
            {
                final RemoteBinding target = (RemoteBinding)next(queue.name(), candidates);
                final MessageReference copy = forwardCopy(reference.message(), target.node, type, address, List.of(queue.name()));
                copies.add(copy);
                moved.add(reference);
            }
            reference = next;
        }
        if (moved.isEmpty())
        {
            return;
        }
        try
        {
            control.move(moved, copies);
        }
        catch (final JournalWriteException ex)
        {
            LOG.log(System.Logger.Level.WARNING, "could not move messages of '" + queue.name() + "' to other nodes: " +
                ex.getMessage());
            return;
        }
        if (queue.size() > 0)
        {
            // More to move: look again at the next check, without waiting out the delay again.
            lastRedistributionMs = 0;
        }
    }

    // ---- status ---------------------------------------------------------------------------------------------

    @Override
    public AdminTable admin(final String verb, final String[] args)
    {
        switch (verb)
        {
            case AdminVerbs.CLUSTER_STATUS: return statusTable();
            case AdminVerbs.CLUSTER_LIST: return membersTable();
            case AdminVerbs.CLUSTER_BINDINGS: return bindingsTable();
            case AdminVerbs.CLUSTER_ADD:
                return define(memberArgument(verb, args), args.length < 2 || !"inactive".equals(args[1]), false);
            case AdminVerbs.CLUSTER_REMOVE: return define(memberArgument(verb, args), false, true);
            default: return null;
        }
    }

    private static String memberArgument(final String verb, final String[] args)
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


    /**
     * @return what this node knows of other nodes' queues and subscriptions, by which it routes.
     */
    AdminTable bindingsTable()
    {
        final AdminTable table = new AdminTable("node", "kind", "address", "queue", "consumers", "selectors");
        for (final RemoteNode node : nodes.values())
        {
            final List<RemoteBinding> bindings = new ArrayList<>(node.bindings.values());
            bindings.sort(java.util.Comparator.comparing((RemoteBinding b) -> b.address).thenComparing(b -> b.queue));
            for (final RemoteBinding binding : bindings)
            {
                final StringBuilder selectors = new StringBuilder();
                for (final Selector selector : binding.selectors)
                {
                    selectors.append(selectors.length() == 0 ? "" : " | ").append(selector == null ? "*" : selector.text());
                }
                table.row(node.name, !binding.topic ? "queue" : binding.grouped ? "subscription (shared or durable)" :
                    "subscription", binding.address, binding.queue, (long)binding.consumers, selectors.toString());
            }
        }
        return table;
    }

    AdminTable statusTable()
    {
        final AdminTable table = new AdminTable("node", "id", "url", "state", "backlog", "forwarded", "bindings",
            "consumers");
        table.row(identity.nodeName() + " (this node)", identity.nodeId(), "", "cluster '" + identity.clusterName() + "', " +
            peers.size() + " nodes joined it", 0L, 0L, (long)(control.queues().size() - nodes.size() +
            control.subscriptionCount()), 0L);
        final Set<String> shown = new java.util.HashSet<>();
        for (final RemoteNode node : nodes.values())
        {
            shown.add(node.url);
            long consumers = 0;
            for (final RemoteBinding binding : node.bindings.values())
            {
                consumers += binding.consumers;
            }
            table.row(node.name, node.id, node.url == null ? "" : node.url, node.state, node.backlog(), node.forwarded,
                (long)node.bindings.size(), consumers);
        }
        // Members this node has not linked to yet: why not.
        for (final Map.Entry<String, String> member : identity.members().entrySet())
        {
            if (!shown.contains(member.getKey()) && !"this node".equals(member.getValue()))
            {
                table.row("?", "", member.getKey(), member.getValue(), 0L, 0L, 0L, 0L);
            }
        }
        return table;
    }
}
