package io.meshmq.jms;

import io.meshmq.client.ClientConsumer;
import io.meshmq.client.ClientException;
import io.meshmq.client.Delivery;
import io.meshmq.client.DeliveryAck;
import jakarta.jms.ConnectionConsumer;
import jakarta.jms.IllegalStateException;
import jakarta.jms.JMSException;
import jakarta.jms.ServerSession;
import jakarta.jms.ServerSessionPool;

import java.util.ArrayList;
import java.util.List;

/**
 * A connection consumer (specification 6.1.6 and the application server facility): one consumer of the connection takes
 * messages and hands up to {@code maxMessages} at a time to a {@link ServerSession} from the pool; they are loaded into
 * its session, which runs them through its distinguished message listener when the server calls
 * {@code ServerSession.start()} (that is, {@code Session.run()} on a thread of the server's). Acknowledgement is that
 * session's: its mode, its transaction or its XA branch, so an application server's container-managed transactions
 * cover what it consumes.
 * <p>
 * Thread safe: a dispatch thread of its own takes and hands out; the application closes it from any thread.
 */
final class MeshConnectionConsumer implements ConnectionConsumer
{
    private static final System.Logger LOG = System.getLogger(MeshConnectionConsumer.class.getName());

    private final MeshSession holder;
    private final MeshMessageConsumer consumer;
    private final ServerSessionPool pool;
    private final int maxMessages;
    private final Thread dispatcher;
    private volatile boolean closed;

    /**
     * @param holder   a session of the connection that holds the consumer and nothing else.
     * @param consumer the consumer messages are taken from.
     */
    MeshConnectionConsumer(final MeshSession holder, final MeshMessageConsumer consumer, final ServerSessionPool pool,
        final int maxMessages)
    {
        this.holder = holder;
        this.consumer = consumer;
        this.pool = pool;
        this.maxMessages = maxMessages;
        this.dispatcher = new Thread(this::dispatch, "meshmq-connection-consumer-" + consumer.destination());
        dispatcher.setDaemon(true);
    }

    void start()
    {
        dispatcher.start();
    }

    private void dispatch()
    {
        final ClientConsumer source = consumer.clientConsumer();
        while (!closed)
        {
            final List<Delivery> batch = new ArrayList<>(Math.min(maxMessages, 64));
            try
            {
                final Delivery first = source.take(0);
                if (first == null)
                {
                    return; // its consumer was closed (by close(), or with its connection)
                }
                batch.add(first);
                Delivery next;
                while (batch.size() < maxMessages && (next = source.poll()) != null)
                {
                    batch.add(next);
                }
                final ServerSession serverSession = pool.getServerSession();
                MeshSession.of(serverSession.getSession()).load(consumer, batch);
                batch.clear();
                serverSession.start();
            }
            catch (final InterruptedException ex)
            {
                Thread.currentThread().interrupt();
                return;
            }
            catch (final ClientException ex)
            {
                // The connection gave up (its exception listener hears of it): nothing more will come.
                if (!closed)
                {
                    LOG.log(System.Logger.Level.WARNING, "connection consumer on " + consumer.destination() + " stops: " +
                        ex.getMessage());
                }
                return;
            }
            catch (final JMSException | RuntimeException ex)
            {
                LOG.log(System.Logger.Level.WARNING, "connection consumer on " + consumer.destination() + " could not " +
                    "hand " + batch.size() + " message(s) to a server session; they go back to the queue: " + ex);
                giveBack(batch);
            }
        }
    }

    /**
     * Messages no server session took go back, counted as delivered (the application server had its chance).
     */
    private void giveBack(final List<Delivery> batch)
    {
        final List<DeliveryAck> acks = new ArrayList<>(batch.size());
        for (final Delivery delivery : batch)
        {
            acks.add(delivery.ack(true));
        }
        try
        {
            holder.core().release(acks, false);
        }
        catch (final ClientException gone)
        {
            // The connection is gone: the broker gives them back itself.
        }
    }

    @Override
    public ServerSessionPool getServerSessionPool() throws JMSException
    {
        if (closed)
        {
            throw new IllegalStateException("the connection consumer is closed");
        }
        return pool;
    }

    @Override
    public void close() throws JMSException
    {
        if (closed)
        {
            return;
        }
        closed = true;
        dispatcher.interrupt();
        holder.close();
    }
}
