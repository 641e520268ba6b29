package io.meshmq.jms;

import io.meshmq.client.BrokerList;
import io.meshmq.client.ClientConnection;
import io.meshmq.client.ClientException;
import io.meshmq.client.ConnectionListener;
import io.meshmq.client.ConnectionUrl;
import io.meshmq.client.SerialExecutor;
import io.meshmq.protocol.DestinationType;
import io.meshmq.protocol.TemporaryNames;
import jakarta.jms.ConnectionConsumer;
import jakarta.jms.ConnectionMetaData;
import jakarta.jms.Destination;
import jakarta.jms.ExceptionListener;
import jakarta.jms.IllegalStateException;
import jakarta.jms.InvalidClientIDException;
import jakarta.jms.JMSException;
import jakarta.jms.MessageConsumer;
import jakarta.jms.Queue;
import jakarta.jms.QueueConnection;
import jakarta.jms.QueueSession;
import jakarta.jms.ServerSessionPool;
import jakarta.jms.Session;
import jakarta.jms.TemporaryQueue;
import jakarta.jms.TemporaryTopic;
import jakarta.jms.Topic;
import jakarta.jms.TopicConnection;
import jakarta.jms.TopicSession;

import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.atomic.AtomicLong;
import java.util.concurrent.atomic.AtomicReference;
import java.util.function.BiFunction;
import java.util.function.Function;

/**
 * A connection to a broker (classic API). Thread safe. Created stopped: no message reaches a consumer
 * before {@link #start()}.
 */
public class MeshConnection implements QueueConnection, TopicConnection
{
    private final ClientConnection core;
    private final List<MeshSession> sessions = new CopyOnWriteArrayList<>();
    private final List<MeshDestination> temporaries = new CopyOnWriteArrayList<>();
    private final AtomicLong temporaryIds = new AtomicLong();
    private final String idPrefix;
    private final Object lifecycle = new Object();
    private final Object consumerStarts = new Object();
    private volatile String clientID;
    private volatile boolean clientIdFixed;
    private volatile ExceptionListener exceptionListener;
    private volatile FailoverListener failoverListener;
    private final SerialExecutor failoverEvents = new SerialExecutor();
    private volatile boolean started;
    private volatile boolean closed;
    /** Made by createQueueConnection: the topic-only methods of Connection refuse. */
    private volatile boolean queueConnection;

    MeshConnection(final ClientConnection core, final String clientID)
    {
        this.core = core;
        this.clientID = clientID;
        this.clientIdFixed = clientID != null;
        this.idPrefix = "ID:" + java.util.UUID.randomUUID() + ":";
    }

    static MeshConnection open(
        final BrokerList url, final String user, final String password, final String clientID) throws JMSException
    {
        return open(url, user, password, clientID, MeshConnection::new);
    }

    static <C extends MeshConnection> C open(final BrokerList url, final String user, final String password,
        final String clientID, final BiFunction<ClientConnection, String, C> kind) throws JMSException
    {
        final AtomicReference<C> holder = new AtomicReference<>();
        try
        {
            final ClientConnection core = ClientConnection.open(url, user, password, clientID, new ConnectionListener()
            {
                @Override
                public void onConnectionLost(final ClientException cause)
                {
                    final C connection = holder.get();
                    if (connection != null)
                    {
                        connection.onConnectionLost(cause);
                    }
                }

                @Override
                public void onFailoverStarted(final ConnectionUrl from, final ClientException cause)
                {
                    final C connection = holder.get();
                    if (connection != null)
                    {
                        connection.tellFailover(new FailoverEvent(FailoverEvent.Kind.STARTED, from.toString(), 0,
                            JmsExceptions.from(cause)));
                    }
                }

                @Override
                public void onFailoverCompleted(final ConnectionUrl to, final long tookMs)
                {
                    final C connection = holder.get();
                    if (connection != null)
                    {
                        connection.tellFailover(new FailoverEvent(FailoverEvent.Kind.COMPLETED, to.toString(), tookMs,
                            null));
                    }
                }
            });
            final C connection = kind.apply(core, clientID);
            holder.set(connection);
            return connection;
        }
        catch (final ClientException ex)
        {
            throw JmsExceptions.from(ex);
        }
    }

    ClientConnection core()
    {
        return core;
    }

    /**
     * @return a prefix for message ids unique to this connection.
     */
    String idPrefix()
    {
        return idPrefix;
    }

    boolean isStarted()
    {
        return started;
    }

    void onConnectionLost(final ClientException cause)
    {
        if (!closed && core.brokers().reconnectAttempts() != 0)
        {
            tellFailover(new FailoverEvent(FailoverEvent.Kind.FAILED, core.url().toString(), 0, JmsExceptions.from(cause)));
        }
        final ExceptionListener listener = exceptionListener;
        if (listener != null && !closed)
        {
            final JMSException jms = JmsExceptions.from(cause);
            final Thread notifier = new Thread(() -> listener.onException(jms), "meshmq-exception-listener");
            notifier.setDaemon(true);
            notifier.start();
        }
    }

    void tellFailover(final FailoverEvent event)
    {
        final FailoverListener listener = failoverListener;
        if (listener != null)
        {
            failoverEvents.execute(() -> listener.onFailover(event));
        }
    }

    /**
     * Registers a listener told when the client loses its broker and reconnects (the {@code ExceptionListener} is
     * called only when it gives up). Called on a thread of its own, one event at a time, in order.
     */
    public void setFailoverListener(final FailoverListener listener) throws JMSException
    {
        checkOpen();
        this.failoverListener = listener;
    }

    public FailoverListener getFailoverListener() throws JMSException
    {
        checkOpen();
        return failoverListener;
    }

    /**
     * @return the broker this connection uses now (after a failover, the one it moved to).
     */
    public String getBrokerUrl()
    {
        return core.url().toString();
    }

    void checkOpen() throws IllegalStateException
    {
        if (closed)
        {
            throw new IllegalStateException("connection is closed");
        }
    }

    private void fixClientId()
    {
        clientIdFixed = true;
    }

    // ---- sessions ---------------------------------------------------------------------------------------

    @Override
    public Session createSession(final boolean transacted, final int acknowledgeMode) throws JMSException
    {
        return newSession(transacted, acknowledgeMode);
    }

    @Override
    public Session createSession(final int sessionMode) throws JMSException
    {
        return newSession(sessionMode == Session.SESSION_TRANSACTED, sessionMode);
    }

    @Override
    public Session createSession() throws JMSException
    {
        return newSession(false, Session.AUTO_ACKNOWLEDGE);
    }

    @Override
    public QueueSession createQueueSession(final boolean transacted, final int acknowledgeMode) throws JMSException
    {
        return newSession(transacted, acknowledgeMode, MeshSession.Domain.QUEUE);
    }

    @Override
    public TopicSession createTopicSession(final boolean transacted, final int acknowledgeMode) throws JMSException
    {
        return newSession(transacted, acknowledgeMode, MeshSession.Domain.TOPIC);
    }

    MeshSession newSession(final boolean transacted, final int acknowledgeMode) throws JMSException
    {
        return newSession(transacted, acknowledgeMode, MeshSession.Domain.ANY);
    }

    private MeshSession newSession(final boolean transacted, final int acknowledgeMode, final MeshSession.Domain domain)
        throws JMSException
    {
        checkOpen();
        fixClientId();
        final int mode = transacted ? Session.SESSION_TRANSACTED : acknowledgeMode;
        if (!transacted && mode != Session.AUTO_ACKNOWLEDGE && mode != Session.CLIENT_ACKNOWLEDGE &&
            mode != Session.DUPS_OK_ACKNOWLEDGE)
        {
            throw new JMSException("acknowledge mode " + acknowledgeMode +
                " is not one of AUTO_ACKNOWLEDGE (1), CLIENT_ACKNOWLEDGE (2), DUPS_OK_ACKNOWLEDGE (3), SESSION_TRANSACTED (0)");
        }
        final MeshSession session = new MeshSession(this, core.nextId(), mode, domain);
        sessions.add(session);
        return session;
    }

    /**
     * Adds a session made by a subclass (an XA session), after the checks every new session passes.
     */
    <S extends MeshSession> S addSession(final Function<Long, S> make) throws JMSException
    {
        checkOpen();
        fixClientId();
        final S session = make.apply(core.nextId());
        sessions.add(session);
        return session;
    }

    void sessionClosed(final MeshSession session)
    {
        sessions.remove(session);
    }

    // ---- client id, metadata, listeners ------------------------------------------------------------------

    @Override
    public String getClientID() throws JMSException
    {
        checkOpen();
        return clientID;
    }

    /**
     * Sets the client ID; allowed only right after the connection is created, before any other call.
     */
    @Override
    public void setClientID(final String clientID) throws JMSException
    {
        checkOpen();
        if (clientIdFixed)
        {
            throw new IllegalStateException(this.clientID != null ?
                "client ID is already set to '" + this.clientID + "'" :
                "client ID must be set before the connection is used");
        }
        if (clientID == null || clientID.isEmpty())
        {
            throw new InvalidClientIDException("client ID must not be null or empty");
        }
        try
        {
            core.setClientId(clientID);
        }
        catch (final ClientException ex)
        {
            throw JmsExceptions.from(ex);
        }
        this.clientID = clientID;
        fixClientId();
    }

    @Override
    public ConnectionMetaData getMetaData() throws JMSException
    {
        checkOpen();
        fixClientId();
        return MeshConnectionMetaData.INSTANCE;
    }

    @Override
    public ExceptionListener getExceptionListener() throws JMSException
    {
        checkOpen();
        fixClientId();
        return exceptionListener;
    }

    @Override
    public void setExceptionListener(final ExceptionListener listener) throws JMSException
    {
        checkOpen();
        fixClientId();
        this.exceptionListener = listener;
    }

    // ---- start, stop, close -----------------------------------------------------------------------------

    /**
     * Held by start and stop (inside {@link #lifecycle}) and by a session listing a new consumer before it asks the
     * broker for it, so a consumer is started or stopped with its connection before the broker sends it anything.
     * Never held during a round trip to the broker.
     */
    Object consumerStarts()
    {
        return consumerStarts;
    }

    @Override
    public void start() throws JMSException
    {
        checkOpen();
        fixClientId();
        synchronized (lifecycle)
        {
            synchronized (consumerStarts)
            {
                started = true;
                // Consumers first: what the broker sends once it resumes must find them started, not be given back.
                for (final MeshSession session : sessions)
                {
                    session.onConnectionStarted(true);
                }
                core.deliveries(true);
            }
        }
    }

    /**
     * Holds delivery to every consumer and returns once no message listener of this connection is running.
     */
    @Override
    public void stop() throws JMSException
    {
        checkOpen();
        fixClientId();
        // A completion listener may stop its connection; a message listener may not (stop waits for it to return).
        checkNotInMessageListener();
        synchronized (lifecycle)
        {
            synchronized (consumerStarts)
            {
                started = false;
                core.deliveries(false);
                for (final MeshSession session : sessions)
                {
                    session.onConnectionStarted(false);
                }
            }
        }
        for (final MeshSession session : sessions)
        {
            session.awaitListenerIdle();
        }
    }

    private void checkNotInMessageListener() throws IllegalStateException
    {
        for (final MeshSession session : sessions)
        {
            if (session.inMessageListener())
            {
                throw new IllegalStateException("a message listener must not call stop() on its own connection");
            }
        }
    }

    private void checkNotInListener(final String what) throws IllegalStateException
    {
        for (final MeshSession session : sessions)
        {
            if (session.inDeliveryThread())
            {
                throw new IllegalStateException(
                    "a message or completion listener must not call " + what + "() on its own connection");
            }
        }
    }

    @Override
    public void close() throws JMSException
    {
        if (closed)
        {
            return;
        }
        checkNotInListener("close");
        synchronized (lifecycle)
        {
            if (closed)
            {
                return;
            }
            started = false;
            JMSException first = null;
            for (final MeshSession session : sessions)
            {
                try
                {
                    session.close();
                }
                catch (final JMSException ex)
                {
                    first = first == null ? ex : first;
                }
            }
            closed = true;
            core.close();
            if (first != null && core.isOpen())
            {
                throw first;
            }
        }
    }

    // ---- temporary destinations -------------------------------------------------------------------------

    TemporaryQueue createTemporaryQueue() throws JMSException
    {
        final MeshTemporaryQueue queue = new MeshTemporaryQueue(temporaryName(DestinationType.TEMPORARY_QUEUE), this);
        createTemporary(queue);
        return queue;
    }

    TemporaryTopic createTemporaryTopic() throws JMSException
    {
        final MeshTemporaryTopic topic = new MeshTemporaryTopic(temporaryName(DestinationType.TEMPORARY_TOPIC), this);
        createTemporary(topic);
        return topic;
    }

    private String temporaryName(final byte type)
    {
        return TemporaryNames.name(type, core.temporaryScope(), core.connectionId(), temporaryIds.incrementAndGet());
    }

    private void createTemporary(final MeshDestination destination) throws JMSException
    {
        checkOpen();
        fixClientId();
        try
        {
            core.createTemporary(destination.type(), destination.name());
            temporaries.add(destination);
        }
        catch (final ClientException ex)
        {
            throw JmsExceptions.from(ex);
        }
    }

    void deleteTemporary(final MeshDestination destination) throws JMSException
    {
        checkOpen();
        try
        {
            core.deleteTemporary(destination.type(), destination.name());
            temporaries.remove(destination);
        }
        catch (final ClientException ex)
        {
            throw JmsExceptions.from(ex);
        }
    }

    /**
     * @return true if the destination is a temporary one that this connection did not create.
     */
    boolean isForeignTemporary(final Destination destination)
    {
        if (destination instanceof MeshTemporaryQueue)
        {
            return ((MeshTemporaryQueue)destination).owner() != this && !temporaries.contains(destination);
        }
        if (destination instanceof MeshTemporaryTopic)
        {
            return ((MeshTemporaryTopic)destination).owner() != this && !temporaries.contains(destination);
        }
        return false;
    }

    // ---- application server facilities ------------------------------------------------------------------

    /** Makes a connection consumer's consumer on the session that holds it. */
    @FunctionalInterface
    private interface ConsumerMaker
    {
        MessageConsumer make(Session holder) throws JMSException;
    }

    /**
     * @see MeshConnectionConsumer
     */
    private ConnectionConsumer connectionConsumer(final ServerSessionPool sessionPool, final int maxMessages,
        final ConsumerMaker maker) throws JMSException
    {
        checkOpen();
        fixClientId();
        if (sessionPool == null)
        {
            throw new JMSException("a connection consumer needs a server session pool, not null");
        }
        if (maxMessages < 1)
        {
            throw new JMSException("a connection consumer hands at least 1 message at a time to a server session, not " +
                maxMessages);
        }
        final MeshSession holder = (MeshSession)createSession(false, Session.AUTO_ACKNOWLEDGE);
        final MeshConnectionConsumer consumer;
        try
        {
            consumer = new MeshConnectionConsumer(holder, (MeshMessageConsumer)maker.make(holder), sessionPool,
                maxMessages);
        }
        catch (final JMSException | RuntimeException ex)
        {
            holder.close();
            throw ex;
        }
        consumer.start();
        return consumer;
    }

    @Override
    public ConnectionConsumer createConnectionConsumer(
        final Destination destination, final String messageSelector, final ServerSessionPool sessionPool,
        final int maxMessages) throws JMSException
    {
        return connectionConsumer(sessionPool, maxMessages, holder -> holder.createConsumer(destination, messageSelector));
    }

    @Override
    public ConnectionConsumer createConnectionConsumer(
        final Queue queue, final String messageSelector, final ServerSessionPool sessionPool, final int maxMessages)
        throws JMSException
    {
        return createConnectionConsumer((Destination)queue, messageSelector, sessionPool, maxMessages);
    }

    @Override
    public ConnectionConsumer createConnectionConsumer(
        final Topic topic, final String messageSelector, final ServerSessionPool sessionPool, final int maxMessages)
        throws JMSException
    {
        return createConnectionConsumer((Destination)topic, messageSelector, sessionPool, maxMessages);
    }

    @Override
    public ConnectionConsumer createSharedConnectionConsumer(
        final Topic topic, final String subscriptionName, final String messageSelector,
        final ServerSessionPool sessionPool, final int maxMessages) throws JMSException
    {
        checkNotQueueConnection("createSharedConnectionConsumer");
        return connectionConsumer(sessionPool, maxMessages,
            holder -> holder.createSharedConsumer(topic, subscriptionName, messageSelector));
    }

    @Override
    public ConnectionConsumer createDurableConnectionConsumer(
        final Topic topic, final String subscriptionName, final String messageSelector,
        final ServerSessionPool sessionPool, final int maxMessages) throws JMSException
    {
        checkNotQueueConnection("createDurableConnectionConsumer");
        return connectionConsumer(sessionPool, maxMessages,
            holder -> holder.createDurableConsumer(topic, subscriptionName, messageSelector, false));
    }

    @Override
    public ConnectionConsumer createSharedDurableConnectionConsumer(
        final Topic topic, final String subscriptionName, final String messageSelector,
        final ServerSessionPool sessionPool, final int maxMessages) throws JMSException
    {
        checkNotQueueConnection("createSharedDurableConnectionConsumer");
        return connectionConsumer(sessionPool, maxMessages,
            holder -> holder.createSharedDurableConsumer(topic, subscriptionName, messageSelector));
    }

    /**
     * This connection was made by {@code createQueueConnection}: it refuses the topic-only methods of
     * {@link jakarta.jms.Connection}, as their javadoc asks.
     */
    void madeAsQueueConnection()
    {
        queueConnection = true;
    }

    private void checkNotQueueConnection(final String method) throws IllegalStateException
    {
        checkOpen();
        if (queueConnection)
        {
            throw new IllegalStateException(method + "() may not be called on a QueueConnection");
        }
    }

    @Override
    public String toString()
    {
        return "MeshConnection[" + core.url() + ", broker=" + core.brokerName() + "]";
    }
}
