package io.meshmq.jms;

import io.meshmq.protocol.DestinationType;
import jakarta.jms.IllegalStateException;
import jakarta.jms.JMSException;
import jakarta.jms.TemporaryQueue;

/**
 * A queue that lives as long as the connection that created it; only that connection may consume from it.
 */
public final class MeshTemporaryQueue extends MeshQueue implements TemporaryQueue
{
    private static final long serialVersionUID = 1L;

    private final transient MeshConnection owner;

    MeshTemporaryQueue(final String name, final MeshConnection owner)
    {
        super(name);
        this.owner = owner;
    }

    MeshConnection owner()
    {
        return owner;
    }

    @Override
    public byte type()
    {
        return DestinationType.TEMPORARY_QUEUE;
    }

    @Override
    public void delete() throws JMSException
    {
        if (owner == null)
        {
            throw new IllegalStateException("temporary queue " + name() + " can only be deleted by the connection that created it");
        }
        owner.deleteTemporary(this);
    }

    @Override
    public String toString()
    {
        return "temp-queue://" + name();
    }
}
