package io.meshmq.jms;

import io.meshmq.client.ClientConnection;
import io.meshmq.protocol.WireXid;
import jakarta.jms.JMSException;
import jakarta.jms.XAQueueConnection;
import jakarta.jms.XAQueueSession;
import jakarta.jms.XASession;
import jakarta.jms.XATopicConnection;
import jakarta.jms.XATopicSession;

import java.util.HashMap;
import java.util.Map;

/**
 * A connection whose sessions a transaction manager can enlist in global transactions. It is the resource
 * manager of its XA resources: the branches its sessions work for are kept here until prepared, so only
 * resources of one connection count as the same resource manager.
 */
public final class MeshXAConnection extends MeshConnection implements XAQueueConnection, XATopicConnection
{
    private final Map<WireXid, XaBranch> branches = new HashMap<>();

    MeshXAConnection(final ClientConnection core, final String clientID)
    {
        super(core, clientID);
    }

    /**
     * @return the branches not prepared yet, by xid; lock it while using it or a branch in it.
     */
    Map<WireXid, XaBranch> branches()
    {
        return branches;
    }

    @Override
    public XASession createXASession() throws JMSException
    {
        return addSession(id -> new MeshXASession(this, id, MeshSession.Domain.ANY));
    }

    @Override
    public XAQueueSession createXAQueueSession() throws JMSException
    {
        return addSession(id -> new MeshXASession(this, id, MeshSession.Domain.QUEUE));
    }

    @Override
    public XATopicSession createXATopicSession() throws JMSException
    {
        return addSession(id -> new MeshXASession(this, id, MeshSession.Domain.TOPIC));
    }
}
