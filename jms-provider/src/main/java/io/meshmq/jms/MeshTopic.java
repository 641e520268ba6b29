package io.meshmq.jms;

import io.meshmq.protocol.DestinationType;
import jakarta.jms.Topic;

/**
 * A topic: each message goes to every subscription.
 */
public class MeshTopic extends MeshDestination implements Topic
{
    private static final long serialVersionUID = 1L;

    public MeshTopic(final String name)
    {
        super(name);
    }

    @Override
    public String getTopicName()
    {
        return name();
    }

    @Override
    public byte type()
    {
        return DestinationType.TOPIC;
    }

    @Override
    public String toString()
    {
        return "topic://" + name();
    }
}
