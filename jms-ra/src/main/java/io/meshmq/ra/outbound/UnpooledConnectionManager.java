package io.meshmq.ra.outbound;

import jakarta.resource.ResourceException;
import jakarta.resource.spi.ConnectionEvent;
import jakarta.resource.spi.ConnectionEventListener;
import jakarta.resource.spi.ConnectionManager;
import jakarta.resource.spi.ConnectionRequestInfo;
import jakarta.resource.spi.ManagedConnection;
import jakarta.resource.spi.ManagedConnectionFactory;

/**
 * The connection manager outside an application server (the Connectors "non-managed" case): a new managed connection
 * per allocation, destroyed when the application closes its handle. No pooling and no transaction enlistment.
 */
final class UnpooledConnectionManager implements ConnectionManager
{
    private static final long serialVersionUID = 1L;

    @Override
    public Object allocateConnection(final ManagedConnectionFactory factory, final ConnectionRequestInfo request)
        throws ResourceException
    {
        final ManagedConnection connection = factory.createManagedConnection(null, request);
        connection.addConnectionEventListener(new ConnectionEventListener()
        {
            @Override
            public void connectionClosed(final ConnectionEvent event)
            {
                destroyQuietly(connection);
            }

            @Override
            public void connectionErrorOccurred(final ConnectionEvent event)
            {
                destroyQuietly(connection);
            }

            @Override
            public void localTransactionStarted(final ConnectionEvent event)
            {
                // never sent: the application does not demarcate transactions here
            }

            @Override
            public void localTransactionCommitted(final ConnectionEvent event)
            {
                // never sent: the application does not demarcate transactions here
            }

            @Override
            public void localTransactionRolledback(final ConnectionEvent event)
            {
                // never sent: the application does not demarcate transactions here
            }
        });
        return connection.getConnection(null, request);
    }

    private static void destroyQuietly(final ManagedConnection connection)
    {
        try
        {
            connection.destroy();
        }
        catch (final ResourceException ignore)
        {
            // its broker connection is gone already
        }
    }
}
