package io.meshmq.cluster.routing;

import io.meshmq.cluster.ClusterIdentity;
import io.meshmq.engine.extension.EngineControl;
import io.meshmq.engine.journal.JournalWriteException;
import io.meshmq.engine.processor.MessageReference;
import io.meshmq.engine.processor.ServerMessage;
import io.meshmq.engine.processor.ServerQueue;
import io.meshmq.protocol.DestinationType;

import java.util.ArrayList;
import java.util.HashMap;
import java.util.Iterator;
import java.util.List;
import java.util.Map;

/**
 * Moves a message group from a node with no consumer left for its queue to one that has, without breaking its order:
 * <ol>
 * <li>the node holding the group's messages, P, finds them stranded (its redistributor) and {@link GroupSignal.Kind#ASK
 * asks} the handler to move the group;</li>
 * <li>the handler chooses the new node N, parks the group's new messages from then on in {@link #PARKED}, and tells P
 * to {@link GroupSignal.Kind#MOVE move}, on the link that carried the group's messages to P, after all of them;</li>
 * <li>P sends every message of the group it holds to N, followed by {@link GroupSignal.Kind#ARRIVED}, which N, having
 * stored them all, passes on to the handler (or P answers {@link GroupSignal.Kind#STAYED}: it has a consumer again, or
 * messages it cannot move in order);</li>
 * <li>the handler pins the group to N (or back to P) and sends the parked messages there, after the moved ones.</li>
 * </ol>
 * Each step is a journal record on its node and each signal a forwarded message, so a crash of any node goes on where
 * it stopped; a handler that hears nothing resends its {@code MOVE} now and then (P moves what it has, and answers
 * again). When the handler's own queue is stranded, it moves the group itself, in one record, with nothing to park.
 * <p>
 * Not thread safe: processor thread only.
 */
final class GroupMoves
{
    /** The handler's queue of the messages of groups that are moving. */
    static final String PARKED = Cluster.RESERVED_PREFIX + "groups.parked";
    /** A node asks again about a group still stranded after this long. */
    static final long ASK_AGAIN_MS = 5_000;
    /** The handler tells the old node again to move a group after this long without an answer. */
    static final long MOVE_AGAIN_MS = 30_000;
    /** Messages moved per journal record. */
    private static final int BATCH = 500;
    private static final int MOVE_ID_SHIFT = 24;
    private static final System.Logger LOG = System.getLogger(GroupMoves.class.getName());

    private final String nodeId;
    private final EngineControl control;
    private final Topology topology;
    private final Router router;
    private final ForwardCopies copies;
    private final GroupPins pins;
    /** On the handler: the groups moving now, by move number. */
    private final Map<Long, GroupPins.Key> moving = new HashMap<>();
    /** Groups this node asked the handler to move, and when. */
    private final Map<GroupPins.Key, Long> asked = new HashMap<>();
    private long nextMoveId;
    /** After a restart: parked messages whose group no longer moves (its end was not kept) are routed again. */
    private boolean parkedToCheck;

    GroupMoves(final ClusterIdentity identity, final EngineControl control, final Topology topology,
        final Router router, final ForwardCopies copies, final GroupPins pins)
    {
        this.nodeId = identity.nodeId();
        this.control = control;
        this.topology = topology;
        this.router = router;
        this.copies = copies;
        this.pins = pins;
        this.nextMoveId = identity.incarnation() << MOVE_ID_SHIFT;
    }

    static boolean isParkedQueue(final String name)
    {
        return PARKED.equals(name);
    }

    /**
     * @return a reference, in {@link #PARKED}, to a copy of a message of a moving group.
     */
    MessageReference park(final ServerMessage message, final String queue)
    {
        return copies.copy(message, control.queue(PARKED), DestinationType.QUEUE, queue, List.of(queue), true);
    }

    // ---- the node holding the messages ------------------------------------------------------------------------

    /**
     * Messages of groups wait in a queue of this node with no consumer, while another node has one that would take
     * them: the handler is asked to move each group (at most every {@value #ASK_AGAIN_MS} ms), or, on the handler,
     * the groups it can move go at once, in one pass over the queue.
     *
     * @param samples the first waiting message of each group, by group.
     */
    void stranded(final ServerQueue queue, final Map<String, ServerMessage> samples)
    {
        if (pins.isLocalHandler())
        {
            moveHere(queue, samples);
            return;
        }
        final long nowMs = control.nowMs();
        final RemoteNode handler = pins.handler();
        if (handler == null || !handler.isUp())
        {
            return;
        }
        for (final ServerMessage sample : samples.values())
        {
            final GroupPins.Key key = new GroupPins.Key(queue.name(), sample.groupId());
            final Long askedMs = asked.get(key);
            if (askedMs == null || nowMs - askedMs >= ASK_AGAIN_MS)
            {
                asked.put(key, nowMs);
                final GroupSignal ask =
                    new GroupSignal(GroupSignal.Kind.ASK, key.queue(), key.group(), nodeId, "", 0);
                send(List.of(), List.of(signal(control.message(ask.encodeAsk(sample), 0), handler)), "ask to move");
            }
        }
    }

    /**
     * The handler tells this node to move a group's messages: they go, all, to the node named, followed by word that
     * they did; or, if this node has a consumer for the queue again or cannot move them in order, word that they
     * stayed.
     *
     * @return the answer, to be stored with the signal.
     */
    private List<MessageReference> move(final GroupSignal signal, final RemoteNode handler)
    {
        final GroupPins.Key key = new GroupPins.Key(signal.queue(), signal.group());
        asked.remove(key);
        final ServerQueue queue = control.existingQueue(signal.queue());
        final RemoteNode to = topology.node(signal.to());
        final String refusal = to == null ? "node " + signal.to() + " is not known here" :
            queue == null ? null :
            queue.openConsumers() > 0 && signal.moveId() != 0 ? "it has a consumer again" :
            queue.paged() > 0 ? "some of its messages are paged (they cannot be moved in order)" : null;
        if (refusal != null)
        {
            LOG.log(System.Logger.Level.INFO, "message group '" + key.group() + "' of '" + key.queue() + "' stays on " +
                "this node: " + refusal);
            return signal.moveId() == 0 ? List.of() : List.of(answer(signal, GroupSignal.Kind.STAYED, handler));
        }
        if (queue != null && !moveWaiting(queue, Map.of(key.group(), to)))
        {
            // Not moved (the journal failed): the handler resends its signal later.
            return List.of();
        }
        return signal.moveId() == 0 ? List.of() : List.of(answer(signal, GroupSignal.Kind.ARRIVED, to));
    }

    /**
     * Sends every waiting message of the group in the queue to the node, in order.
     *
     * @return false if the journal failed.
     */
    private boolean moveWaiting(final ServerQueue queue, final Map<String, RemoteNode> targets)
    {
        MessageReference reference = queue.first();
        final List<MessageReference> moved = new ArrayList<>();
        final List<MessageReference> forwards = new ArrayList<>();
        while (reference != null)
        {
            final MessageReference next = queue.after(reference);
            final String group = reference.message().groupId();
            final RemoteNode to = group == null ? null : targets.get(group);
            if (to != null)
            {
                moved.add(reference);
                forwards.add(copies.copy(reference.message(), to.bridge.queue(), DestinationType.QUEUE,
                    queue.address(), List.of(queue.name()), true));
                if (moved.size() == BATCH)
                {
                    if (!send(moved, forwards, "move"))
                    {
                        return false;
                    }
                    moved.clear();
                    forwards.clear();
                }
            }
            reference = next;
        }
        return send(moved, forwards, "move");
    }

    // ---- the node the messages moved to -----------------------------------------------------------------------

    /**
     * @return the word that the moved messages are stored here, for the handler (to be stored with the signal).
     */
    private List<MessageReference> arrived(final ServerMessage message, final GroupSignal signal)
    {
        if (pins.isLocalHandler())
        {
            answered(signal, true);
            return List.of();
        }
        final RemoteNode handler = pins.handler();
        if (handler == null)
        {
            LOG.log(System.Logger.Level.WARNING, "message group '" + signal.group() + "' of '" + signal.queue() +
                "' moved here, but no grouping handler is known to tell: it resends its word to move later");
            return List.of();
        }
        return List.of(signal(message, handler));
    }

    // ---- the handler ------------------------------------------------------------------------------------------

    /**
     * Another node asks to move a group whose messages wait there.
     */
    private void ask(final GroupPins.Key key, final ServerMessage sample, final String from)
    {
        final GroupPins.Pin pin = pinOfStranded(key, from);
        if (pin == null)
        {
            return;
        }
        if (!pin.nodeId.equals(from))
        {
            // Messages of an earlier life of the group, pinned elsewhere since: they join it there, if it can take
            // them, and nothing waits for them.
            if (hasConsumer(pin.nodeId, key.queue(), sample))
            {
                tellToMove(key, from, pin.nodeId, 0);
            }
            return;
        }
        final String to = choose(key.queue(), sample, from);
        if (to != null)
        {
            final long moveId = ++nextMoveId;
            pins.moving(key, pin, to, moveId);
            moving.put(moveId, key);
            tellToMove(key, from, to, moveId);
        }
    }

    /**
     * The handler's own queue holds messages of groups and no consumer: those it can move go at once, in one pass,
     * with nothing to park (every message of them passes this node).
     */
    private void moveHere(final ServerQueue queue, final Map<String, ServerMessage> samples)
    {
        final Map<String, RemoteNode> targets = new HashMap<>();
        final Map<String, GroupPins.Pin> settled = new HashMap<>();
        for (final ServerMessage sample : samples.values())
        {
            final GroupPins.Key key = new GroupPins.Key(queue.name(), sample.groupId());
            final GroupPins.Pin pin = pinOfStranded(key, GroupPins.HERE);
            if (pin == null)
            {
                continue;
            }
            if (!pin.nodeId.equals(GroupPins.HERE))
            {
                // Of an earlier life of the group, as in ask: they join it, if its node can take them.
                if (hasConsumer(pin.nodeId, key.queue(), sample))
                {
                    targets.put(key.group(), topology.node(pin.nodeId));
                }
                continue;
            }
            final String to = choose(key.queue(), sample, GroupPins.HERE);
            if (to != null)
            {
                targets.put(key.group(), topology.node(to));
                settled.put(key.group(), pin);
            }
        }
        if (targets.isEmpty() || !moveWaiting(queue, targets))
        {
            return;
        }
        for (final Map.Entry<String, GroupPins.Pin> entry : settled.entrySet())
        {
            final GroupPins.Key key = new GroupPins.Key(queue.name(), entry.getKey());
            final String to = targets.get(entry.getKey()).id;
            pins.settle(key, entry.getValue(), to);
            log(key, "this node", to);
        }
    }

    /**
     * @param from where messages of the group wait: {@link GroupPins#HERE} or a node's id.
     * @return the group's pin, made anew (to {@code from}) if the group was forgotten; null while it moves.
     */
    private GroupPins.Pin pinOfStranded(final GroupPins.Key key, final String from)
    {
        final GroupPins.Pin pin = pins.pin(key);
        if (pin != null && pin.isMoving())
        {
            return null;
        }
        // Forgotten (ended, unused, or dropped for room) while messages of it wait there: it is pinned there again.
        return pin == null ? pins.pinTo(key, from) : pin;
    }

    private void tellToMove(final GroupPins.Key key, final String from, final String to, final long moveId)
    {
        final RemoteNode holder = topology.node(from);
        if (holder == null)
        {
            return;
        }
        final GroupSignal move = new GroupSignal(GroupSignal.Kind.MOVE, key.queue(), key.group(), from,
            GroupPins.HERE.equals(to) ? nodeId : to, moveId);
        send(List.of(), List.of(signal(control.message(move.encode(control.nowMs()), 0), holder)), "move");
    }

    /**
     * @return where the group goes: a node other than {@code exclude} with a consumer that would take the sample, by
     * the address's load balancing; null if there is none.
     */
    private String choose(final String queue, final ServerMessage sample, final String exclude)
    {
        final ServerQueue here = GroupPins.HERE.equals(exclude) ? null : control.existingQueue(queue);
        final List<RemoteBinding> known = topology.bindings(DestinationType.QUEUE, queue);
        final List<RemoteBinding> there = new ArrayList<>();
        for (final RemoteBinding binding : known == null ? List.<RemoteBinding>of() : known)
        {
            if (!binding.node.id.equals(exclude) && binding.hasConsumerFor(sample))
            {
                there.add(binding);
            }
        }
        final boolean localTakes = here != null && router.hasConsumerAmong(here, List.of(), sample, queue);
        if (there.isEmpty() && !localTakes)
        {
            return null;
        }
        final Binding chosen = router.chooseAmong(localTakes ? here : null, there, sample, queue);
        return chosen instanceof RemoteBinding remote ? remote.node.id : GroupPins.HERE;
    }

    private boolean hasConsumer(final String node, final String queue, final ServerMessage sample)
    {
        if (GroupPins.HERE.equals(node))
        {
            final ServerQueue here = control.existingQueue(queue);
            return here != null && router.hasConsumerAmong(here, List.of(), sample, queue);
        }
        final List<RemoteBinding> known = topology.bindings(DestinationType.QUEUE, queue);
        for (final RemoteBinding binding : known == null ? List.<RemoteBinding>of() : known)
        {
            if (binding.node.id.equals(node) && binding.hasConsumerFor(sample))
            {
                return true;
            }
        }
        return false;
    }

    /**
     * The old node answered: the group's messages are on the new one (or stayed); its parked ones follow them.
     */
    private void answered(final GroupSignal signal, final boolean arrived)
    {
        final GroupPins.Key key = moving.get(signal.moveId());
        final GroupPins.Pin pin = key == null ? null : pins.pin(key);
        if (pin == null || !pin.isMoving() || pin.moveId != signal.moveId())
        {
            // The answer to a signal sent again, after the first answer ended the move.
            return;
        }
        final String to = arrived ? pin.movingTo : pin.nodeId;
        if (release(key, to))
        {
            moving.remove(signal.moveId());
            pins.settle(key, pin, to);
            if (arrived)
            {
                log(key, signal.from(), to);
            }
        }
    }

    /**
     * Sends the parked messages of the group to the node, in order.
     *
     * @return false if the journal failed.
     */
    private boolean release(final GroupPins.Key key, final String to)
    {
        final RemoteNode node = GroupPins.HERE.equals(to) ? null : topology.node(to);
        if (node == null && !GroupPins.HERE.equals(to))
        {
            // Removed from the cluster meanwhile: the group is kept here, where it can move on from.
            LOG.log(System.Logger.Level.WARNING, "message group '" + key.group() + "' of '" + key.queue() + "' was " +
                "moving to node " + to + ", which the cluster no longer has: its new messages stay here");
            return release(key, GroupPins.HERE);
        }
        final ServerQueue parked = control.existingQueue(PARKED);
        if (parked == null)
        {
            return true;
        }
        final List<MessageReference> released = new ArrayList<>();
        final List<MessageReference> targets = new ArrayList<>();
        for (MessageReference reference = parked.first(); reference != null; reference = parked.after(reference))
        {
            final ForwardCopies.Forward forward = ForwardCopies.read(reference.message());
            final ServerMessage original = control.message(forward.original(), 0);
            if (forward.address().equals(key.queue()) && key.group().equals(original.groupId()))
            {
                released.add(reference);
                targets.add(node == null ? control.queue(key.queue()).reference(original) :
                    copies.copy(original, node.bridge.queue(), DestinationType.QUEUE, key.queue(),
                        List.of(key.queue()), true));
            }
        }
        return send(released, targets, "release the parked messages of");
    }

    // ---- any node -----------------------------------------------------------------------------------------------

    /**
     * A signal another node forwarded.
     *
     * @param sentFrom the node that forwarded it.
     * @return what to store with it: the signals it makes this node send on.
     */
    List<MessageReference> onSignal(final ServerMessage message, final String sentFrom)
    {
        final GroupSignal signal;
        try
        {
            signal = GroupSignal.read(message);
        }
        catch (final IllegalArgumentException ex)
        {
            LOG.log(System.Logger.Level.WARNING, "node " + sentFrom + " sent what this node cannot read: " +
                ex.getMessage());
            return List.of();
        }
        switch (signal.kind())
        {
            case ASK:
                if (pins.isLocalHandler())
                {
                    ask(new GroupPins.Key(signal.queue(), signal.group()), message, signal.from());
                }
                return List.of();
            case MOVE:
                final RemoteNode handler = topology.node(sentFrom);
                return handler == null ? List.of() : move(signal, handler);
            case ARRIVED:
                return arrived(message, signal);
            case STAYED:
                if (pins.isLocalHandler())
                {
                    answered(signal, false);
                }
                return List.of();
            default:
                return List.of();
        }
    }

    int movingCount()
    {
        return moving.size();
    }

    // ---- time ---------------------------------------------------------------------------------------------------

    void restored()
    {
        moving.putAll(pins.movingGroups());
        parkedToCheck = true;
    }

    long nextDueMs()
    {
        return moving.isEmpty() && asked.isEmpty() && !parkedToCheck ? Long.MAX_VALUE :
            control.nowMs() + Redistributor.CHECK_INTERVAL_MS;
    }

    void onTick(final long nowMs)
    {
        asked.values().removeIf(askedMs -> nowMs - askedMs >= ASK_AGAIN_MS);
        if (parkedToCheck)
        {
            parkedToCheck = false;
            routeParkedAgain();
        }
        for (final Iterator<Map.Entry<Long, GroupPins.Key>> it = moving.entrySet().iterator(); it.hasNext(); )
        {
            final Map.Entry<Long, GroupPins.Key> entry = it.next();
            final GroupPins.Pin pin = pins.pin(entry.getValue());
            if (pin == null || !pin.isMoving() || pin.moveId != entry.getKey())
            {
                it.remove();
                continue;
            }
            if (nowMs - pin.moveSentMs < MOVE_AGAIN_MS)
            {
                continue;
            }
            pin.moveSentMs = nowMs;
            final RemoteNode from = topology.node(pin.nodeId);
            if (from == null)
            {
                // Removed from the cluster with what it held (left to an operator): the group goes on without it.
                if (release(entry.getValue(), pin.movingTo))
                {
                    it.remove();
                    pins.settle(entry.getValue(), pin, pin.movingTo);
                }
            }
            else if (from.isUp())
            {
                tellToMove(entry.getValue(), pin.nodeId, pin.movingTo, pin.moveId);
            }
        }
    }

    /**
     * After a restart: parked messages of a group that is not moving (the end of its move was journaled, its pin's
     * change was not written) go where the group is pinned.
     */
    private void routeParkedAgain()
    {
        final ServerQueue parked = control.existingQueue(PARKED);
        if (parked == null)
        {
            return;
        }
        for (MessageReference reference = parked.first(); reference != null; )
        {
            final MessageReference next = parked.after(reference);
            final ForwardCopies.Forward forward = ForwardCopies.read(reference.message());
            final ServerMessage original = control.message(forward.original(), 0);
            final GroupPins.Pin pin = pins.pin(new GroupPins.Key(forward.address(), original.groupId()));
            if (pin == null || !pin.isMoving())
            {
                final List<MessageReference> into = new ArrayList<>(1);
                pins.route(forward.address(), original, GroupPins.Origin.DECIDE_HERE, null, into, into);
                send(List.of(reference), into, "route again a parked message of");
            }
            reference = next;
        }
    }

    // ---- helpers ------------------------------------------------------------------------------------------------

    private MessageReference signal(final ServerMessage message, final RemoteNode to)
    {
        return copies.copy(message, to.bridge.queue(), DestinationType.QUEUE, GroupSignal.ADDRESS, List.of(),
            false);
    }

    private MessageReference answer(final GroupSignal move, final GroupSignal.Kind kind, final RemoteNode to)
    {
        final GroupSignal answer = new GroupSignal(kind, move.queue(), move.group(), move.from(), move.to(),
            move.moveId());
        return signal(control.message(answer.encode(control.nowMs()), 0), to);
    }

    /**
     * @return false if the journal failed (logged; nothing moved).
     */
    private boolean send(final List<MessageReference> originals, final List<MessageReference> copies,
        final String what)
    {
        if (originals.isEmpty() && copies.isEmpty())
        {
            return true;
        }
        try
        {
            control.move(new ArrayList<>(originals), new ArrayList<>(copies));
            return true;
        }
        catch (final JournalWriteException ex)
        {
            LOG.log(System.Logger.Level.WARNING, "could not " + what + " a message group: " + ex.getMessage());
            return false;
        }
    }

    private static void log(final GroupPins.Key key, final String from, final String to)
    {
        LOG.log(System.Logger.Level.INFO, "message group '" + key.group() + "' of '" + key.queue() + "' moved from " +
            from + " to " + (to.isEmpty() ? "this node" : "node " + to) + ", where its queue has a consumer");
    }
}
