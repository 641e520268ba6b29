package io.meshmq.cluster.routing;

import io.meshmq.cluster.wire.ClusterFrameEncoder;
import io.meshmq.engine.extension.EngineControl;
import io.meshmq.engine.processor.AddressSettings;
import io.meshmq.engine.processor.ServerQueue;
import io.meshmq.engine.processor.SubscriptionSpec;
import io.meshmq.engine.processor.TopicAddress;
import io.meshmq.engine.ring.ConnectionOutput;
import io.meshmq.protocol.DestinationType;
import io.meshmq.protocol.TemporaryNames;
import io.meshmq.protocol.WireWriter;
import org.agrona.collections.Long2ObjectHashMap;

import java.util.Collection;
import java.util.LinkedHashSet;
import java.util.Set;

/**
 * The nodes that joined this one over links they opened: each is told of this node's queues and subscriptions, a
 * snapshot when it joins and every change after, gathered over a batch.
 * <p>
 * Not thread safe: processor thread only.
 */
final class Peers
{
    /**
     * A node that joined this one.
     */
    static final class Peer
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

    private final EngineControl control;
    private final WireWriter frame;
    private final String nodeId;
    private final String group;
    private final Topology topology;
    private final boolean groupHandler;
    private final Long2ObjectHashMap<Peer> peers = new Long2ObjectHashMap<>();
    private final Set<ServerQueue> changed = new LinkedHashSet<>();
    /** The applications connected here, as the peers were last told. */
    private int clientsAnnounced = -1;
    /** Whether this node is suspended, as the peers were last told. */
    private boolean suspendedAnnounced;

    /**
     * @param topology     says whether this node is suspended.
     * @param groupHandler this node decides where message groups go (grouping.type = local).
     */
    Peers(final EngineControl control, final WireWriter frame, final String nodeId, final String group,
        final Topology topology, final boolean groupHandler)
    {
        this.groupHandler = groupHandler;
        this.control = control;
        this.frame = frame;
        this.nodeId = nodeId;
        this.group = group;
        this.topology = topology;
    }

    /**
     * A node joined over {@code output}: an earlier connection of the same node is no longer current.
     */
    Peer join(final ConnectionOutput output, final String nodeId, final String nodeName)
    {
        for (final Peer peer : peers.values())
        {
            if (peer.nodeId.equals(nodeId))
            {
                peer.current = false;
            }
        }
        final Peer peer = new Peer(output, nodeId, nodeName);
        peers.put(output.id(), peer);
        return peer;
    }

    /**
     * @return the node that joined over that connection, or null.
     */
    Peer get(final long connectionId)
    {
        return peers.get(connectionId);
    }

    void closed(final long connectionId)
    {
        peers.remove(connectionId);
    }

    Collection<Peer> all()
    {
        return peers.values();
    }

    int size()
    {
        return peers.size();
    }

    /**
     * Tells a node that joined of every queue and subscription of this node, then that the snapshot is complete.
     */
    void sendSnapshot(final Peer peer)
    {
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
        control.write(peer.output, ClusterFrameEncoder.bindingsEnd(frame));
        control.write(peer.output, ClusterFrameEncoder.clients(frame, control.clients(), topology.suspended,
            groupHandler));
    }

    /**
     * A queue or subscription was made or deleted, or its consumers changed: the peers hear of it at the end of the
     * batch.
     */
    void changed(final ServerQueue queue)
    {
        if (!peers.isEmpty() && isAnnounced(queue))
        {
            changed.add(queue);
        }
    }

    /**
     * The batch ends: every peer hears of what changed in it.
     */
    void announceChanges()
    {
        announceClients();
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

    private void announceClients()
    {
        final int clients = control.clients();
        if (clients == clientsAnnounced && topology.suspended == suspendedAnnounced || peers.isEmpty())
        {
            return;
        }
        clientsAnnounced = clients;
        suspendedAnnounced = topology.suspended;
        for (final Peer peer : peers.values())
        {
            control.write(peer.output, ClusterFrameEncoder.clients(frame, clients, suspendedAnnounced, groupHandler));
        }
    }

    /**
     * @return true for queues and subscriptions, and for a temporary queue made here again by a connection that
     * failed over from the node its name belongs to: other nodes send its messages here, not there.
     */
    private boolean isAnnounced(final ServerQueue queue)
    {
        if (queue.isTemporary())
        {
            final String owner = TemporaryNames.nodeOf(queue.name());
            return queue.subscription() == null && owner != null && !owner.equals(nodeId);
        }
        return !Cluster.isReserved(queue.name());
    }

    private void announce(final Peer peer, final ServerQueue queue)
    {
        if (!isAnnounced(queue))
        {
            return;
        }
        final SubscriptionSpec spec = queue.subscription();
        final boolean subscription = spec != null;
        final AddressSettings settings = control.settingsOf(subscription ? spec.topic() : queue.name());
        control.write(peer.output, ClusterFrameEncoder.binding(frame,
            subscription ? DestinationType.TOPIC : DestinationType.QUEUE,
            subscription ? spec.topic() : queue.name(),
            queue.name(),
            !queue.isDeleted(),
            !subscription || spec.durable() || spec.shared(),
            subscription ? spec.selectorText() : null,
            queue.openConsumers(),
            queue.consumerSelectors(),
            settings.clusterWeight(),
            settings.clusterRank(),
            group));
    }
}
