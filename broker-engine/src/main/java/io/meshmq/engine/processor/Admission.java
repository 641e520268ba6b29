package io.meshmq.engine.processor;

import io.meshmq.engine.extension.ProcessorExtension;
import io.meshmq.protocol.DestinationType;

import java.util.List;

/**
 * Whether a destination may be used and may take more: names clients may not use, destinations that do not exist
 * (or are another connection's, or another node's), and addresses at their memory limit, and under the BLOCK policy
 * the producers told to wait; and the producers held while a queue's consumers catch up ({@link BacklogHold}).
 * <p>
 * Not thread safe: processor thread only.
 */
final class Admission
{
    private final ProcessorContext context;
    private final Destinations destinations;
    private final Paging paging;
    private final ProcessorExtension extension;
    private final BlockedProducers blocked;
    private final ConnectionWriter writer;
    private final BacklogHold hold;

    Admission(final ProcessorContext context, final Destinations destinations, final Paging paging,
        final ProcessorExtension extension, final BlockedProducers blocked, final ConnectionWriter writer,
        final BacklogHold hold)
    {
        this.context = context;
        this.destinations = destinations;
        this.paging = paging;
        this.extension = extension;
        this.blocked = blocked;
        this.writer = writer;
        this.hold = hold;
    }

    /**
     * @return null if the message can be routed, else why not.
     */
    String checkRoutable(final byte type, final String name)
    {
        if (!extension.addressOf(name).equals(name))
        {
            return extension.sendRefusal(type, name);
        }
        return extension.isElsewhere(type, name) ? null : checkLocal(type, name);
    }

    /**
     * @return null if the destination is on this node (or may be made here), else why not; for consumers, who
     * cannot consume another node's temporary destination.
     */
    String checkLocal(final byte type, final String name)
    {
        final String refusal = extension.refusal(name);
        if (refusal != null)
        {
            return refusal;
        }
        switch (type)
        {
            case DestinationType.QUEUE:
            {
                final ServerQueue queue = destinations.queues.get(name);
                if (queue != null && queue.kind == ServerQueue.Kind.TEMPORARY_QUEUE)
                {
                    return "'" + name + "' is a temporary queue, not a queue";
                }
                return queue != null || context.autoCreateDestinations() ? null :
                    "queue '" + name + "' does not exist and auto-create is off";
            }
            case DestinationType.TOPIC:
                return destinations.topics.containsKey(name) || context.autoCreateDestinations() ? null :
                    "topic '" + name + "' does not exist and auto-create is off";
            case DestinationType.TEMPORARY_QUEUE:
            {
                final ServerQueue queue = destinations.queues.get(name);
                return queue != null && queue.kind == ServerQueue.Kind.TEMPORARY_QUEUE ? null :
                    "temporary queue '" + name + "' does not exist (deleted, or its connection closed)";
            }
            case DestinationType.TEMPORARY_TOPIC:
            {
                final TopicAddress topic = destinations.topics.get(name);
                return topic != null && topic.temporary ? null :
                    "temporary topic '" + name + "' does not exist (deleted, or its connection closed)";
            }
            default:
                return "unknown destination type " + type;
        }
    }

    /**
     * @return null if the destination may take another message, else why not: the broker, or one of the
     * address's queues, holds as many waiting messages as its memory limit allows.
     */
    String checkRoom(final byte type, final String name, final boolean canPage)
    {
        return checkRoom(type, name, canPage, context.addressSettings().resolve(name));
    }

    String checkRoom(final byte type, final String name, final boolean canPage, final AddressSettings settings)
    {
        if (settings.fullPolicy() == AddressSettings.FullPolicy.BLOCK ||
            canPage && paging.isOn() && settings.fullPolicy() == AddressSettings.FullPolicy.PAGE)
        {
            return null;
        }
        return fullReason(type, name, settings);
    }

    /**
     * Under the BLOCK policy, a connection that sent to a full address is told to wait.
     */
    void blockIfFull(final ConnectionState connection, final byte type, final String name)
    {
        blockIfFull(connection, type, name, context.addressSettings().resolve(name));
    }

    void blockIfFull(final ConnectionState connection, final byte type, final String name,
        final AddressSettings settings)
    {
        if (settings.fullPolicy() == AddressSettings.FullPolicy.BLOCK && fullReason(type, name, settings) != null)
        {
            blocked.block(connection, type, name, writer);
        }
    }

    /**
     * A send added a message to {@code routed}'s queues: a connection that sends to one whose consumers fall behind is
     * told to wait while they catch up.
     */
    void holdIfBehind(final ConnectionState connection, final byte type, final String name,
        final AddressSettings settings, final List<MessageReference> routed, final long nowMs)
    {
        for (int i = 0; i < routed.size(); i++)
        {
            if (hold.holds(routed.get(i).queue, settings, nowMs))
            {
                blocked.block(connection, type, name, writer);
                return;
            }
        }
    }

    /**
     * @return true while the address's producers must wait: it is full under the BLOCK policy, or one of its queues
     * holds its producers while consumers catch up.
     */
    boolean mustWait(final byte type, final String name)
    {
        if (fullReason(type, name, context.addressSettings().resolve(name)) != null)
        {
            return true;
        }
        if (DestinationType.isTopic(type))
        {
            final TopicAddress topic = destinations.topics.get(name);
            for (final ServerQueue subscription : topic == null ? List.<ServerQueue>of() : topic.subscriptions)
            {
                if (subscription.holdingSinceMs != 0)
                {
                    return true;
                }
            }
            return false;
        }
        final ServerQueue queue = destinations.queues.get(name);
        return queue != null && queue.holdingSinceMs != 0;
    }

    /**
     * @return null if neither the broker nor a queue of the address is at its memory limit, else which is.
     */
    String fullReason(final byte type, final String name, final AddressSettings settings)
    {
        final MemoryUsage memory = destinations.memory;
        if (memory.isFull())
        {
            return "the broker is full: its queues hold " + memory.bytes() + " bytes of waiting messages and " +
                "global-max-size is " + memory.limit() + "; consume some, or raise the limit";
        }
        if (settings.maxSizeBytes() < 0)
        {
            return null;
        }
        if (DestinationType.isTopic(type))
        {
            final TopicAddress topic = destinations.topics.get(name);
            for (final ServerQueue subscription : topic == null ? List.<ServerQueue>of() : topic.subscriptions)
            {
                if (settings.isFull(subscription.bytes()))
                {
                    return "address '" + name + "' is full: its subscription '" + subscription.name + "' holds " +
                        subscription.bytes() + " bytes of waiting messages and max-size-bytes is " + settings.maxSizeBytes();
                }
            }
            return null;
        }
        final ServerQueue queue = destinations.queues.get(name);
        return queue == null || !settings.isFull(queue.bytes()) ? null : "address '" + name + "' is full: it holds " +
            queue.bytes() + " bytes of waiting messages and max-size-bytes is " + settings.maxSizeBytes();
    }
}
