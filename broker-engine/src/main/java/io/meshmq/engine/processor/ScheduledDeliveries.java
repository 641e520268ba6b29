package io.meshmq.engine.processor;

import java.util.ArrayList;
import java.util.List;
import java.util.PriorityQueue;

/**
 * Messages that may not be delivered yet: those sent with a delivery delay, and those given back that wait
 * out their address's redelivery delay. Ordered by due time, then by when they were scheduled.
 * <p>
 * Not thread safe: owned by the processor thread.
 */
final class ScheduledDeliveries
{
    /**
     * One waiting message, put in its place in the queue when due.
     */
    record Entry(long dueMs, long order, MessageReference reference)
    {
        ServerQueue queue()
        {
            return reference.queue;
        }
    }

    private final PriorityQueue<Entry> entries = new PriorityQueue<>((a, b) ->
        a.dueMs != b.dueMs ? Long.compare(a.dueMs, b.dueMs) : Long.compare(a.order, b.order));
    private long nextOrder;

    void schedule(final long dueMs, final MessageReference reference)
    {
        entries.add(new Entry(dueMs, nextOrder++, reference));
    }

    /**
     * @return the next entry due at or before {@code nowMs}, removed, or null.
     */
    Entry pollDue(final long nowMs)
    {
        final Entry first = entries.peek();
        return first != null && first.dueMs <= nowMs ? entries.poll() : null;
    }

    /**
     * @return when the first entry is due, or Long.MAX_VALUE if none waits.
     */
    long nextDueMs()
    {
        final Entry first = entries.peek();
        return first == null ? Long.MAX_VALUE : first.dueMs;
    }

    boolean isEmpty()
    {
        return entries.isEmpty();
    }

    /**
     * @return how many wait for the given queue (they count in its depth for management).
     */
    int countFor(final ServerQueue queue)
    {
        int count = 0;
        for (final Entry entry : entries)
        {
            if (entry.queue() == queue)
            {
                count++;
            }
        }
        return count;
    }

    /**
     * Drops what waits for a deleted or purged queue.
     *
     * @return what was dropped.
     */
    List<MessageReference> removeFor(final ServerQueue queue)
    {
        final List<MessageReference> dropped = new ArrayList<>();
        entries.removeIf(entry ->
        {
            if (entry.queue() == queue)
            {
                dropped.add(entry.reference());
                return true;
            }
            return false;
        });
        return dropped;
    }
}
