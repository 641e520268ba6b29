package io.meshmq.jms;

import io.meshmq.client.ClientConnection;
import io.meshmq.client.ClientConsumer;
import io.meshmq.client.ClientException;
import io.meshmq.client.Delivery;
import io.meshmq.client.DeliveryAck;
import io.meshmq.jms.message.LargeBodySource;
import io.meshmq.jms.message.MeshMessage;
import io.meshmq.protocol.ProtocolException;
import io.meshmq.protocol.WireReader;
import jakarta.jms.IllegalStateException;
import jakarta.jms.JMSException;
import jakarta.jms.Message;
import jakarta.jms.MessageListener;
import jakarta.jms.Queue;
import jakarta.jms.QueueReceiver;
import jakarta.jms.Topic;
import jakarta.jms.TopicSubscriber;
import org.agrona.concurrent.UnsafeBuffer;

import java.util.List;
import java.util.concurrent.TimeUnit;

/**
 * A consumer (classic API): synchronous {@code receive} or a {@link MessageListener}, never both.
 */
public final class MeshMessageConsumer implements QueueReceiver, TopicSubscriber
{
    private static final System.Logger LOG = System.getLogger(MeshMessageConsumer.class.getName());
    private final MeshSession session;
    private final MeshDestination destination;
    private final ClientConsumer clientConsumer;
    private final String selector;
    private final boolean noLocal;
    private final String subscriptionName;
    private volatile MessageListener listener;
    private volatile boolean closed;

    MeshMessageConsumer(
        final MeshSession session, final MeshDestination destination, final ClientConsumer clientConsumer,
        final String selector, final boolean noLocal, final String subscriptionName)
    {
        this.subscriptionName = subscriptionName;
        this.session = session;
        this.destination = destination;
        this.clientConsumer = clientConsumer;
        this.selector = selector;
        this.noLocal = noLocal;
    }

    /**
     * @return the durable or shared subscription this consumer reads, or null.
     */
    String subscriptionName()
    {
        return closed ? null : subscriptionName;
    }

    MeshSession session()
    {
        return session;
    }

    MeshDestination destination()
    {
        return destination;
    }

    ClientConsumer clientConsumer()
    {
        return clientConsumer;
    }

    boolean isClosed()
    {
        return closed;
    }

    private void checkOpen() throws IllegalStateException
    {
        if (closed)
        {
            throw new IllegalStateException("consumer is closed");
        }
        session.checkOpen();
    }

    @Override
    public String getMessageSelector() throws JMSException
    {
        checkOpen();
        return selector;
    }

    @Override
    public MessageListener getMessageListener() throws JMSException
    {
        checkOpen();
        return listener;
    }

    @Override
    public void setMessageListener(final MessageListener listener) throws JMSException
    {
        checkOpen();
        this.listener = listener;
        clientConsumer.arrivalListener(listener == null ? null : c -> session.scheduleDelivery());
        session.scheduleDelivery();
    }

    @Override
    public Message receive() throws JMSException
    {
        return receive(0);
    }

    @Override
    public Message receive(final long timeout) throws JMSException
    {
        return doReceive(timeout < 0 ? 0 : timeout);
    }

    @Override
    public Message receiveNoWait() throws JMSException
    {
        return doReceive(-1);
    }

    /**
     * JMSConsumer.receiveBody: a body that cannot be given as {@code type} throws MessageFormatException; in
     * AUTO_ACKNOWLEDGE and DUPS_OK_ACKNOWLEDGE the message then stays unacknowledged and comes next again,
     * otherwise it counts as delivered.
     *
     * @param timeoutMs 0 waits without limit, a negative value does not wait.
     */
    <T> T receiveBody(final Class<T> type, final long timeoutMs) throws JMSException
    {
        final Delivery delivery = takeForReceive(timeoutMs);
        if (delivery == null)
        {
            return null;
        }
        final MeshMessage message = decodeOrGiveBack(delivery);
        if (message == null)
        {
            throw new jakarta.jms.MessageFormatException("the message cannot be decoded; it went back to the broker " +
                "counted as delivered");
        }
        final boolean convertible = message.hasBody() && message.isBodyAssignableTo(type);
        final int mode = session.effectiveMode();
        if (!convertible && (mode == jakarta.jms.Session.AUTO_ACKNOWLEDGE || mode == jakarta.jms.Session.DUPS_OK_ACKNOWLEDGE))
        {
            clientConsumer.pushBack(delivery);
            throw new jakarta.jms.MessageFormatException("the message body cannot be received as " + type.getName());
        }
        session.onConsumed(delivery, message);
        if (!convertible)
        {
            throw new jakarta.jms.MessageFormatException("the message body cannot be received as " + type.getName());
        }
        return message.getBody(type);
    }

    /**
     * The synchronous receive's checks and wait.
     *
     * @return the next delivery, or null on timeout, close or interrupt.
     */
    private Delivery takeForReceive(final long timeoutMs) throws JMSException
    {
        checkOpen();
        if (listener != null)
        {
            throw new IllegalStateException("cannot receive synchronously on a consumer that has a message listener");
        }
        if (session.hasLazyAcks() && !clientConsumer.hasBuffered())
        {
            // The application is about to wait: what DUPS_OK_ACKNOWLEDGE gathered is acknowledged first.
            session.flushLazyAcks();
        }
        try
        {
            return clientConsumer.take(timeoutMs);
        }
        catch (final ClientException ex)
        {
            throw JmsExceptions.from(ex);
        }
        catch (final InterruptedException ex)
        {
            Thread.currentThread().interrupt();
            return null;
        }
    }

    /**
     * @param timeoutMs 0 waits without limit, a negative value does not wait.
     */
    private Message doReceive(final long timeoutMs) throws JMSException
    {
        final long deadlineNs = System.nanoTime() + TimeUnit.MILLISECONDS.toNanos(Math.max(0, timeoutMs));
        long waitMs = timeoutMs;
        while (true)
        {
            final Delivery delivery = takeForReceive(waitMs);
            if (delivery == null)
            {
                return null;
            }
            final MeshMessage message = decodeOrGiveBack(delivery);
            if (message != null)
            {
                session.onConsumed(delivery, message);
                return message;
            }
            if (timeoutMs > 0)
            {
                waitMs = TimeUnit.NANOSECONDS.toMillis(deadlineNs - System.nanoTime());
                if (waitMs <= 0)
                {
                    return null;
                }
            }
        }
    }

    /**
     * Called on the session's delivery thread.
     *
     * @return true if a message was handed to the listener.
     */
    boolean deliverOneToListener()
    {
        final MessageListener l = listener;
        if (l == null || closed)
        {
            return false;
        }
        final Delivery delivery;
        try
        {
            delivery = clientConsumer.poll();
        }
        catch (final ClientException | InterruptedException ex)
        {
            return false;
        }
        if (delivery == null)
        {
            return false;
        }
        final MeshMessage message = decodeOrGiveBack(delivery);
        if (message != null)
        {
            session.invokeListener(this, l, delivery, message);
        }
        return true;
    }

    /**
     * @return the message; or null if it cannot be decoded: it then goes back to the broker counted as delivered, so its
     * delivery limit takes it to the dead-letter address instead of it coming back for ever.
     */
    MeshMessage decodeOrGiveBack(final Delivery delivery)
    {
        try
        {
            return decode(delivery, destination, session.core(), session::holdLargeBody);
        }
        catch (final JMSException ex)
        {
            LOG.log(System.Logger.Level.WARNING, ex.getMessage() + "; it goes back counted as delivered (" +
                delivery.deliveryCount() + " so far), so the delivery limit takes it to the dead-letter address");
            try
            {
                session.core().release(List.of(delivery.ack(true)), false);
            }
            catch (final ClientException gone)
            {
                // The connection is gone: the broker gives it back itself, counted as delivered.
            }
            return null;
        }
    }

    /**
     * Decodes a delivery; a large message's body is attached (read now, or later as the application reads it) and
     * handed to {@code holder}, which releases it when the application is done with it.
     *
     * @throws JMSException if it cannot be decoded (or its body not read): its large body, if any, is released.
     */
    static MeshMessage decode(final Delivery delivery, final MeshDestination destination, final ClientConnection core,
        final java.util.function.Consumer<LargeBodySource> holder) throws JMSException
    {
        try
        {
            final byte[] bytes = delivery.message();
            final MeshMessage message =
                MeshMessage.decode(new WireReader().wrap(new UnsafeBuffer(bytes), 0, bytes.length), delivery.deliveryCount());
            if (delivery.lease() != null)
            {
                final MeshLargeBody body = new MeshLargeBody(core, delivery.lease(),
                    io.meshmq.protocol.LargeBodyDescriptor.length(bytes));
                holder.accept(body);
                message.attachLargeBody(body);
            }
            return message;
        }
        catch (final ProtocolException ex)
        {
            core.largeDone(delivery.lease());
            throw new JMSException("message from " + destination + " cannot be decoded: " + ex.getMessage());
        }
        catch (final JMSException ex)
        {
            core.largeDone(delivery.lease());
            throw ex;
        }
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
    public boolean getNoLocal() throws JMSException
    {
        checkOpen();
        return noLocal;
    }

    /**
     * Closes the consumer; a receive blocked in another thread returns null. Messages it buffered but never
     * handed out go back to the broker; ones the application received stay with the session's
     * acknowledgement or transaction.
     */
    @Override
    public void close() throws JMSException
    {
        if (closed)
        {
            return;
        }
        closed = true;
        if (!session.inDeliveryThread())
        {
            session.awaitListenerIdle();
        }
        try
        {
            // Gathered DUPS_OK_ACKNOWLEDGE acknowledgements go first, so what the application had is not returned.
            session.flushLazyAcksQuietly();
            session.core().closeConsumer(clientConsumer, session.unacknowledgedOf(clientConsumer.consumerId()));
        }
        catch (final ClientException ex)
        {
            if (session.core().isOpen())
            {
                throw JmsExceptions.from(ex);
            }
        }
        finally
        {
            session.consumerClosed(this);
        }
    }

    void closeQuietly()
    {
        try
        {
            close();
        }
        catch (final JMSException ignore)
        {
            // closing the session or connection goes on regardless
        }
    }
}
