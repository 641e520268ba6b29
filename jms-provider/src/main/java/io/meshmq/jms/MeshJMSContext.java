package io.meshmq.jms;

import jakarta.jms.BytesMessage;
import jakarta.jms.Connection;
import jakarta.jms.ConnectionMetaData;
import jakarta.jms.Destination;
import jakarta.jms.ExceptionListener;
import jakarta.jms.IllegalStateRuntimeException;
import jakarta.jms.JMSConsumer;
import jakarta.jms.JMSContext;
import jakarta.jms.JMSException;
import jakarta.jms.JMSProducer;
import jakarta.jms.JMSRuntimeException;
import jakarta.jms.MapMessage;
import jakarta.jms.Message;
import jakarta.jms.MessageConsumer;
import jakarta.jms.MessageProducer;
import jakarta.jms.ObjectMessage;
import jakarta.jms.Queue;
import jakarta.jms.QueueBrowser;
import jakarta.jms.Session;
import jakarta.jms.StreamMessage;
import jakarta.jms.TemporaryQueue;
import jakarta.jms.TemporaryTopic;
import jakarta.jms.TextMessage;
import jakarta.jms.Topic;

import java.io.Serializable;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * The simplified API: a connection and one session. Contexts made from this one with
 * {@link #createContext(int)} share its connection, which closes with the last of them.
 * <p>
 * A resource adapter serves contexts over its connection handles by extending this class
 * ({@link #MeshJMSContext(Connection, int)}): the handle's session must hand out MeshMQ's producers, and its consumers
 * through {@link #unwrap(MessageConsumer)}.
 */
public class MeshJMSContext implements JMSContext
{
    private final Connection connection;
    private final int sessionMode;
    private final AtomicInteger connectionUsers;
    private volatile Session session;
    private volatile boolean autoStart = true;
    private volatile boolean closed;

    MeshJMSContext(final MeshConnection connection, final int sessionMode)
    {
        this(connection, sessionMode, new AtomicInteger(1));
    }

    /**
     * A context over a connection of someone else's making (a resource adapter's handle), which it closes with itself.
     */
    protected MeshJMSContext(final Connection connection, final int sessionMode)
    {
        this(connection, sessionMode, new AtomicInteger(1));
    }

    private MeshJMSContext(final Connection connection, final int sessionMode, final AtomicInteger users)
    {
        this.connection = connection;
        this.sessionMode = sessionMode;
        this.connectionUsers = users;
    }

    static void checkSessionMode(final int mode)
    {
        if (mode != SESSION_TRANSACTED && mode != AUTO_ACKNOWLEDGE && mode != CLIENT_ACKNOWLEDGE &&
            mode != DUPS_OK_ACKNOWLEDGE)
        {
            throw new JMSRuntimeException("session mode " + mode +
                " is not one of AUTO_ACKNOWLEDGE (1), CLIENT_ACKNOWLEDGE (2), DUPS_OK_ACKNOWLEDGE (3), SESSION_TRANSACTED (0)");
        }
    }

    protected final void checkOpen()
    {
        if (closed)
        {
            throw new IllegalStateRuntimeException("JMSContext is closed");
        }
    }

    /**
     * The session is created on first use, so a context used only to make other contexts costs nothing.
     */
    protected final Session session()
    {
        checkOpen();
        Session s = session;
        if (s == null)
        {
            synchronized (this)
            {
                s = session;
                if (s == null)
                {
                    try
                    {
                        s = openSession();
                    }
                    catch (final JMSException ex)
                    {
                        throw JmsExceptions.toRuntime(ex);
                    }
                    session = s;
                }
            }
        }
        return s;
    }

    /**
     * @return the session this context works with, made on its first use.
     */
    protected Session openSession() throws JMSException
    {
        return ((MeshConnection)connection).newSession(sessionMode == SESSION_TRANSACTED, sessionMode);
    }

    protected final Connection connection()
    {
        return connection;
    }

    /**
     * @return the MeshMQ consumer behind one the session made (a resource adapter's session may hand out a wrapper).
     * @throws JMSException if it is not one.
     */
    protected MeshMessageConsumer unwrap(final MessageConsumer consumer) throws JMSException
    {
        if (consumer instanceof MeshMessageConsumer mesh)
        {
            return mesh;
        }
        throw new JMSException("a MeshMQ JMSContext needs MeshMQ consumers; its session made a " +
            consumer.getClass().getName());
    }

    /**
     * @return whether a consumer of this context may have a message listener: not in a Jakarta EE container.
     */
    protected boolean listenersAllowed()
    {
        return true;
    }

    private void startIfAuto()
    {
        if (autoStart && !(connection instanceof MeshConnection mesh && mesh.isStarted()))
        {
            start();
        }
    }

    @Override
    public JMSContext createContext(final int sessionMode)
    {
        checkOpen();
        checkSessionMode(sessionMode);
        connectionUsers.incrementAndGet();
        return new MeshJMSContext(connection, sessionMode, connectionUsers);
    }

    @Override
    public JMSProducer createProducer()
    {
        final MessageProducer producer = call(() -> session().createProducer(null));
        if (producer instanceof MeshMessageProducer mesh)
        {
            return new MeshJMSProducer(mesh);
        }
        throw new JMSRuntimeException("a MeshMQ JMSContext needs MeshMQ producers; its session made a " +
            producer.getClass().getName());
    }

    @Override
    public String getClientID()
    {
        checkOpen();
        try
        {
            return connection.getClientID();
        }
        catch (final JMSException ex)
        {
            throw JmsExceptions.toRuntime(ex);
        }
    }

    @Override
    public void setClientID(final String clientID)
    {
        checkOpen();
        try
        {
            connection.setClientID(clientID);
        }
        catch (final JMSException ex)
        {
            throw JmsExceptions.toRuntime(ex);
        }
    }

    @Override
    public ConnectionMetaData getMetaData()
    {
        checkOpen();
        try
        {
            return connection.getMetaData();
        }
        catch (final JMSException ex)
        {
            throw JmsExceptions.toRuntime(ex);
        }
    }

    @Override
    public ExceptionListener getExceptionListener()
    {
        checkOpen();
        try
        {
            return connection.getExceptionListener();
        }
        catch (final JMSException ex)
        {
            throw JmsExceptions.toRuntime(ex);
        }
    }

    @Override
    public void setExceptionListener(final ExceptionListener listener)
    {
        checkOpen();
        try
        {
            connection.setExceptionListener(listener);
        }
        catch (final JMSException ex)
        {
            throw JmsExceptions.toRuntime(ex);
        }
    }

    @Override
    public void start()
    {
        checkOpen();
        try
        {
            connection.start();
        }
        catch (final JMSException ex)
        {
            throw JmsExceptions.toRuntime(ex);
        }
    }

    @Override
    public void stop()
    {
        checkOpen();
        try
        {
            connection.stop();
        }
        catch (final JMSException ex)
        {
            throw JmsExceptions.toRuntime(ex);
        }
    }

    @Override
    public void setAutoStart(final boolean autoStart)
    {
        checkOpen();
        this.autoStart = autoStart;
    }

    @Override
    public boolean getAutoStart()
    {
        checkOpen();
        return autoStart;
    }

    @Override
    public void close()
    {
        if (closed)
        {
            return;
        }
        final Session s = session;
        if (s instanceof MeshSession mesh && mesh.inDeliveryThread())
        {
            throw new IllegalStateRuntimeException("a listener must not close its own JMSContext");
        }
        try
        {
            if (s != null)
            {
                s.close();
            }
            closed = true;
            if (connectionUsers.decrementAndGet() == 0)
            {
                connection.close();
            }
        }
        catch (final JMSException ex)
        {
            throw JmsExceptions.toRuntime(ex);
        }
    }

    // ---- messages ---------------------------------------------------------------------------------------

    @Override
    public BytesMessage createBytesMessage()
    {
        return call(() -> session().createBytesMessage());
    }

    @Override
    public MapMessage createMapMessage()
    {
        return call(() -> session().createMapMessage());
    }

    @Override
    public Message createMessage()
    {
        return call(() -> session().createMessage());
    }

    @Override
    public ObjectMessage createObjectMessage()
    {
        return call(() -> session().createObjectMessage());
    }

    @Override
    public ObjectMessage createObjectMessage(final Serializable object)
    {
        return call(() -> session().createObjectMessage(object));
    }

    @Override
    public StreamMessage createStreamMessage()
    {
        return call(() -> session().createStreamMessage());
    }

    @Override
    public TextMessage createTextMessage()
    {
        return call(() -> session().createTextMessage());
    }

    @Override
    public TextMessage createTextMessage(final String text)
    {
        return call(() -> session().createTextMessage(text));
    }

    @Override
    public boolean getTransacted()
    {
        checkOpen();
        return sessionMode == SESSION_TRANSACTED;
    }

    @Override
    public int getSessionMode()
    {
        checkOpen();
        return sessionMode;
    }

    @Override
    public void commit()
    {
        run(() -> session().commit());
    }

    @Override
    public void rollback()
    {
        run(() -> session().rollback());
    }

    @Override
    public void recover()
    {
        run(() -> session().recover());
    }

    @Override
    public void acknowledge()
    {
        checkOpen();
        if (session instanceof MeshSession mesh && sessionMode == CLIENT_ACKNOWLEDGE)
        {
            run(mesh::acknowledgeAll);
        }
    }

    // ---- consumers --------------------------------------------------------------------------------------

    @Override
    public JMSConsumer createConsumer(final Destination destination)
    {
        return createConsumer(destination, null, false);
    }

    @Override
    public JMSConsumer createConsumer(final Destination destination, final String messageSelector)
    {
        return createConsumer(destination, messageSelector, false);
    }

    @Override
    public JMSConsumer createConsumer(final Destination destination, final String messageSelector, final boolean noLocal)
    {
        return wrap(call(() -> session().createConsumer(destination, messageSelector, noLocal)));
    }

    @Override
    public JMSConsumer createDurableConsumer(final Topic topic, final String name)
    {
        return wrap(call(() -> session().createDurableConsumer(topic, name)));
    }

    @Override
    public JMSConsumer createDurableConsumer(
        final Topic topic, final String name, final String messageSelector, final boolean noLocal)
    {
        return wrap(call(() -> session().createDurableConsumer(topic, name, messageSelector, noLocal)));
    }

    @Override
    public JMSConsumer createSharedDurableConsumer(final Topic topic, final String name)
    {
        return wrap(call(() -> session().createSharedDurableConsumer(topic, name)));
    }

    @Override
    public JMSConsumer createSharedDurableConsumer(final Topic topic, final String name, final String messageSelector)
    {
        return wrap(call(() -> session().createSharedDurableConsumer(topic, name, messageSelector)));
    }

    @Override
    public JMSConsumer createSharedConsumer(final Topic topic, final String sharedSubscriptionName)
    {
        return wrap(call(() -> session().createSharedConsumer(topic, sharedSubscriptionName)));
    }

    @Override
    public JMSConsumer createSharedConsumer(
        final Topic topic, final String sharedSubscriptionName, final String messageSelector)
    {
        return wrap(call(() -> session().createSharedConsumer(topic, sharedSubscriptionName, messageSelector)));
    }

    private JMSConsumer wrap(final MessageConsumer consumer)
    {
        final MeshJMSConsumer wrapped = new MeshJMSConsumer(call(() -> unwrap(consumer)), listenersAllowed());
        startIfAuto();
        return wrapped;
    }

    @Override
    public QueueBrowser createBrowser(final Queue queue)
    {
        return call(() -> session().createBrowser(queue));
    }

    @Override
    public QueueBrowser createBrowser(final Queue queue, final String messageSelector)
    {
        return call(() -> session().createBrowser(queue, messageSelector));
    }

    @Override
    public void unsubscribe(final String name)
    {
        run(() -> session().unsubscribe(name));
    }

    // ---- destinations -----------------------------------------------------------------------------------

    @Override
    public Queue createQueue(final String queueName)
    {
        return call(() -> session().createQueue(queueName));
    }

    @Override
    public Topic createTopic(final String topicName)
    {
        return call(() -> session().createTopic(topicName));
    }

    @Override
    public TemporaryQueue createTemporaryQueue()
    {
        return call(() -> session().createTemporaryQueue());
    }

    @Override
    public TemporaryTopic createTemporaryTopic()
    {
        return call(() -> session().createTemporaryTopic());
    }

    // ---- helpers ----------------------------------------------------------------------------------------

    interface JmsCall<T>
    {
        T call() throws JMSException;
    }

    interface JmsRun
    {
        void run() throws JMSException;
    }

    static <T> T call(final JmsCall<T> call)
    {
        try
        {
            return call.call();
        }
        catch (final JMSException ex)
        {
            throw JmsExceptions.toRuntime(ex);
        }
    }

    static void run(final JmsRun run)
    {
        try
        {
            run.run();
        }
        catch (final JMSException ex)
        {
            throw JmsExceptions.toRuntime(ex);
        }
    }
}
