package io.meshmq.client;

import io.meshmq.protocol.MessageHeaderFlyweight;

import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Set;
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

    /**
     * What the broker was asked for, kept to ask again after a failover.
     *
     * @param flags {@link io.meshmq.protocol.ConsumerFlags}.
     */
    record Spec(byte destinationType, String destinationName, String selector, byte flags, String subscriptionName)
    {
    }

    /** Ids of the messages taken last that a consumer remembers across a failover. */
    private static final int REMEMBERED_IDS = 4096;
    /**
     * A synchronous consumer whose application has not asked for a message for this long gives back what was sent
     * ahead and is sent nothing until it asks again, so a consumer left idle (a cached one, say) holds nothing another
     * consumer of the queue waits for.
     */
    static final long IDLE_PAUSE_MS = 1000;
    static final long IDLE_CHECK_MS = IDLE_PAUSE_MS / 2;

    private final ClientConnection connection;
    private final Spec spec;
    /** Held while the consumer is created on a connection to a broker, so a failover and a close do not cross. */
    final Object creation = new Object();
    /** The connection to a broker it exists on (see {@link Delivery#link()}); 0 before it is created on one. */
    private volatile int link;
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
    /** Threads in {@link #take}, and when one last came or went: a consumer nobody takes from for a while is idle. */
    private int takers;
    private long lastTakeNanos = System.nanoTime();
    /** Paused because idle: the broker sends it nothing until the application asks again. */
    private boolean idlePaused;
    /** Something came on this connection to a broker: a receive with a timeout then waits for what is sent ahead. */
    private boolean receivedOnLink;
    /** receiveSpin: how long a receive that finds nothing spins before it sleeps; 0 not at all. */
    private final long spinNanos;
    /** Counted up under the lock at each delivery, read without it by a spinning receive. */
    private volatile int arrivals;
    /**
     * With failover on: ids of the last messages the application took, and of those it took before the last failover.
     * The broker that comes after a failover may not know a message was delivered (a restarted broker does not, nor
     * does another node): one taken before comes marked redelivered all the same.
     */
    private final LinkedHashSet<String> taken = new LinkedHashSet<>();
    private final Set<String> takenBeforeFailover = new HashSet<>();
    private final MessageHeaderFlyweight header = new MessageHeaderFlyweight();

    /**
     * @param window      messages the broker may send ahead of the application.
     * @param windowBytes bytes of message it may send ahead (the broker stops at whichever runs out first).
     */
    ClientConsumer(
        final ClientConnection connection, final long consumerId, final long sessionId, final Spec spec,
        final int window, final int windowBytes, final boolean browser)
    {
        this.connection = connection;
        this.spec = spec;
        this.consumerId = consumerId;
        this.sessionId = sessionId;
        this.window = window;
        this.windowBytes = windowBytes;
        this.browser = browser;
        this.spinNanos = TimeUnit.MICROSECONDS.toNanos(connection.url().receiveSpinMicros());
        // A browser reads a snapshot; it does not wait for the connection to start.
        this.started = browser || connection.isDeliveryStarted();
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

    Spec spec()
    {
        return spec;
    }

    int window()
    {
        return window;
    }

    int windowBytes()
    {
        return windowBytes;
    }

    int link()
    {
        return link;
    }

    boolean isClosed()
    {
        lock.lock();
        try
        {
            return closed;
        }
        finally
        {
            lock.unlock();
        }
    }

    /**
     * The consumer is about to be created on a connection to a broker, with a full window: from now on only that
     * connection's deliveries are taken. What was buffered from an old one is gone (that broker gives it to others,
     * or this one sends it again), and a browser's snapshot starts over.
     */
    void moveTo(final int newLink)
    {
        lock.lock();
        try
        {
            link = newLink;
            buffer.removeIf(d -> d.link() != newLink);
            creditToReturn = 0;
            bytesToReturn = 0;
            browseEnded = false;
            idlePaused = false;
            receivedOnLink = false;
        }
        finally
        {
            lock.unlock();
        }
    }

    /**
     * The connection to the broker was lost and the client is reconnecting: what was buffered will not be
     * acknowledged on any broker, so the application does not see it (the broker gives it to others, or sends it
     * again).
     */
    void onLinkLost()
    {
        lock.lock();
        try
        {
            takenBeforeFailover.clear();
            takenBeforeFailover.addAll(taken);
            buffer.clear();
            creditToReturn = 0;
            bytesToReturn = 0;
        }
        finally
        {
            lock.unlock();
        }
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
            if (closed || recovering || delivery.link() != link)
            {
                // The broker takes these back itself (consumer close, session recover, failover).
                connection.largeDone(delivery.lease());
                return;
            }
            if (!started || idlePaused)
            {
                // Sent before the broker heard of the stop or pause: another consumer may take it meanwhile.
                giveBack(List.of(delivery));
                return;
            }
            receivedOnLink = true;
            buffer.addLast(delivery);
            if (spinNanos > 0)
            {
                // Only a spinning receive reads it: no volatile write per delivery otherwise.
                arrivals++;
            }
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

    /**
     * Drops what is buffered, which the application will not see: the broker takes it back, and its large bodies are
     * not read.
     */
    private void dropBuffered()
    {
        for (final Delivery delivery : buffer)
        {
            connection.largeDone(delivery.lease());
        }
        buffer.clear();
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
     * Holds or resumes hand-over to the application (connection stop/start). Stopped, it gives back what was sent
     * ahead of the application (the broker, told first, sends it nothing more), so other consumers take it in order.
     * Started before the broker is told to resume, so nothing the broker sends then is given back.
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
            if (!started && !buffer.isEmpty())
            {
                giveBack(new ArrayList<>(buffer));
                buffer.clear();
            }
        }
        finally
        {
            lock.unlock();
        }
    }

    /**
     * Returns deliveries the application never saw to their queue, as never delivered (their credit with them).
     * Under the lock, so what is given back as it arrives follows what was given back from the buffer, in order.
     */
    private void giveBack(final List<Delivery> deliveries)
    {
        final List<DeliveryAck> unseen = new ArrayList<>(deliveries.size());
        for (final Delivery delivery : deliveries)
        {
            unseen.add(delivery.ack(false));
            connection.largeDone(delivery.lease());
        }
        try
        {
            connection.release(unseen, false);
        }
        catch (final ClientException ex)
        {
            // The connection is gone: the broker gives back whatever it sent.
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
     * Takes the next delivery, waiting while the buffer is empty or the connection is stopped. Finding nothing, a
     * receive that does not wait asks the broker for a message waiting there (one round trip), as does a receive with a
     * timeout on a consumer that was sent nothing yet; a consumer paused for being idle is resumed.
     *
     * @param timeoutMs 0 waits without limit, a negative value does not wait.
     * @return the delivery, or null on timeout or when the consumer is closed meanwhile.
     * @throws ClientException when the connection was lost.
     */
    public Delivery take(final long timeoutMs) throws ClientException, InterruptedException
    {
        return take(timeoutMs, true);
    }

    /**
     * Takes the next delivery if one is buffered, without asking the broker: a listener's, woken by arrivals.
     */
    public Delivery poll() throws ClientException, InterruptedException
    {
        return take(-1, false);
    }

    /**
     * @param mayAskBroker whether a receive that finds nothing may ask the broker for a waiting message.
     */
    private Delivery take(final long timeoutMs, final boolean mayAskBroker) throws ClientException, InterruptedException
    {
        final Delivery delivery;
        lock.lock();
        try
        {
            takers++;
            lastTakeNanos = System.nanoTime();
            if (idlePaused)
            {
                idlePaused = false;
                connection.pause(this, false);
            }
            long remainingNs = timeoutMs > 0 ? TimeUnit.MILLISECONDS.toNanos(timeoutMs) : 0;
            boolean forced = false;
            boolean spun = spinNanos == 0;
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
                final boolean expired = timeoutMs < 0 || timeoutMs > 0 && remainingNs <= 0;
                if (expired && !forced && mayAskBroker && mayForceDelivery(timeoutMs))
                {
                    // "Immediately available" means available on the broker: ask it before answering null.
                    forced = true;
                    lock.unlock();
                    try
                    {
                        connection.forceDelivery(this);
                    }
                    finally
                    {
                        lock.lock();
                    }
                    continue;
                }
                if (expired)
                {
                    return null;
                }
                if (!spun && started)
                {
                    spun = true;
                    final long spentNs = spin();
                    remainingNs -= timeoutMs > 0 ? spentNs : 0;
                    continue;
                }
                if (timeoutMs == 0)
                {
                    changed.await();
                }
                else
                {
                    remainingNs = changed.awaitNanos(remainingNs);
                }
            }
            if (closed)
            {
                return null;
            }
            delivery = remembered(buffer.pollFirst());
        }
        finally
        {
            takers--;
            lastTakeNanos = System.nanoTime();
            lock.unlock();
        }
        if (delivery.link() == link)
        {
            returnCredit(1, delivery.message().length);
        }
        return delivery;
    }

    /**
     * The low-latency mode: spins (lock released) until a delivery arrives or {@code receiveSpin} passes, so a reply
     * that comes within it is taken without the wake-up of a sleeping thread. Under the lock.
     *
     * @return how long it spun, in ns.
     */
    private long spin()
    {
        final int seen = arrivals;
        final long startNs = System.nanoTime();
        final long untilNs = startNs + spinNanos;
        lock.unlock();
        try
        {
            while (arrivals == seen && !closed && System.nanoTime() < untilNs)
            {
                Thread.onSpinWait();
            }
        }
        finally
        {
            lock.lock();
        }
        return System.nanoTime() - startNs;
    }

    /**
     * A receive that found nothing asks the broker once: receiveNoWait always, a receive with a timeout only before
     * anything came (what is sent ahead later is what the window is for). Under the lock.
     */
    private boolean mayForceDelivery(final long timeoutMs)
    {
        return started && !browser && arrivalListener == null && buffer.isEmpty() && (timeoutMs < 0 || !receivedOnLink);
    }

    /**
     * A synchronous consumer holding messages its application has not asked for within {@link #IDLE_PAUSE_MS} is
     * paused (the broker first) and gives them back; its next receive resumes it. Called on the I/O thread.
     */
    void pauseIfIdle(final long nowNanos)
    {
        lock.lock();
        try
        {
            if (browser || closed || recovering || !started || idlePaused || takers > 0 || arrivalListener != null ||
                buffer.isEmpty() || nowNanos - lastTakeNanos < TimeUnit.MILLISECONDS.toNanos(IDLE_PAUSE_MS))
            {
                return;
            }
            idlePaused = true;
            // Like a new consumer from now on: its next receive that ends empty asks the broker.
            receivedOnLink = false;
            connection.pause(this, true);
            giveBack(new ArrayList<>(buffer));
            buffer.clear();
        }
        finally
        {
            lock.unlock();
        }
    }

    /**
     * With failover on, remembers the message the application takes, and marks it redelivered if it took it before
     * the last failover. Under the lock.
     */
    private Delivery remembered(final Delivery delivery)
    {
        if (!connection.failsOver())
        {
            return delivery;
        }
        final String id;
        try
        {
            id = header.wrap(delivery.message()).messageId();
        }
        catch (final RuntimeException undecodable)
        {
            return delivery;
        }
        if (id == null)
        {
            return delivery;
        }
        // Taken again (after a failover took its acknowledgement): remembered from now, not from its first take.
        taken.remove(id);
        taken.add(id);
        if (taken.size() > REMEMBERED_IDS)
        {
            taken.remove(taken.iterator().next());
        }
        if (!takenBeforeFailover.contains(id) || delivery.deliveryCount() > 1)
        {
            return delivery;
        }
        return new Delivery(delivery.consumerId(), delivery.deliveryId(), delivery.deliveryCount() + 1, delivery.message(),
            delivery.link());
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
            dropBuffered();
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
            if (!closed && !recovering && delivery.link() == link)
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
            dropBuffered();
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
        connection.credit(this, toSend, bytesToSend);
    }
}
