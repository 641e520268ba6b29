package io.meshmq.engine.processor;

import io.meshmq.engine.ring.ConnectionOutput;

import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.Collections;
import java.util.EnumSet;
import java.util.List;

/**
 * Holds the answers to commands until what they wrote is safe: each answer waits at the store's write position after
 * its command, and is released once every condition the store requires has passed that position (forced to disk
 * today; stored on a replica too once the store replicates). Answers are released in the order their commands ran.
 * <p>
 * Positions handed to a force (or other work) in flight are "requested": answers up to them wait for that work's end;
 * answers beyond them have not been asked for yet.
 * <p>
 * Not thread safe: processor thread only.
 */
final class ConfirmationTracker
{
    /**
     * What a position must have passed before the answers waiting there may go.
     */
    enum Condition
    {
        /** The journal's records are on disk. */
        FORCED,
        /** The records are stored on a replica (required only once a replica is attached). */
        REPLICATED
    }

    /**
     * A command's answer, or something to do, once everything up to {@code position} is safe.
     */
    private record Waiting(long position, ConnectionOutput output, long correlationId, Runnable action,
        Runnable failed)
    {
    }

    private final ArrayDeque<Waiting> waiting = new ArrayDeque<>();
    private final EnumSet<Condition> required = EnumSet.of(Condition.FORCED);
    private final long[] passed = new long[Condition.values().length];
    private long requested;

    /**
     * From now on answers also wait for {@code condition}.
     */
    void require(final Condition condition)
    {
        required.add(condition);
    }

    /**
     * Answers no longer wait for {@code condition}: those only it held go, in order.
     */
    void unrequire(final Condition condition, final Durability.Confirmer confirmer)
    {
        if (condition != Condition.FORCED && required.remove(condition))
        {
            passed(Condition.FORCED, passed[Condition.FORCED.ordinal()], confirmer);
        }
    }

    /**
     * @return the highest position handed to work in flight (a force) so far.
     */
    long requested()
    {
        return requested;
    }

    /**
     * Holds a command's answer until everything up to {@code position} is safe.
     */
    void waitFor(final long position, final ConnectionOutput output, final long correlationId)
    {
        waiting.addLast(new Waiting(position, output, correlationId, null, null));
    }

    /**
     * Runs {@code action} once everything up to {@code position} is safe (not at all if that fails).
     */
    void afterwards(final long position, final Runnable action)
    {
        afterwards(position, action, null);
    }

    /**
     * Runs {@code action} once everything up to {@code position} is safe, or {@code failed} (if not null) if that
     * fails.
     */
    void afterwards(final long position, final Runnable action, final Runnable failed)
    {
        if (waiting.isEmpty() && position <= safe())
        {
            // Safe already, and nothing before it waits: no later force would come to release it.
            action.run();
            return;
        }
        waiting.addLast(new Waiting(position, null, 0, action, failed));
    }

    /**
     * @return true if answers wait beyond the positions requested so far.
     */
    boolean hasUnrequested()
    {
        return !waiting.isEmpty() && waiting.peekLast().position > requested;
    }

    /**
     * Work that will pass everything up to {@code position} is in flight.
     */
    void requested(final long position)
    {
        requested = Math.max(requested, position);
    }

    /**
     * {@code condition} has passed {@code position}: answers every condition has passed go, in order.
     */
    void passed(final Condition condition, final long position, final Durability.Confirmer confirmer)
    {
        passed[condition.ordinal()] = Math.max(passed[condition.ordinal()], position);
        final long safe = safe();
        while (!waiting.isEmpty() && waiting.peekFirst().position <= safe)
        {
            release(waiting.pollFirst(), confirmer);
        }
    }

    /**
     * @return the position every required condition has passed.
     */
    private long safe()
    {
        long safe = Long.MAX_VALUE;
        for (final Condition c : required)
        {
            safe = Math.min(safe, passed[c.ordinal()]);
        }
        return safe;
    }

    /**
     * Nothing beyond the requested positions needs to pass anything more (the store has nothing unsafe there): the
     * answers waiting there go now.
     */
    void releaseUnrequested(final Durability.Confirmer confirmer)
    {
        for (final Waiting w : takeUnrequested())
        {
            release(w, confirmer);
        }
    }

    /**
     * The work in flight up to {@code position} failed: the answers waiting up to it fail (actions are dropped, their
     * failure actions run).
     */
    void failUpTo(final long position, final String reason, final Durability.Confirmer confirmer)
    {
        while (!waiting.isEmpty() && waiting.peekFirst().position <= position)
        {
            fail(waiting.pollFirst(), reason, confirmer);
        }
    }

    /**
     * What the answers beyond the requested positions wait for cannot be done: they fail (actions are dropped, their
     * failure actions run).
     */
    void failUnrequested(final String reason, final Durability.Confirmer confirmer)
    {
        for (final Waiting w : takeUnrequested())
        {
            fail(w, reason, confirmer);
        }
    }

    /**
     * @return the answers beyond the requested positions, in order, taken out.
     */
    private List<Waiting> takeUnrequested()
    {
        if (!hasUnrequested())
        {
            // The common case, once per batch with nothing to force: nothing to take, nothing to allocate.
            return List.of();
        }
        final List<Waiting> taken = new ArrayList<>();
        while (!waiting.isEmpty() && waiting.peekLast().position > requested)
        {
            taken.add(waiting.pollLast());
        }
        Collections.reverse(taken);
        return taken;
    }

    private static void release(final Waiting w, final Durability.Confirmer confirmer)
    {
        if (w.action != null)
        {
            w.action.run();
        }
        else
        {
            confirmer.confirmed(w.output, w.correlationId);
        }
    }

    private static void fail(final Waiting w, final String reason, final Durability.Confirmer confirmer)
    {
        if (w.action == null)
        {
            confirmer.failed(w.output, w.correlationId, reason);
        }
        else if (w.failed != null)
        {
            w.failed.run();
        }
    }
}
