package io.meshmq.ra.inbound;

import io.meshmq.ra.BrokerLogin;
import jakarta.jms.ConnectionConsumer;
import jakarta.jms.Destination;
import jakarta.jms.JMSException;
import jakarta.jms.Session;
import jakarta.jms.Topic;
import jakarta.jms.XAConnection;
import jakarta.resource.ResourceException;
import jakarta.resource.spi.UnavailableException;
import jakarta.resource.spi.endpoint.MessageEndpoint;
import jakarta.resource.spi.endpoint.MessageEndpointFactory;
import jakarta.resource.spi.work.Work;
import jakarta.resource.spi.work.WorkException;
import jakarta.resource.spi.work.WorkManager;

import java.util.concurrent.TimeUnit;
import java.util.concurrent.locks.LockSupport;
import javax.transaction.xa.XAResource;

/**
 * An MDB's consumer: one broker connection with a connection consumer feeding {@code maxSession} sessions, each
 * delivering to an MDB instance on a work thread. When the broker is lost (killed, restarted, unreachable) the
 * activation drops the connection and connects again, waiting longer each time up to thirty times the first
 * interval, until the MDB is undeployed; what was being delivered then comes again, as JMS promises.
 */
public final class Activation
{
    private static final System.Logger LOG = System.getLogger(Activation.class.getName());
    private static final long ENDPOINT_WAIT_MS = 100;

    private final WorkManager workManager;
    private final MessageEndpointFactory endpoints;
    private final MeshActivationSpec spec;
    private final BrokerLogin login;
    private final boolean transacted;
    private final Object lock = new Object();
    /** Guarded by {@link #lock}. */
    private XAConnection connection;
    private ConnectionConsumer consumer;
    private EndpointSessionPool pool;
    private boolean reconnecting;
    private volatile boolean stopped;

    public Activation(final WorkManager workManager, final MessageEndpointFactory endpoints,
        final MeshActivationSpec spec) throws ResourceException
    {
        this.workManager = workManager;
        this.endpoints = endpoints;
        this.spec = spec;
        this.login = spec.login();
        try
        {
            this.transacted = endpoints.isDeliveryTransacted(EndpointServerSession.ON_MESSAGE);
        }
        catch (final NoSuchMethodException ex)
        {
            throw new ResourceException("the endpoint is not a jakarta.jms.MessageListener: " + ex.getMessage(), ex);
        }
    }

    public MessageEndpointFactory endpoints()
    {
        return endpoints;
    }

    public MeshActivationSpec spec()
    {
        return spec;
    }

    /**
     * Connects now; if the broker cannot be reached, the MDB still deploys and the activation keeps trying.
     */
    public void start() throws ResourceException
    {
        try
        {
            connect();
        }
        catch (final JMSException ex)
        {
            LOG.log(System.Logger.Level.WARNING, "MDB on " + spec + ": cannot connect to MeshMQ at " + login + " (" +
                ex.getMessage() + "); trying again every " + spec.getReconnectIntervalMs() + " ms or more");
            reconnectLater();
        }
    }

    public void stop()
    {
        stopped = true;
        synchronized (lock)
        {
            lock.notifyAll();
            disconnect();
        }
    }

    WorkManager workManager()
    {
        return workManager;
    }

    private void connect() throws JMSException
    {
        synchronized (lock)
        {
            if (stopped)
            {
                return;
            }
            final XAConnection opened = login.connect(spec.getClientId());
            try
            {
                opened.setExceptionListener(this::lost);
                final EndpointSessionPool sessions = new EndpointSessionPool(spec.getMaxSession(),
                    into -> new EndpointServerSession(this, into, transacted ? opened.createXASession() :
                        opened.createSession(false, spec.sessionAcknowledgeMode())));
                consumer = consumerOn(opened, sessions);
                pool = sessions;
                connection = opened;
                opened.start();
            }
            catch (final JMSException | RuntimeException ex)
            {
                BrokerLogin.closeQuietly(opened);
                throw ex;
            }
        }
        LOG.log(System.Logger.Level.INFO, "MDB on " + spec + " consumes from MeshMQ at " + login + " with up to " +
            spec.getMaxSession() + " sessions" + (transacted ? ", in the container's transactions" : ""));
    }

    private ConnectionConsumer consumerOn(final XAConnection on, final EndpointSessionPool sessions)
        throws JMSException
    {
        final String selector = spec.getMessageSelector();
        final Destination destination;
        try (Session naming = on.createSession(false, Session.AUTO_ACKNOWLEDGE))
        {
            destination = spec.isQueue() ? naming.createQueue(spec.getDestination()) :
                naming.createTopic(spec.getDestination());
        }
        if (spec.isQueue())
        {
            return on.createConnectionConsumer(destination, selector, sessions, 1);
        }
        final Topic topic = (Topic)destination;
        final String name = spec.getSubscriptionName();
        if (spec.isDurable())
        {
            return spec.getShareSubscriptions() ?
                on.createSharedDurableConnectionConsumer(topic, name, selector, sessions, 1) :
                on.createDurableConnectionConsumer(topic, name, selector, sessions, 1);
        }
        return spec.getShareSubscriptions() ? on.createSharedConnectionConsumer(topic, name, selector, sessions, 1) :
            on.createConnectionConsumer(topic, selector, sessions, 1);
    }

    /**
     * The broker connection failed: drop it and connect again.
     */
    private void lost(final JMSException cause)
    {
        if (stopped)
        {
            return;
        }
        LOG.log(System.Logger.Level.WARNING, "MDB on " + spec + ": lost MeshMQ at " + login + " (" +
            cause.getMessage() + "); connecting again");
        synchronized (lock)
        {
            disconnect();
        }
        reconnectLater();
    }

    private void disconnect()
    {
        if (pool != null)
        {
            pool.close();
            pool = null;
        }
        if (consumer != null)
        {
            try
            {
                consumer.close();
            }
            catch (final JMSException ignore)
            {
                // the connection below goes anyway
            }
            consumer = null;
        }
        BrokerLogin.closeQuietly(connection);
        connection = null;
    }

    private void reconnectLater()
    {
        synchronized (lock)
        {
            if (reconnecting || stopped)
            {
                return;
            }
            reconnecting = true;
        }
        final Work reconnect = new Work()
        {
            @Override
            public void run()
            {
                reconnectUntilStopped();
            }

            @Override
            public void release()
            {
                stop();
            }
        };
        try
        {
            workManager.scheduleWork(reconnect);
        }
        catch (final WorkException ex)
        {
            synchronized (lock)
            {
                reconnecting = false;
            }
            LOG.log(System.Logger.Level.ERROR, "MDB on " + spec + ": the application server refused the work that " +
                "reconnects to MeshMQ, so it stays disconnected until redeployed: " + ex.getMessage());
        }
    }

    private void reconnectUntilStopped()
    {
        long waitMs = spec.getReconnectIntervalMs();
        final long longestMs = waitMs * 30;
        try
        {
            while (!stopped)
            {
                synchronized (lock)
                {
                    final long until = System.nanoTime() + TimeUnit.MILLISECONDS.toNanos(waitMs);
                    long leftMs = waitMs;
                    while (leftMs > 0 && !stopped)
                    {
                        lock.wait(leftMs);
                        leftMs = TimeUnit.NANOSECONDS.toMillis(until - System.nanoTime());
                    }
                }
                try
                {
                    connect();
                    return;
                }
                catch (final JMSException ex)
                {
                    LOG.log(System.Logger.Level.DEBUG, "MDB on " + spec + ": MeshMQ at " + login + " still away: " +
                        ex.getMessage());
                    waitMs = Math.min(waitMs * 2, longestMs);
                }
            }
        }
        catch (final InterruptedException ex)
        {
            Thread.currentThread().interrupt();
        }
        finally
        {
            synchronized (lock)
            {
                reconnecting = false;
            }
        }
    }

    /**
     * @return an MDB instance to deliver to, waiting while the container has none free; null once stopped.
     */
    MessageEndpoint createEndpoint(final XAResource xaResource) throws UnavailableException
    {
        while (!stopped)
        {
            try
            {
                return endpoints.createEndpoint(xaResource, ENDPOINT_WAIT_MS);
            }
            catch (final UnavailableException ex)
            {
                if (stopped)
                {
                    break;
                }
                // The container's MDB pool is busy or the application is still deploying: ask again shortly.
                LockSupport.parkNanos(TimeUnit.MILLISECONDS.toNanos(ENDPOINT_WAIT_MS));
            }
        }
        return null;
    }

    void deliveryFailed(final Exception cause)
    {
        if (!stopped)
        {
            LOG.log(System.Logger.Level.WARNING, "MDB on " + spec + ": a delivery failed; its message comes again: " +
                cause);
        }
    }
}
