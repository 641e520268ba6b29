package io.meshmq.cluster.routing;

import io.meshmq.cluster.ResentMessage;
import io.meshmq.cluster.wire.ClusterFrameEncoder;
import io.meshmq.engine.extension.EngineControl;
import io.meshmq.engine.processor.MessageReference;
import io.meshmq.engine.processor.ServerQueue;
import io.meshmq.engine.processor.TopicAddress;
import io.meshmq.engine.ring.ConnectionOutput;
import io.meshmq.protocol.DestinationType;
import io.meshmq.protocol.MessageFields;
import io.meshmq.protocol.ProtocolException;
import io.meshmq.protocol.WireWriter;

import java.util.HashMap;
import java.util.HashSet;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;

/**
 * Keeps a message stored once when a client that failed over from one node to another sends it again: the first node
 * may have stored it before its answer was lost. The node that stored the resend tells the first one (CLUSTER_RESENT)
 * as soon as its link to it is up, before it forwards anything over that link, and the first node drops its copies
 * that are not being delivered; a copy the first node forwards here before it heard is recognised and not stored.
 * <p>
 * Design note: only the node the client left is told, and only by the node that stored the resend, so a message that
 * moves on between other nodes later is never taken for a copy; and a forward from that node is taken for its copy only
 * for {@link #FIRST_COPY_WINDOW_MS} after it was told (the time it takes to drop its copies), so the kept message, were
 * it ever to come back here through that node, is stored. A copy the first node forwarded to a third node
 * before it died, or one it was delivering, stays: a duplicate the spec allows only as a redelivery, and the price
 * of having no replica (the replication issue removes it). What is remembered is bounded per node and kept in memory
 * only: a node that restarts before the node it was told of comes back forgets.
 * <p>
 * Not thread safe: processor thread only.
 */
final class Resends
{
    /** Resent messages remembered per node they were first sent to; older ones are forgotten first. */
    static final int CAPACITY = 10_000;
    /** How long after a node was told a forward from it may still be its copy, sent before it heard. */
    static final long FIRST_COPY_WINDOW_MS = 30_000;
    private static final System.Logger LOG = System.getLogger(Resends.class.getName());

    private final EngineControl control;
    private final Topology topology;
    private final WireWriter frame;
    /** By node id: resent messages that node has not been told of yet. */
    private final Map<String, LinkedHashSet<ResentMessage>> untold = new HashMap<>();
    /** By node id: resent messages whose first copy that node may still forward here. */
    private final Map<String, LinkedHashSet<ResentMessage>> expected = new HashMap<>();
    /** By node id: when it was last told. */
    private final Map<String, Long> toldAtMs = new HashMap<>();

    Resends(final EngineControl control, final Topology topology, final WireWriter frame)
    {
        this.control = control;
        this.topology = topology;
        this.frame = frame;
    }

    /**
     * A client sent this node a message again that it had sent node {@code nodeId} before.
     */
    void resent(final String nodeId, final byte type, final String address, final String messageId)
    {
        final ResentMessage message = new ResentMessage(kind(type), address, messageId);
        add(untold, nodeId, message);
        add(expected, nodeId, message);
    }

    /**
     * Tells every node whose link is up of the resends it has not heard of.
     */
    void tellNodesUp()
    {
        if (untold.isEmpty())
        {
            return;
        }
        for (final RemoteNode node : topology.nodes())
        {
            if (node.isUp())
            {
                tell(node.id, node.bridge.link());
            }
        }
    }

    /**
     * Tells a node, on its link, of the resends it has not heard of; before anything is forwarded over that link.
     */
    void tell(final String nodeId, final ConnectionOutput link)
    {
        final LinkedHashSet<ResentMessage> messages = untold.remove(nodeId);
        if (messages != null)
        {
            control.write(link, ClusterFrameEncoder.resent(frame, messages));
            toldAtMs.put(nodeId, control.nowMs());
        }
    }

    /**
     * @param duplicateId what duplicate detection knows the forwarded message by, or null.
     * @return true if the message another node forwards is its copy of one a client sent here again: it is
     * confirmed, not stored.
     */
    boolean isFirstCopy(final String nodeId, final byte kind, final String address, final String duplicateId)
    {
        final LinkedHashSet<ResentMessage> messages = expected.get(nodeId);
        if (messages == null || duplicateId == null)
        {
            return false;
        }
        final Long toldAt = toldAtMs.get(nodeId);
        if (toldAt != null && control.nowMs() - toldAt > FIRST_COPY_WINDOW_MS && !untold.containsKey(nodeId))
        {
            // It dropped its copies long ago: what it forwards now is no copy.
            expected.remove(nodeId);
            toldAtMs.remove(nodeId);
            return false;
        }
        if (!messages.remove(new ResentMessage(kind(kind), address, duplicateId)))
        {
            return false;
        }
        if (messages.isEmpty())
        {
            expected.remove(nodeId);
        }
        return true;
    }

    /**
     * Another node stored messages clients sent it again after failing over from this one: this node's copies of them
     * that wait (in their queues, or to cross to another node) go.
     */
    void dropCopies(final List<ResentMessage> messages)
    {
        final Set<ResentMessage> wanted = new HashSet<>(messages.size());
        final Set<ServerQueue> queues = new LinkedHashSet<>();
        for (final ResentMessage message : messages)
        {
            wanted.add(new ResentMessage(kind(message.type()), message.address(), message.duplicateId()));
            if (DestinationType.isTopic(message.type()))
            {
                final TopicAddress topic = control.existingTopic(message.address());
                if (topic != null)
                {
                    queues.addAll(topic.subscriptions());
                }
            }
            else
            {
                final ServerQueue queue = control.existingQueue(message.address());
                if (queue != null)
                {
                    queues.add(queue);
                }
            }
        }
        for (final RemoteNode node : topology.nodes())
        {
            queues.add(node.bridge.queue());
        }
        int dropped = 0;
        for (final ServerQueue queue : queues)
        {
            dropped += drop(queue, wanted);
        }
        if (dropped > 0)
        {
            LOG.log(System.Logger.Level.INFO, "dropped " + dropped + " stored messages that clients sent again to " +
                "another node after failing over from this one (they are stored there)");
        }
    }

    private int drop(final ServerQueue queue, final Set<ResentMessage> wanted)
    {
        int dropped = 0;
        MessageReference reference = queue.first();
        while (reference != null)
        {
            final MessageReference next = queue.after(reference);
            if (wanted.contains(resentKey(reference.message().encoded())))
            {
                queue.remove(reference);
                control.acknowledge(reference);
                dropped++;
            }
            reference = next;
        }
        return dropped;
    }

    private static ResentMessage resentKey(final byte[] encoded)
    {
        try
        {
            final MessageFields.Address address = MessageFields.addressOf(encoded);
            return new ResentMessage(kind(address.destinationType()), address.destinationName(), address.duplicateId());
        }
        catch (final ProtocolException ex)
        {
            return null;
        }
    }

    /**
     * @return QUEUE or TOPIC: what a client sent to and what the mesh forwards name the same address differently
     * only for temporary destinations.
     */
    private static byte kind(final byte type)
    {
        return DestinationType.isTopic(type) ? DestinationType.TOPIC : DestinationType.QUEUE;
    }

    private static void add(final Map<String, LinkedHashSet<ResentMessage>> byNode, final String nodeId,
        final ResentMessage message)
    {
        final LinkedHashSet<ResentMessage> messages = byNode.computeIfAbsent(nodeId, id -> new LinkedHashSet<>());
        if (messages.add(message) && messages.size() > CAPACITY)
        {
            messages.remove(messages.iterator().next());
        }
    }
}
