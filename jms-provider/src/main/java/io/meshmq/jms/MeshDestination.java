package io.meshmq.jms;

import io.meshmq.protocol.DestinationType;
import jakarta.jms.Destination;
import jakarta.jms.InvalidDestinationException;
import jakarta.jms.JMSException;
import jakarta.jms.Queue;
import jakarta.jms.Topic;

import java.io.Serializable;
import java.util.Objects;

/**
 * A queue or topic by name; immutable, serializable and comparable by value, so it can be bound in JNDI
 * and sent as {@code JMSReplyTo}.
 */
public abstract class MeshDestination implements Destination, Serializable
{
    private static final long serialVersionUID = 1L;

    private final String name;

    MeshDestination(final String name)
    {
        this.name = Objects.requireNonNull(name, "name");
    }

    public String name()
    {
        return name;
    }

    /**
     * @return the wire type, one of {@link DestinationType}.
     */
    public abstract byte type();

    /**
     * @return true for a topic or temporary topic.
     */
    public boolean isTopic()
    {
        return DestinationType.isTopic(type());
    }

    /**
     * Rebuilds a destination read from the wire.
     */
    public static MeshDestination of(final byte type, final String name)
    {
        switch (type)
        {
            case DestinationType.QUEUE: return new MeshQueue(name);
            case DestinationType.TOPIC: return new MeshTopic(name);
            case DestinationType.TEMPORARY_QUEUE: return new MeshTemporaryQueue(name, null);
            case DestinationType.TEMPORARY_TOPIC: return new MeshTemporaryTopic(name, null);
            default: return null;
        }
    }

    /**
     * Accepts a MeshMQ destination, or a foreign provider's queue or topic by its name.
     *
     * @throws InvalidDestinationException for null or a destination of unknown kind.
     */
    public static MeshDestination from(final Destination destination) throws JMSException
    {
        if (destination instanceof MeshDestination)
        {
            return (MeshDestination)destination;
        }
        if (destination == null)
        {
            throw new InvalidDestinationException("destination is null");
        }
        if (destination instanceof Queue)
        {
            return new MeshQueue(((Queue)destination).getQueueName());
        }
        if (destination instanceof Topic)
        {
            return new MeshTopic(((Topic)destination).getTopicName());
        }
        throw new InvalidDestinationException(
            "destination " + destination + " is neither a Queue nor a Topic");
    }

    @Override
    public boolean equals(final Object o)
    {
        return o instanceof MeshDestination && ((MeshDestination)o).type() == type() &&
            ((MeshDestination)o).name.equals(name);
    }

    @Override
    public int hashCode()
    {
        return name.hashCode() * 31 + type();
    }
}
