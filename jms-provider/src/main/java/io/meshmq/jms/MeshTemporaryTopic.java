package io.meshmq.jms;

import io.meshmq.protocol.DestinationType;
import jakarta.jms.IllegalStateException;
import jakarta.jms.JMSException;
import jakarta.jms.TemporaryTopic;

/**
 * A topic that lives as long as the connection that created it; only that connection may subscribe to it.
 */
public final class MeshTemporaryTopic extends MeshTopic implements TemporaryTopic
{
    private static final long serialVersionUID = 1L;

    private final transient MeshConnection owner;

    MeshTemporaryTopic(final String name, final MeshConnection owner)
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
        return DestinationType.TEMPORARY_TOPIC;
    }

    @Override
    public void delete() throws JMSException
    {
        if (owner == null)
        {
            throw new IllegalStateException("temporary topic " + name() + " can only be deleted by the connection that created it");
        }
        owner.deleteTemporary(this);
    }

    @Override
    public String toString()
    {
        return "temp-topic://" + name();
    }
}
