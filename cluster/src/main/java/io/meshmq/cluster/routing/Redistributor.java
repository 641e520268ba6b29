package io.meshmq.cluster.routing;

import io.meshmq.engine.extension.EngineControl;
import io.meshmq.engine.journal.JournalWriteException;
import io.meshmq.engine.processor.AddressSettings;
import io.meshmq.engine.processor.MessageReference;
import io.meshmq.engine.processor.ServerMessage;
import io.meshmq.engine.processor.ServerQueue;
import io.meshmq.engine.processor.SubscriptionSpec;
import io.meshmq.engine.processor.TopicAddress;
import io.meshmq.protocol.DestinationType;

import java.util.ArrayList;
import java.util.IdentityHashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * Moves messages of queues that have no consumers here to nodes whose queue of the same name has, once the address's
 * redistribution delay has passed; a group kept on one node moves whole, through the grouping handler
 * ({@link GroupMoves}), never message by message. A move is one journal record: the copies in the forward queues and
 * the end of the originals, so a crash keeps one or the other.
 * <p>
 * Not thread safe: processor thread only.
 */
final class Redistributor
{
    static final long CHECK_INTERVAL_MS = 100;
    /** Messages one queue moves to other nodes per pass. */
    private static final int BATCH = 500;
    private static final System.Logger LOG = System.getLogger(Redistributor.class.getName());

    private final EngineControl control;
    private final Topology topology;
    private final ForwardCopies copies;
    private final RoundRobin roundRobin;
    private final GroupPins groups;
    /** Queues whose messages may move to other nodes' consumers once this time (ms) has come. */
    private final Map<ServerQueue, Long> dueMs = new IdentityHashMap<>();
    private long lastCheckMs;

    /**
     * @param groups which messages are in groups kept on one node: those move only as a group.
     */
    Redistributor(final EngineControl control, final Topology topology, final ForwardCopies copies,
        final RoundRobin roundRobin, final GroupPins groups)
    {
        this.control = control;
        this.topology = topology;
        this.copies = copies;
        this.roundRobin = roundRobin;
        this.groups = groups;
    }

    /**
     * Something changed that may let stranded messages move (a consumer appeared on another node): look at the next
     * tick.
     */
    void soon()
    {
        lastCheckMs = 0;
    }

    /**
     * @return when the next check is due; never while no other node is known.
     */
    long nextDueMs()
    {
        return topology.nodes().isEmpty() ? Long.MAX_VALUE : lastCheckMs + CHECK_INTERVAL_MS;
    }

    /**
     * The queue is gone: nothing is pending for it.
     */
    void forget(final ServerQueue queue)
    {
        dueMs.remove(queue);
    }

    void onTick(final long nowMs)
    {
        if (nowMs - lastCheckMs < CHECK_INTERVAL_MS)
        {
            return;
        }
        lastCheckMs = nowMs;
        if (!topology.hasBindings())
        {
            return;
        }
        for (final ServerQueue queue : new ArrayList<>(control.queues()))
        {
            redistribute(queue, topology.bindings(DestinationType.QUEUE, queue.name()), nowMs);
        }
        for (final TopicAddress topic : control.topics())
        {
            final List<RemoteBinding> remote = topology.bindings(DestinationType.TOPIC, topic.name());
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
            dueMs.remove(queue);
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
            dueMs.remove(queue);
            return;
        }
        if (nowMs < dueMs.computeIfAbsent(queue, q -> nowMs + settings.redistributionDelayMs()))
        {
            return;
        }
        move(queue, takers, nowMs);
    }

    private void move(final ServerQueue queue, final List<RemoteBinding> takers, final long nowMs)
    {
        final List<MessageReference> moved = new ArrayList<>();
        final List<MessageReference> forwards = new ArrayList<>();
        final byte type = queue.subscription() == null ? DestinationType.QUEUE : DestinationType.TOPIC;
        final String address = queue.address();
        final List<RemoteBinding> candidates = new ArrayList<>(takers.size());
        // A group's first waiting message, by group: the group moves whole, through the grouping handler.
        final Map<String, ServerMessage> stranded = new LinkedHashMap<>();
        MessageReference reference = queue.first();
        while (reference != null && moved.size() < BATCH)
        {
            candidates.clear();
            for (final RemoteBinding binding : takers)
            {
                if (binding.hasConsumerFor(reference.message()))
                {
                    candidates.add(binding);
                }
            }
            final boolean grouped = groups.applies(type, reference.message());
            if (grouped && !candidates.isEmpty() && stranded.size() < BATCH)
            {
                stranded.putIfAbsent(reference.message().groupId(), reference.message());
            }
            if (!candidates.isEmpty() && !reference.message().isExpired(nowMs) && !grouped)
            {
                final RemoteBinding target = roundRobin.next(queue.name(), LoadBalancer.ofBestRank(candidates));
                forwards.add(copies.copy(reference.message(), target.node.bridge.queue(), type, address,
                    List.of(queue.name()), true));
                moved.add(reference);
            }
            reference = queue.after(reference);
        }
        if (!stranded.isEmpty())
        {
            groups.moves().stranded(queue, stranded);
        }
        if (moved.isEmpty())
        {
            return;
        }
        try
        {
            control.move(moved, forwards);
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
            soon();
        }
    }
}
