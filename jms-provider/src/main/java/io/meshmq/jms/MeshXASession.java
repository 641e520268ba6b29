package io.meshmq.jms;

import io.meshmq.client.DeliveryAck;
import jakarta.jms.JMSException;
import jakarta.jms.QueueSession;
import jakarta.jms.Session;
import jakarta.jms.TopicSession;
import jakarta.jms.TransactionInProgressException;
import jakarta.jms.XAQueueSession;
import jakarta.jms.XATopicSession;

import java.util.List;
import javax.transaction.xa.XAResource;

/**
 * A session a transaction manager enlists through its {@link XAResource}. While it works for a branch (between
 * start and end) what it sends and consumes belongs to that branch; outside one it acknowledges
 * automatically and sends at once, as providers commonly do. Its own commit and rollback are refused: the
 * transaction manager decides.
 */
public final class MeshXASession extends MeshSession implements XAQueueSession, XATopicSession
{
    private final MeshXAConnection connection;
    private final MeshXAResource resource;
    /** The branch this session works for now; guarded by the connection's branch table. */
    private XaBranch branch;

    MeshXASession(final MeshXAConnection connection, final long sessionId, final Domain domain)
    {
        super(connection, sessionId, SESSION_TRANSACTED, domain);
        this.connection = connection;
        this.resource = new MeshXAResource(connection, this);
    }

    @Override
    int effectiveMode()
    {
        synchronized (connection.branches())
        {
            return branch != null ? SESSION_TRANSACTED : AUTO_ACKNOWLEDGE;
        }
    }

    /**
     * Guarded by the connection's branch table.
     */
    XaBranch branch()
    {
        return branch;
    }

    void branch(final XaBranch branch)
    {
        this.branch = branch;
    }

    @Override
    public XAResource getXAResource()
    {
        return resource;
    }

    @Override
    public Session getSession() throws JMSException
    {
        checkOpen();
        return this;
    }

    @Override
    public QueueSession getQueueSession() throws JMSException
    {
        checkOpen();
        return this;
    }

    @Override
    public TopicSession getTopicSession() throws JMSException
    {
        checkOpen();
        return this;
    }

    @Override
    public boolean getTransacted() throws JMSException
    {
        checkOpen();
        return true;
    }

    @Override
    public void commit() throws JMSException
    {
        checkOpen();
        throw new TransactionInProgressException("commit() called on an XA session: its transaction manager commits");
    }

    @Override
    public void rollback() throws JMSException
    {
        checkOpen();
        throw new TransactionInProgressException("rollback() called on an XA session: its transaction manager rolls back");
    }

    /**
     * Closing while working for a branch dooms that branch: what the session did for it cannot be finished.
     */
    @Override
    void beforeClose()
    {
        resource.sessionClosing();
    }

    @Override
    List<DeliveryAck> unacknowledgedOf(final long consumerId)
    {
        final List<DeliveryAck> ids = super.unacknowledgedOf(consumerId);
        ids.addAll(resource.heldDeliveriesOf(consumerId));
        return ids;
    }

    @Override
    boolean keepsDeliveriesAfterClose()
    {
        return resource.holdsDeliveries();
    }
}
