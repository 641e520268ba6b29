package io.meshmq.ra;

import jakarta.jms.Topic;

/**
 * A topic configured as an administered object of the adapter.
 */
public final class TopicAdminObject extends AdministeredDestination implements Topic
{
    private static final long serialVersionUID = 1L;

    @Override
    public String getTopicName()
    {
        return getName();
    }

    @Override
    public String toString()
    {
        return "topic://" + getName();
    }
}
