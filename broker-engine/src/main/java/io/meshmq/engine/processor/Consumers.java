package io.meshmq.engine.processor;

import io.meshmq.engine.extension.ProcessorExtension;
import io.meshmq.engine.ring.EngineEvent;
import io.meshmq.engine.security.Permission;
import io.meshmq.protocol.ConsumerFlags;
import io.meshmq.protocol.DestinationType;
import io.meshmq.protocol.ErrorCode;
import io.meshmq.selector.Selector;
import org.agrona.collections.Long2ObjectHashMap;
import org.agrona.collections.LongArrayList;
import org.agrona.collections.LongHashSet;

import java.util.ArrayList;
import java.util.List;
import java.util.function.Predicate;

/**
 * Consumers and what they hold: making them (on queues, subscriptions by the specification's rules, browsers), credit,
 * closing them, acknowledgement, and giving back what a consumer held (released, recovered, rolled back, or lost with
 * its session or connection), counted as delivered or not, to the dead-letter address past the delivery limit.
 * <p>
 * Not thread safe: processor thread only.
 */
final class Consumers
{
    private final ProcessorContext context;
    private final CommandClock clock;
    private final Connections connections;
    private final Admission admission;
    private final Destinations destinations;
    private final Durability durability;
    private final ScheduledDeliveries scheduled;
    private final Dispatcher dispatcher;
    private final DeadLetters deadLetters;
    private final ConnectionWriter writer;
    private final ProcessorExtension extension;
    private final AccessControl access;
    /** True for a subscription whose messages a prepared XA branch acknowledged. */
    private final Predicate<ServerQueue> heldByPreparedBranch;

    Consumers(final ProcessorContext context, final CommandClock clock, final Connections connections,
        final Admission admission, final Destinations destinations, final Durability durability,
        final ScheduledDeliveries scheduled, final Dispatcher dispatcher, final DeadLetters deadLetters,
        final ConnectionWriter writer, final ProcessorExtension extension, final AccessControl access,
        final Predicate<ServerQueue> heldByPreparedBranch)
    {
        this.access = access;
        this.context = context;
        this.clock = clock;
        this.connections = connections;
        this.admission = admission;
        this.destinations = destinations;
        this.durability = durability;
        this.scheduled = scheduled;
        this.dispatcher = dispatcher;
        this.deadLetters = deadLetters;
        this.writer = writer;
        this.extension = extension;
        this.heldByPreparedBranch = heldByPreparedBranch;
    }

    void onCreateConsumer(final EngineEvent event)
    {
        final ConnectionState connection = connections.get(event);
        if (connection == null)
        {
            return;
        }
        if (connection.consumers.containsKey(event.consumerId))
        {
            writer.error(event.connection, event.correlationId, ErrorCode.ILLEGAL_STATE,
                "consumer id " + event.consumerId + " is already in use on this connection");
            return;
        }
        final String problem = admission.checkLocal(event.destinationType, event.destinationName);
        if (problem != null)
        {
            writer.error(event.connection, event.correlationId, ErrorCode.INVALID_DESTINATION, problem);
            return;
        }
        if (ConsumerFlags.isSet(event.consumerFlags, ConsumerFlags.BROWSER))
        {
            createBrowser(event, connection);
            return;
        }
        final ServerQueue queue = DestinationType.isTopic(event.destinationType) ?
            subscriptionFor(event, connection) : queueFor(event, connection);
        if (queue == null)
        {
            return;
        }
        final Selector queueSelector = queue.kind == ServerQueue.Kind.SUBSCRIPTION ? null : event.selector;
        final ServerConsumer consumer = new ServerConsumer(
            event.consumerId, event.sessionId, connection, queue, queueSelector, null, Math.max(0, event.count),
            event.creditBytes);
        connection.consumers.put(consumer.id, consumer);
        queue.addConsumer(consumer);
        queue.attached++;
        extension.changed(queue);
        writer.ok(event.connection, event.correlationId);
        dispatcher.touch(queue);
    }

    private ServerQueue queueFor(final EngineEvent event, final ConnectionState connection)
    {
        final String name = event.destinationName;
        if (event.destinationType == DestinationType.TEMPORARY_QUEUE)
        {
            final ServerQueue queue = destinations.queues.get(name);
            if (queue.ownerConnectionId != connection.id())
            {
                writer.error(event.connection, event.correlationId, ErrorCode.ILLEGAL_STATE,
                    "only the connection that created temporary queue '" + name + "' may consume from it");
                return null;
            }
            return queue;
        }
        return destinations.queue(name);
    }

    /**
     * Finds or makes the subscription a topic consumer asks for, applying the specification's rules on
     * names, client ids and changed definitions; null (after answering with an error) if refused.
     */
    private ServerQueue subscriptionFor(final EngineEvent event, final ConnectionState connection)
    {
        final String topicName = event.destinationName;
        final TopicAddress topic = destinations.topic(topicName);
        if (topic.temporary && topic.ownerConnectionId != connection.id())
        {
            writer.error(event.connection, event.correlationId, ErrorCode.ILLEGAL_STATE,
                "only the connection that created temporary topic '" + topicName + "' may subscribe to it");
            return null;
        }
        final boolean durable = ConsumerFlags.isSet(event.consumerFlags, ConsumerFlags.DURABLE);
        final boolean shared = ConsumerFlags.isSet(event.consumerFlags, ConsumerFlags.SHARED);
        final boolean noLocal = ConsumerFlags.isSet(event.consumerFlags, ConsumerFlags.NO_LOCAL);
        final SubscriptionSpec spec = new SubscriptionSpec(topicName, durable || shared ? event.subscriptionName : null,
            connection.clientId, event.selector, noLocal, durable, shared);
        if (!durable && !shared)
        {
            if (!access.check(connection, event.connection, event.correlationId, topicName,
                Permission.CREATE_NON_DURABLE_QUEUE))
            {
                return null;
            }
            return destinations.createSubscription(topic, spec,
                topicName + "#" + connection.id() + "." + event.consumerId, connection.id());
        }
        if (durable && topic.temporary)
        {
            writer.error(event.connection, event.correlationId, ErrorCode.INVALID_DESTINATION,
                "a durable subscription cannot be made on temporary topic '" + topicName + "'");
            return null;
        }
        if (durable && !shared && connection.clientId == null)
        {
            writer.error(event.connection, event.correlationId, ErrorCode.ILLEGAL_STATE,
                "an unshared durable subscription needs the connection to have a client id");
            return null;
        }
        final String what = (durable ? "durable" : "shared") + " subscription '" + spec.name() + "'" +
            (spec.clientId() == null ? "" : " of client id '" + spec.clientId() + "'");
        final ServerQueue existing = (durable ? destinations.durableSubscriptions : destinations.sharedSubscriptions).get(spec.key());
        if (existing != null)
        {
            final SubscriptionSpec current = existing.subscription;
            if (current.shared() != shared)
            {
                writer.error(event.connection, event.correlationId, ErrorCode.GENERIC, what + " already exists as " +
                    (current.shared() ? "a shared" : "an unshared") + " durable subscription");
                return null;
            }
            if (!shared && !existing.consumers.isEmpty())
            {
                writer.error(event.connection, event.correlationId, ErrorCode.ILLEGAL_STATE, what + " already has an active consumer");
                return null;
            }
            if (current.sameDefinition(spec))
            {
                return existing;
            }
            if (!existing.consumers.isEmpty() || !durable)
            {
                writer.error(event.connection, event.correlationId, ErrorCode.GENERIC, what +
                    " is in use with topic '" + current.topic() + "' and selector " + quote(current.selectorText()) +
                    "; it cannot change while it has consumers");
                return null;
            }
            // An inactive durable subscription asked for with another topic, selector or noLocal is replaced.
            if (!access.check(connection, event.connection, event.correlationId, current.topic(),
                Permission.DELETE_DURABLE_QUEUE) || !mayCreateSubscription(event, connection, durable))
            {
                return null;
            }
            deleteSubscription(existing);
        }
        else if (!mayCreateSubscription(event, connection, durable))
        {
            return null;
        }
        final String queueName = (durable ? "durable:" : "shared:") + (spec.clientId() == null ? "" : spec.clientId()) +
            ":" + spec.name();
        return destinations.createSubscription(topic, spec, queueName, 0);
    }

    private boolean mayCreateSubscription(final EngineEvent event, final ConnectionState connection, final boolean durable)
    {
        return access.check(connection, event.connection, event.correlationId, event.destinationName,
            durable ? Permission.CREATE_DURABLE_QUEUE : Permission.CREATE_NON_DURABLE_QUEUE);
    }

    private static String quote(final String text)
    {
        return text == null ? "(none)" : "'" + text + "'";
    }

    void deleteSubscription(final ServerQueue subscription)
    {
        destinations.deleteSubscription(subscription, scheduled.removeFor(subscription));
    }

    private void createBrowser(final EngineEvent event, final ConnectionState connection)
    {
        if (DestinationType.isTopic(event.destinationType))
        {
            writer.error(event.connection, event.correlationId, ErrorCode.INVALID_DESTINATION, "only queues can be browsed");
            return;
        }
        final ServerQueue queue = queueFor(event, connection);
        if (queue == null)
        {
            return;
        }
        final List<ServerMessage> snapshot = new ArrayList<>(queue.size());
        final Selector selector = event.selector;
        queue.forEach(reference ->
        {
            final ServerMessage message = reference.message;
            if (!message.isExpired(clock.nowMs()) && (selector == null || message.matches(selector)))
            {
                snapshot.add(message);
            }
        });
        final ServerConsumer browser = new ServerConsumer(
            event.consumerId, event.sessionId, connection, queue, selector, snapshot, Math.max(0, event.count),
            event.creditBytes);
        connection.consumers.put(browser.id, browser);
        writer.ok(event.connection, event.correlationId);
        dispatcher.browse(browser);
    }

    void onCredit(final EngineEvent event)
    {
        final ConnectionState connection = connections.get(event);
        final ServerConsumer consumer = connection == null ? null : connection.consumers.get(event.consumerId);
        if (consumer == null || consumer.closed)
        {
            return;
        }
        consumer.creditReturned(Math.max(0, event.count), Math.max(0, event.creditBytes));
        if (consumer.isBrowser())
        {
            dispatcher.browse(consumer);
        }
        else
        {
            dispatcher.touch(consumer.queue);
        }
    }

    /**
     * A connection stops or starts, or a consumer whose application does not receive is paused or resumed.
     */
    void onPause(final EngineEvent event)
    {
        final ConnectionState connection = connections.get(event);
        if (connection == null)
        {
            return;
        }
        if (event.consumerId == 0)
        {
            connection.paused = event.paused;
            if (!event.paused)
            {
                for (final ServerConsumer consumer : connection.consumers.values())
                {
                    dispatcher.touch(consumer.queue);
                }
            }
            return;
        }
        final ServerConsumer consumer = connection.consumers.get(event.consumerId);
        if (consumer != null && !consumer.closed)
        {
            consumer.paused = event.paused;
            dispatcher.touch(consumer.queue);
        }
    }

    /**
     * Sends the consumer a message that waits for it now, if its credit allows, even to a connection with unsent data
     * (where dispatch would wait), so the answer that follows it tells the client what is available.
     */
    void onForceDelivery(final EngineEvent event)
    {
        final ConnectionState connection = connections.get(event);
        final ServerConsumer consumer = connection == null ? null : connection.consumers.get(event.consumerId);
        if (consumer != null && !consumer.closed && !consumer.isBrowser())
        {
            dispatcher.forceOne(consumer, clock.nowMs());
        }
        writer.ok(event.connection, event.correlationId);
    }

    void onCloseConsumer(final EngineEvent event)
    {
        final ConnectionState connection = connections.get(event);
        final ServerConsumer consumer = connection == null ? null : connection.consumers.get(event.consumerId);
        if (consumer == null)
        {
            writer.error(event.connection, event.correlationId, ErrorCode.UNKNOWN_ID,
                "no consumer " + event.consumerId + " on this connection");
            return;
        }
        if (consumer.isBrowser())
        {
            consumer.closed = true;
            connection.consumers.remove(consumer.id);
            writer.ok(event.connection, event.correlationId);
            return;
        }
        consumer.closed = true;
        consumer.queue.removeConsumer(consumer);
        extension.changed(consumer.queue);
        final LongHashSet kept = new LongHashSet();
        for (final long deliveryId : event.deliveryIds)
        {
            kept.add(deliveryId);
        }
        giveBackUnseen(consumer, kept);
        if (consumer.unacknowledged.isEmpty())
        {
            forget(consumer);
        }
        writer.ok(event.connection, event.correlationId);
    }

    /**
     * Gives back every unacknowledged delivery of a consumer not in {@code seen}, as never delivered; the
     * consumer's credit for them is restored.
     */
    private void giveBackUnseen(final ServerConsumer consumer, final LongHashSet seen)
    {
        final LongArrayList unseen = new LongArrayList();
        final Long2ObjectHashMap<MessageReference>.KeyIterator ids = consumer.unacknowledged.keySet().iterator();
        while (ids.hasNext())
        {
            final long deliveryId = ids.nextLong();
            if (!seen.contains(deliveryId))
            {
                unseen.addLong(deliveryId);
            }
        }
        unseen.sort(null);
        for (int i = 0; i < unseen.size(); i++)
        {
            final MessageReference reference = consumer.unacknowledged.remove(unseen.getLong(i));
            final int bytes = reference.message.encoded().length;
            returnToQueue(consumer.queue, reference, false);
            if (!consumer.closed)
            {
                // Its client dropped it unseen: the room it took there is free again.
                consumer.creditReturned(1, bytes);
            }
        }
    }

    /**
     * Puts a delivered message back. One the application never saw does not count as delivered; one it saw
     * counts, and then goes to the dead-letter address over the delivery limit, or waits out the redelivery
     * delay.
     */
    void returnToQueue(final ServerQueue queue, final MessageReference reference, final boolean seen)
    {
        if (queue.deleted)
        {
            durability.referenceGone(reference, false);
            return;
        }
        if (!seen)
        {
            reference.deliveryCount--;
            queue.giveBack(reference);
            dispatcher.touch(queue);
            return;
        }
        final AddressSettings settings = settingsOf(queue);
        if (settings.isOverDeliveryLimit(reference.deliveryCount))
        {
            dispatcher.touchIfAny(deadLetters.overDeliveryLimit(queue, reference, settings));
            return;
        }
        durability.deliveryCounted(reference);
        if (settings.redeliveryDelayMs() > 0)
        {
            scheduled.schedule(clock.nowMs() + settings.redeliveryDelayMs(), reference);
            return;
        }
        queue.giveBack(reference);
        dispatcher.touch(queue);
    }

    AddressSettings settingsOf(final ServerQueue queue)
    {
        return queue.settings(context.addressSettings());
    }

    /**
     * Session recover or rollback: everything the session's consumers hold goes back; what the application
     * saw counts as delivered, the rest does not.
     */
    void onRecover(final EngineEvent event)
    {
        final ConnectionState connection = connections.get(event);
        if (connection != null)
        {
            final LongHashSet seen = new LongHashSet();
            for (final long deliveryId : event.deliveryIds)
            {
                seen.add(deliveryId);
            }
            for (final ServerConsumer consumer : consumersOfSession(connection, event.sessionId))
            {
                giveBackUnseen(consumer, seen);
                returnAll(consumer);
                if (consumer.closed)
                {
                    forget(consumer);
                }
            }
        }
        writer.ok(event.connection, event.correlationId);
    }

    /**
     * Gives back, counted as delivered, everything a consumer holds, in delivery order.
     */
    private void returnAll(final ServerConsumer consumer)
    {
        final LongArrayList ids = new LongArrayList();
        final Long2ObjectHashMap<MessageReference>.KeyIterator keys = consumer.unacknowledged.keySet().iterator();
        while (keys.hasNext())
        {
            ids.addLong(keys.nextLong());
        }
        ids.sort(null);
        for (int i = 0; i < ids.size(); i++)
        {
            returnToQueue(consumer.queue, consumer.unacknowledged.remove(ids.getLong(i)), true);
        }
    }

    void onCloseSession(final EngineEvent event)
    {
        final ConnectionState connection = connections.get(event);
        if (connection != null)
        {
            for (final ServerConsumer consumer : consumersOfSession(connection, event.sessionId))
            {
                closeAndReturnAll(consumer);
            }
        }
        writer.ok(event.connection, event.correlationId);
    }

    /**
     * @return a copy, so the caller may remove consumers while going through it.
     */
    private static List<ServerConsumer> consumersOfSession(final ConnectionState connection, final long sessionId)
    {
        final List<ServerConsumer> ofSession = new ArrayList<>();
        for (final ServerConsumer consumer : connection.consumers.values())
        {
            if (consumer.sessionId == sessionId)
            {
                ofSession.add(consumer);
            }
        }
        return ofSession;
    }

    /**
     * Removes a consumer and gives back everything it held, counted as delivered.
     */
    void closeAndReturnAll(final ServerConsumer consumer)
    {
        consumer.closed = true;
        if (consumer.isBrowser())
        {
            consumer.connection.consumers.remove(consumer.id);
            return;
        }
        consumer.queue.removeConsumer(consumer);
        extension.changed(consumer.queue);
        returnAll(consumer);
        dispatcher.touch(consumer.queue);
        forget(consumer);
    }

    /**
     * Drops a closed consumer that holds nothing more; a non-durable subscription goes with its last consumer.
     */
    private void forget(final ServerConsumer consumer)
    {
        consumer.connection.consumers.remove(consumer.id);
        final ServerQueue queue = consumer.queue;
        queue.attached--;
        if (queue.kind == ServerQueue.Kind.SUBSCRIPTION && !queue.subscription.durable() && queue.attached == 0)
        {
            deleteSubscription(queue);
        }
    }

    void onUnsubscribe(final EngineEvent event)
    {
        final ConnectionState connection = connections.get(event);
        if (connection == null)
        {
            return;
        }
        final SubscriptionSpec probe = new SubscriptionSpec("", event.subscriptionName, connection.clientId,
            null, false, true, false);
        final ServerQueue subscription = destinations.durableSubscriptions.get(probe.key());
        final String what = "durable subscription '" + event.subscriptionName + "'" +
            (connection.clientId == null ? " (no client id)" : " of client id '" + connection.clientId + "'");
        if (subscription == null)
        {
            writer.error(event.connection, event.correlationId, ErrorCode.INVALID_DESTINATION, "there is no " + what);
            return;
        }
        if (!access.check(connection, event.connection, event.correlationId, subscription.subscription.topic(),
            Permission.DELETE_DURABLE_QUEUE))
        {
            return;
        }
        if (!subscription.consumers.isEmpty())
        {
            writer.error(event.connection, event.correlationId, ErrorCode.ILLEGAL_STATE, what + " has an active consumer");
            return;
        }
        if (subscription.attached > 0)
        {
            writer.error(event.connection, event.correlationId, ErrorCode.ILLEGAL_STATE,
                what + " has messages a session consumed and has not acknowledged or committed");
            return;
        }
        if (heldByPreparedBranch.test(subscription))
        {
            writer.error(event.connection, event.correlationId, ErrorCode.ILLEGAL_STATE,
                what + " has messages a prepared XA transaction acknowledged; commit or roll it back first");
            return;
        }
        deleteSubscription(subscription);
        writer.ok(event.connection, event.correlationId);
    }

    /**
     * @return false if the consumer or delivery is unknown (already acknowledged, or given back).
     */
    boolean acknowledge(final ConnectionState connection, final long consumerId, final long deliveryId,
        final boolean journalAck)
    {
        final ServerConsumer consumer = connection == null ? null : connection.consumers.get(consumerId);
        if (consumer == null)
        {
            return false;
        }
        final MessageReference reference = consumer.unacknowledged.remove(deliveryId);
        if (reference == null)
        {
            return false;
        }
        consumer.queue.messagesAcknowledged++;
        durability.referenceGone(reference, journalAck);
        if (consumer.closed && consumer.unacknowledged.isEmpty())
        {
            forget(consumer);
        }
        return true;
    }

    /**
     * @return a delivery a consumer of this connection holds unacknowledged, or null.
     */
    MessageReference delivery(final ConnectionState connection, final long consumerId, final long deliveryId)
    {
        final ServerConsumer consumer = connection.consumers.get(consumerId);
        return consumer == null ? null : consumer.unacknowledged.get(deliveryId);
    }

    /**
     * A prepared XA branch takes a delivery from its consumer: the branch decides its fate from now on.
     */
    void takeDelivery(final ConnectionState connection, final long consumerId, final long deliveryId)
    {
        final ServerConsumer consumer = connection.consumers.get(consumerId);
        if (consumer != null && consumer.unacknowledged.remove(deliveryId) != null && consumer.closed &&
            consumer.unacknowledged.isEmpty())
        {
            forget(consumer);
        }
    }

    /**
     * A committed XA branch acknowledges a delivery it held (the journal has the ack already).
     */
    void acknowledgeHeld(final MessageReference reference)
    {
        reference.queue.messagesAcknowledged++;
        durability.referenceGone(reference, false);
    }

    void onAckBatch(final EngineEvent event)
    {
        final ConnectionState connection = connections.get(event);
        final long mark = durability.mark();
        for (int i = 0; i < event.consumerIds.length; i++)
        {
            acknowledge(connection, event.consumerIds[i], event.deliveryIds[i], true);
        }
        writer.confirm(durability, event.connection, event.correlationId, mark);
    }

    void onRelease(final EngineEvent event)
    {
        final ConnectionState connection = connections.get(event);
        if (connection != null)
        {
            for (int i = 0; i < event.consumerIds.length; i++)
            {
                final ServerConsumer consumer = connection.consumers.get(event.consumerIds[i]);
                if (consumer == null)
                {
                    continue;
                }
                final MessageReference reference = consumer.unacknowledged.remove(event.deliveryIds[i]);
                if (reference == null)
                {
                    continue;
                }
                if (!event.flags[i])
                {
                    // Never seen: it took none of the application's window.
                    consumer.creditReturned(1, reference.message.encoded().length);
                }
                returnToQueue(consumer.queue, reference, event.flags[i]);
                if (consumer.closed && consumer.unacknowledged.isEmpty())
                {
                    forget(consumer);
                }
            }
        }
        writer.ok(event.connection, event.correlationId);
    }
}
