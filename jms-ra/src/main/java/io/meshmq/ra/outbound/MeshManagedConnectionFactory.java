package io.meshmq.ra.outbound;

import io.meshmq.ra.BrokerLogin;
import io.meshmq.ra.BrokerSettings;
import io.meshmq.ra.MeshResourceAdapter;
import jakarta.resource.ResourceException;
import jakarta.resource.spi.ConnectionManager;
import jakarta.resource.spi.ConnectionRequestInfo;
import jakarta.resource.spi.ManagedConnection;
import jakarta.resource.spi.ManagedConnectionFactory;
import jakarta.resource.spi.ResourceAdapter;
import jakarta.resource.spi.ResourceAdapterAssociation;
import jakarta.resource.spi.security.PasswordCredential;

import java.io.PrintWriter;
import java.util.Objects;
import java.util.Set;
import javax.security.auth.Subject;

/**
 * The outbound connection definition: the application server pools the {@link MeshManagedConnection}s it makes and
 * hands the application a {@link PooledConnectionFactory}. Its JavaBean properties are the pool's settings
 * ({@code connectionURL}, {@code user}, {@code password}, {@code clientId}); unset ones come from the adapter's.
 */
public final class MeshManagedConnectionFactory extends BrokerSettings
    implements ManagedConnectionFactory, ResourceAdapterAssociation
{
    private static final long serialVersionUID = 1L;

    private String clientId;
    private transient ResourceAdapter resourceAdapter;
    private transient PrintWriter logWriter;

    @Override
    public Object createConnectionFactory(final ConnectionManager manager)
    {
        return new PooledConnectionFactory(this, manager);
    }

    /**
     * Outside an application server: every connection is a new one, closed with its handle.
     */
    @Override
    public Object createConnectionFactory()
    {
        return new PooledConnectionFactory(this, new UnpooledConnectionManager());
    }

    @Override
    public ManagedConnection createManagedConnection(final Subject subject, final ConnectionRequestInfo request)
        throws ResourceException
    {
        return new MeshManagedConnection(this, login(subject, request));
    }

    @Override
    @SuppressWarnings("rawtypes")
    public ManagedConnection matchManagedConnections(final Set candidates, final Subject subject,
        final ConnectionRequestInfo request) throws ResourceException
    {
        final BrokerLogin wanted = login(subject, request);
        for (final Object candidate : candidates)
        {
            if (candidate instanceof MeshManagedConnection connection && connection.isFor(this, wanted))
            {
                return connection;
            }
        }
        return null;
    }

    /**
     * The login a request needs: the application's own user and password if it gave them, else the container's
     * credential for this factory, else the pool's (or the adapter's) settings.
     */
    BrokerLogin login(final Subject subject, final ConnectionRequestInfo request)
    {
        final BrokerLogin configured = login(resourceAdapter instanceof MeshResourceAdapter adapter ? adapter : null);
        if (request instanceof MeshConnectionRequestInfo given && given.user() != null)
        {
            return new BrokerLogin(configured.url(), given.user(), given.password());
        }
        if (subject != null)
        {
            for (final PasswordCredential credential : subject.getPrivateCredentials(PasswordCredential.class))
            {
                if (this.equals(credential.getManagedConnectionFactory()))
                {
                    return new BrokerLogin(configured.url(), credential.getUserName(),
                        new String(credential.getPassword()));
                }
            }
        }
        return configured;
    }

    public String getClientId()
    {
        return clientId;
    }

    /**
     * @param clientId the client id of every pooled connection; since a client id is held by one connection at a
     *                 time, a pool with one should hold one connection.
     */
    public void setClientId(final String clientId)
    {
        this.clientId = BrokerLogin.blankAsNull(clientId);
    }

    @Override
    public ResourceAdapter getResourceAdapter()
    {
        return resourceAdapter;
    }

    @Override
    public void setResourceAdapter(final ResourceAdapter resourceAdapter)
    {
        this.resourceAdapter = resourceAdapter;
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

    /**
     * Pools are told apart by their settings (the Connectors specification asks for it).
     */
    @Override
    public boolean equals(final Object other)
    {
        return other instanceof MeshManagedConnectionFactory that &&
            Objects.equals(getConnectionURL(), that.getConnectionURL()) && Objects.equals(getUser(), that.getUser()) &&
            Objects.equals(getPassword(), that.getPassword()) && Objects.equals(clientId, that.clientId);
    }

    @Override
    public int hashCode()
    {
        return Objects.hash(getConnectionURL(), getUser(), clientId);
    }
}
