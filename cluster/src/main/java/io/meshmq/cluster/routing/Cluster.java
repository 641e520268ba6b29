package io.meshmq.cluster.routing;

import io.meshmq.cluster.ClusterCommand;
import io.meshmq.cluster.ClusterIdentity;
import io.meshmq.cluster.LargeStaging;
import io.meshmq.cluster.replication.ReplicaQuorum;
import io.meshmq.cluster.replication.Replication;
import io.meshmq.cluster.wire.ClusterFrameEncoder;
import io.meshmq.engine.extension.EngineControl;
import io.meshmq.engine.extension.ProcessorExtension;
import io.meshmq.engine.processor.AddressSettings;
import io.meshmq.engine.processor.LinkPosition;
import io.meshmq.engine.processor.MessageReference;
import io.meshmq.engine.processor.ServerMessage;
import io.meshmq.engine.processor.ServerQueue;
import io.meshmq.engine.ring.ConnectionOutput;
import io.meshmq.engine.ring.ExtensionCommand;
import io.meshmq.protocol.AdminTable;
import io.meshmq.protocol.AdminVerbs;
import io.meshmq.protocol.DestinationType;
import io.meshmq.protocol.ErrorCode;
import io.meshmq.protocol.TemporaryNames;
import io.meshmq.protocol.WireWriter;
import io.meshmq.selector.Selector;

import java.util.ArrayList;
import java.util.Comparator;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;

/**
 * The cluster inside the processor, as its extension: takes the cluster's commands and the processor's hooks and hands
 * each to the part it concerns: {@link Router} (where a message goes), {@link Bridge} (one per node: the forward
 * queue and its link), {@link Receiver} (other nodes' forwards), {@link Peers} (telling the nodes that joined this one
 * of its queues), {@link Membership} (cluster connections defined at run time), {@link Redistributor} (messages
 * stranded without consumers), over the {@link Topology} of what other nodes have.
 * <p>
 * Not thread safe: owned by the processor thread.
 */
public final class Cluster implements ProcessorExtension
{
    /** Names beginning so are the cluster's own queues; clients cannot use them. */
    static final String RESERVED_PREFIX = "$mesh.";
    static final String FORWARD_QUEUE_PREFIX = RESERVED_PREFIX + "forward.";
    private static final long REPEAT_REFUSAL_LOG_MS = 60_000;
    private static final System.Logger LOG = System.getLogger(Cluster.class.getName());

    private final ClusterIdentity identity;
    private final EngineControl control;
    private final WireWriter frame = new WireWriter(64 * 1024);
    private final Topology topology = new Topology();
    private final ForwardCopies copies;
    private final AddressedNames addressed;
    private final Router router;
    private final Peers peers;
    private final Receiver receiver;
    private final Membership membership;
    private final Redistributor redistributor;
    private final KnownSubscriptions knownSubscriptions;
    private final Replication replication;
    private final Resends resends;
    private final AwaitedStores awaited;
    private final Suspension suspension;
    private final GroupPins groups;
    private final Repository repository;
    private final Lookups lookups;
    private final LinksOnDemand linksOnDemand;
    /** Why the last route could not route its message as its group needs; null if it could. */
    private String routeRefusal;
    private final Map<String, Long> refusalsLogged = new HashMap<>();
    /** Nodes already logged as named as this one is. */
    private final Set<String> sameNameLogged = new HashSet<>();
    /** What clients were last told of the live members: their addresses, then the journals they serve. */
    private List<String> clientTopology = List.of();

    /**
     * @param identity who this node is in its cluster.
     * @param control  what the processor lets the cluster do.
     */
    public Cluster(final ClusterIdentity identity, final EngineControl control)
    {
        this.identity = identity;
        this.control = control;
        final RoundRobin roundRobin = new RoundRobin();
        this.copies = new ForwardCopies(control, identity.incarnation());
        this.router = new Router(identity.nodeId(), topology, copies, roundRobin, control);
        this.addressed = new AddressedNames(identity, topology, copies, router, control);
        this.peers = new Peers(control, frame, identity.nodeId(), identity.group(), topology,
            identity.grouping().isLocal());
        this.resends = new Resends(control, topology, frame);
        this.groups = new GroupPins(identity, control, topology, router, copies);
        this.receiver = new Receiver(control, peers, resends, groups);
        this.membership = new Membership(identity, control, topology, peers, frame);
        this.redistributor = new Redistributor(control, topology, copies, roundRobin, groups);
        this.knownSubscriptions = new KnownSubscriptions(control);
        this.replication = new Replication(control, identity.replicaQuorum(), identity.replicaFaultWaits());
        this.awaited = new AwaitedStores(control, topology);
        this.suspension = new Suspension(identity, control, topology, membership, frame,
            this::topologyMayHaveChanged);
        this.repository = new Repository(control, topology, frame, identity.repository(), identity.nodeName());
        this.lookups = new Lookups(identity.repository().partial(), identity.nodeId(), control, topology, copies,
            frame, this::routeAgain);
        this.linksOnDemand = new LinksOnDemand(identity.repository(), topology);
    }

    static boolean isReserved(final String name)
    {
        return name.startsWith(RESERVED_PREFIX);
    }

    // ---- names --------------------------------------------------------------------------------------------

    @Override
    public String refusal(final String name)
    {
        if (AddressedNames.isAddressed(name))
        {
            return AddressedNames.consumerRefusal(name);
        }
        return isReserved(name) ?
            "'" + name + "' is reserved: names beginning with '" + RESERVED_PREFIX + "' belong to the cluster" : null;
    }

    @Override
    public String addressOf(final String name)
    {
        return AddressedNames.queueOf(name);
    }

    @Override
    public String sendRefusal(final byte type, final String name)
    {
        final String refusal = addressed.sendRefusal(type, name);
        final String queue = AddressedNames.queueOf(name);
        if (refusal != null && type == DestinationType.QUEUE && lookups.mustWait(type, queue))
        {
            // The answer cannot wait here: the sender is told at once, and the repositories are asked.
            lookups.ask(queue);
            return refusal + " (this partial node has not learned of queue '" + queue + "' from a full repository " +
                "yet: it asks them now, and a send after their answer sees the nodes they know)";
        }
        return refusal;
    }

    /**
     * A queue's send whose copies must be stored on other nodes before its sender is answered waits for them: its
     * address's unreachable-node is fail, or its group is decided by the grouping handler.
     */
    @Override
    public boolean answersSend(final byte type, final String name, final List<MessageReference> copies,
        final ConnectionOutput sender, final long correlationId, final long mark)
    {
        if (type != DestinationType.QUEUE)
        {
            return false;
        }
        final RemoteNode handler = groups.isOn() && !groups.isLocalHandler() ? groups.handler() : null;
        if (handler != null && copies.size() == 1 && copies.get(0).queue() == handler.bridge.queue() &&
            ForwardCopies.asksToDecide(copies.get(0).message()))
        {
            // Its group is decided by the handler: answered once the handler stored it, as it then says where.
            return awaited.await(name, false, copies, sender, correlationId, mark,
                identity.grouping().timeoutMs(), "grouping.timeout");
        }
        final boolean namesNode = AddressedNames.isAddressed(name);
        return control.settingsOf(AddressedNames.queueOf(name)).unreachableNode(namesNode) ==
                AddressSettings.UnreachableNode.FAIL &&
            awaited.await(name, namesNode && addressed.storesHere(name), copies, sender, correlationId, mark,
                identity.sendTimeoutMs(), "cluster.send-timeout");
    }

    @Override
    public String takeRouteRefusal()
    {
        final String refusal = routeRefusal;
        routeRefusal = null;
        return refusal;
    }

    /**
     * @return true for a queue of messages waiting to cross to another node, or for their group's move (known by its
     * name, so also while recovery rebuilds it).
     */
    @Override
    public boolean ownsQueue(final String name)
    {
        return name.startsWith(FORWARD_QUEUE_PREFIX) || GroupMoves.isParkedQueue(name) ||
            Lookups.isParkedQueue(name);
    }

    /**
     * @return this node's id and incarnation, so a temporary destination's name is never made twice in the cluster,
     * not even after a restart.
     */
    @Override
    public String temporaryScope()
    {
        return identity.nodeId() + "." + identity.incarnation();
    }

    /**
     * @return true if the temporary destination lives on another node this one can forward to.
     */
    @Override
    public boolean isElsewhere(final byte type, final String name)
    {
        return router.temporaryOwner(type, name) != null || lookups.mustWait(type, name);
    }

    /**
     * @return this node (where it is reached, once known) and every node whose link is up: where clients may fail
     * over to.
     */
    @Override
    public List<String> clientTopology()
    {
        final List<String> members = new ArrayList<>();
        clientTopology(members, new ArrayList<>());
        return members;
    }

    /**
     * @return with a quorum (journals move between processes), the node id (journal) of each member of
     * {@link #clientTopology()}, in the same order; else empty.
     */
    @Override
    public List<String> clientTopologyJournals()
    {
        if (identity.replicaQuorum() == null)
        {
            return List.of();
        }
        final List<String> journals = new ArrayList<>();
        clientTopology(new ArrayList<>(), journals);
        return journals;
    }

    @Override
    public String journalServed()
    {
        return identity.replicaQuorum() == null ? null : identity.nodeId();
    }

    private void clientTopology(final List<String> members, final List<String> journals)
    {
        final String self = identity.url().get();
        if (self != null && !topology.suspended)
        {
            members.add(self);
            journals.add(identity.nodeId());
        }
        for (final RemoteNode node : topology.nodes())
        {
            // A suspended node takes no new clients, as it takes no new work.
            if (node.isUp() && !node.suspended && node.url != null && !members.contains(node.url))
            {
                members.add(node.url);
                journals.add(node.id);
            }
        }
    }

    private void topologyMayHaveChanged()
    {
        final List<String> members = new ArrayList<>();
        final List<String> journals = new ArrayList<>();
        clientTopology(members, journals);
        members.addAll(journals);
        if (!members.equals(clientTopology))
        {
            clientTopology = members;
            control.topologyChanged();
        }
    }

    // ---- recovery -----------------------------------------------------------------------------------------

    @Override
    public void restored(final LinkPosition position)
    {
        receiver.restored(position);
    }

    /**
     * Forward queues found by recovery are nodes this one had messages for: known, down, until their links come up;
     * so are the nodes of the durable and shared subscriptions this node knew of.
     */
    @Override
    public void recovered()
    {
        for (final ServerQueue queue : new ArrayList<>(control.queues()))
        {
            if (queue.name().startsWith(FORWARD_QUEUE_PREFIX))
            {
                node(queue.name().substring(FORWARD_QUEUE_PREFIX.length()));
            }
        }
        knownSubscriptions.restore(topology, this::node);
        suspension.restore();
        groups.restore();
        lookups.recovered();
    }

    private RemoteNode node(final String nodeId)
    {
        RemoteNode node = topology.node(nodeId);
        if (node == null)
        {
            final ServerQueue forwardQueue = control.queue(FORWARD_QUEUE_PREFIX + nodeId);
            node = new RemoteNode(nodeId, new Bridge(RemoteNode.describe(nodeId), forwardQueue, control, frame));
            topology.add(node);
        }
        return node;
    }

    // ---- routing ------------------------------------------------------------------------------------------

    @Override
    public boolean routes(final byte type, final String name)
    {
        return existsElsewhere(type, name) || groups.routesQueues(type) || lookups.mustWait(type, name);
    }

    /**
     * @return true if another node told of the destination (or the name says a node): not whenever grouping looks at
     * a queue's messages, so that using a queue no node has still needs the permission to make it.
     */
    @Override
    public boolean existsElsewhere(final byte type, final String name)
    {
        if (AddressedNames.isAddressed(name) || router.routes(type, name))
        {
            return true;
        }
        if (lookups.mustWait(type, name))
        {
            // A partial node that has not looked the name up asks now: a send refused meanwhile for want of the
            // permission to make it finds it once answered.
            lookups.ask(name);
        }
        return false;
    }

    @Override
    public void route(final byte type, final String name, final ServerMessage message, final String publisherClientId,
        final long publisherConnectionId, final List<MessageReference> into, final List<MessageReference> copies)
    {
        // A caller that stores what is routed whatever happens (an XA branch's commit) does not take it.
        routeRefusal = null;
        if (AddressedNames.isAddressed(name))
        {
            addressed.route(name, message, into, copies);
            return;
        }
        if (lookups.mustWait(type, name))
        {
            // A partial node that never looked the name up: the message waits (stored) for a full repository.
            copies.add(lookups.park(type, name, message, publisherClientId, publisherConnectionId));
            return;
        }
        if (groups.applies(type, message))
        {
            routeRefusal = groups.route(name, message, GroupPins.Origin.SENT_HERE, null, into, copies);
            return;
        }
        if (!router.routes(type, name))
        {
            // Here only because grouping looks at every queue's messages: this one is in no group.
            into.add(control.queue(name).reference(message));
            return;
        }
        router.route(type, name, message, publisherClientId, publisherConnectionId, into, copies);
    }

    /**
     * A message parked while its name was looked up is routed as if just sent (a temporary destination no node has
     * any more: nowhere).
     */
    private void routeAgain(final byte type, final String name, final ServerMessage message,
        final String publisherClientId, final long publisherConnectionId, final List<MessageReference> into)
    {
        final boolean here = type == DestinationType.TEMPORARY_QUEUE ? control.existingQueue(name) != null :
            control.existingTopic(name) != null;
        if (DestinationType.isTemporary(type) && !here && !routes(type, name))
        {
            LOG.log(System.Logger.Level.WARNING, "a message to temporary destination '" + name + "' is dropped: no " +
                "full repository knows the node it belongs to (its connection is gone)");
            return;
        }
        control.route(type, name, message, publisherClientId, publisherConnectionId, into);
        final String refusal = takeRouteRefusal();
        if (refusal != null)
        {
            LOG.log(System.Logger.Level.WARNING, "a message parked while '" + name + "' was looked up: " + refusal);
        }
    }

    /**
     * A client that failed over from another node sent a message again: that node hears of it, as soon as its link
     * is up, and drops its copy.
     */
    @Override
    public void resent(final byte type, final String address, final String messageId, final String previousScope)
    {
        final String nodeId = TemporaryNames.nodeOfScope(previousScope);
        if (nodeId != null && !nodeId.equals(identity.nodeId()))
        {
            resends.resent(nodeId, type, address, messageId);
        }
    }

    @Override
    public void changed(final ServerQueue queue)
    {
        if (queue.isDeleted())
        {
            redistributor.forget(queue);
        }
        peers.changed(queue);
    }

    // ---- commands -----------------------------------------------------------------------------------------

    @Override
    public void onCommand(final ConnectionOutput connection, final long correlationId, final ExtensionCommand command)
    {
        if (command instanceof ClusterCommand.Receive receive)
        {
            receiver.receive(connection, receive);
        }
        else if (command instanceof ClusterCommand.Forwarded forwarded)
        {
            forwarded(forwarded);
        }
        else if (command instanceof ClusterCommand.LargeStaged staged)
        {
            final RemoteNode node = topology.node(staged.nodeId());
            if (node != null)
            {
                node.bridge.staged(staged.bodyId(), staged.failure());
            }
        }
        else if (command instanceof ClusterCommand.Binding binding)
        {
            binding(binding);
        }
        else if (command instanceof ClusterCommand.Join join)
        {
            if (control.isOpen(connection))
            {
                join(connection, join);
            }
        }
        else if (command instanceof ClusterCommand.LinkUp up)
        {
            linkUp(up);
        }
        else if (command instanceof ClusterCommand.LinkDown down)
        {
            linkDown(down.nodeId(), down.reason());
        }
        else if (command instanceof ClusterCommand.Lookup lookup)
        {
            final Peers.Peer peer = peers.get(connection.id());
            if (peer == null)
            {
                control.error(connection, 0, ErrorCode.ILLEGAL_STATE, "CLUSTER_LOOKUP before CLUSTER_JOIN");
                return;
            }
            repository.lookup(peer, lookup.name());
        }
        else if (command instanceof ClusterCommand.Known known)
        {
            known(known);
        }
        else if (command instanceof ClusterCommand.LookupAnswered answered)
        {
            lookups.answered(answered.name());
        }
        else if (command instanceof ClusterCommand.Unreachable unreachable)
        {
            unreachable(unreachable.nodeId(), unreachable.reason());
        }
        else if (command instanceof ClusterCommand.Members members)
        {
            membership.merge(members.definitions());
        }
        else if (command instanceof ClusterCommand.Resent resent)
        {
            if (peers.get(connection.id()) != null)
            {
                resends.dropCopies(resent.messages());
            }
        }
        else if (command instanceof ClusterCommand.ReplicaStart start)
        {
            if (control.isOpen(connection))
            {
                replication.start(connection, correlationId, start.backupName(), start.spare());
            }
        }
        else if (command instanceof ClusterCommand.ReplicaStored stored)
        {
            replication.stored(connection, stored.mark());
        }
        else if (command instanceof ClusterCommand.ReplicaFault fault)
        {
            replication.fault(connection, fault.reason());
        }
        else if (command instanceof ClusterCommand.ReplicaDropped)
        {
            replication.dropped();
        }
        else if (command instanceof ClusterCommand.Clients clients)
        {
            final RemoteNode node = topology.node(clients.nodeId());
            if (node != null)
            {
                node.clients = clients.clients();
                if (clients.groupHandler() && !node.groupHandler && groups.isLocalHandler())
                {
                    LOG.log(System.Logger.Level.ERROR, RemoteNode.named(node.name) + " says it decides where message " +
                        "groups go, as this node does: give grouping.type = local to one node only");
                }
                node.groupHandler = clients.groupHandler();
                if (node.suspended != clients.suspended())
                {
                    node.suspended = clients.suspended();
                    LOG.log(System.Logger.Level.INFO, RemoteNode.named(node.name) + " is " +
                        (node.suspended ? "suspended: no new work goes to it while another node can take it" :
                        "resumed"));
                    topologyMayHaveChanged();
                    redistributor.soon();
                }
            }
        }
        else if (command instanceof ClusterCommand.Suspend suspend)
        {
            final Peers.Peer peer = peers.get(connection.id());
            if (peer == null)
            {
                control.error(connection, 0, ErrorCode.ILLEGAL_STATE, "CLUSTER_SUSPEND before CLUSTER_JOIN");
                return;
            }
            suspension.apply(suspend.suspended(), "node '" + peer.nodeName + "'");
        }
        else
        {
            throw new IllegalStateException("not a cluster command: " + command);
        }
        knownSubscriptions.saveIfChanged(topology);
    }

    private void linkUp(final ClusterCommand.LinkUp up)
    {
        final RemoteNode node = node(up.nodeId());
        if (node.isUp())
        {
            linkDown(up.nodeId(), "replaced by a new link");
        }
        node.name = up.nodeName();
        node.url = up.url();
        node.generation++;
        node.partial = up.partial();
        node.state = "up";
        if (node.name.equals(identity.nodeName()))
        {
            node.state = "up; named '" + node.name + "' as this node is: give each node its own name";
            if (sameNameLogged.add(node.id))
            {
                LOG.log(System.Logger.Level.ERROR, "node " + node.id + " (" + node.url + ") is named '" + node.name +
                    "' as this node (" + identity.nodeId() + ") is: give each node its own name (name = ...); the HA " +
                    "quorum records which node owns and which holds a replica of a journal by name, and logs and " +
                    "status cannot tell the two apart");
            }
        }
        node.bridge.target(RemoteNode.describe(node.name));
        // Before anything crosses: the node drops its copies of messages clients sent here again.
        resends.tell(node.id, up.link());
        LOG.log(System.Logger.Level.INFO, "cluster link to node '" + node.name + "' (" + node.url + ") is up; " +
            node.backlog() + " messages wait to cross it");
        node.bridge.up(up.link(), (bodyId, length) -> stage(node, bodyId, length));
        membership.send(up.link());
        if (identity.repository().partial() && !node.partial)
        {
            lookups.repositoryUp(node);
        }
        repository.linked(node);
        topologyMayHaveChanged();
    }

    /**
     * A full repository told this partial node of another node: this node routes to it and links to it on demand.
     */
    private void known(final ClusterCommand.Known known)
    {
        if (!identity.repository().partial() || known.nodeId().equals(identity.nodeId()))
        {
            return;
        }
        final RemoteNode repositoryNode = topology.node(known.repositoryId());
        final RemoteNode node = node(known.nodeId());
        if (lookups.known(node, known, repositoryNode == null ? known.repositoryId() : repositoryNode.name) &&
            known.binding() != null && !membership.isRetired(node) && topology.apply(node, known.binding()))
        {
            redistributor.soon();
        }
    }

    /**
     * A link opened on demand could not reach its node: it takes nothing more until it is up, or a full repository
     * tells of it again.
     */
    private void unreachable(final String nodeId, final String reason)
    {
        final RemoteNode node = topology.node(nodeId);
        if (node == null || node.isUp())
        {
            return;
        }
        node.onDemand = false;
        node.state = "down: " + reason;
        awaited.unreachable(node, reason);
        topologyMayHaveChanged();
    }

    /**
     * Sends a large body ahead of its forward to the node, over the mesh's second connection to it.
     *
     * @return false if that cannot be done now (the mesh does not run yet, or this node keeps no bodies).
     */
    private boolean stage(final RemoteNode node, final long bodyId, final long length)
    {
        final LargeStaging staging = identity.largeStaging().get();
        final java.nio.file.Path file = control.largeBodyFile(bodyId);
        if (staging == null || file == null || node.url == null)
        {
            return false;
        }
        staging.stage(node.id, node.url, bodyId, file, length);
        return true;
    }

    /**
     * The link is gone: its unconfirmed forwards wait for the next, and its consumers count for nothing meanwhile.
     */
    private void linkDown(final String nodeId, final String reason)
    {
        final RemoteNode node = topology.node(nodeId);
        if (node == null)
        {
            return;
        }
        if (identity.repository().partial() && LinksOnDemand.closedIdle(node))
        {
            // Not down: its consumers still count, and the next message for it links to it again.
            node.bridge.down();
            node.state = "idle: link closed after cluster.idle-link-timeout; linked again when sent something";
            topologyMayHaveChanged();
            return;
        }
        if (node.isUp())
        {
            LOG.log(System.Logger.Level.INFO, "cluster link to node '" + node.name + "' is down: " + reason);
        }
        node.onDemand = false;
        node.bridge.down();
        node.state = "down: " + reason;
        awaited.unreachable(node, reason);
        membership.forgetRetiredNodes();
        for (final RemoteBinding binding : node.bindings.values())
        {
            binding.consumers = 0;
        }
        node.clients = 0;
        topologyMayHaveChanged();
    }

    /**
     * The other node answered a forward: stored, or refused.
     */
    private void forwarded(final ClusterCommand.Forwarded forwarded)
    {
        final RemoteNode node = topology.node(forwarded.nodeId());
        if (node == null)
        {
            return;
        }
        if (forwarded.failure() == null)
        {
            node.bridge.confirmed(forwarded.sequence());
            awaited.stored(forwarded.sequence());
        }
        else if (!awaited.refused(node, forwarded.sequence(), forwarded.failure()))
        {
            node.bridge.refused(forwarded.sequence(), forwarded.failure());
        }
    }

    private void binding(final ClusterCommand.Binding binding)
    {
        final RemoteNode node = topology.node(binding.nodeId());
        if (node == null || membership.isRetired(node))
        {
            return;
        }
        if (binding.queue() == null)
        {
            // A snapshot's end drops what it did not name: partial nodes that looked those names up hear of it.
            topology.endSnapshot(node).forEach(repository::dropped);
            return;
        }
        if (topology.apply(node, binding))
        {
            // A consumer appeared there: stranded messages here may move to it.
            redistributor.soon();
        }
        repository.changed(node, binding);
    }

    /**
     * Another node connected and asks to join: refused unless it is of this cluster and not this node. A node that
     * joins is answered, sent a snapshot of this node's bindings and the definitions this node knows, and told of every
     * change from then on.
     */
    private void join(final ConnectionOutput output, final ClusterCommand.Join join)
    {
        final long correlationId = join.correlationId();
        if (!identity.clusterName().equals(join.clusterName()))
        {
            refuse(output, correlationId, "node '" + join.nodeName() + "' of cluster '" + join.clusterName() +
                "' cannot join node '" + identity.nodeName() + "' of cluster '" + identity.clusterName() +
                "': the cluster names differ");
            return;
        }
        if (identity.nodeId().equals(join.nodeId()))
        {
            // Expected: a member list may name the node itself. The link learns so and stops.
            control.error(output, correlationId, ErrorCode.CLUSTER_MISMATCH, "node '" + join.nodeName() +
                "' connected to itself (its member list names its own address, which is fine: that link is not used)");
            output.close();
            return;
        }
        final Peers.Peer peer = peers.join(output, join.nodeId(), join.nodeName());
        control.write(output, ClusterFrameEncoder.joined(frame, correlationId, identity.nodeId(), identity.nodeName(),
            identity.repository().partial()));
        peers.sendSnapshot(peer);
        if (join.partial())
        {
            // A partial node is no member every node links to: a full repository links back to it alone.
            if (!identity.repository().partial())
            {
                repository.joined(peer, join.url());
            }
        }
        else
        {
            // The joining node is a member from now on, unless a definition says otherwise.
            membership.joinedFrom(join.url(), join.nodeId());
        }
        membership.send(output);
    }

    private void refuse(final ConnectionOutput output, final long correlationId, final String reason)
    {
        // A misconfigured node retries for ever: say so once a minute, not at every attempt.
        final Long loggedAt = refusalsLogged.get(reason);
        if (loggedAt == null || control.nowMs() - loggedAt >= REPEAT_REFUSAL_LOG_MS)
        {
            refusalsLogged.put(reason, control.nowMs());
            LOG.log(System.Logger.Level.WARNING, "refused a cluster connection from " + output.remoteAddress() + ": " +
                reason + " (logged again only after a minute)");
        }
        control.error(output, correlationId, ErrorCode.CLUSTER_MISMATCH, reason);
        output.close();
    }

    // ---- batches and time -----------------------------------------------------------------------------------

    @Override
    public void onConnectionClosed(final long connectionId)
    {
        peers.closed(connectionId);
        repository.closed(connectionId);
        replication.onConnectionClosed(connectionId);
    }

    @Override
    public void onEndOfBatch()
    {
        groups.onEndOfBatch();
        peers.announceChanges();
        resends.tellNodesUp();
        replication.onEndOfBatch();
        linksOnDemand.onEndOfBatch(control.nowMs());
    }

    /**
     * @return when the cluster next wants a tick: soon while it has other nodes to redistribute to or bridges paused
     * after a refusal.
     */
    @Override
    public long nextTickDueMs(final long nowMs)
    {
        final long routing = Math.min(Math.min(redistributor.nextDueMs(), awaited.nextDueMs()), groups.nextDueMs());
        return Math.min(Math.min(routing, replication.nextTickDueMs(nowMs)),
            Math.min(lookups.nextDueMs(), linksOnDemand.nextDueMs()));
    }

    @Override
    public void onTick(final long nowMs)
    {
        for (final RemoteNode node : topology.nodes())
        {
            node.bridge.onTick(nowMs);
        }
        redistributor.onTick(nowMs);
        replication.onTick(nowMs);
        awaited.onTick(nowMs);
        groups.onTick(nowMs);
        lookups.onTick(nowMs);
        linksOnDemand.onTick(nowMs);
        // an admin command may have removed a node and its subscriptions
        knownSubscriptions.saveIfChanged(topology);
    }

    // ---- admin --------------------------------------------------------------------------------------------

    @Override
    public AdminTable admin(final String verb, final String[] args)
    {
        switch (verb)
        {
            case AdminVerbs.CLUSTER_STATUS: return statusTable();
            case AdminVerbs.CLUSTER_LIST: return membership.table();
            case AdminVerbs.CLUSTER_BINDINGS: return bindingsTable();
            case AdminVerbs.CLUSTER_ADD:
                return membership.define(Membership.memberArgument(verb, args),
                    args.length < 2 || !"inactive".equals(args[1]), false);
            case AdminVerbs.CLUSTER_REMOVE:
                return membership.define(Membership.memberArgument(verb, args), false, true);
            case AdminVerbs.CLUSTER_SUSPEND: return suspension.suspend(verb, args, true);
            case AdminVerbs.CLUSTER_RESUME: return suspension.suspend(verb, args, false);
            case AdminVerbs.CLUSTER_FORCE_REMOVE: return suspension.forceRemove(verb, args);
            default: return null;
        }
    }

    /**
     * @return what this node knows of other nodes' queues and subscriptions, by which it routes.
     */
    private AdminTable bindingsTable()
    {
        final AdminTable table = new AdminTable("node", "kind", "address", "queue", "consumers", "selectors", "weight",
            "rank");
        for (final RemoteNode node : topology.nodes())
        {
            final List<RemoteBinding> bindings = new ArrayList<>(node.bindings.values());
            bindings.sort(Comparator.comparing((RemoteBinding b) -> b.address).thenComparing(b -> b.queue));
            for (final RemoteBinding binding : bindings)
            {
                final StringBuilder selectors = new StringBuilder();
                for (final Selector selector : binding.selectors)
                {
                    selectors.append(selectors.length() == 0 ? "" : " | ").append(selector == null ? "*" : selector.text());
                }
                table.row(node.name, !binding.topic ? "queue" : binding.grouped ? "subscription (shared or durable)" :
                    "subscription", binding.address, binding.queue, (long)binding.consumers, selectors.toString(),
                    (long)binding.weight, (long)binding.rank);
            }
        }
        return table;
    }

    private AdminTable statusTable()
    {
        final AdminTable table = new AdminTable("node", "id", "url", "state", "backlog", "forwarded", "bindings",
            "consumers", "clients", "found", "round-trip-us", "replica-lag-ms", "replica", "group", "suspended",
            "repository", "linked");
        final Set<String> joinedUs = new HashSet<>();
        peers.all().forEach(peer -> joinedUs.add(peer.nodeId));
        final Set<String> linked = new HashSet<>(joinedUs);
        topology.nodes().forEach(node ->
        {
            if (node.isUp())
            {
                linked.add(node.id);
            }
        });
        final String self = identity.url().get();
        final String replica = replication.describe();
        final ReplicaQuorum quorum = identity.replicaQuorum() == null ? null : identity.replicaQuorum().get();
        table.row(identity.nodeName() + " (this node)", identity.nodeId(), self == null ? "" : self, "cluster '" +
            identity.clusterName() + "', " + peers.size() + " nodes joined it, " +
            (replica == null ? "no replica" : "replica " + replica) + (quorum == null ? "" : "; quorum: " +
            quorum.describe()) + groups.describe() + repository.describe() + lookups.describe(), 0L, 0L,
            control.queues().stream().filter(q -> !ownsQueue(q.name())).count() + control.subscriptionCount(), 0L,
            (long)control.clients(), "", 0L, replication.lagMs(), replication.replicaName(), identity.group(),
            topology.suspended, identity.repository().describe(), linked.size() + " nodes");
        final Set<String> shown = new HashSet<>();
        shown.add(self);
        for (final RemoteNode node : topology.nodes())
        {
            shown.add(node.url);
            long consumers = 0;
            for (final RemoteBinding binding : node.bindings.values())
            {
                consumers += binding.consumers;
            }
            final Long roundTripNs = identity.roundTripsNs().get(node.id);
            final boolean to = node.isUp();
            final boolean from = joinedUs.contains(node.id);
            table.row(node.name, node.id, node.url == null ? "" : node.url, node.state, node.backlog(),
                node.bridge.forwarded(), (long)node.bindings.size(), consumers, (long)node.clients,
                node.knownFrom != null ? "repository " + node.knownFrom : membership.foundBy(node.url),
                roundTripNs == null ? -1L : roundTripNs / 1_000, -1L, "", node.group, node.suspended,
                node.partial ? "partial" : to ? "full" : "", to && from ? "both ways" : to ? "to it" : from ?
                "from it" : "");
        }
        // Members this node has not linked to yet: why not.
        for (final Map.Entry<String, String> member : identity.members().entrySet())
        {
            if (!shown.contains(member.getKey()) && !"this node".equals(member.getValue()))
            {
                table.row("?", "", member.getKey(), member.getValue(), 0L, 0L, 0L, 0L, 0L,
                    membership.foundBy(member.getKey()), -1L, -1L, "", "", false, "", "");
            }
        }
        return table;
    }
}
