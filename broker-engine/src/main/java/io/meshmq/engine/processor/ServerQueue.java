package io.meshmq.engine.processor;

import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.List;
import java.util.PriorityQueue;

/**
 * A queue: messages waiting in priority order (higher first, arrival order within a priority), and the
 * consumers it hands them to, round robin over those with credit.
 * <p>
 * Design note: messages given back (released, recovered, from a lost consumer) go into a separate heap
 * ordered by (priority, arrival) and are merged with the never-delivered ones on the way out, so a
 * redelivery keeps its original place rather than jumping behind or ahead of its neighbours.
 */
final class ServerQueue
{
    enum Kind
    {
        QUEUE, TEMPORARY_QUEUE, SUBSCRIPTION
    }

    private static final int PRIORITIES = 10;

    final String name;
    final Kind kind;
    /** Owning connection of a temporary queue, else 0. */
    final long ownerConnectionId;
    /** For a subscription: do not take messages its own connection published. */
    final boolean noLocal;
    final List<ServerConsumer> consumers = new ArrayList<>();
    @SuppressWarnings("unchecked")
    private final ArrayDeque<MessageReference>[] waiting = new ArrayDeque[PRIORITIES];
    private final PriorityQueue<MessageReference> returned = new PriorityQueue<>(ServerQueue::compare);
    private long nextSequence;
    private int size;
    private int nextConsumer;
    long messagesAdded;
    long messagesAcknowledged;
    long messagesExpired;

    ServerQueue(final String name, final Kind kind, final long ownerConnectionId, final boolean noLocal)
    {
        this.name = name;
        this.kind = kind;
        this.ownerConnectionId = ownerConnectionId;
        this.noLocal = noLocal;
        for (int i = 0; i < PRIORITIES; i++)
        {
            waiting[i] = new ArrayDeque<>();
        }
    }

    private static int compare(final MessageReference a, final MessageReference b)
    {
        final int byPriority = Integer.compare(b.message.priority(), a.message.priority());
        return byPriority != 0 ? byPriority : Long.compare(a.sequence, b.sequence);
    }

    int size()
    {
        return size;
    }

    void add(final ServerMessage message)
    {
        waiting[message.priority()].addLast(new MessageReference(message, nextSequence++));
        size++;
        messagesAdded++;
    }

    /**
     * Puts a delivered message back in its original place.
     */
    void giveBack(final MessageReference reference)
    {
        returned.add(reference);
        size++;
    }

    /**
     * @return the next message in order, or null.
     */
    MessageReference poll()
    {
        MessageReference fresh = null;
        int freshPriority = -1;
        for (int p = PRIORITIES - 1; p >= 0; p--)
        {
            fresh = waiting[p].peekFirst();
            if (fresh != null)
            {
                freshPriority = p;
                break;
            }
        }
        final MessageReference back = returned.peek();
        final MessageReference next;
        if (back != null && (fresh == null || compare(back, fresh) < 0))
        {
            next = returned.poll();
        }
        else if (fresh != null)
        {
            next = waiting[freshPriority].pollFirst();
        }
        else
        {
            return null;
        }
        size--;
        return next;
    }

    /**
     * @return the next consumer after the last one served that has credit, or null.
     */
    ServerConsumer nextConsumerWithCredit()
    {
        final int n = consumers.size();
        for (int i = 0; i < n; i++)
        {
            final int index = (nextConsumer + i) % n;
            final ServerConsumer consumer = consumers.get(index);
            if (consumer.credit > 0)
            {
                nextConsumer = (index + 1) % n;
                return consumer;
            }
        }
        return null;
    }

    /**
     * Drops every waiting message (deletion of a temporary queue or subscription).
     */
    void clear()
    {
        for (final ArrayDeque<MessageReference> deque : waiting)
        {
            deque.clear();
        }
        returned.clear();
        size = 0;
    }
}
