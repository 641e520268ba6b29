package io.meshmq.engine.processor;

import io.meshmq.protocol.AdminTable;
import io.meshmq.protocol.DestinationType;

import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.function.Consumer;

/**
 * Every queue, topic and named subscription the broker has, by name.
 * <p>
 * Named subscriptions live in two name spaces, as the specification asks: durable ones (shared or not) keyed
 * by client id and name, and shared non-durable ones keyed the same way but apart from the durable ones.
 * <p>
 * Not thread safe: owned by the processor thread.
 */
final class Destinations
{
    final Map<String, ServerQueue> queues = new HashMap<>();
    final Map<String, TopicAddress> topics = new HashMap<>();
    final Map<String, ServerQueue> durableSubscriptions = new HashMap<>();
    final Map<String, ServerQueue> sharedSubscriptions = new HashMap<>();
    final MemoryUsage memory;
    private final Durability durability;
    private final Paging paging;
    private final DuplicateIds duplicates;
    /** Told when a queue or subscription is made or deleted (the cluster tells other nodes). */
    Consumer<ServerQueue> changes = queue -> { };

    Destinations(final Durability durability, final MemoryUsage memory, final Paging paging, final DuplicateIds duplicates)
    {
        this.duplicates = duplicates;
        this.durability = durability;
        this.memory = memory;
        this.paging = paging;
    }

    /**
     * @return the queue of this name, made (and journaled) if it does not exist.
     */
    /**
     * @return whether a queue (of any kind) or a topic of the name, as the type says, is here.
     */
    boolean exists(final byte type, final String name)
    {
        return DestinationType.isTopic(type) ? topics.containsKey(name) : queues.containsKey(name);
    }

    ServerQueue queue(final String name)
    {
        ServerQueue queue = queues.get(name);
        if (queue == null)
        {
            queue = new ServerQueue(name, ServerQueue.Kind.QUEUE, 0, null, memory);
            queues.put(name, queue);
            durability.queueCreated(queue);
            changes.accept(queue);
        }
        return queue;
    }

    TopicAddress topic(final String name)
    {
        TopicAddress topic = topics.get(name);
        if (topic == null)
        {
            topic = new TopicAddress(name, false, 0);
            topics.put(name, topic);
            durability.topicCreated(topic);
        }
        return topic;
    }

    /**
     * Puts back a durable subscription found by recovery (already journaled).
     */
    ServerQueue restoreSubscription(final SubscriptionSpec spec, final String queueName)
    {
        final TopicAddress topic = topic(spec.topic());
        final ServerQueue subscription = new ServerQueue(queueName, ServerQueue.Kind.SUBSCRIPTION, 0, spec, memory);
        topic.subscriptions.add(subscription);
        durableSubscriptions.put(spec.key(), subscription);
        return subscription;
    }

    /**
     * Makes a subscription and attaches it to its topic; a named one is also registered by its key.
     */
    ServerQueue createSubscription(final TopicAddress topic, final SubscriptionSpec spec, final String queueName,
        final long ownerConnectionId)
    {
        final ServerQueue subscription = new ServerQueue(queueName, ServerQueue.Kind.SUBSCRIPTION, ownerConnectionId, spec,
            memory);
        topic.subscriptions.add(subscription);
        if (spec.durable())
        {
            durableSubscriptions.put(spec.key(), subscription);
            durability.queueCreated(subscription);
        }
        else if (spec.shared())
        {
            sharedSubscriptions.put(spec.key(), subscription);
        }
        changes.accept(subscription);
        return subscription;
    }

    /**
     * Detaches a subscription from its topic and registry and drops its messages, with those scheduled.
     */
    void deleteSubscription(final ServerQueue subscription, final List<MessageReference> scheduled)
    {
        subscription.deleted = true;
        final List<MessageReference> dropped = subscription.clear();
        dropped.addAll(scheduled);
        paging.drop(subscription);
        durability.queueDeleted(subscription, dropped);
        final SubscriptionSpec spec = subscription.subscription;
        final TopicAddress topic = topics.get(spec.topic());
        if (topic != null)
        {
            topic.subscriptions.remove(subscription);
        }
        if (spec.durable())
        {
            durableSubscriptions.remove(spec.key(), subscription);
        }
        else if (spec.shared())
        {
            sharedSubscriptions.remove(spec.key(), subscription);
        }
        changes.accept(subscription);
    }

    /**
     * Deletes a queue and drops its messages, with those scheduled.
     */
    void deleteQueue(final ServerQueue queue, final List<MessageReference> scheduled)
    {
        queue.deleted = true;
        final List<MessageReference> dropped = queue.clear();
        dropped.addAll(scheduled);
        paging.drop(queue);
        queues.remove(queue.name, queue);
        duplicates.forget(DestinationType.QUEUE, queue.name);
        durability.queueDeleted(queue, dropped);
        changes.accept(queue);
    }

    /**
     * Removes a topic whose subscriptions are already deleted.
     */
    void deleteTopic(final TopicAddress topic)
    {
        topic.deleted = true;
        topics.remove(topic.name, topic);
        duplicates.forget(DestinationType.TOPIC, topic.name);
        durability.topicDeleted(topic);
    }

    /**
     * @return every subscription of every topic.
     */
    List<ServerQueue> allSubscriptions()
    {
        final List<ServerQueue> all = new ArrayList<>();
        for (final TopicAddress topic : topics.values())
        {
            all.addAll(topic.subscriptions);
        }
        return all;
    }

    AdminTable queueTable(final ScheduledDeliveries scheduled)
    {
        final AdminTable table = new AdminTable(
            "name", "kind", "messages", "scheduled", "delivering", "consumers", "added", "acknowledged", "expired",
            "paged", "paged-bytes", "producer-holds");
        for (final ServerQueue queue : new TreeMap<>(queues).values())
        {
            table.row(queue.name, queue.kind.name().toLowerCase().replace('_', '-'), queue.size() + queue.paged(),
                (long)scheduled.countFor(queue), delivering(queue), queue.consumers.size(), queue.messagesAdded,
                queue.messagesAcknowledged, queue.messagesExpired, queue.paged(), queue.pagedBytes(),
                queue.producerHolds);
        }
        return table;
    }

    AdminTable topicTable()
    {
        final AdminTable table = new AdminTable("name", "temporary", "subscriptions", "published");
        for (final TopicAddress topic : new TreeMap<>(topics).values())
        {
            table.row(topic.name, topic.temporary, topic.subscriptions.size(), topic.messagesPublished);
        }
        return table;
    }

    AdminTable subscriptionTable()
    {
        final AdminTable table = new AdminTable(
            "topic", "name", "client-id", "durable", "shared", "selector", "messages", "consumers", "delivering",
            "queue");
        for (final ServerQueue subscription : allSubscriptions())
        {
            final SubscriptionSpec spec = subscription.subscription;
            table.row(spec.topic(), spec.name(), spec.clientId(), spec.durable(), spec.shared(), spec.selectorText(),
                subscription.size() + subscription.paged(), (long)subscription.consumers.size(),
                delivering(subscription), subscription.name);
        }
        return table;
    }

    /**
     * @return messages of the queue sent to consumers and not yet acknowledged.
     */
    static long delivering(final ServerQueue queue)
    {
        long count = 0;
        for (final ServerConsumer consumer : queue.consumers)
        {
            count += consumer.unacknowledged.size();
        }
        return count;
    }
}
