package io.meshmq.jms;

import jakarta.jms.JMSContext;
import jakarta.jms.JMSException;
import jakarta.jms.Session;
import jakarta.jms.TransactionInProgressRuntimeException;
import jakarta.jms.XAJMSContext;

import javax.transaction.xa.XAResource;

/**
 * A JMSContext a transaction manager enlists through its {@link XAResource}; it behaves as an
 * {@link MeshXASession} does. Its session is made on first use, so its resource is too.
 */
public final class MeshXAJMSContext extends MeshJMSContext implements XAJMSContext
{
    MeshXAJMSContext(final MeshXAConnection connection)
    {
        super(connection, SESSION_TRANSACTED);
    }

    @Override
    protected Session openSession() throws JMSException
    {
        return (MeshXASession)((MeshXAConnection)connection()).createXASession();
    }

    @Override
    public JMSContext getContext()
    {
        checkOpen();
        return this;
    }

    @Override
    public XAResource getXAResource()
    {
        return ((MeshXASession)session()).getXAResource();
    }

    @Override
    public boolean getTransacted()
    {
        checkOpen();
        return true;
    }

    @Override
    public void commit()
    {
        checkOpen();
        throw new TransactionInProgressRuntimeException("commit() called on an XAJMSContext: its transaction manager commits");
    }

    @Override
    public void rollback()
    {
        checkOpen();
        throw new TransactionInProgressRuntimeException("rollback() called on an XAJMSContext: its transaction manager rolls back");
    }
}
