package io.meshmq.cluster.routing;

import io.meshmq.cluster.wire.ClusterFrameEncoder;
import io.meshmq.engine.extension.EngineControl;
import io.meshmq.engine.extension.QueueDrain;
import io.meshmq.engine.processor.MessageReference;
import io.meshmq.engine.processor.ServerMessage;
import io.meshmq.engine.processor.ServerQueue;
import io.meshmq.engine.ring.ConnectionOutput;
import io.meshmq.protocol.LargeBodyDescriptor;
import io.meshmq.protocol.WireWriter;
import org.agrona.collections.Long2LongHashMap;
import org.agrona.collections.Long2ObjectHashMap;
import org.agrona.collections.LongHashSet;

import java.util.Arrays;

/**
 * Store and forward to one other broker: the messages of a durable queue cross a link in order, at most a window of
 * them unconfirmed; a message leaves the queue only when the other broker confirms it stored it. A lost link gives the
 * unconfirmed back to the front of the queue, in order, to be sent again on the next; the other broker recognises a
 * resend by its sequence. A refusal pauses the bridge for a while, then it sends again from the refused one.
 * <p>
 * In order means on each of two lanes: a large message waits until its body, sent ahead on a connection of its own,
 * is on the other node, and holds back the large lane only; the other lane's forwards go on meanwhile. The large lane
 * takes large messages, and whatever the connection that sent one sends after it until those are confirmed, so one
 * session's messages keep their order.
 * <p>
 * A journaled message crosses only once its record here is as safe as a confirmation needs (forced, and on the
 * replica): stored over there while lost here, its producer, never answered, would send it again to whoever serves
 * this journal next, which would not know it, and the other node would store it twice.
 * <p>
 * Not thread safe: processor thread only. It drains its queue (dispatch calls {@link #drain}).
 */
final class Bridge implements QueueDrain
{
    /** Forwards sent and not yet confirmed, at most. */
    static final int WINDOW = 1000;
    static final long PAUSE_AFTER_REFUSAL_MS = 1000;
    private static final System.Logger LOG = System.getLogger(Bridge.class.getName());

    private final ServerQueue queue;
    private final EngineControl control;
    private final WireWriter frame;
    /** Forwards sent and not yet confirmed, by sequence. */
    private final Long2ObjectHashMap<MessageReference> inFlight = new Long2ObjectHashMap<>();
    /** For people: whom it forwards to. */
    private String target;
    /** Where forwards are written while the link is up; null while it is down. */
    private ConnectionOutput link;
    /** After a refused forward, nothing more is sent before this time. */
    private long pausedUntilMs;
    private long forwarded;
    /** Asks for a large body (id, length) to be sent ahead to the other node; set with the link. */
    private Stager stager;
    /** Journaled messages of this arrival (in the queue) or earlier are stored safely enough to cross. */
    private long safeArrival = -1;
    /** A wait for the journal to make what the queue holds safe is under way. */
    private boolean awaitingSafety;
    /**
     * By the connection that sent it (0: none, or not known after a restart), the sequence of its last forward put on
     * the large lane; gone once that one is confirmed (the lane crosses in order: the connection's earlier ones are
     * stored over there then).
     */
    private final Long2LongHashMap largeLaneUntil = new Long2LongHashMap(-1);
    /** Large bodies the other node keeps for their forwards, and those on their way there. */
    private final LongHashSet staged = new LongHashSet();
    private final LongHashSet staging = new LongHashSet();

    /**
     * Sends a large body ahead of its forward (see {@link io.meshmq.cluster.LargeStaging}).
     */
    @FunctionalInterface
    interface Stager
    {
        /**
         * @return false if it cannot be sent now (the mesh does not run yet).
         */
        boolean stage(long bodyId, long length);
    }

    /**
     * @param frame the writer forwards are encoded in; shared with the caller's other frames on this thread.
     */
    Bridge(final String target, final ServerQueue queue, final EngineControl control, final WireWriter frame)
    {
        this.target = target;
        this.queue = queue;
        this.control = control;
        this.frame = frame;
        queue.drainBy(this);
    }

    void target(final String target)
    {
        this.target = target;
    }

    ServerQueue queue()
    {
        return queue;
    }

    /**
     * @return where forwards go while the link is up; null while it is down.
     */
    ConnectionOutput link()
    {
        return link;
    }

    boolean isUp()
    {
        return link != null;
    }

    /**
     * @return messages waiting or sent and unconfirmed.
     */
    long backlog()
    {
        return queue.size() + inFlight.size();
    }

    /**
     * @return messages the other broker confirmed.
     */
    long forwarded()
    {
        return forwarded;
    }

    /**
     * A link is up: what waits crosses it.
     */
    void up(final ConnectionOutput link, final Stager stager)
    {
        this.link = link;
        this.stager = stager;
        pausedUntilMs = 0;
        control.touch(queue);
    }

    /**
     * The link is gone: forwards it did not confirm go back to the front of the queue, in order, to be sent again on
     * the next link.
     */
    void down()
    {
        link = null;
        // The other node may have restarted meanwhile and lost what it kept: sent again before the forwards.
        staged.clear();
        staging.clear();
        final long[] sequences = new long[inFlight.size()];
        int i = 0;
        for (final Long2ObjectHashMap<MessageReference>.KeyIterator it = inFlight.keySet().iterator(); it.hasNext(); )
        {
            sequences[i++] = it.nextLong();
        }
        Arrays.sort(sequences);
        for (final long sequence : sequences)
        {
            queue.giveBack(inFlight.remove(sequence));
        }
    }

    /**
     * Sends what waits, as far as the link and the window allow.
     */
    @Override
    public void drain(final ServerQueue drained)
    {
        if (link == null || pausedUntilMs > control.nowMs())
        {
            return;
        }
        boolean largeLaneWaits = false;
        int passed = 0;
        MessageReference reference = queue.first();
        while (reference != null && inFlight.size() < WINDOW)
        {
            if (!link.isWritable())
            {
                control.stalled(queue);
                return;
            }
            if (reference.isJournaled() && reference.arrival() > safeArrival && !awaitSafety())
            {
                return;
            }
            final MessageReference next = queue.after(reference);
            final boolean expired = reference.message().isExpired(control.nowMs());
            if (ForwardCopies.isOnLargeLane(reference.message()) &&
                (largeLaneWaits || !expired && !isStaged(reference.message())))
            {
                // It and the large lane's forwards after it wait (each lane crosses in order) until its body is there.
                largeLaneWaits = true;
                if (++passed == WINDOW)
                {
                    return;
                }
                reference = next;
                continue;
            }
            queue.remove(reference);
            if (expired)
            {
                control.expire(queue, reference);
            }
            else if (send(reference))
            {
                reference.countDelivery();
            }
            reference = next;
        }
    }

    /**
     * Everything in the queue now was journaled already: once that is safe, it may all cross. If the journal fails
     * to make it so, the bridge pauses and asks again (what the journal failed to force, it writes again).
     *
     * @return true if it is safe already (then the drain goes on: a touch of the queue while it drains is lost).
     */
    private boolean awaitSafety()
    {
        if (awaitingSafety)
        {
            return false;
        }
        awaitingSafety = true;
        final long upTo = queue.last().arrival();
        control.afterStored(() ->
        {
            awaitingSafety = false;
            safeArrival = Math.max(safeArrival, upTo);
            control.touch(queue);
        }, () ->
        {
            awaitingSafety = false;
            pausedUntilMs = control.nowMs() + PAUSE_AFTER_REFUSAL_MS;
        });
        return !awaitingSafety && pausedUntilMs <= control.nowMs();
    }

    /**
     * Chooses the lane of a forward being made: the large lane for a large message, and for what the connection that
     * sent one sends after it while any of its forwards are on that lane (one session's messages keep their order),
     * and for messages of a group and group signals while anything is on it (a group's messages and the signals that
     * move it between nodes keep their order); the other lane otherwise.
     *
     * @return true for the large lane.
     */
    boolean laneOf(final ServerMessage message, final String address, final long sequence)
    {
        final long origin = message.originConnectionId();
        final boolean large = message.largeBodyId() != 0 || largeLaneUntil.containsKey(origin) ||
            !largeLaneUntil.isEmpty() && (GroupSignal.ADDRESS.equals(address) || message.groupId() != null);
        if (large)
        {
            largeLaneUntil.put(origin, sequence);
        }
        return large;
    }

    @Override
    public String describe()
    {
        return target;
    }

    /**
     * @return true if the message has no large body, or the other node keeps its body; else asks for it to be sent
     * there, once.
     */
    private boolean isStaged(final ServerMessage message)
    {
        final long bodyId = message.largeBodyId();
        if (bodyId == 0 || staged.contains(bodyId))
        {
            return true;
        }
        if (!staging.contains(bodyId) && stager != null &&
            stager.stage(bodyId, LargeBodyDescriptor.length(message.encoded())))
        {
            staging.add(bodyId);
        }
        return false;
    }

    /**
     * A large body sent ahead arrived at the other node ({@code failure} null) or did not: its forward goes now, or
     * after a pause, when the body is sent again.
     */
    void staged(final long bodyId, final String failure)
    {
        if (!staging.remove(bodyId))
        {
            return;
        }
        if (failure == null)
        {
            staged.add(bodyId);
        }
        else
        {
            LOG.log(System.Logger.Level.WARNING, "a large message's body did not reach " + target + " (sent again in " +
                PAUSE_AFTER_REFUSAL_MS + " ms): " + failure);
            pausedUntilMs = control.nowMs() + PAUSE_AFTER_REFUSAL_MS;
        }
        control.touch(queue);
    }

    /**
     * @return false if the copy was unreadable and dropped.
     */
    private boolean send(final MessageReference reference)
    {
        final ForwardCopies.Forward forward;
        try
        {
            forward = ForwardCopies.read(reference.message());
        }
        catch (final IllegalArgumentException ex)
        {
            LOG.log(System.Logger.Level.ERROR, "dropped a message in the forward queue to " + target +
                ": its route cannot be read (" + ex.getMessage() + ")");
            control.drop(reference);
            return false;
        }
        control.write(link, ClusterFrameEncoder.send(frame, forward.sequence(), forward.kind(), forward.address(),
            forward.queues(), forward.moved(), forward.largeLane(), forward.original()));
        inFlight.put(forward.sequence(), reference);
        return true;
    }

    /**
     * The other broker stored the forward: the copy is done with.
     */
    void confirmed(final long sequence)
    {
        final MessageReference reference = inFlight.remove(sequence);
        if (reference == null)
        {
            return;
        }
        forwarded++;
        staged.remove(reference.message().largeBodyId());
        final long origin = reference.message().originConnectionId();
        if (largeLaneUntil.get(origin) == sequence)
        {
            largeLaneUntil.remove(origin);
        }
        control.acknowledge(reference);
        if (!queue.isEmpty())
        {
            control.touch(queue);
        }
    }

    /**
     * Takes a forward back that its sender was told failed: out of the queue if it waits there; forgotten if it was
     * sent and not confirmed (a late confirmation is then ignored, and it is not sent again on the next link).
     *
     * @return true if it had been sent: the other broker may yet store it.
     */
    boolean withdraw(final long sequence, final MessageReference reference)
    {
        if (inFlight.remove(sequence) != null)
        {
            control.drop(reference);
            return true;
        }
        if (queue.isWaiting(reference))
        {
            queue.remove(reference);
            control.drop(reference);
        }
        return false;
    }

    /**
     * The other broker refused the forward: it goes back, and the bridge pauses (the other broker closes the link, so
     * everything after it is sent again in order).
     */
    void refused(final long sequence, final String failure)
    {
        final MessageReference reference = inFlight.remove(sequence);
        if (reference == null)
        {
            return;
        }
        LOG.log(System.Logger.Level.WARNING, target + " refused a forwarded message, sent again in " +
            PAUSE_AFTER_REFUSAL_MS + " ms: " + failure);
        // A large body it kept may be gone (it restarted): sent again ahead of it.
        staged.remove(reference.message().largeBodyId());
        queue.giveBack(reference);
        pausedUntilMs = control.nowMs() + PAUSE_AFTER_REFUSAL_MS;
    }

    /**
     * Ends a pause whose time has come.
     */
    void onTick(final long nowMs)
    {
        if (link != null && pausedUntilMs != 0 && pausedUntilMs <= nowMs)
        {
            pausedUntilMs = 0;
            control.touch(queue);
        }
    }
}
