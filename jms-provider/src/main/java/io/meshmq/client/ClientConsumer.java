package io.meshmq.client;

import java.util.ArrayDeque;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.locks.Condition;
import java.util.concurrent.locks.ReentrantLock;

/**
 * The client side of one broker consumer: a bounded buffer of deliveries (the broker never sends more than
 * the credit this consumer granted) and the credit it hands back as the application takes messages.
 * <p>
 * Thread safe: the connection's I/O thread adds, application threads take.
 */
public final class ClientConsumer
{
    /** Notified on the I/O thread when a delivery arrives, for consumers with a listener. */
    public interface ArrivalListener
    {
        void onArrival(ClientConsumer consumer);
    }

    private final ClientConnection connection;
    private final long consumerId;
    private final long sessionId;
    private final int window;
    private final ReentrantLock lock = new ReentrantLock();
    private final Condition changed = lock.newCondition();
    private final ArrayDeque<Delivery> buffer = new ArrayDeque<>();
    private volatile ArrivalListener arrivalListener;
    private boolean started;
    private boolean recovering;
    private boolean closed;
    private ClientException failure;
    private int creditToReturn;
    private long bytesToReturn;
    private final int windowBytes;
    private final boolean browser;
    private boolean browseEnded;

    /**
     * @param window      messages the broker may send ahead of the application.
     * @param windowBytes bytes of message it may send ahead (the broker stops at whichever runs out first).
     */
    ClientConsumer(
        final ClientConnection connection, final long consumerId, final long sessionId, final int window,
        final int windowBytes, final boolean browser)
    {
        this.connection = connection;
        this.consumerId = consumerId;
        this.sessionId = sessionId;
        this.window = window;
        this.windowBytes = windowBytes;
        this.browser = browser;
        // A browser reads a snapshot; it does not wait for the connection to start.
        this.started = browser;
    }

    /**
     * A browser's snapshot was sent whole: once the buffer is drained, {@link #take} answers null at once.
     */
    void onBrowseEnd()
    {
        lock.lock();
        try
        {
            browseEnded = true;
            changed.signalAll();
        }
        finally
        {
            lock.unlock();
        }
    }

    public long consumerId()
    {
        return consumerId;
    }

    public long sessionId()
    {
        return sessionId;
    }

    public void arrivalListener(final ArrivalListener listener)
    {
        this.arrivalListener = listener;
        if (listener != null && hasBuffered())
        {
            listener.onArrival(this);
        }
    }

    void onDelivery(final Delivery delivery)
    {
        lock.lock();
        try
        {
            if (closed || recovering)
            {
                // The broker takes these back itself (consumer close, session recover).
                return;
            }
            buffer.addLast(delivery);
            changed.signal();
        }
        finally
        {
            lock.unlock();
        }
        final ArrivalListener listener = arrivalListener;
        if (listener != null)
        {
            listener.onArrival(this);
        }
    }

    void onConnectionLost(final ClientException cause)
    {
        lock.lock();
        try
        {
            failure = cause;
            changed.signalAll();
        }
        finally
        {
            lock.unlock();
        }
    }

    /**
     * Holds or resumes hand-over to the application (connection stop/start).
     */
    public void started(final boolean started)
    {
        if (browser)
        {
            return;
        }
        lock.lock();
        try
        {
            this.started = started;
            changed.signalAll();
        }
        finally
        {
            lock.unlock();
        }
    }

    public boolean hasBuffered()
    {
        lock.lock();
        try
        {
            return started && !buffer.isEmpty();
        }
        finally
        {
            lock.unlock();
        }
    }

    /**
     * Takes the next delivery, waiting while the buffer is empty or the connection is stopped.
     *
     * @param timeoutMs 0 waits without limit, a negative value does not wait.
     * @return the delivery, or null on timeout or when the consumer is closed meanwhile.
     * @throws ClientException when the connection was lost.
     */
    public Delivery take(final long timeoutMs) throws ClientException, InterruptedException
    {
        final Delivery delivery;
        lock.lock();
        try
        {
            long remainingNs = timeoutMs > 0 ? TimeUnit.MILLISECONDS.toNanos(timeoutMs) : 0;
            while (!closed && (!started || buffer.isEmpty()))
            {
                if (failure != null)
                {
                    throw failure;
                }
                if (browseEnded)
                {
                    return null;
                }
                if (timeoutMs < 0)
                {
                    return null;
                }
                if (timeoutMs == 0)
                {
                    changed.await();
                }
                else
                {
                    if (remainingNs <= 0)
                    {
                        return null;
                    }
                    remainingNs = changed.awaitNanos(remainingNs);
                }
            }
            if (closed)
            {
                return null;
            }
            delivery = buffer.pollFirst();
        }
        finally
        {
            lock.unlock();
        }
        returnCredit(1, delivery.message().length);
        return delivery;
    }

    /**
     * Wakes threads blocked in {@link #take(long)}, drops what is buffered and refuses further deliveries;
     * the broker puts back what the application never saw.
     */
    void close()
    {
        lock.lock();
        try
        {
            closed = true;
            changed.signalAll();
            buffer.clear();
        }
        finally
        {
            lock.unlock();
        }
    }

    /**
     * Puts a delivery the application refused back at the head of the buffer, to be taken again before any
     * other (JMSConsumer.receiveBody with a body of the wrong type, AUTO_ACKNOWLEDGE).
     */
    public void pushBack(final Delivery delivery)
    {
        lock.lock();
        try
        {
            if (!closed && !recovering)
            {
                buffer.addFirst(delivery);
                creditToReturn--;
                bytesToReturn -= delivery.message().length;
                changed.signal();
            }
        }
        finally
        {
            lock.unlock();
        }
    }

    /**
     * Starts a recover: drops what is buffered and whatever arrives until {@link #endRecover()}, since the
     * broker puts all of it back in the queue.
     */
    void beginRecover()
    {
        lock.lock();
        try
        {
            recovering = true;
            buffer.clear();
        }
        finally
        {
            lock.unlock();
        }
    }

    /**
     * Ends a recover; called on the I/O thread when the broker's reply arrives, so no delivery sent after
     * the reply is dropped.
     */
    void endRecover()
    {
        lock.lock();
        try
        {
            recovering = false;
        }
        finally
        {
            lock.unlock();
        }
    }

    /**
     * The application took messages: once half the window (in messages or in bytes) is free, the broker hears of
     * it, in one CREDIT frame.
     */
    private void returnCredit(final int count, final int bytes)
    {
        final int toSend;
        final int bytesToSend;
        lock.lock();
        try
        {
            creditToReturn += count;
            bytesToReturn += bytes;
            if (closed || creditToReturn <= 0 && bytesToReturn <= 0 ||
                creditToReturn < Math.max(1, window / 2) && bytesToReturn < Math.max(1, windowBytes / 2))
            {
                return;
            }
            toSend = Math.max(0, creditToReturn);
            bytesToSend = (int)Math.min(Integer.MAX_VALUE, Math.max(0, bytesToReturn));
            creditToReturn -= toSend;
            bytesToReturn -= bytesToSend;
        }
        finally
        {
            lock.unlock();
        }
        connection.credit(consumerId, toSend, bytesToSend);
    }
}
