package io.meshmq.ra.inbound;

import io.meshmq.ra.TransactionAwareXAResource;
import jakarta.jms.JMSException;
import jakarta.jms.Message;
import jakarta.jms.MessageListener;
import jakarta.jms.ServerSession;
import jakarta.jms.Session;
import jakarta.jms.XASession;
import jakarta.resource.ResourceException;
import jakarta.resource.spi.endpoint.MessageEndpoint;
import jakarta.resource.spi.work.Work;
import jakarta.resource.spi.work.WorkException;

import java.lang.reflect.Method;

/**
 * One of an activation's sessions: the connection consumer loads a message into it, and it delivers that message to
 * an MDB instance on a work thread of the application server. For a transacted MDB method the container starts the
 * transaction in {@code beforeDelivery}, enlisting this session's XA resource, so the message is consumed in the
 * transaction and comes again if it rolls back. A delivery the container began no branch for is not made: outside a
 * branch an XA session acknowledges by itself, so the message would be consumed whatever became of the transaction.
 */
final class EndpointServerSession implements ServerSession, Work, MessageListener
{
    static final Method ON_MESSAGE;

    static
    {
        try
        {
            ON_MESSAGE = MessageListener.class.getMethod("onMessage", Message.class);
        }
        catch (final NoSuchMethodException ex)
        {
            throw new ExceptionInInitializerError(ex);
        }
    }

    private final Activation activation;
    private final EndpointSessionPool pool;
    private final Session session;
    private final TransactionAwareXAResource xaResource;
    private MessageEndpoint endpoint;

    /**
     * @param session an XA session when delivery is transacted, else a session acknowledging as the MDB asked.
     */
    EndpointServerSession(final Activation activation, final EndpointSessionPool pool, final Session session)
        throws JMSException
    {
        this.activation = activation;
        this.pool = pool;
        this.session = session;
        this.xaResource = session instanceof XASession xa ? new TransactionAwareXAResource(xa.getXAResource()) : null;
        session.setMessageListener(this);
    }

    @Override
    public Session getSession()
    {
        return session;
    }

    /**
     * The connection consumer loaded a message: deliver it on one of the server's threads.
     */
    @Override
    public void start() throws JMSException
    {
        try
        {
            activation.workManager().scheduleWork(this);
        }
        catch (final WorkException ex)
        {
            // The message loaded into it goes back with the connection consumer's batch: this session, holding it
            // too, is replaced rather than used again.
            pool.discard(this);
            final JMSException failure = new JMSException("the application server refused the delivery work: " +
                ex.getMessage());
            failure.setLinkedException(ex);
            throw failure;
        }
    }

    @Override
    public void run()
    {
        boolean handedOut = false;
        try
        {
            endpoint = activation.createEndpoint(xaResource);
            if (endpoint == null)
            {
                return; // the activation stopped while waiting for an MDB instance
            }
            final boolean transacted = xaResource != null;
            if (transacted)
            {
                endpoint.beforeDelivery(ON_MESSAGE);
            }
            try
            {
                if (transacted && !xaResource.isAssociated())
                {
                    activation.deliveryFailed(new IllegalStateException("the container began no transaction " +
                        "branch on the adapter's XA resource for the delivery"));
                }
                else
                {
                    handedOut = true;
                    session.run();
                }
            }
            finally
            {
                if (transacted)
                {
                    endpoint.afterDelivery();
                }
            }
        }
        catch (final ResourceException | NoSuchMethodException | RuntimeException ex)
        {
            activation.deliveryFailed(ex);
        }
        finally
        {
            if (endpoint != null)
            {
                endpoint.release();
                endpoint = null;
            }
            if (handedOut)
            {
                pool.giveBack(this);
            }
            else
            {
                giveBackLoaded();
                pool.discard(this);
            }
        }
    }

    /**
     * The message the connection consumer loaded was never handed out (no MDB instance, or the transaction could not
     * begin): a closed session's {@code run()} gives it back to the broker, and this session is not used again.
     */
    private void giveBackLoaded()
    {
        closeQuietly();
        session.run();
    }

    /**
     * Called by {@link Session#run()} on this work's thread, inside the transaction when there is one. What the MDB
     * throws rolls the transaction back (the container marks it so), or, outside one, makes the session give the
     * message back.
     */
    @Override
    public void onMessage(final Message message)
    {
        ((MessageListener)endpoint).onMessage(message);
    }

    @Override
    public void release()
    {
        // A delivery runs as long as the MDB takes: there is nothing to cut short.
    }

    void closeQuietly()
    {
        try
        {
            session.close();
        }
        catch (final JMSException ignore)
        {
            // its connection is closing anyway
        }
    }
}
