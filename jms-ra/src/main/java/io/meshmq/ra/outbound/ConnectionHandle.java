package io.meshmq.ra.outbound;

import jakarta.jms.Connection;
import jakarta.jms.ConnectionConsumer;
import jakarta.jms.ConnectionMetaData;
import jakarta.jms.Destination;
import jakarta.jms.ExceptionListener;
import jakarta.jms.IllegalStateException;
import jakarta.jms.JMSException;
import jakarta.jms.Queue;
import jakarta.jms.QueueConnection;
import jakarta.jms.QueueSession;
import jakarta.jms.ServerSessionPool;
import jakarta.jms.Session;
import jakarta.jms.Topic;
import jakarta.jms.TopicConnection;
import jakarta.jms.TopicSession;

/**
 * What the application holds for a pooled connection. Closing it gives the connection back to the pool. The calls
 * the specification forbids in a Jakarta EE web or EJB container (setting a client id or exception listener, stop,
 * connection consumers) throw {@link IllegalStateException}, and a connection has one session at a time.
 */
final class ConnectionHandle implements Connection, QueueConnection, TopicConnection
{
    private volatile MeshManagedConnection managed;
    private SessionHandle session;
    private boolean closed;

    ConnectionHandle(final MeshManagedConnection managed)
    {
        this.managed = managed;
    }

    /**
     * @return the managed connection it used before.
     */
    synchronized MeshManagedConnection moveTo(final MeshManagedConnection to)
    {
        final MeshManagedConnection from = managed;
        managed = to;
        return from;
    }

    MeshManagedConnection managed()
    {
        return managed;
    }

    @Override
    public Session createSession(final boolean transacted, final int acknowledgeMode) throws JMSException
    {
        return openSession();
    }

    @Override
    public Session createSession(final int sessionMode) throws JMSException
    {
        return openSession();
    }

    @Override
    public Session createSession() throws JMSException
    {
        return openSession();
    }

    @Override
    public QueueSession createQueueSession(final boolean transacted, final int acknowledgeMode) throws JMSException
    {
        return openSession();
    }

    @Override
    public TopicSession createTopicSession(final boolean transacted, final int acknowledgeMode) throws JMSException
    {
        return openSession();
    }

    /**
     * In a transaction the session belongs to it whatever the arguments; outside one it acknowledges automatically
     * (the specification: the arguments are ignored in a container).
     */
    private synchronized SessionHandle openSession() throws JMSException
    {
        checkOpen();
        if (session != null && !session.isClosed())
        {
            throw new IllegalStateException("this connection has an open session already: in a Jakarta EE " +
                "container a connection has one session at a time; close it, or get another connection from the " +
                "factory");
        }
        session = new SessionHandle(this);
        return session;
    }

    @Override
    public String getClientID() throws JMSException
    {
        checkOpen();
        return managed.connection().getClientID();
    }

    @Override
    public void setClientID(final String clientID) throws JMSException
    {
        throw forbidden("setClientID");
    }

    @Override
    public ConnectionMetaData getMetaData() throws JMSException
    {
        checkOpen();
        return managed.connection().getMetaData();
    }

    @Override
    public ExceptionListener getExceptionListener() throws JMSException
    {
        checkOpen();
        return null;
    }

    @Override
    public void setExceptionListener(final ExceptionListener listener) throws JMSException
    {
        throw forbidden("setExceptionListener");
    }

    /**
     * The pooled connection is started already, so receive works; starting again does nothing.
     */
    @Override
    public void start() throws JMSException
    {
        checkOpen();
    }

    @Override
    public void stop() throws JMSException
    {
        throw forbidden("stop");
    }

    @Override
    public void close() throws JMSException
    {
        final MeshManagedConnection from;
        synchronized (this)
        {
            if (closed)
            {
                return;
            }
            closed = true;
            if (session != null)
            {
                session.close();
            }
            from = managed;
        }
        from.closed(this);
    }

    /**
     * The container took the connection back: the handle no longer works, without telling the container.
     */
    synchronized void invalidate()
    {
        if (session != null)
        {
            session.closeQuietly();
        }
        closed = true;
    }

    synchronized void checkOpen() throws IllegalStateException
    {
        if (closed)
        {
            throw new IllegalStateException("this connection was closed (or taken back by its pool)");
        }
    }

    @Override
    public ConnectionConsumer createConnectionConsumer(final Destination destination, final String messageSelector,
        final ServerSessionPool sessionPool, final int maxMessages) throws JMSException
    {
        throw forbidden("createConnectionConsumer");
    }

    @Override
    public ConnectionConsumer createConnectionConsumer(final Queue queue, final String messageSelector,
        final ServerSessionPool sessionPool, final int maxMessages) throws JMSException
    {
        throw forbidden("createConnectionConsumer");
    }

    @Override
    public ConnectionConsumer createConnectionConsumer(final Topic topic, final String messageSelector,
        final ServerSessionPool sessionPool, final int maxMessages) throws JMSException
    {
        throw forbidden("createConnectionConsumer");
    }

    @Override
    public ConnectionConsumer createSharedConnectionConsumer(final Topic topic, final String subscriptionName,
        final String messageSelector, final ServerSessionPool sessionPool, final int maxMessages) throws JMSException
    {
        throw forbidden("createSharedConnectionConsumer");
    }

    @Override
    public ConnectionConsumer createDurableConnectionConsumer(final Topic topic, final String subscriptionName,
        final String messageSelector, final ServerSessionPool sessionPool, final int maxMessages) throws JMSException
    {
        throw forbidden("createDurableConnectionConsumer");
    }

    @Override
    public ConnectionConsumer createSharedDurableConnectionConsumer(final Topic topic, final String subscriptionName,
        final String messageSelector, final ServerSessionPool sessionPool, final int maxMessages) throws JMSException
    {
        throw forbidden("createSharedDurableConnectionConsumer");
    }

    static IllegalStateException forbidden(final String method)
    {
        return new IllegalStateException(method + " may not be called in a Jakarta EE web or EJB container " +
            "(Jakarta Messaging 3.1, section 12.2)");
    }
}
