package io.meshmq.cluster.routing;

import io.meshmq.engine.extension.EngineControl;
import io.meshmq.engine.processor.MessageReference;
import io.meshmq.engine.ring.ConnectionOutput;
import io.meshmq.protocol.DestinationType;
import io.meshmq.protocol.ErrorCode;
import org.agrona.collections.Long2ObjectHashMap;

import java.util.ArrayList;
import java.util.Comparator;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.PriorityQueue;
import java.util.Set;

/**
 * Sends whose sender is answered only once the other nodes they go to stored them (an address whose
 * {@code unreachable-node} is fail). A send waits for every copy's confirmation; a copy refused, a link lost, or
 * {@code cluster.send-timeout} passed fails it, naming the node and why, and withdraws its copies not stored yet, so a
 * send its sender was told failed is not delivered later. A copy already sent when the time runs out cannot be called
 * back: the sender is told it may yet be stored.
 * <p>
 * Not thread safe: processor thread only.
 */
final class AwaitedStores
{
    /**
     * A send waiting for other nodes.
     */
    private static final class Awaited
    {
        final String name;
        final ConnectionOutput sender;
        final long correlationId;
        final long mark;
        final long deadlineMs;
        final long timeoutMs;
        /** The setting whose time it waits, for its sender. */
        final String setting;
        final boolean storedHere;
        final List<Copy> copies = new ArrayList<>(1);
        int waiting;
        boolean answered;

        Awaited(final String name, final ConnectionOutput sender, final long correlationId, final long mark,
            final long deadlineMs, final long timeoutMs, final String setting, final boolean storedHere)
        {
            this.name = name;
            this.sender = sender;
            this.correlationId = correlationId;
            this.mark = mark;
            this.deadlineMs = deadlineMs;
            this.timeoutMs = timeoutMs;
            this.setting = setting;
            this.storedHere = storedHere;
        }
    }

    /**
     * One copy of a waiting send, in one node's forward queue.
     */
    private record Copy(Awaited send, RemoteNode node, long sequence, MessageReference reference)
    {
    }

    private final EngineControl control;
    private final Topology topology;
    /** Copies not yet stored, by their sequence (unique on this node, whichever node they go to). */
    private final Long2ObjectHashMap<Copy> waiting = new Long2ObjectHashMap<>();
    /** In the order their time runs out. */
    private final PriorityQueue<Awaited> byDeadline =
        new PriorityQueue<>(Comparator.comparingLong((Awaited send) -> send.deadlineMs));

    AwaitedStores(final EngineControl control, final Topology topology)
    {
        this.control = control;
        this.topology = topology;
    }

    /**
     * Holds a send's answer until the nodes its copies go to stored them; fails it at once if one of them is down.
     *
     * @param storedHere the send also put the message in a queue of this node.
     * @param timeoutMs  how long it waits for them.
     * @param setting    the setting that says so, for its sender.
     * @return false if none of the copies goes to a node this cluster knows (the caller answers as usual).
     */
    boolean await(final String name, final boolean storedHere, final List<MessageReference> copies,
        final ConnectionOutput sender, final long correlationId, final long mark, final long timeoutMs,
        final String setting)
    {
        final Awaited send = new Awaited(name, sender, correlationId, mark, control.nowMs() + timeoutMs, timeoutMs,
            setting, storedHere);
        RemoteNode down = null;
        for (int i = 0; i < copies.size(); i++)
        {
            final MessageReference reference = copies.get(i);
            final RemoteNode node = nodeOf(reference);
            if (node != null)
            {
                final Copy copy = new Copy(send, node, ForwardCopies.sequenceOf(reference.message()), reference);
                send.copies.add(copy);
                waiting.put(copy.sequence, copy);
                send.waiting++;
                down = node.isReachable() ? down : node;
            }
        }
        if (send.waiting == 0)
        {
            return false;
        }
        byDeadline.add(send);
        if (down != null)
        {
            fail(send, RemoteNode.named(down.name) + " is not reachable (" + down.state + ")");
        }
        return true;
    }

    /**
     * The other node stored a forward.
     */
    void stored(final long sequence)
    {
        final Copy copy = waiting.remove(sequence);
        if (copy != null && --copy.send.waiting == 0 && !copy.send.answered)
        {
            copy.send.answered = true;
            control.confirm(copy.send.sender, copy.send.correlationId, copy.send.mark);
        }
    }

    /**
     * The other node refused a forward.
     *
     * @return true if it was a copy of a waiting send, now failed and withdrawn (the bridge is not to send it again).
     */
    boolean refused(final RemoteNode node, final long sequence, final String failure)
    {
        final Copy copy = waiting.get(sequence);
        if (copy == null)
        {
            return false;
        }
        fail(copy.send, RemoteNode.named(node.name) + " refused the message: " + failure);
        return true;
    }

    /**
     * A node's link is gone (its bridge gave what it had sent back to its queue): sends waiting for it fail.
     */
    void unreachable(final RemoteNode node, final String reason)
    {
        final Set<Awaited> failing = new LinkedHashSet<>();
        for (final Copy copy : waiting.values())
        {
            if (copy.node == node)
            {
                failing.add(copy.send);
            }
        }
        for (final Awaited send : failing)
        {
            fail(send, RemoteNode.named(node.name) + " went down (" + reason + ") before it confirmed it stored the " +
                "message");
        }
    }

    void onTick(final long nowMs)
    {
        while (!byDeadline.isEmpty() && (byDeadline.peek().answered || byDeadline.peek().deadlineMs <= nowMs))
        {
            final Awaited send = byDeadline.poll();
            if (!send.answered)
            {
                final List<String> silent = new ArrayList<>();
                for (final Copy copy : send.copies)
                {
                    if (waiting.containsKey(copy.sequence) && !silent.contains(copy.node.name))
                    {
                        silent.add(copy.node.name);
                    }
                }
                fail(send, RemoteNode.named(silent) + " did not confirm it stored the message within " +
                    send.timeoutMs + " ms (" + send.setting + ")");
            }
        }
    }

    /**
     * @return when the next waiting send's time runs out; {@code Long.MAX_VALUE} for none.
     */
    long nextDueMs()
    {
        while (!byDeadline.isEmpty() && byDeadline.peek().answered)
        {
            byDeadline.poll();
        }
        return byDeadline.isEmpty() ? Long.MAX_VALUE : byDeadline.peek().deadlineMs;
    }

    /**
     * Withdraws the send's copies not stored yet and tells its sender why it failed and where it is stored.
     */
    private void fail(final Awaited send, final String cause)
    {
        send.answered = true;
        final List<String> stored = new ArrayList<>();
        if (send.storedHere)
        {
            stored.add("this node");
        }
        boolean mayYetBeStored = false;
        for (final Copy copy : send.copies)
        {
            if (waiting.remove(copy.sequence) == null)
            {
                stored.add(RemoteNode.named(copy.node.name));
            }
            else
            {
                mayYetBeStored |= copy.node.bridge.withdraw(copy.sequence, copy.reference);
            }
        }
        if (stored.isEmpty() && !send.copies.isEmpty())
        {
            // Stored nowhere (as far as is known): a retry is no duplicate. Were a copy already sent stored after all,
            // the retry makes a second: better than a retry taken for a duplicate of what was never stored.
            control.forgetStored(DestinationType.QUEUE, send.name,
                control.duplicateId(send.copies.get(0).reference().message().encoded()));
        }
        control.error(send.sender, send.correlationId, ErrorCode.GENERIC, "send to '" + send.name + "' failed: " +
            (stored.isEmpty() ? "" : "stored on " + String.join(", ", stored) + "; ") + cause + "; " +
            (mayYetBeStored ? "it was sent and may yet be stored there" : "it was withdrawn"));
    }

    private RemoteNode nodeOf(final MessageReference copy)
    {
        for (final RemoteNode node : topology.nodes())
        {
            if (node.bridge.queue() == copy.queue())
            {
                return node;
            }
        }
        return null;
    }
}
