package io.meshmq.ra;

import io.meshmq.ra.inbound.Activation;
import io.meshmq.ra.inbound.MeshActivationSpec;
import jakarta.jms.JMSException;
import jakarta.jms.XAConnection;
import jakarta.resource.NotSupportedException;
import jakarta.resource.ResourceException;
import jakarta.resource.spi.ActivationSpec;
import jakarta.resource.spi.BootstrapContext;
import jakarta.resource.spi.ResourceAdapter;
import jakarta.resource.spi.ResourceAdapterInternalException;
import jakarta.resource.spi.endpoint.MessageEndpointFactory;
import jakarta.resource.spi.work.WorkManager;

import java.util.ArrayList;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Set;
import java.util.concurrent.CopyOnWriteArrayList;
import javax.transaction.xa.XAResource;

/**
 * The MeshMQ resource adapter: outbound pooled connection factories ({@code io.meshmq.ra.outbound}), inbound delivery
 * to message-driven beans ({@code io.meshmq.ra.inbound}), and XA recovery for the transaction manager. Its
 * properties ({@code connectionURL}, {@code user}, {@code password}) are the defaults every pool and activation
 * starts from.
 */
public final class MeshResourceAdapter extends BrokerSettings implements ResourceAdapter
{
    private static final long serialVersionUID = 1L;
    private static final System.Logger LOG = System.getLogger(MeshResourceAdapter.class.getName());

    private transient WorkManager workManager;
    private final transient List<Activation> activations = new CopyOnWriteArrayList<>();
    private final transient List<XAConnection> recoveryConnections = new CopyOnWriteArrayList<>();

    @Override
    public void start(final BootstrapContext context) throws ResourceAdapterInternalException
    {
        this.workManager = context.getWorkManager();
        LOG.log(System.Logger.Level.INFO, "MeshMQ resource adapter started; default broker " +
            defaultLogin());
    }

    @Override
    public void stop()
    {
        activations.forEach(Activation::stop);
        activations.clear();
        closeRecoveryConnections();
    }

    private void closeRecoveryConnections()
    {
        recoveryConnections.forEach(BrokerLogin::closeQuietly);
        recoveryConnections.clear();
    }

    @Override
    public void endpointActivation(final MessageEndpointFactory endpoints, final ActivationSpec spec)
        throws ResourceException
    {
        final MeshActivationSpec mesh = meshSpec(spec);
        mesh.validate();
        if (workManager == null)
        {
            throw new ResourceAdapterInternalException("the resource adapter was not started by the server");
        }
        final Activation activation = new Activation(workManager, endpoints, mesh);
        activations.add(activation);
        activation.start();
    }

    @Override
    public void endpointDeactivation(final MessageEndpointFactory endpoints, final ActivationSpec spec)
    {
        for (final Activation activation : activations)
        {
            if (activation.endpoints() == endpoints && activation.spec() == spec)
            {
                activations.remove(activation);
                activation.stop();
            }
        }
    }

    /**
     * The transaction manager's way in after a crash: one connection per broker login of the given activations (or
     * the adapter's own), whose XA resource lists and completes the branches the broker holds prepared. They stay
     * open for the transaction manager until its next recovery pass or the adapter stops.
     */
    @Override
    public XAResource[] getXAResources(final ActivationSpec[] specs) throws ResourceException
    {
        final Set<BrokerLogin> logins = new LinkedHashSet<>();
        if (specs != null)
        {
            for (final ActivationSpec spec : specs)
            {
                logins.add(meshSpec(spec).login());
            }
        }
        if (logins.isEmpty())
        {
            logins.add(defaultLogin());
        }
        // A recovery pass uses what the previous one was given no more: those connections go now.
        closeRecoveryConnections();
        final List<XAResource> resources = new ArrayList<>();
        for (final BrokerLogin login : logins)
        {
            try
            {
                final XAConnection connection = login.connect(null);
                recoveryConnections.add(connection);
                resources.add(connection.createXASession().getXAResource());
            }
            catch (final JMSException ex)
            {
                // One broker away must not keep the others' branches from being recovered.
                LOG.log(System.Logger.Level.WARNING, "XA recovery cannot reach MeshMQ at " + login + ": " +
                    ex.getMessage());
            }
        }
        LOG.log(System.Logger.Level.INFO, "XA recovery: the transaction manager gets " + resources.size() +
            " resource(s) for MeshMQ at " + logins);
        return resources.toArray(new XAResource[0]);
    }

    private static MeshActivationSpec meshSpec(final ActivationSpec spec) throws NotSupportedException
    {
        if (spec instanceof MeshActivationSpec mesh)
        {
            return mesh;
        }
        throw new NotSupportedException("not a MeshMQ activation spec: " + (spec == null ? null : spec.getClass()));
    }







    /**
     * @return the login pools and activations start from (the local broker at the default port unless set).
     */
    public BrokerLogin defaultLogin()
    {
        return login(null);
    }

    @Override
    public boolean equals(final Object other)
    {
        return other instanceof MeshResourceAdapter that && defaultLogin().equals(that.defaultLogin());
    }

    @Override
    public int hashCode()
    {
        return defaultLogin().hashCode();
    }
}
