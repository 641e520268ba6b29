package io.meshmq.ra.outbound;

import jakarta.jms.Connection;
import jakarta.jms.ConnectionFactory;
import jakarta.jms.JMSContext;
import jakarta.jms.JMSException;
import jakarta.jms.JMSRuntimeException;
import jakarta.jms.QueueConnection;
import jakarta.jms.QueueConnectionFactory;
import jakarta.jms.TopicConnection;
import jakarta.jms.TopicConnectionFactory;
import jakarta.resource.Referenceable;
import jakarta.resource.ResourceException;
import jakarta.resource.spi.ConnectionManager;

import java.io.Serializable;
import javax.naming.Reference;

/**
 * The connection factory an application looks up or has injected: each connection comes from the application
 * server's pool, enlisted in the caller's transaction, and goes back to it on close.
 */
public final class PooledConnectionFactory implements ConnectionFactory, QueueConnectionFactory,
    TopicConnectionFactory, Referenceable, Serializable
{
    private static final long serialVersionUID = 1L;

    private final MeshManagedConnectionFactory factory;
    private final ConnectionManager manager;
    private Reference reference;

    PooledConnectionFactory(final MeshManagedConnectionFactory factory, final ConnectionManager manager)
    {
        this.factory = factory;
        this.manager = manager;
    }

    @Override
    public Connection createConnection() throws JMSException
    {
        return allocate(null);
    }

    @Override
    public Connection createConnection(final String userName, final String password) throws JMSException
    {
        return allocate(new MeshConnectionRequestInfo(userName, password));
    }

    @Override
    public QueueConnection createQueueConnection() throws JMSException
    {
        return allocate(null);
    }

    @Override
    public QueueConnection createQueueConnection(final String userName, final String password) throws JMSException
    {
        return allocate(new MeshConnectionRequestInfo(userName, password));
    }

    @Override
    public TopicConnection createTopicConnection() throws JMSException
    {
        return allocate(null);
    }

    @Override
    public TopicConnection createTopicConnection(final String userName, final String password) throws JMSException
    {
        return allocate(new MeshConnectionRequestInfo(userName, password));
    }

    private ConnectionHandle allocate(final MeshConnectionRequestInfo request) throws JMSException
    {
        try
        {
            return (ConnectionHandle)manager.allocateConnection(factory, request);
        }
        catch (final ResourceException ex)
        {
            final JMSException failure = new JMSException("cannot get a pooled MeshMQ connection: " + ex.getMessage());
            failure.setLinkedException(ex);
            failure.initCause(ex);
            throw failure;
        }
    }

    /**
     * A context over a pooled connection; in a container the session mode is not the application's to choose (see
     * {@link ContextHandle}).
     */
    @Override
    public JMSContext createContext()
    {
        return context(null);
    }

    @Override
    public JMSContext createContext(final String userName, final String password)
    {
        return context(new MeshConnectionRequestInfo(userName, password));
    }

    @Override
    public JMSContext createContext(final String userName, final String password, final int sessionMode)
    {
        return context(new MeshConnectionRequestInfo(userName, password));
    }

    @Override
    public JMSContext createContext(final int sessionMode)
    {
        return context(null);
    }

    private JMSContext context(final MeshConnectionRequestInfo request)
    {
        try
        {
            return new ContextHandle(allocate(request));
        }
        catch (final JMSException ex)
        {
            throw new JMSRuntimeException(ex.getMessage(), ex.getErrorCode(), ex);
        }
    }

    @Override
    public void setReference(final Reference reference)
    {
        this.reference = reference;
    }

    @Override
    public Reference getReference()
    {
        return reference;
    }
}
