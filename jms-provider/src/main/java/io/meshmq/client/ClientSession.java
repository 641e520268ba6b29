package io.meshmq.client;

import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.Semaphore;
import java.util.concurrent.TimeUnit;

/**
 * One session's state on the client, beneath the specification's rules: the transaction buffer (what it sent and
 * consumed since the last commit), the acknowledgement bookkeeping (deliveries the application saw and has not
 * acknowledged, DUPS_OK acknowledgements gathered), and the limit on asynchronous sends waiting for the broker. It is
 * the state a client that reconnects has to carry to the new connection.
 * <p>
 * Thread safe: the application's thread, listeners and {@code Message.acknowledge()} from any thread may use it.
 */
public final class ClientSession
{
    /** Asynchronous sends a session may have waiting for the broker before the next one waits too. */
    public static final int MAX_UNCONFIRMED = 1000;
    /** DUPS_OK_ACKNOWLEDGE acknowledges at most this many messages in one frame. */
    public static final int DUPS_OK_BATCH = 100;

    /**
     * A transaction's work: what it sends and what it acknowledges.
     */
    public record Work(List<PendingSend> sends, List<DeliveryAck> acks)
    {
    }

    private final ClientConnection connection;
    private final long id;
    /** Guards {@link #unacknowledged} and {@link #sends}: a transaction takes both at once. */
    private final Object lock = new Object();
    private final List<DeliveryAck> unacknowledged = new ArrayList<>();
    private final List<PendingSend> sends = new ArrayList<>();
    /**
     * DUPS_OK_ACKNOWLEDGE: deliveries the application has, acknowledged together once {@link #DUPS_OK_BATCH} gather
     * or the application has nothing more to take, instead of one ACK each. A crash in between means those come again,
     * as the mode allows. Guarded by itself.
     */
    private final List<DeliveryAck> lazyAcks = new ArrayList<>();
    /** Asynchronous sends whose completion has not run yet; at most {@link #MAX_UNCONFIRMED}. */
    private final Semaphore unconfirmed = new Semaphore(MAX_UNCONFIRMED);

    public ClientSession(final ClientConnection connection, final long id)
    {
        this.connection = connection;
        this.id = id;
    }

    public long id()
    {
        return id;
    }

    public ClientConnection connection()
    {
        return connection;
    }

    // ---- transactions -------------------------------------------------------------------------------------

    /**
     * Keeps a transacted send until the transaction commits.
     */
    public void buffer(final PendingSend send)
    {
        synchronized (lock)
        {
            sends.add(send);
        }
    }

    /**
     * The transaction rolls back: what it sent is dropped (what it consumed comes again through {@link #recover}).
     */
    public List<PendingSend> dropSends()
    {
        synchronized (lock)
        {
            final List<PendingSend> dropped = List.copyOf(sends);
            sends.clear();
            return dropped;
        }
    }

    /**
     * Takes the work since the last commit, rollback or call of this: what was sent and the deliveries consumed.
     */
    public Work takeWork()
    {
        synchronized (lock)
        {
            final Work work = new Work(new ArrayList<>(sends), new ArrayList<>(unacknowledged));
            sends.clear();
            unacknowledged.clear();
            return work;
        }
    }

    /**
     * Commits the work since the last commit as one unit on the broker.
     */
    public void commit() throws ClientException
    {
        final Work work = takeWork();
        try
        {
            connection.commit(work.sends(), work.acks());
        }
        catch (final ClientException ex)
        {
            if (ex.rolledBackCommit())
            {
                // Nothing was applied (or, in doubt, it cannot be told): the caller rolls back, and what the
                // transaction consumed comes again unless a commit in doubt was applied after all.
                synchronized (lock)
                {
                    unacknowledged.addAll(0, work.acks());
                }
            }
            throw ex;
        }
    }

    // ---- acknowledgement ----------------------------------------------------------------------------------

    /**
     * The application saw a delivery that it acknowledges later (CLIENT_ACKNOWLEDGE, or by committing).
     */
    public void remember(final Delivery delivery)
    {
        synchronized (lock)
        {
            unacknowledged.add(delivery.ack(true));
        }
    }

    /**
     * @return the deliveries the application saw and has not acknowledged, taken out.
     */
    public List<DeliveryAck> takeUnacknowledged()
    {
        synchronized (lock)
        {
            final List<DeliveryAck> taken = new ArrayList<>(unacknowledged);
            unacknowledged.clear();
            return taken;
        }
    }

    /**
     * @return the deliveries of one consumer the application saw and has not acknowledged yet.
     */
    public List<DeliveryAck> unacknowledgedOf(final long consumerId)
    {
        final List<DeliveryAck> acks = new ArrayList<>();
        synchronized (lock)
        {
            for (final DeliveryAck ack : unacknowledged)
            {
                if (ack.consumerId() == consumerId)
                {
                    acks.add(ack);
                }
            }
        }
        return acks;
    }

    /**
     * Acknowledges every delivery the application saw, and waits for the broker.
     */
    public void acknowledgeAll() throws ClientException
    {
        connection.ackBatch(takeUnacknowledged(), true);
    }

    /**
     * Acknowledges one delivery at once, without waiting (AUTO_ACKNOWLEDGE).
     */
    public void acknowledge(final Delivery delivery) throws ClientException
    {
        connection.ack(delivery);
    }

    /**
     * Gathers a DUPS_OK acknowledgement; a full batch is sent.
     */
    public void acknowledgeLazily(final Delivery delivery) throws ClientException
    {
        final boolean full;
        synchronized (lazyAcks)
        {
            lazyAcks.add(delivery.ack(true));
            full = lazyAcks.size() >= DUPS_OK_BATCH;
        }
        if (full)
        {
            flushLazyAcks();
        }
    }

    /**
     * Sends the DUPS_OK acknowledgements gathered so far, without waiting for the broker.
     */
    public void flushLazyAcks() throws ClientException
    {
        final List<DeliveryAck> acks;
        synchronized (lazyAcks)
        {
            if (lazyAcks.isEmpty())
            {
                return;
            }
            acks = new ArrayList<>(lazyAcks);
            lazyAcks.clear();
        }
        connection.ackBatch(acks, false);
    }

    public boolean hasLazyAcks()
    {
        synchronized (lazyAcks)
        {
            return !lazyAcks.isEmpty();
        }
    }

    /**
     * Session recover or rollback: every unacknowledged delivery of the session's consumers goes back and comes again
     * in order; {@code seen} are those the application saw, which come back marked redelivered.
     */
    public void recover(final List<ClientConsumer> consumers, final List<DeliveryAck> seen) throws ClientException
    {
        connection.recover(id, consumers, seen);
    }

    // ---- asynchronous sends -------------------------------------------------------------------------------

    /**
     * Takes a place among the asynchronous sends waiting for the broker, waiting up to {@code timeoutMs} for one.
     *
     * @return false if none came free in time.
     */
    public boolean acquireUnconfirmed(final long timeoutMs) throws InterruptedException
    {
        return unconfirmed.tryAcquire(timeoutMs, TimeUnit.MILLISECONDS);
    }

    /**
     * An asynchronous send's completion has run.
     */
    public void releaseUnconfirmed()
    {
        unconfirmed.release();
    }

    /**
     * Waits until every asynchronous send's completion has run.
     *
     * @return false if they did not within {@code timeoutMs}.
     */
    public boolean awaitUnconfirmed(final long timeoutMs) throws InterruptedException
    {
        if (!unconfirmed.tryAcquire(MAX_UNCONFIRMED, timeoutMs, TimeUnit.MILLISECONDS))
        {
            return false;
        }
        unconfirmed.release(MAX_UNCONFIRMED);
        return true;
    }

    // ---- close --------------------------------------------------------------------------------------------

    /**
     * Forgets the transaction and what was not acknowledged; with {@code tellBroker}, the broker gives back what the
     * session's consumers held.
     */
    public void close(final boolean tellBroker) throws ClientException
    {
        synchronized (lock)
        {
            sends.clear();
            unacknowledged.clear();
        }
        if (tellBroker)
        {
            connection.closeSession(id);
        }
    }
}
