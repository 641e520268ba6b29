package io.meshmq.jms;

import io.meshmq.jms.message.MeshMessage;
import jakarta.jms.CompletionListener;
import jakarta.jms.DeliveryMode;
import jakarta.jms.Destination;
import jakarta.jms.IllegalStateException;
import jakarta.jms.InvalidDestinationException;
import jakarta.jms.JMSException;
import jakarta.jms.Message;
import jakarta.jms.MessageFormatException;
import jakarta.jms.Queue;
import jakarta.jms.QueueSender;
import jakarta.jms.Topic;
import jakarta.jms.TopicPublisher;

import java.util.concurrent.atomic.AtomicLong;

/**
 * A producer (classic API). Persistent messages are sent synchronously (the send returns once the broker
 * has them); non-persistent ones asynchronously, slowed only by the socket's back-pressure.
 */
public final class MeshMessageProducer implements QueueSender, TopicPublisher
{
    private static final AtomicLong PRODUCER_IDS = new AtomicLong();

    private final MeshSession session;
    private final MeshDestination destination;
    private final String idPrefix;
    private long messageCount;
    private boolean disableMessageId;
    private boolean disableTimestamp;
    private int deliveryMode = DeliveryMode.PERSISTENT;
    private int priority = Message.DEFAULT_PRIORITY;
    private long timeToLive = Message.DEFAULT_TIME_TO_LIVE;
    private long deliveryDelay = Message.DEFAULT_DELIVERY_DELAY;
    private volatile boolean closed;

    MeshMessageProducer(final MeshSession session, final MeshDestination destination)
    {
        this.session = session;
        this.destination = destination;
        this.idPrefix = session.connection().idPrefix() + PRODUCER_IDS.incrementAndGet() + ":";
    }

    private void checkOpen() throws IllegalStateException
    {
        if (closed)
        {
            throw new IllegalStateException("producer is closed");
        }
        session.checkOpen();
    }

    @Override
    public void setDisableMessageID(final boolean value) throws JMSException
    {
        checkOpen();
        disableMessageId = value;
    }

    @Override
    public boolean getDisableMessageID() throws JMSException
    {
        checkOpen();
        return disableMessageId;
    }

    @Override
    public void setDisableMessageTimestamp(final boolean value) throws JMSException
    {
        checkOpen();
        disableTimestamp = value;
    }

    @Override
    public boolean getDisableMessageTimestamp() throws JMSException
    {
        checkOpen();
        return disableTimestamp;
    }

    @Override
    public void setDeliveryMode(final int deliveryMode) throws JMSException
    {
        checkOpen();
        checkDeliveryMode(deliveryMode);
        this.deliveryMode = deliveryMode;
    }

    @Override
    public int getDeliveryMode() throws JMSException
    {
        checkOpen();
        return deliveryMode;
    }

    @Override
    public void setPriority(final int priority) throws JMSException
    {
        checkOpen();
        checkPriority(priority);
        this.priority = priority;
    }

    @Override
    public int getPriority() throws JMSException
    {
        checkOpen();
        return priority;
    }

    @Override
    public void setTimeToLive(final long timeToLive) throws JMSException
    {
        checkOpen();
        this.timeToLive = timeToLive;
    }

    @Override
    public long getTimeToLive() throws JMSException
    {
        checkOpen();
        return timeToLive;
    }

    @Override
    public void setDeliveryDelay(final long deliveryDelay) throws JMSException
    {
        checkOpen();
        if (deliveryDelay < 0)
        {
            throw new JMSException("delivery delay " + deliveryDelay + " ms must not be negative");
        }
        this.deliveryDelay = deliveryDelay;
    }

    @Override
    public long getDeliveryDelay() throws JMSException
    {
        checkOpen();
        return deliveryDelay;
    }

    @Override
    public Destination getDestination() throws JMSException
    {
        checkOpen();
        return destination;
    }

    @Override
    public Queue getQueue() throws JMSException
    {
        checkOpen();
        return destination instanceof Queue ? (Queue)destination : null;
    }

    @Override
    public Topic getTopic() throws JMSException
    {
        checkOpen();
        return destination instanceof Topic ? (Topic)destination : null;
    }

    @Override
    public void close() throws JMSException
    {
        if (closed)
        {
            return;
        }
        session.checkNotInCompletionListener("close");
        closed = true;
        session.producerClosed(this);
        session.awaitCompletions();
    }

    // ---- send variants ----------------------------------------------------------------------------------

    @Override
    public void send(final Message message) throws JMSException
    {
        doSend(null, message, deliveryMode, priority, timeToLive, null);
    }

    @Override
    public void send(final Message message, final int deliveryMode, final int priority, final long timeToLive)
        throws JMSException
    {
        doSend(null, message, deliveryMode, priority, timeToLive, null);
    }

    @Override
    public void send(final Destination destination, final Message message) throws JMSException
    {
        doSend(requireDestination(destination), message, deliveryMode, priority, timeToLive, null);
    }

    @Override
    public void send(
        final Destination destination, final Message message, final int deliveryMode, final int priority,
        final long timeToLive) throws JMSException
    {
        doSend(requireDestination(destination), message, deliveryMode, priority, timeToLive, null);
    }

    @Override
    public void send(final Message message, final CompletionListener completionListener) throws JMSException
    {
        doSend(null, message, deliveryMode, priority, timeToLive, requireListener(completionListener));
    }

    @Override
    public void send(
        final Message message, final int deliveryMode, final int priority, final long timeToLive,
        final CompletionListener completionListener) throws JMSException
    {
        doSend(null, message, deliveryMode, priority, timeToLive, requireListener(completionListener));
    }

    @Override
    public void send(final Destination destination, final Message message, final CompletionListener completionListener)
        throws JMSException
    {
        doSend(requireDestination(destination), message, deliveryMode, priority, timeToLive,
            requireListener(completionListener));
    }

    @Override
    public void send(
        final Destination destination, final Message message, final int deliveryMode, final int priority,
        final long timeToLive, final CompletionListener completionListener) throws JMSException
    {
        doSend(requireDestination(destination), message, deliveryMode, priority, timeToLive,
            requireListener(completionListener));
    }

    @Override
    public void send(final Queue queue, final Message message) throws JMSException
    {
        send((Destination)queue, message);
    }

    @Override
    public void send(
        final Queue queue, final Message message, final int deliveryMode, final int priority, final long timeToLive)
        throws JMSException
    {
        send((Destination)queue, message, deliveryMode, priority, timeToLive);
    }

    @Override
    public void publish(final Message message) throws JMSException
    {
        send(message);
    }

    @Override
    public void publish(final Message message, final int deliveryMode, final int priority, final long timeToLive)
        throws JMSException
    {
        send(message, deliveryMode, priority, timeToLive);
    }

    @Override
    public void publish(final Topic topic, final Message message) throws JMSException
    {
        send((Destination)topic, message);
    }

    @Override
    public void publish(
        final Topic topic, final Message message, final int deliveryMode, final int priority, final long timeToLive)
        throws JMSException
    {
        send((Destination)topic, message, deliveryMode, priority, timeToLive);
    }

    private Destination requireDestination(final Destination explicit) throws JMSException
    {
        checkOpen();
        if (destination != null)
        {
            throw new UnsupportedOperationException(
                "this producer was created for " + destination + "; use send(message) without a destination");
        }
        if (explicit == null)
        {
            throw new InvalidDestinationException("destination is null");
        }
        return explicit;
    }

    private static CompletionListener requireListener(final CompletionListener listener)
    {
        if (listener == null)
        {
            throw new IllegalArgumentException("completion listener is null");
        }
        return listener;
    }

    private static void checkDeliveryMode(final int mode) throws JMSException
    {
        if (mode != DeliveryMode.PERSISTENT && mode != DeliveryMode.NON_PERSISTENT)
        {
            throw new JMSException("delivery mode " + mode + " is neither PERSISTENT (2) nor NON_PERSISTENT (1)");
        }
    }

    private static void checkPriority(final int priority) throws JMSException
    {
        if (priority < 0 || priority > 9)
        {
            throw new JMSException("priority " + priority + " is outside 0-9");
        }
    }

    void doSend(
        final Destination explicit, final Message message, final int mode, final int prio, final long ttl,
        final CompletionListener completionListener) throws JMSException
    {
        checkOpen();
        if (message == null)
        {
            throw new MessageFormatException("message is null");
        }
        final Destination target;
        if (explicit == null)
        {
            if (destination == null)
            {
                throw new UnsupportedOperationException("this producer has no destination; use send(destination, message)");
            }
            target = destination;
        }
        else
        {
            target = explicit;
        }
        checkDeliveryMode(mode);
        checkPriority(prio);
        final MeshDestination meshTarget = MeshDestination.from(target);
        if (message.getJMSReplyTo() != null)
        {
            MeshDestination.from(message.getJMSReplyTo());
        }

        final long now = System.currentTimeMillis();
        message.setJMSDestination(meshTarget);
        message.setJMSDeliveryMode(mode);
        message.setJMSPriority(prio);
        message.setJMSTimestamp(disableTimestamp ? 0 : now);
        message.setJMSExpiration(ttl > 0 ? now + ttl : 0);
        message.setJMSDeliveryTime(now + deliveryDelay);
        message.setJMSMessageID(disableMessageId ? null : idPrefix + (++messageCount));

        final MeshMessage wire;
        if (message instanceof MeshMessage)
        {
            wire = (MeshMessage)message;
        }
        else
        {
            wire = ForeignMessages.convert(message);
            wire.setJMSDestination(meshTarget);
            wire.setJMSDeliveryMode(mode);
            wire.setJMSPriority(prio);
            wire.setJMSTimestamp(message.getJMSTimestamp());
            wire.setJMSExpiration(message.getJMSExpiration());
            wire.setJMSDeliveryTime(message.getJMSDeliveryTime());
            wire.setJMSMessageID(message.getJMSMessageID());
        }
        session.send(meshTarget, wire, mode == DeliveryMode.PERSISTENT, completionListener, message);
    }
}
