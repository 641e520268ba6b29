package io.meshmq.ra.outbound;

import io.meshmq.ra.BrokerLogin;
import io.meshmq.ra.TransactionAwareXAResource;
import jakarta.jms.JMSException;
import jakarta.jms.Session;
import jakarta.jms.XAConnection;
import jakarta.jms.XASession;
import jakarta.resource.ResourceException;
import jakarta.resource.spi.ConnectionEvent;
import jakarta.resource.spi.ConnectionEventListener;
import jakarta.resource.spi.ConnectionRequestInfo;
import jakarta.resource.spi.LocalTransaction;
import jakarta.resource.spi.ManagedConnection;
import jakarta.resource.spi.ManagedConnectionMetaData;
import jakarta.resource.spi.ResourceAllocationException;
import jakarta.resource.spi.SecurityException;

import java.io.PrintWriter;
import java.util.List;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.function.Consumer;
import javax.security.auth.Subject;
import javax.transaction.xa.XAResource;

/**
 * One pooled broker connection with its one session, as Jakarta EE gives an application one session per connection.
 * The session is an XA session: enlisted (through {@link #getXAResource} or {@link #getLocalTransaction}) what it
 * sends and receives belongs to the transaction; otherwise it sends at once and acknowledges automatically, as the
 * specification says a session outside a transaction does in a container.
 */
final class MeshManagedConnection implements ManagedConnection
{
    private final MeshManagedConnectionFactory factory;
    private final BrokerLogin login;
    private final XAConnection connection;
    private final XASession session;
    private final TransactionAwareXAResource xaResource;
    private final LocalTransaction localTransaction;
    private final List<ConnectionEventListener> listeners = new CopyOnWriteArrayList<>();
    private final Set<ConnectionHandle> handles = ConcurrentHashMap.newKeySet();
    private volatile PrintWriter logWriter;
    private volatile boolean destroyed;

    MeshManagedConnection(final MeshManagedConnectionFactory factory, final BrokerLogin login)
        throws ResourceException
    {
        this.factory = factory;
        this.login = login;
        XAConnection opened = null;
        try
        {
            opened = login.connect(factory.getClientId());
            opened.setExceptionListener(this::failed);
            this.session = opened.createXASession();
            opened.start();
        }
        catch (final JMSException ex)
        {
            BrokerLogin.closeQuietly(opened);
            throw new ResourceAllocationException("cannot connect to MeshMQ at " + login + ": " + ex.getMessage(), ex);
        }
        this.connection = opened;
        this.xaResource = new TransactionAwareXAResource(session.getXAResource());
        this.localTransaction = new LocalTransactionOverXa(xaResource);
    }

    boolean isFor(final MeshManagedConnectionFactory from, final BrokerLogin wanted)
    {
        return !destroyed && factory.equals(from) && login.equals(wanted);
    }

    @Override
    public Object getConnection(final Subject subject, final ConnectionRequestInfo request) throws ResourceException
    {
        checkNotDestroyed();
        if (!login.equals(factory.login(subject, request)))
        {
            throw new SecurityException("this pooled connection belongs to another user than the one asked for");
        }
        final ConnectionHandle handle = new ConnectionHandle(this);
        handles.add(handle);
        return handle;
    }

    @Override
    public void associateConnection(final Object connection) throws ResourceException
    {
        checkNotDestroyed();
        if (!(connection instanceof ConnectionHandle handle))
        {
            throw new ResourceException("not a MeshMQ connection handle: " + connection);
        }
        final MeshManagedConnection previous = handle.moveTo(this);
        if (previous != null)
        {
            previous.handles.remove(handle);
        }
        handles.add(handle);
    }

    /**
     * Back to the pool: every handle the application still has stops working, and what its sessions made is closed.
     */
    @Override
    public void cleanup()
    {
        for (final ConnectionHandle handle : handles)
        {
            handle.invalidate();
        }
        handles.clear();
    }

    @Override
    public void destroy()
    {
        destroyed = true;
        cleanup();
        BrokerLogin.closeQuietly(connection);
    }

    @Override
    public void addConnectionEventListener(final ConnectionEventListener listener)
    {
        listeners.add(listener);
    }

    @Override
    public void removeConnectionEventListener(final ConnectionEventListener listener)
    {
        listeners.remove(listener);
    }

    @Override
    public XAResource getXAResource() throws ResourceException
    {
        checkNotDestroyed();
        return xaResource;
    }

    @Override
    public LocalTransaction getLocalTransaction() throws ResourceException
    {
        checkNotDestroyed();
        return localTransaction;
    }

    @Override
    public ManagedConnectionMetaData getMetaData() throws ResourceException
    {
        checkNotDestroyed();
        final String version;
        try
        {
            version = connection.getMetaData().getProviderVersion();
        }
        catch (final JMSException ex)
        {
            throw new ResourceException("the broker connection is closed: " + ex.getMessage(), ex);
        }
        return new ManagedConnectionMetaData()
        {
            @Override
            public String getEISProductName()
            {
                return "MeshMQ";
            }

            @Override
            public String getEISProductVersion()
            {
                return version;
            }

            @Override
            public int getMaxConnections()
            {
                return 0;
            }

            @Override
            public String getUserName()
            {
                return login.user();
            }
        };
    }

    @Override
    public void setLogWriter(final PrintWriter out)
    {
        this.logWriter = out;
    }

    @Override
    public PrintWriter getLogWriter()
    {
        return logWriter;
    }

    // ---- for the handles ----------------------------------------------------------------------------------------

    Session session()
    {
        return session;
    }

    XAConnection connection()
    {
        return connection;
    }

    /**
     * @return whether the session works for a transaction now (global or local).
     */
    boolean inTransaction()
    {
        return xaResource.isAssociated();
    }

    /**
     * The application closed a handle: the container may take this connection back to its pool.
     */
    void closed(final ConnectionHandle handle)
    {
        handles.remove(handle);
        final ConnectionEvent event = new ConnectionEvent(this, ConnectionEvent.CONNECTION_CLOSED);
        event.setConnectionHandle(handle);
        notifyListeners(event);
    }

    private void failed(final JMSException cause)
    {
        if (!destroyed)
        {
            notifyListeners(new ConnectionEvent(this, ConnectionEvent.CONNECTION_ERROR_OCCURRED, cause));
        }
    }

    private void notifyListeners(final ConnectionEvent event)
    {
        // Local transaction events are for transactions the application itself demarcates, which JMS in a
        // container does not let it do: only these two are ever sent.
        final Consumer<ConnectionEventListener> call = event.getId() == ConnectionEvent.CONNECTION_CLOSED ?
            listener -> listener.connectionClosed(event) : listener -> listener.connectionErrorOccurred(event);
        listeners.forEach(call);
    }

    private void checkNotDestroyed() throws ResourceException
    {
        if (destroyed)
        {
            throw new ResourceException("this pooled MeshMQ connection was destroyed");
        }
    }
}
