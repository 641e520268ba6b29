package io.meshmq.engine.processor;

import io.meshmq.engine.ring.EngineEvent;
import io.meshmq.protocol.DestinationType;
import io.meshmq.protocol.ErrorCode;

import java.util.ArrayList;

/**
 * Temporary queues and topics: made and deleted by the connection that owns them, and gone with it.
 * <p>
 * Not thread safe: processor thread only.
 */
final class TemporaryDestinations
{
    private final Connections connections;
    private final Destinations destinations;
    private final ScheduledDeliveries scheduled;
    private final Consumers consumers;
    private final ConnectionWriter writer;

    TemporaryDestinations(final Connections connections, final Destinations destinations,
        final ScheduledDeliveries scheduled, final Consumers consumers, final ConnectionWriter writer)
    {
        this.connections = connections;
        this.destinations = destinations;
        this.scheduled = scheduled;
        this.consumers = consumers;
        this.writer = writer;
    }

    void onCreateTemporary(final EngineEvent event)
    {
        final ConnectionState connection = connections.get(event);
        if (connection == null)
        {
            return;
        }
        final String name = event.destinationName;
        if (destinations.queues.containsKey(name) || destinations.topics.containsKey(name))
        {
            writer.error(event.connection, event.correlationId, ErrorCode.ILLEGAL_STATE, "destination '" + name + "' already exists");
            return;
        }
        if (event.destinationType == DestinationType.TEMPORARY_QUEUE)
        {
            destinations.queues.put(name, new ServerQueue(name, ServerQueue.Kind.TEMPORARY_QUEUE, connection.id(), null,
                destinations.memory));
            connection.temporaryQueues.add(name);
        }
        else if (event.destinationType == DestinationType.TEMPORARY_TOPIC)
        {
            destinations.topics.put(name, new TopicAddress(name, true, connection.id()));
            connection.temporaryTopics.add(name);
        }
        else
        {
            writer.error(event.connection, event.correlationId, ErrorCode.INVALID_DESTINATION,
                "destination type " + event.destinationType + " is not temporary");
            return;
        }
        writer.ok(event.connection, event.correlationId);
    }

    void onDeleteTemporary(final EngineEvent event)
    {
        final ConnectionState connection = connections.get(event);
        if (connection == null)
        {
            return;
        }
        final String name = event.destinationName;
        if (event.destinationType == DestinationType.TEMPORARY_QUEUE)
        {
            final ServerQueue queue = destinations.queues.get(name);
            if (queue == null || queue.kind != ServerQueue.Kind.TEMPORARY_QUEUE || queue.ownerConnectionId != connection.id())
            {
                writer.error(event.connection, event.correlationId, ErrorCode.INVALID_DESTINATION,
                    "temporary queue '" + name + "' does not exist on this connection");
                return;
            }
            if (!queue.consumers.isEmpty())
            {
                writer.error(event.connection, event.correlationId, ErrorCode.ILLEGAL_STATE,
                    "temporary queue '" + name + "' still has " + queue.consumers.size() + " consumer(s)");
                return;
            }
            destinations.deleteQueue(queue, scheduled.removeFor(queue));
            connection.temporaryQueues.remove(name);
        }
        else
        {
            final TopicAddress topic = destinations.topics.get(name);
            if (topic == null || !topic.temporary || topic.ownerConnectionId != connection.id())
            {
                writer.error(event.connection, event.correlationId, ErrorCode.INVALID_DESTINATION,
                    "temporary topic '" + name + "' does not exist on this connection");
                return;
            }
            if (!topic.subscriptions.isEmpty())
            {
                writer.error(event.connection, event.correlationId, ErrorCode.ILLEGAL_STATE,
                    "temporary topic '" + name + "' still has " + topic.subscriptions.size() + " subscriber(s)");
                return;
            }
            destinations.deleteTopic(topic);
            connection.temporaryTopics.remove(name);
        }
        writer.ok(event.connection, event.correlationId);
    }

    /**
     * The connection closed: its temporary destinations go, with what waits in them.
     */
    void deleteAllOf(final ConnectionState connection)
    {
        for (final String name : connection.temporaryQueues)
        {
            final ServerQueue queue = destinations.queues.get(name);
            if (queue != null)
            {
                destinations.deleteQueue(queue, scheduled.removeFor(queue));
            }
        }
        for (final String name : connection.temporaryTopics)
        {
            final TopicAddress topic = destinations.topics.get(name);
            if (topic != null)
            {
                for (final ServerQueue subscription : new ArrayList<>(topic.subscriptions))
                {
                    consumers.deleteSubscription(subscription);
                }
                destinations.deleteTopic(topic);
            }
        }
    }
}
