package io.meshmq.jms;

import io.meshmq.client.ClientConnection;
import io.meshmq.client.ClientException;
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
    /**
     * Opens another connection to the same brokers, as the same user.
     */
    interface Reopener
    {
        ClientConnection open() throws ClientException;
    }

    private final Map<WireXid, XaBranch> branches = new HashMap<>();
    private volatile Reopener reopener;

    MeshXAConnection(final ClientConnection core, final String clientID)
    {
        super(core, clientID);
    }

    void reopenWith(final Reopener reopener)
    {
        this.reopener = reopener;
    }

    /**
     * What a transaction manager asks of the broker about prepared branches, done on a connection of its own.
     */
    interface OnBroker<T>
    {
        T call(ClientConnection broker) throws ClientException;
    }

    /**
     * Recovers, commits or rolls back prepared branches through a connection of its own, for a transaction manager
     * that comes back to this connection's XA resource after the connection was lost: prepared branches live on the
     * broker, and any connection to it may see and complete them.
     *
     * @throws ClientException as the broker answered, or if it cannot be reached.
     */
    <T> T elsewhere(final OnBroker<T> call) throws ClientException
    {
        final Reopener opener = reopener;
        if (opener == null)
        {
            throw new ClientException(ClientException.CONNECTION_LOST, "the connection is lost");
        }
        final ClientConnection fresh = opener.open();
        try
        {
            return call.call(fresh);
        }
        finally
        {
            fresh.close();
        }
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
