package io.meshmq.engine.processor;

import io.meshmq.engine.extension.QueueDrain;
import io.meshmq.engine.journal.JournalEntry;
import io.meshmq.selector.Selector;

import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.function.Consumer;

/**
 * A queue, or a topic subscription: messages waiting in priority order (higher first, arrival order within a
 * priority), and the consumers it hands them to, round robin over those with credit.
 * <p>
 * Design note: each priority is an intrusive doubly linked list ordered by arrival sequence. A message given
 * back (released, recovered, from a lost consumer) is put back at its original place, so a redelivery keeps
 * its order among its neighbours; consumers with selectors take messages from the middle. Both are O(1) per
 * message on a linked list, where a deque would need copying.
 * <p>
 * Not thread safe: owned by the processor thread.
 */
public final class ServerQueue extends JournalEntry
{
    enum Kind
    {
        QUEUE, TEMPORARY_QUEUE, SUBSCRIPTION
    }

    static final int PRIORITIES = 10;

    final String name;
    final Kind kind;
    /** Owning connection of a temporary queue or a non-durable subscription, else 0. */
    final long ownerConnectionId;
    final List<ServerConsumer> consumers = new ArrayList<>();
    /** Subscriptions only: what a published message must satisfy to be added. */
    final SubscriptionSpec subscription;
    private final MemoryUsage memory;
    private final MessageReference[] heads = new MessageReference[PRIORITIES];
    private final MessageReference[] tails = new MessageReference[PRIORITIES];
    /** Where the last given-back message went, so a batch given back in order is placed without a scan. */
    private MessageReference lastGivenBack;
    private long nextSequence;
    private int size;
    /** Bytes of the messages waiting here, as {@link MemoryUsage} counts them. */
    private long bytes;
    private int nextConsumer;
    private int selectiveConsumers;
    /**
     * Message groups (JMSXGroupID) to the consumer that has each, least recently used first; made at the first grouped
     * message. At most {@value #MAX_GROUPS}: an application that makes a group per order (and never ends them with
     * sequence -1) would otherwise grow it for as long as its consumer lives; the group dropped is the one unused for
     * longest, whose messages are long delivered.
     */
    private Map<String, ServerConsumer> groups;
    static final int MAX_GROUPS = 65_536;
    /** Its page files while it pages (new messages wait there, in order, beyond its memory limit), else null. */
    io.meshmq.engine.paging.PageStore pages;
    /** A durable queue that pages: how far the journal knows its pages were read; null before the first read. */
    PagePosition pagePosition;
    /** Its address's settings, looked up on first use (see {@link #settings(AddressSettingsMatcher)}). */
    private AddressSettings settings;
    /** Consumers (open, or closed but still holding messages) attached to this queue. */
    int attached;
    /** Takes its messages instead of consumers (an extension's store-and-forward queue); else null. */
    QueueDrain drain;
    boolean deleted;
    /**
     * While its producers are held until its consumers catch up ({@link BacklogHold}): since when they have had to take
     * enough to keep the hold going; 0 when they are not held.
     */
    long holdingSinceMs;
    /** {@link #bytesTaken} when the hold's current stretch began. */
    long holdingTakenBefore;
    /** Bytes waiting above which its producers are held next; 0 for its address's producer-hold-bytes. */
    long holdAboveBytes;
    /** Bytes of messages that have left it for consumers (or anywhere else), ever. */
    long bytesTaken;
    long messagesAdded;
    long messagesAcknowledged;
    long messagesExpired;
    /** Times its producers were held for its consumers to catch up. */
    long producerHolds;

    ServerQueue(final String name, final Kind kind, final long ownerConnectionId, final SubscriptionSpec subscription,
        final MemoryUsage memory)
    {
        this.memory = memory;
        this.name = name;
        this.kind = kind;
        this.ownerConnectionId = ownerConnectionId;
        this.subscription = subscription;
    }

    public String name()
    {
        return name;
    }

    /**
     * @return a subscription's definition; null for a queue.
     */
    public SubscriptionSpec subscription()
    {
        return subscription;
    }

    /**
     * @return true for a temporary queue (it lives as long as the connection that made it).
     */
    public boolean isTemporary()
    {
        return kind == Kind.TEMPORARY_QUEUE;
    }

    public boolean isDeleted()
    {
        return deleted;
    }

    /**
     * @return what takes its messages instead of consumers, or null.
     */
    public QueueDrain drain()
    {
        return drain;
    }

    /**
     * From now on {@code drain} takes its messages instead of consumers.
     */
    public void drainBy(final QueueDrain drain)
    {
        this.drain = drain;
    }

    /**
     * @return true if it has an open consumer (not a browser) that would take the message.
     */
    public boolean hasConsumerFor(final ServerMessage message)
    {
        for (final ServerConsumer consumer : consumers)
        {
            if (!consumer.closed && !consumer.isBrowser() && (consumer.selector == null || message.matches(consumer.selector)))
            {
                return true;
            }
        }
        return false;
    }

    /**
     * @return true if nothing waits and an open consumer has credit: a message added now is delivered at once.
     */
    public boolean keepsUp()
    {
        if (size > 0)
        {
            return false;
        }
        for (final ServerConsumer consumer : consumers)
        {
            if (!consumer.closed && consumer.hasCredit())
            {
                return true;
            }
        }
        return false;
    }

    /**
     * @return how many open consumers (not browsers) it has.
     */
    public int openConsumers()
    {
        int open = 0;
        for (final ServerConsumer consumer : consumers)
        {
            if (!consumer.closed && !consumer.isBrowser())
            {
                open++;
            }
        }
        return open;
    }

    /**
     * @return the distinct selectors of its open consumers (not browsers), in the order they came; a null entry for
     * consumers that take every message.
     */
    public Set<String> consumerSelectors()
    {
        final Set<String> selectors = new LinkedHashSet<>();
        for (final ServerConsumer consumer : consumers)
        {
            if (!consumer.closed && !consumer.isBrowser())
            {
                selectors.add(consumer.selector == null ? null : consumer.selector.text());
            }
        }
        return selectors;
    }

    public int size()
    {
        return size;
    }

    public boolean isEmpty()
    {
        return size == 0;
    }

    long bytes()
    {
        return bytes;
    }

    /**
     * @return messages waiting in its page files.
     */
    public long paged()
    {
        return pages == null ? 0 : pages.records();
    }

    /**
     * @return bytes its page files hold for it on disk.
     */
    long pagedBytes()
    {
        return pages == null ? 0 : pages.unreadBytes();
    }

    private void linked(final ServerMessage message)
    {
        size++;
        bytes += MemoryUsage.sizeOf(message);
        memory.waiting(message);
    }

    private void unlinked(final ServerMessage message)
    {
        size--;
        final long taken = MemoryUsage.sizeOf(message);
        bytes -= taken;
        bytesTaken += taken;
        memory.notWaiting(message);
    }

    /**
     * @return a new reference to the message, its place in arrival order taken now, not yet waiting (a
     * scheduled message waits for its time first: {@link #giveBack} links it then).
     */
    public MessageReference reference(final ServerMessage message)
    {
        messagesAdded++;
        memory.large().referenced(message);
        return new MessageReference(message, this, nextSequence++);
    }

    MessageReference add(final ServerMessage message)
    {
        final MessageReference reference = reference(message);
        linkLast(reference);
        return reference;
    }

    /**
     * Makes a reference from {@link #reference} wait, at the end.
     */
    void append(final MessageReference reference)
    {
        linkLast(reference);
    }

    /**
     * @return the address this queue takes messages from: its topic for a subscription, else its own name.
     */
    public String address()
    {
        return subscription != null ? subscription.topic() : name;
    }

    /**
     * @return its address's settings, looked up once (settings are fixed once the broker starts).
     */
    AddressSettings settings(final AddressSettingsMatcher matcher)
    {
        AddressSettings found = settings;
        if (found == null)
        {
            found = matcher.resolve(address());
            settings = found;
        }
        return found;
    }

    /**
     * @return true if this queue's messages survive a restart: a queue or a durable subscription.
     */
    boolean isDurable()
    {
        return kind == Kind.QUEUE || (kind == Kind.SUBSCRIPTION && subscription.durable());
    }

    private void linkLast(final MessageReference reference)
    {
        final int p = reference.message.priority();
        final MessageReference tail = tails[p];
        reference.previous = tail;
        reference.next = null;
        if (tail == null)
        {
            heads[p] = reference;
        }
        else
        {
            tail.next = reference;
        }
        tails[p] = reference;
        linked(reference.message);
    }

    /**
     * Puts a delivered message back in its original place.
     */
    public void giveBack(final MessageReference reference)
    {
        final int p = reference.message.priority();
        MessageReference after = lastGivenBack != null && lastGivenBack.message.priority() == p &&
            lastGivenBack.sequence < reference.sequence && isLinked(lastGivenBack) ? lastGivenBack : null;
        MessageReference before = after == null ? heads[p] : after.next;
        while (before != null && before.sequence < reference.sequence)
        {
            after = before;
            before = before.next;
        }
        reference.previous = after;
        reference.next = before;
        if (after == null)
        {
            heads[p] = reference;
        }
        else
        {
            after.next = reference;
        }
        if (before == null)
        {
            tails[p] = reference;
        }
        else
        {
            before.previous = reference;
        }
        lastGivenBack = reference;
        linked(reference.message);
    }

    private boolean isLinked(final MessageReference reference)
    {
        return reference.previous != null || heads[reference.message.priority()] == reference;
    }

    /**
     * @return true if the message waits in this queue (it is neither being delivered nor gone), so that
     * {@link #remove} may take it out.
     */
    public boolean isWaiting(final MessageReference reference)
    {
        return reference.queue == this && isLinked(reference);
    }

    /**
     * @return the first message in order, or null.
     */
    public MessageReference first()
    {
        for (int p = PRIORITIES - 1; p >= 0; p--)
        {
            if (heads[p] != null)
            {
                return heads[p];
            }
        }
        return null;
    }

    /**
     * @return the last message in order, or null.
     */
    public MessageReference last()
    {
        for (int p = 0; p < PRIORITIES; p++)
        {
            if (tails[p] != null)
            {
                return tails[p];
            }
        }
        return null;
    }

    /**
     * @return the message after {@code reference} in order (possibly of a lower priority), or null.
     */
    public MessageReference after(final MessageReference reference)
    {
        if (reference.next != null)
        {
            return reference.next;
        }
        for (int p = reference.message.priority() - 1; p >= 0; p--)
        {
            if (heads[p] != null)
            {
                return heads[p];
            }
        }
        return null;
    }

    /**
     * Unlinks a waiting message.
     */
    public void remove(final MessageReference reference)
    {
        final int p = reference.message.priority();
        if (reference.previous == null)
        {
            heads[p] = reference.next;
        }
        else
        {
            reference.previous.next = reference.next;
        }
        if (reference.next == null)
        {
            tails[p] = reference.previous;
        }
        else
        {
            reference.next.previous = reference.previous;
        }
        if (lastGivenBack == reference)
        {
            lastGivenBack = null;
        }
        reference.previous = null;
        reference.next = null;
        unlinked(reference.message);
    }

    /**
     * Calls {@code action} for every waiting message in order; the action may not change the queue.
     */
    void forEach(final Consumer<MessageReference> action)
    {
        for (MessageReference reference = first(); reference != null; reference = after(reference))
        {
            action.accept(reference);
        }
    }

    void addConsumer(final ServerConsumer consumer)
    {
        consumers.add(consumer);
        if (consumer.selector != null)
        {
            selectiveConsumers++;
        }
    }

    void removeConsumer(final ServerConsumer consumer)
    {
        if (consumers.remove(consumer) && consumer.selector != null)
        {
            selectiveConsumers--;
        }
        if (groups != null)
        {
            // Its groups move, in order, to whichever consumer takes their next message.
            groups.values().removeIf(holder -> holder == consumer);
        }
    }

    /**
     * @return true if the consumer may take the message as far as message groups go: the message is in no group,
     *         its group is the consumer's, or its group is no consumer's yet (then it becomes this one's, unless the
     *         message ends the group).
     */
    boolean groupAllows(final ServerConsumer consumer, final ServerMessage message)
    {
        final String group = message.groupId();
        if (group == null)
        {
            return true;
        }
        final ServerConsumer holder = groups == null ? null : groups.get(group);
        if (holder != null && holder != consumer)
        {
            return false;
        }
        if (message.endsGroup())
        {
            if (holder != null)
            {
                groups.remove(group);
            }
        }
        else if (holder == null)
        {
            if (groups == null)
            {
                groups = new LinkedHashMap<>(16, 0.75f, true)
                {
                    @Override
                    protected boolean removeEldestEntry(final Map.Entry<String, ServerConsumer> eldest)
                    {
                        return size() > MAX_GROUPS;
                    }
                };
            }
            groups.put(group, consumer);
        }
        return true;
    }

    boolean hasSelectiveConsumers()
    {
        return selectiveConsumers > 0;
    }

    /**
     * @return true if any consumer can take a message now.
     */
    boolean anyCredit()
    {
        for (int i = 0; i < consumers.size(); i++)
        {
            if (consumers.get(i).canTake())
            {
                return true;
            }
        }
        return false;
    }

    /**
     * @return true if a consumer has credit but its connection is backed up.
     */
    boolean anyBackedUp()
    {
        for (int i = 0; i < consumers.size(); i++)
        {
            if (consumers.get(i).isBackedUp())
            {
                return true;
            }
        }
        return false;
    }

    /**
     * @return the next consumer after the last one served that has credit and whose selector (if any)
     * accepts the message, or null.
     */
    ServerConsumer nextConsumerFor(final ServerMessage message)
    {
        return message.groupId() != null ? groupConsumerFor(message) : roundRobinFor(message);
    }

    private ServerConsumer roundRobinFor(final ServerMessage message)
    {
        final int n = consumers.size();
        for (int i = 0; i < n; i++)
        {
            final int index = (nextConsumer + i) % n;
            final ServerConsumer consumer = consumers.get(index);
            if (consumer.canTake() && (consumer.selector == null || message.matches(consumer.selector)))
            {
                nextConsumer = (index + 1) % n;
                return consumer;
            }
        }
        return null;
    }

    /**
     * @return the consumer that has the message's group, if it can take the message now; for a group no consumer has,
     *         the next that can (round robin), which then has it; else null.
     */
    private ServerConsumer groupConsumerFor(final ServerMessage message)
    {
        final ServerConsumer holder = groups == null ? null : groups.get(message.groupId());
        if (holder != null)
        {
            final boolean takes = holder.canTake() && (holder.selector == null || message.matches(holder.selector));
            return takes && groupAllows(holder, message) ? holder : null;
        }
        final ServerConsumer next = roundRobinFor(message);
        if (next != null)
        {
            groupAllows(next, message);
        }
        return next;
    }

    /**
     * @return true if this subscription takes the message (its selector and noLocal rule allow it).
     */
    public boolean accepts(final ServerMessage message, final String publisherClientId, final long publisherConnectionId)
    {
        final SubscriptionSpec spec = subscription;
        if (spec == null)
        {
            return true;
        }
        if (spec.noLocal() && (publisherConnectionId == ownerConnectionId ||
            (spec.clientId() != null && spec.clientId().equals(publisherClientId))))
        {
            return false;
        }
        return selects(message);
    }

    /**
     * @return true if this queue's selector (a subscription's) takes the message; the noLocal rule aside, which
     * needs the publisher's connection: a message another node forwarded was held to it there.
     */
    public boolean selects(final ServerMessage message)
    {
        final SubscriptionSpec spec = subscription;
        final Selector selector = spec == null ? null : spec.selector();
        return selector == null || message.matches(selector);
    }

    /**
     * Drops every waiting message (deletion of a queue or subscription, or a purge).
     *
     * @return what was dropped.
     */
    List<MessageReference> clear()
    {
        final List<MessageReference> dropped = new ArrayList<>(size);
        forEach(dropped::add);
        for (int p = 0; p < PRIORITIES; p++)
        {
            heads[p] = null;
            tails[p] = null;
        }
        for (final MessageReference reference : dropped)
        {
            reference.previous = null;
            reference.next = null;
            unlinked(reference.message);
        }
        lastGivenBack = null;
        return dropped;
    }
}
