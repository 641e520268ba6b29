package io.meshmq.jms;

import io.meshmq.protocol.DestinationType;
import jakarta.jms.Queue;

/**
 * A queue: each message goes to one consumer.
 */
public class MeshQueue extends MeshDestination implements Queue
{
    private static final long serialVersionUID = 1L;

    public MeshQueue(final String name)
    {
        super(name);
    }

    @Override
    public String getQueueName()
    {
        return name();
    }

    @Override
    public byte type()
    {
        return DestinationType.QUEUE;
    }

    @Override
    public String toString()
    {
        return "queue://" + name();
    }
}
