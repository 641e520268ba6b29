package io.meshmq.ra;

import jakarta.jms.Queue;

/**
 * A queue configured as an administered object of the adapter.
 */
public final class QueueAdminObject extends AdministeredDestination implements Queue
{
    private static final long serialVersionUID = 1L;

    @Override
    public String getQueueName()
    {
        return getName();
    }

    @Override
    public String toString()
    {
        return "queue://" + getName();
    }
}
