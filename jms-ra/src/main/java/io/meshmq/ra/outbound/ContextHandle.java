package io.meshmq.ra.outbound;

import io.meshmq.jms.MeshJMSContext;
import io.meshmq.jms.MeshMessageConsumer;

import jakarta.jms.IllegalStateRuntimeException;
import jakarta.jms.JMSContext;
import jakarta.jms.JMSException;
import jakarta.jms.JMSRuntimeException;
import jakarta.jms.MessageConsumer;
import jakarta.jms.Session;

/**
 * The simplified API over a pooled connection: the application's {@link JMSContext} (also what a server injects
 * for {@code @Inject JMSContext}). It follows the same container rules as the handles it is made of: the session
 * mode asked for is ignored (in a transaction the context is transacted and the transaction manager commits, outside
 * one it acknowledges automatically), and listeners, {@code stop}, {@code setClientID}, {@code setExceptionListener}
 * and a second context on the same connection are refused. Closing it gives the connection back to the pool.
 */
final class ContextHandle extends MeshJMSContext
{
    ContextHandle(final ConnectionHandle connection)
    {
        super(connection, AUTO_ACKNOWLEDGE);
    }

    @Override
    protected Session openSession() throws JMSException
    {
        return ((ConnectionHandle)connection()).createSession();
    }

    @Override
    protected MeshMessageConsumer unwrap(final MessageConsumer consumer) throws JMSException
    {
        return super.unwrap(SessionHandle.physical(consumer));
    }

    @Override
    protected boolean listenersAllowed()
    {
        return false;
    }

    @Override
    public JMSContext createContext(final int sessionMode)
    {
        checkOpen();
        throw new JMSRuntimeException("JMSContext.createContext may not be called in a Jakarta EE web or EJB " +
            "container (one session per connection there): ask the connection factory for another context");
    }

    @Override
    public boolean getTransacted()
    {
        return getSessionMode() == SESSION_TRANSACTED;
    }

    @Override
    public int getSessionMode()
    {
        try
        {
            return session().getAcknowledgeMode();
        }
        catch (final jakarta.jms.IllegalStateException ex)
        {
            throw new IllegalStateRuntimeException(ex.getMessage(), ex.getErrorCode(), ex);
        }
        catch (final JMSException ex)
        {
            throw new JMSRuntimeException(ex.getMessage(), ex.getErrorCode(), ex);
        }
    }
}
