package io.meshmq.jms;

import io.meshmq.client.ClientConnection;
import io.meshmq.client.ClientConsumer;
import io.meshmq.client.ClientException;
import io.meshmq.client.ClientSession;
import io.meshmq.client.Delivery;
import io.meshmq.client.DeliveryAck;
import io.meshmq.client.PendingSend;
import io.meshmq.client.SerialExecutor;
import io.meshmq.jms.message.LargeBodySource;
import io.meshmq.jms.message.MeshBytesMessage;
import io.meshmq.jms.message.MeshMapMessage;
import io.meshmq.jms.message.MeshMessage;
import io.meshmq.jms.message.MeshObjectMessage;
import io.meshmq.jms.message.MeshStreamMessage;
import io.meshmq.jms.message.MeshTextMessage;
import io.meshmq.protocol.ConsumerFlags;
import io.meshmq.protocol.WireWriter;
import io.meshmq.selector.Selector;
import io.meshmq.selector.SelectorSyntaxException;
import jakarta.jms.BytesMessage;
import jakarta.jms.CompletionListener;
import jakarta.jms.Destination;
import jakarta.jms.IllegalStateException;
import jakarta.jms.InvalidDestinationException;
import jakarta.jms.InvalidSelectorException;
import jakarta.jms.JMSException;
import jakarta.jms.MapMessage;
import jakarta.jms.Message;
import jakarta.jms.MessageConsumer;
import jakarta.jms.MessageListener;
import jakarta.jms.MessageProducer;
import jakarta.jms.ObjectMessage;
import jakarta.jms.Queue;
import jakarta.jms.QueueBrowser;
import jakarta.jms.QueueReceiver;
import jakarta.jms.QueueSender;
import jakarta.jms.QueueSession;
import jakarta.jms.Session;
import jakarta.jms.StreamMessage;
import jakarta.jms.TemporaryQueue;
import jakarta.jms.TemporaryTopic;
import jakarta.jms.TextMessage;
import jakarta.jms.Topic;
import jakarta.jms.TopicPublisher;
import jakarta.jms.TopicSession;
import jakarta.jms.TopicSubscriber;

import java.io.Serializable;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.locks.ReentrantLock;

/**
 * A session (classic API): the unit of ordering, acknowledgement and transactions.
 * <p>
 * Message listeners and completion listeners of one session run one at a time on the session's
 * {@link SerialExecutor}; every other method is meant for one application thread at a time, as the
 * specification says. Acknowledgement state is guarded so {@code Message.acknowledge()} may come from
 * any thread.
 */
public class MeshSession implements Session, QueueSession, TopicSession
{
    private static final ThreadLocal<MeshSession> IN_COMPLETION_LISTENER = new ThreadLocal<>();
    /** Asynchronous sends a session may have waiting for the broker before the next one waits too. */
    private static final int MAX_UNCONFIRMED = ClientSession.MAX_UNCONFIRMED;

    private final MeshConnection connection;
    private final ClientConnection core;
    private final long sessionId;
    private final int mode;
    private final List<MeshMessageConsumer> consumers = new CopyOnWriteArrayList<>();
    private final List<MeshMessageProducer> producers = new CopyOnWriteArrayList<>();
    private final List<MeshQueueBrowser> browsers = new CopyOnWriteArrayList<>();
    /**
     * Bodies of large messages this session received that the application may still read: until the next message (AUTO
     * and DUPS_OK), or until they are acknowledged, committed, rolled back or recovered; at the latest until close.
     */
    private final List<LargeBodySource> largeBodies = new ArrayList<>();
    private final Domain domain;
    private final SerialExecutor executor = new SerialExecutor();
    private final ReentrantLock deliveryLock = new ReentrantLock();
    private final AtomicBoolean deliveryScheduled = new AtomicBoolean();
    /** The transaction, acknowledgement and unconfirmed-send state beneath this session's rules. */
    private final ClientSession state;
    private Delivery listenerDelivery;
    private boolean listenerDeliveryRecovered;
    private volatile boolean closed;
    /** The distinguished message listener a connection consumer's server session runs loaded messages through. */
    private volatile MessageListener sessionListener;
    /** Messages a connection consumer loaded into this session, for {@link #run()}; guarded by itself. */
    private final List<Loaded> loaded = new ArrayList<>();

    private record Loaded(MeshMessageConsumer from, Delivery delivery)
    {
    }

    /** Which interface the session was made as: a QueueSession or TopicSession refuses the other's methods. */
    enum Domain
    {
        ANY, QUEUE, TOPIC
    }

    MeshSession(final MeshConnection connection, final long sessionId, final int mode, final Domain domain)
    {
        this.domain = domain;
        this.connection = connection;
        this.core = connection.core();
        this.sessionId = sessionId;
        this.mode = mode;
        this.state = new ClientSession(core, sessionId);
    }

    long sessionId()
    {
        return sessionId;
    }

    MeshConnection connection()
    {
        return connection;
    }

    ClientConnection core()
    {
        return core;
    }

    void checkOpen() throws IllegalStateException
    {
        if (closed)
        {
            throw new IllegalStateException("session is closed");
        }
        connection.checkOpen();
    }

    boolean inDeliveryThread()
    {
        return executor.inExecutor();
    }

    /**
     * @return true on this session's delivery thread while one of its message listeners runs (not a completion
     * listener: those run on the same thread).
     */
    boolean inMessageListener()
    {
        return executor.inExecutor() && IN_COMPLETION_LISTENER.get() != this;
    }

    void checkNotInCompletionListener(final String what) throws IllegalStateException
    {
        if (IN_COMPLETION_LISTENER.get() == this)
        {
            throw new IllegalStateException("a completion listener must not call " + what + "() on its own session");
        }
    }

    // ---- message factories ------------------------------------------------------------------------------

    @Override
    public BytesMessage createBytesMessage() throws JMSException
    {
        checkOpen();
        return new MeshBytesMessage();
    }

    @Override
    public MapMessage createMapMessage() throws JMSException
    {
        checkOpen();
        return new MeshMapMessage();
    }

    @Override
    public Message createMessage() throws JMSException
    {
        checkOpen();
        return new MeshMessage();
    }

    @Override
    public ObjectMessage createObjectMessage() throws JMSException
    {
        checkOpen();
        return new MeshObjectMessage();
    }

    @Override
    public ObjectMessage createObjectMessage(final Serializable object) throws JMSException
    {
        checkOpen();
        return new MeshObjectMessage(object);
    }

    @Override
    public StreamMessage createStreamMessage() throws JMSException
    {
        checkOpen();
        return new MeshStreamMessage();
    }

    @Override
    public TextMessage createTextMessage() throws JMSException
    {
        checkOpen();
        return new MeshTextMessage();
    }

    @Override
    public TextMessage createTextMessage(final String text) throws JMSException
    {
        checkOpen();
        return new MeshTextMessage(text);
    }

    // ---- transactions and acknowledgement ---------------------------------------------------------------

    @Override
    public boolean getTransacted() throws JMSException
    {
        checkOpen();
        return mode == SESSION_TRANSACTED;
    }

    @Override
    public int getAcknowledgeMode() throws JMSException
    {
        checkOpen();
        return mode;
    }

    int mode()
    {
        return mode;
    }

    /**
     * @return how the session treats what it sends and consumes right now: its mode, except for an XA session,
     * which is transacted while it works for a branch and acknowledges automatically outside one.
     */
    int effectiveMode()
    {
        return mode;
    }

    /**
     * Takes the session's uncommitted work: what it sent and the deliveries it consumed since the last
     * commit, rollback or call of this.
     */
    ClientSession.Work takeWork()
    {
        return state.takeWork();
    }

    @Override
    public void commit() throws JMSException
    {
        checkOpen();
        checkNotInCompletionListener("commit");
        if (mode != SESSION_TRANSACTED)
        {
            throw new IllegalStateException("commit() called on a session that is not transacted");
        }
        releaseLargeBodies();
        try
        {
            state.commit();
        }
        catch (final ClientException ex)
        {
            if (ex.rolledBackCommit())
            {
                redeliverUnacknowledged();
            }
            throw JmsExceptions.from(ex);
        }
    }

    @Override
    public void rollback() throws JMSException
    {
        checkOpen();
        checkNotInCompletionListener("rollback");
        if (mode != SESSION_TRANSACTED)
        {
            throw new IllegalStateException("rollback() called on a session that is not transacted");
        }
        cancelUploads(state.dropSends());
        releaseLargeBodies();
        redeliverUnacknowledged();
    }

    /**
     * Stops and restarts delivery from the oldest unacknowledged message; every message delivered and not
     * acknowledged comes back with {@code JMSRedelivered} set.
     */
    @Override
    public void recover() throws JMSException
    {
        checkOpen();
        if (effectiveMode() == SESSION_TRANSACTED)
        {
            throw new IllegalStateException("recover() called on a transacted session; use rollback()");
        }
        releaseLargeBodies();
        redeliverUnacknowledged();
    }

    private void redeliverUnacknowledged() throws JMSException
    {
        // What DUPS_OK_ACKNOWLEDGE has consumed counts as acknowledged; only the rest comes again.
        flushLazyAcks();
        final List<DeliveryAck> seen = state.takeUnacknowledged();
        final int mode = effectiveMode();
        if (listenerDelivery != null && (mode == AUTO_ACKNOWLEDGE || mode == DUPS_OK_ACKNOWLEDGE) && inDeliveryThread())
        {
            seen.add(listenerDelivery.ack(true));
            listenerDeliveryRecovered = true;
        }
        final List<ClientConsumer> sessionConsumers = new ArrayList<>();
        for (final MeshMessageConsumer consumer : consumers)
        {
            sessionConsumers.add(consumer.clientConsumer());
        }
        // A connection consumer's messages loaded into this session belong to its consumer, not to this session's:
        // the broker's recover of this session does not reach them, so they go back one by one.
        final List<DeliveryAck> loadedSeen = new ArrayList<>();
        seen.removeIf(ack ->
        {
            for (final ClientConsumer consumer : sessionConsumers)
            {
                if (consumer.consumerId() == ack.consumerId())
                {
                    return false;
                }
            }
            return loadedSeen.add(ack);
        });
        try
        {
            core.release(loadedSeen, true);
            state.recover(sessionConsumers, seen);
        }
        catch (final ClientException ex)
        {
            throw JmsExceptions.from(ex);
        }
    }

    /**
     * @return the deliveries of one consumer the application saw and has not acknowledged yet.
     */
    List<DeliveryAck> unacknowledgedOf(final long consumerId)
    {
        return state.unacknowledgedOf(consumerId);
    }

    /**
     * Acknowledges every message this session consumed (CLIENT_ACKNOWLEDGE).
     */
    void acknowledgeAll() throws JMSException
    {
        checkOpen();
        if (mode != CLIENT_ACKNOWLEDGE)
        {
            return;
        }
        releaseLargeBodies();
        try
        {
            state.acknowledgeAll();
        }
        catch (final ClientException ex)
        {
            throw JmsExceptions.from(ex);
        }
    }

    /**
     * Called once the application has a message: acknowledges it now or remembers it, as the mode says.
     */
    void onConsumed(final Delivery delivery, final MeshMessage message) throws JMSException
    {
        onConsumed(delivery, message, effectiveMode());
    }

    private void onConsumed(final Delivery delivery, final MeshMessage message, final int mode) throws JMSException
    {
        switch (mode)
        {
            case AUTO_ACKNOWLEDGE:
                try
                {
                    state.acknowledge(delivery);
                }
                catch (final ClientException ex)
                {
                    throw JmsExceptions.from(ex);
                }
                break;
            case DUPS_OK_ACKNOWLEDGE:
                try
                {
                    state.acknowledgeLazily(delivery);
                }
                catch (final ClientException ex)
                {
                    throw JmsExceptions.from(ex);
                }
                break;
            case CLIENT_ACKNOWLEDGE:
                message.acknowledger(this::acknowledgeAll);
                state.remember(delivery);
                break;
            default:
                state.remember(delivery);
                break;
        }
    }

    /**
     * Sends the DUPS_OK_ACKNOWLEDGE acknowledgements gathered so far, without waiting for the broker.
     */
    void flushLazyAcks() throws JMSException
    {
        try
        {
            state.flushLazyAcks();
        }
        catch (final ClientException ex)
        {
            throw JmsExceptions.from(ex);
        }
    }

    boolean hasLazyAcks()
    {
        return state.hasLazyAcks();
    }

    // ---- sending ----------------------------------------------------------------------------------------

    void send(final MeshDestination destination, final MeshMessage message, final boolean persistent,
        final CompletionListener completionListener, final Message original) throws JMSException
    {
        final LargeSend large = LargeSend.prepare(core, message);
        if (large != null && large.upload() != null)
        {
            sendLarge(destination, large, persistent, completionListener, original);
            return;
        }
        // Encoded already when only encoding told whether it is large (it was not).
        final byte[] preEncoded = large == null ? null : large.encoded();
        if (effectiveMode() == SESSION_TRANSACTED)
        {
            state.buffer(new PendingSend(destination.type(), destination.name(),
                preEncoded != null ? preEncoded : encode(message)));
            if (completionListener != null)
            {
                acquireUnconfirmed();
                complete(completionListener, original, null);
            }
            return;
        }
        if (completionListener == null)
        {
            if (preEncoded != null)
            {
                send(destination, preEncoded, persistent);
                return;
            }
            transmit(destination, message, persistent);
            return;
        }
        final byte[] encoded = preEncoded != null ? preEncoded : encode(message);
        acquireUnconfirmed();
        final CompletableFuture<byte[]> taken;
        try
        {
            taken = core.sendAsync(destination.type(), destination.name(), encoded, persistent);
        }
        catch (final ClientException ex)
        {
            complete(completionListener, original, JmsExceptions.from(ex));
            return;
        }
        // Replies come in send order on the I/O thread, so the listeners run in send order on the session's
        // executor, as the specification asks.
        taken.whenComplete((ok, failure) -> complete(completionListener, original,
            failure == null ? null : JmsExceptions.from(failure instanceof ClientException ? (ClientException)failure :
                new ClientException(io.meshmq.protocol.ErrorCode.GENERIC, String.valueOf(failure), failure))));
    }

    /**
     * Sends a message whose large body {@link LargeSend#prepare} sent ahead of it: synchronously even with a completion
     * listener, since it cannot be sent again on another connection.
     */
    private void sendLarge(final MeshDestination destination, final LargeSend large, final boolean persistent,
        final CompletionListener completionListener, final Message original) throws JMSException
    {
        if (effectiveMode() == SESSION_TRANSACTED)
        {
            state.buffer(new PendingSend(destination.type(), destination.name(), large.encoded(), large.upload()));
            if (completionListener != null)
            {
                acquireUnconfirmed();
                complete(completionListener, original, null);
            }
            return;
        }
        if (completionListener != null)
        {
            acquireUnconfirmed();
        }
        JMSException failure = null;
        try
        {
            core.sendLarge(destination.type(), destination.name(), large.encoded(), large.upload(),
                persistent || completionListener != null);
        }
        catch (final ClientException ex)
        {
            failure = JmsExceptions.from(ex);
        }
        if (completionListener != null)
        {
            complete(completionListener, original, failure);
        }
        else if (failure != null)
        {
            throw failure;
        }
    }

    /**
     * A received large message's body stays readable until {@link #releaseLargeBodies}; in AUTO_ACKNOWLEDGE and
     * DUPS_OK_ACKNOWLEDGE, the bodies of the messages before it are released now.
     */
    void holdLargeBody(final LargeBodySource body)
    {
        final int current = effectiveMode();
        synchronized (largeBodies)
        {
            if (current == AUTO_ACKNOWLEDGE || current == DUPS_OK_ACKNOWLEDGE)
            {
                releaseLargeBodiesHeld();
            }
            largeBodies.add(body);
        }
    }

    /**
     * The application is done with the large messages it received: the broker may delete their bodies once they are
     * acknowledged.
     */
    void releaseLargeBodies()
    {
        synchronized (largeBodies)
        {
            releaseLargeBodiesHeld();
        }
    }

    private void releaseLargeBodiesHeld()
    {
        for (final LargeBodySource body : largeBodies)
        {
            body.release();
        }
        largeBodies.clear();
    }

    /**
     * Sends that will not be committed: their large bodies, sent ahead, are deleted by the broker.
     */
    private void cancelUploads(final List<PendingSend> dropped)
    {
        for (final PendingSend send : dropped)
        {
            if (send.upload() != null)
            {
                core.cancelLarge(send.upload());
            }
        }
    }

    private void acquireUnconfirmed() throws JMSException
    {
        try
        {
            if (!state.acquireUnconfirmed(core.url().callTimeoutMs()))
            {
                throw new JMSException(MAX_UNCONFIRMED + " asynchronous sends have waited for the broker for " +
                    core.url().callTimeoutMs() + " ms");
            }
        }
        catch (final InterruptedException ex)
        {
            Thread.currentThread().interrupt();
            throw new JMSException("interrupted while " + MAX_UNCONFIRMED + " asynchronous sends wait for the broker");
        }
    }

    private void complete(final CompletionListener listener, final Message message, final JMSException failure)
    {
        executor.execute(() ->
        {
            try
            {
                invokeCompletion(listener, message, failure);
            }
            finally
            {
                state.releaseUnconfirmed();
            }
        });
    }

    private void invokeCompletion(final CompletionListener listener, final Message message, final JMSException failure)
    {
        IN_COMPLETION_LISTENER.set(this);
        try
        {
            if (failure == null)
            {
                listener.onCompletion(message);
            }
            else
            {
                listener.onException(message, failure);
            }
        }
        finally
        {
            IN_COMPLETION_LISTENER.remove();
        }
    }

    private void send(final MeshDestination destination, final byte[] encoded, final boolean persistent)
        throws JMSException
    {
        try
        {
            core.send(destination.type(), destination.name(), w -> w.writeRaw(encoded, 0, encoded.length), persistent);
        }
        catch (final ClientException ex)
        {
            throw JmsExceptions.from(ex);
        }
    }

    private void transmit(final MeshDestination destination, final MeshMessage message, final boolean persistent)
        throws JMSException
    {
        try
        {
            core.send(destination.type(), destination.name(), w -> encodeUnchecked(message, w), persistent);
        }
        catch (final ClientException ex)
        {
            throw JmsExceptions.from(ex);
        }
    }

    private static byte[] encode(final MeshMessage message) throws JMSException
    {
        final WireWriter writer = new WireWriter(512);
        message.encode(writer);
        return writer.toByteArray();
    }

    private static void encodeUnchecked(final MeshMessage message, final WireWriter writer)
    {
        try
        {
            message.encode(writer);
        }
        catch (final JMSException ex)
        {
            // The producer validated every destination before sending, so encoding cannot fail here.
            throw new java.lang.IllegalStateException(ex);
        }
    }

    // ---- listener delivery ------------------------------------------------------------------------------

    void onConnectionStarted(final boolean started)
    {
        for (final MeshMessageConsumer consumer : consumers)
        {
            consumer.clientConsumer().started(started);
        }
        if (started)
        {
            scheduleDelivery();
        }
    }

    void scheduleDelivery()
    {
        if (!closed && connection.isStarted() && deliveryScheduled.compareAndSet(false, true))
        {
            executor.execute(this::deliverToListeners);
        }
    }

    /**
     * Runs on the session's executor: hands buffered messages to listeners, one at a time, round robin over
     * this session's consumers, until none has anything or the connection stops.
     */
    private void deliverToListeners()
    {
        deliveryScheduled.set(false);
        try
        {
            boolean delivered = true;
            while (delivered)
            {
                delivered = false;
                for (final MeshMessageConsumer consumer : consumers)
                {
                    deliveryLock.lock();
                    try
                    {
                        if (closed || !connection.isStarted())
                        {
                            return;
                        }
                        delivered |= consumer.deliverOneToListener();
                    }
                    finally
                    {
                        deliveryLock.unlock();
                    }
                }
            }
        }
        finally
        {
            flushLazyAcksQuietly();
        }
    }

    void flushLazyAcksQuietly()
    {
        try
        {
            flushLazyAcks();
        }
        catch (final JMSException ex)
        {
            // The connection is gone; the broker redelivers what was not acknowledged, as DUPS_OK allows.
        }
    }

    /**
     * Gives one delivery to a listener and settles its acknowledgement.
     */
    void invokeListener(
        final MeshMessageConsumer consumer, final MessageListener listener, final Delivery delivery,
        final MeshMessage message)
    {
        listenerDelivery = delivery;
        listenerDeliveryRecovered = false;
        final int mode = effectiveMode();
        boolean threw = false;
        try
        {
            if (mode == CLIENT_ACKNOWLEDGE || mode == SESSION_TRANSACTED)
            {
                onConsumed(delivery, message, mode);
            }
            listener.onMessage(message);
        }
        catch (final RuntimeException ex)
        {
            threw = true;
        }
        catch (final JMSException ex)
        {
            threw = true;
        }
        finally
        {
            listenerDelivery = null;
        }
        if (mode != AUTO_ACKNOWLEDGE && mode != DUPS_OK_ACKNOWLEDGE || listenerDeliveryRecovered || closed ||
            consumer.isClosed() && !core.isOpen())
        {
            return;
        }
        try
        {
            if (threw)
            {
                // The specification: a listener that throws in an auto-acknowledge mode gets the message again.
                core.release(List.of(delivery.ack(true)), false);
            }
            else
            {
                onConsumed(delivery, message, mode);
            }
        }
        catch (final ClientException | JMSException ex)
        {
            // The connection is gone; the broker redelivers what was not acknowledged.
        }
    }

    /**
     * Returns once every completion callback queued before the call has run (MessageProducer.close must
     * not return while a send of its own is incomplete); at once on the session's delivery thread.
     */
    void awaitCompletions() throws JMSException
    {
        if (executor.inExecutor())
        {
            return;
        }
        try
        {
            if (!state.awaitUnconfirmed(core.url().callTimeoutMs()))
            {
                throw new JMSException("asynchronous sends did not complete within " + core.url().callTimeoutMs() + " ms");
            }
        }
        catch (final InterruptedException ex)
        {
            Thread.currentThread().interrupt();
            throw new JMSException("interrupted while waiting for asynchronous sends to complete");
        }
    }

    void awaitListenerIdle()
    {
        if (deliveryLock.isHeldByCurrentThread())
        {
            return;
        }
        deliveryLock.lock();
        deliveryLock.unlock();
    }

    // ---- producers and consumers ------------------------------------------------------------------------

    @Override
    public MessageProducer createProducer(final Destination destination) throws JMSException
    {
        return newProducer(destination);
    }

    MeshMessageProducer newProducer(final Destination destination) throws JMSException
    {
        checkOpen();
        final MeshMessageProducer producer =
            new MeshMessageProducer(this, destination == null ? null : MeshDestination.from(destination));
        producers.add(producer);
        return producer;
    }

    void producerClosed(final MeshMessageProducer producer)
    {
        producers.remove(producer);
    }

    @Override
    public MessageConsumer createConsumer(final Destination destination) throws JMSException
    {
        return newConsumer(destination, null, false);
    }

    @Override
    public MessageConsumer createConsumer(final Destination destination, final String messageSelector) throws JMSException
    {
        return newConsumer(destination, messageSelector, false);
    }

    @Override
    public MessageConsumer createConsumer(
        final Destination destination, final String messageSelector, final boolean noLocal) throws JMSException
    {
        return newConsumer(destination, messageSelector, noLocal);
    }

    MeshMessageConsumer newConsumer(final Destination destination, final String selector, final boolean noLocal)
        throws JMSException
    {
        checkOpen();
        if (destination == null)
        {
            throw new InvalidDestinationException("cannot create a consumer on a null destination");
        }
        final MeshDestination target = MeshDestination.from(destination);
        // noLocal means nothing for a queue (specification 4.4.11: it applies to topics).
        final boolean topicNoLocal = noLocal && target.isTopic();
        return subscribe(target, selector, topicNoLocal ? ConsumerFlags.NO_LOCAL : 0, null);
    }

    /**
     * Creates a consumer of any kind after the checks every kind shares.
     */
    private MeshMessageConsumer subscribe(
        final MeshDestination target, final String selector, final int flags, final String subscriptionName)
        throws JMSException
    {
        if (connection.isForeignTemporary(target))
        {
            throw new IllegalStateException(
                "only the connection that created temporary destination " + target.name() + " may consume from it");
        }
        final String normalisedSelector = checkSelector(selector);
        // Listed and started or stopped with its connection before the broker is asked: a start racing this creation
        // (Spring's listener container does that) missed the consumer, which then gave back, as stopped, the first
        // messages the broker sent it, behind the ones after them. The lock is not held during the round trip.
        final MeshMessageConsumer[] made = new MeshMessageConsumer[1];
        try
        {
            core.createConsumer(sessionId, target.type(), target.name(), normalisedSelector, (byte)flags,
                subscriptionName, created ->
                {
                    synchronized (connection.consumerStarts())
                    {
                        made[0] = new MeshMessageConsumer(this, target, created, normalisedSelector,
                            (flags & ConsumerFlags.NO_LOCAL) != 0, subscriptionName);
                        consumers.add(made[0]);
                        created.started(connection.isStarted());
                    }
                });
        }
        catch (final ClientException ex)
        {
            if (made[0] != null)
            {
                consumers.remove(made[0]);
            }
            throw JmsExceptions.from(ex);
        }
        return made[0];
    }

    /**
     * @return the selector, or null for none (null, empty or blank).
     * @throws InvalidSelectorException naming the position of the problem.
     */
    static String checkSelector(final String selector) throws InvalidSelectorException
    {
        if (selector == null || selector.isBlank())
        {
            return null;
        }
        try
        {
            Selector.parse(selector);
            return selector;
        }
        catch (final SelectorSyntaxException ex)
        {
            throw new InvalidSelectorException(ex.getMessage());
        }
    }

    private MeshDestination topicOf(final Topic topic) throws JMSException
    {
        checkOpen();
        if (topic == null)
        {
            throw new InvalidDestinationException("cannot subscribe to a null topic");
        }
        final MeshDestination target = MeshDestination.from(topic);
        if (!target.isTopic())
        {
            throw new InvalidDestinationException(target + " is not a topic");
        }
        return target;
    }

    private static String checkSubscriptionName(final String name) throws JMSException
    {
        if (name == null || name.isEmpty())
        {
            throw new JMSException("a subscription name must not be null or empty");
        }
        return name;
    }

    void consumerClosed(final MeshMessageConsumer consumer)
    {
        consumers.remove(consumer);
    }

    @Override
    public MessageConsumer createSharedConsumer(final Topic topic, final String sharedSubscriptionName) throws JMSException
    {
        return createSharedConsumer(topic, sharedSubscriptionName, null);
    }

    @Override
    public MessageConsumer createSharedConsumer(
        final Topic topic, final String sharedSubscriptionName, final String messageSelector) throws JMSException
    {
        checkDomain(Domain.TOPIC, "createSharedConsumer");
        final MeshDestination target = topicOf(topic);
        return subscribe(target, messageSelector, ConsumerFlags.SHARED, checkSubscriptionName(sharedSubscriptionName));
    }

    @Override
    public TopicSubscriber createDurableSubscriber(final Topic topic, final String name) throws JMSException
    {
        return createDurableSubscriber(topic, name, null, false);
    }

    @Override
    public TopicSubscriber createDurableSubscriber(
        final Topic topic, final String name, final String messageSelector, final boolean noLocal) throws JMSException
    {
        return durable(topic, name, messageSelector, noLocal, "createDurableSubscriber");
    }

    @Override
    public MessageConsumer createDurableConsumer(final Topic topic, final String name) throws JMSException
    {
        return createDurableConsumer(topic, name, null, false);
    }

    @Override
    public MessageConsumer createDurableConsumer(
        final Topic topic, final String name, final String messageSelector, final boolean noLocal) throws JMSException
    {
        return durable(topic, name, messageSelector, noLocal, "createDurableConsumer");
    }

    private MeshMessageConsumer durable(
        final Topic topic, final String name, final String messageSelector, final boolean noLocal, final String method)
        throws JMSException
    {
        checkDomain(Domain.TOPIC, method);
        final MeshDestination target = topicOf(topic);
        checkSubscriptionName(name);
        if (connection.getClientID() == null)
        {
            throw new IllegalStateException("an unshared durable subscription needs a client ID: set one on the " +
                "connection factory, the connection, or the URL (?clientID=...)");
        }
        return subscribe(target, messageSelector, ConsumerFlags.DURABLE | (noLocal ? ConsumerFlags.NO_LOCAL : 0), name);
    }

    @Override
    public MessageConsumer createSharedDurableConsumer(final Topic topic, final String name) throws JMSException
    {
        return createSharedDurableConsumer(topic, name, null);
    }

    @Override
    public MessageConsumer createSharedDurableConsumer(
        final Topic topic, final String name, final String messageSelector) throws JMSException
    {
        checkDomain(Domain.TOPIC, "createSharedDurableConsumer");
        final MeshDestination target = topicOf(topic);
        return subscribe(target, messageSelector, ConsumerFlags.DURABLE | ConsumerFlags.SHARED, checkSubscriptionName(name));
    }

    /**
     * Deletes a durable subscription of this connection's client id. The broker refuses while the subscription
     * has an active consumer, or a session holds messages of it unacknowledged or uncommitted.
     */
    @Override
    public void unsubscribe(final String name) throws JMSException
    {
        checkOpen();
        checkDomain(Domain.TOPIC, "unsubscribe");
        checkSubscriptionName(name);
        for (final MeshMessageConsumer consumer : consumers)
        {
            if (name.equals(consumer.subscriptionName()))
            {
                throw new IllegalStateException("subscription '" + name + "' has an open consumer in this session");
            }
        }
        try
        {
            core.unsubscribe(name);
        }
        catch (final ClientException ex)
        {
            throw JmsExceptions.from(ex);
        }
    }

    @Override
    public QueueBrowser createBrowser(final Queue queue) throws JMSException
    {
        return createBrowser(queue, null);
    }

    @Override
    public QueueBrowser createBrowser(final Queue queue, final String messageSelector) throws JMSException
    {
        checkOpen();
        checkDomain(Domain.QUEUE, "createBrowser");
        if (queue == null)
        {
            throw new InvalidDestinationException("cannot browse a null queue");
        }
        final MeshDestination target = MeshDestination.from(queue);
        if (target.isTopic())
        {
            throw new InvalidDestinationException(target + " is not a queue");
        }
        if (connection.isForeignTemporary(target))
        {
            throw new IllegalStateException("only the connection that created " + target.name() + " may browse it");
        }
        final MeshQueueBrowser browser = new MeshQueueBrowser(this, target, checkSelector(messageSelector));
        browsers.add(browser);
        return browser;
    }

    void browserClosed(final MeshQueueBrowser browser)
    {
        browsers.remove(browser);
    }

    /**
     * A QueueSession refuses the topic-only methods and a TopicSession the queue-only ones (specification
     * 4.4: the domain-specific interfaces).
     */
    private void checkDomain(final Domain needed, final String method) throws IllegalStateException
    {
        if (domain != Domain.ANY && domain != needed)
        {
            throw new IllegalStateException(method + "() may not be called on a " +
                (domain == Domain.QUEUE ? "QueueSession" : "TopicSession"));
        }
    }

    @Override
    public Queue createQueue(final String queueName) throws JMSException
    {
        checkOpen();
        checkDomain(Domain.QUEUE, "createQueue");
        checkName(queueName, "queue");
        return new MeshQueue(queueName);
    }

    @Override
    public Topic createTopic(final String topicName) throws JMSException
    {
        checkOpen();
        checkDomain(Domain.TOPIC, "createTopic");
        checkName(topicName, "topic");
        return new MeshTopic(topicName);
    }

    static void checkName(final String name, final String kind) throws InvalidDestinationException
    {
        if (name == null || name.isBlank())
        {
            throw new InvalidDestinationException(kind + " name must not be null or blank");
        }
    }

    @Override
    public TemporaryQueue createTemporaryQueue() throws JMSException
    {
        checkOpen();
        checkDomain(Domain.QUEUE, "createTemporaryQueue");
        return connection.createTemporaryQueue();
    }

    @Override
    public TemporaryTopic createTemporaryTopic() throws JMSException
    {
        checkOpen();
        checkDomain(Domain.TOPIC, "createTemporaryTopic");
        return connection.createTemporaryTopic();
    }

    // ---- classic queue/topic variants -------------------------------------------------------------------

    @Override
    public QueueReceiver createReceiver(final Queue queue) throws JMSException
    {
        return newConsumer(queue, null, false);
    }

    @Override
    public QueueReceiver createReceiver(final Queue queue, final String messageSelector) throws JMSException
    {
        return newConsumer(queue, messageSelector, false);
    }

    @Override
    public QueueSender createSender(final Queue queue) throws JMSException
    {
        return newProducer(queue);
    }

    @Override
    public TopicSubscriber createSubscriber(final Topic topic) throws JMSException
    {
        return newConsumer(topic, null, false);
    }

    @Override
    public TopicSubscriber createSubscriber(final Topic topic, final String messageSelector, final boolean noLocal)
        throws JMSException
    {
        return newConsumer(topic, messageSelector, noLocal);
    }

    @Override
    public TopicPublisher createPublisher(final Topic topic) throws JMSException
    {
        return newProducer(topic);
    }

    // ---- application server facilities ------------------------------------------------------------------

    @Override
    public MessageListener getMessageListener() throws JMSException
    {
        checkOpen();
        return sessionListener;
    }

    /**
     * Sets the listener that {@link #run()} hands the messages a connection consumer loaded into this session to (the
     * application server facility).
     */
    @Override
    public void setMessageListener(final MessageListener listener) throws JMSException
    {
        checkOpen();
        this.sessionListener = listener;
    }

    /**
     * @return the MeshMQ session behind a session a server session pool gives out.
     * @throws JMSException if it is another provider's.
     */
    static MeshSession of(final Session session) throws JMSException
    {
        if (session instanceof MeshSession mesh)
        {
            return mesh;
        }
        throw new JMSException("a MeshMQ connection consumer's server sessions must hold MeshMQ sessions, not " +
            (session == null ? "null" : session.getClass().getName()));
    }

    /**
     * A connection consumer hands this session messages for its next {@link #run()}.
     *
     * @throws JMSException if the session is closed, has no message listener, or belongs to another connection (its
     *                      acknowledgements could not reach the consumer's).
     */
    void load(final MeshMessageConsumer from, final List<Delivery> deliveries) throws JMSException
    {
        checkOpen();
        if (from.session().core() != core)
        {
            throw new IllegalStateException("a server session's session must be made by the connection of its " +
                "connection consumer");
        }
        if (sessionListener == null)
        {
            throw new IllegalStateException("a server session's session needs a message listener (setMessageListener)");
        }
        synchronized (loaded)
        {
            for (final Delivery delivery : deliveries)
            {
                loaded.add(new Loaded(from, delivery));
            }
        }
    }

    /**
     * Hands the messages a connection consumer loaded to the session's message listener, in order, acknowledged as the
     * session's mode says (an application server calls it on its own thread, through {@code ServerSession.start()}).
     */
    @Override
    public void run()
    {
        final List<Loaded> batch;
        synchronized (loaded)
        {
            batch = new ArrayList<>(loaded);
            loaded.clear();
        }
        final MessageListener listener = sessionListener;
        for (final Loaded item : batch)
        {
            if (closed || listener == null)
            {
                // Back to the queue, counted as delivered: the session went away with it.
                releaseQuietly(item.delivery());
                continue;
            }
            final MeshMessage message = item.from().decodeOrGiveBack(item.delivery());
            if (message != null)
            {
                invokeListener(item.from(), listener, item.delivery(), message);
            }
        }
    }

    private void releaseQuietly(final Delivery delivery)
    {
        try
        {
            core.release(List.of(delivery.ack(true)), false);
        }
        catch (final ClientException gone)
        {
            // The connection is gone: the broker gives it back itself.
        }
    }

    // ---- close ------------------------------------------------------------------------------------------

    /**
     * Closes the session: waits for a running listener (unless called from it), closes producers and
     * consumers, rolls back an open transaction, and returns unacknowledged messages to the broker.
     */
    @Override
    public void close() throws JMSException
    {
        checkNotInCompletionListener("close");
        if (!closed && inMessageListener())
        {
            // Specification 4.4.1: closing would wait for the listener that is calling it.
            throw new IllegalStateException("a message listener must not close its own session");
        }
        if (closed)
        {
            return;
        }
        closed = true;
        awaitListenerIdle();
        beforeClose();
        for (final MeshMessageConsumer consumer : consumers)
        {
            consumer.closeQuietly();
        }
        for (final MeshMessageProducer producer : producers)
        {
            producer.close();
        }
        for (final MeshQueueBrowser browser : browsers)
        {
            browser.close();
        }
        releaseLargeBodies();
        if (mode == SESSION_TRANSACTED && !keepsDeliveriesAfterClose())
        {
            cancelUploads(state.dropSends());
        }
        try
        {
            state.close(!keepsDeliveriesAfterClose());
        }
        catch (final ClientException ex)
        {
            if (core.isOpen())
            {
                throw JmsExceptions.from(ex);
            }
        }
        finally
        {
            connection.sessionClosed(this);
        }
    }

    /**
     * Runs when close starts, before the consumers close.
     */
    void beforeClose()
    {
    }

    /**
     * @return true if deliveries this session consumed must stay with the broker's closed consumers after
     * the session closes (they belong to an XA branch not finished yet), so the broker is not told to give
     * back everything the session held.
     */
    boolean keepsDeliveriesAfterClose()
    {
        return false;
    }

    boolean isClosed()
    {
        return closed;
    }
}
