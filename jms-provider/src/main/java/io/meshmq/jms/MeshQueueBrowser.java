package io.meshmq.jms;

import io.meshmq.client.ClientConsumer;
import io.meshmq.client.ClientException;
import io.meshmq.jms.message.LargeBodySource;
import io.meshmq.client.Delivery;
import io.meshmq.protocol.ConsumerFlags;
import jakarta.jms.IllegalStateException;
import jakarta.jms.JMSException;
import jakarta.jms.JMSRuntimeException;
import jakarta.jms.Message;
import jakarta.jms.Queue;
import jakarta.jms.QueueBrowser;

import java.util.ArrayList;
import java.util.Enumeration;
import java.util.HashSet;
import java.util.List;
import java.util.NoSuchElementException;
import java.util.Set;

/**
 * A queue browser: each {@link #getEnumeration()} asks the broker for a snapshot of the queue (the messages
 * waiting, in delivery order, that match the selector) and streams it within the consumer window. Nothing
 * is removed or acknowledged. The broker checks the selector when the first enumeration is made, and the
 * session checks it at creation.
 * <p>
 * Thread safe as far as JMS sessions are: one thread at a time.
 */
final class MeshQueueBrowser implements QueueBrowser
{
    private static final System.Logger LOG = System.getLogger(MeshQueueBrowser.class.getName());

    private final MeshSession session;
    private final MeshDestination queue;
    private final String selector;
    private final List<ClientConsumer> open = new ArrayList<>();
    /** Bodies of the large messages shown: readable until the browser closes. */
    private final List<LargeBodySource> largeBodies = new java.util.concurrent.CopyOnWriteArrayList<>();
    private volatile boolean closed;

    MeshQueueBrowser(final MeshSession session, final MeshDestination queue, final String selector)
    {
        this.session = session;
        this.queue = queue;
        this.selector = selector;
    }

    private void checkOpen() throws IllegalStateException
    {
        if (closed)
        {
            throw new IllegalStateException("browser is closed");
        }
        session.checkOpen();
    }

    @Override
    public Queue getQueue() throws JMSException
    {
        checkOpen();
        return (Queue)queue;
    }

    @Override
    public String getMessageSelector() throws JMSException
    {
        checkOpen();
        return selector;
    }

    @Override
    public Enumeration<?> getEnumeration() throws JMSException
    {
        checkOpen();
        final ClientConsumer snapshot = open(session, queue, selector);
        synchronized (open)
        {
            open.add(snapshot);
        }
        return new Snapshot(snapshot);
    }

    static ClientConsumer open(final MeshSession session, final MeshDestination queue, final String selector)
        throws JMSException
    {
        try
        {
            return session.core().createConsumer(
                session.sessionId(), queue.type(), queue.name(), selector, ConsumerFlags.BROWSER, null);
        }
        catch (final ClientException ex)
        {
            throw JmsExceptions.from(ex);
        }
    }

    @Override
    public void close() throws JMSException
    {
        if (closed)
        {
            return;
        }
        closed = true;
        final List<ClientConsumer> toClose;
        synchronized (open)
        {
            toClose = new ArrayList<>(open);
            open.clear();
        }
        for (final ClientConsumer consumer : toClose)
        {
            closeSnapshot(consumer);
        }
        for (final LargeBodySource body : largeBodies)
        {
            body.release();
        }
        largeBodies.clear();
        session.browserClosed(this);
    }

    private void closeSnapshot(final ClientConsumer consumer)
    {
        try
        {
            session.core().closeConsumer(consumer, List.of());
        }
        catch (final ClientException ex)
        {
            // The broker forgets a browser with its connection; nothing is held by it.
        }
    }

    /**
     * One enumeration: reads ahead one message so {@link #hasMoreElements()} can answer.
     */
    private final class Snapshot implements Enumeration<Message>
    {
        private final ClientConsumer consumer;
        /**
         * Ids of the messages shown: after a failover the new broker sends its snapshot from the start, and what was
         * shown already is not shown again.
         */
        private final Set<String> shown = new HashSet<>();
        private Message next;
        private boolean done;

        Snapshot(final ClientConsumer consumer)
        {
            this.consumer = consumer;
        }

        @Override
        public boolean hasMoreElements()
        {
            if (next != null)
            {
                return true;
            }
            if (done || closed)
            {
                return false;
            }
            try
            {
                while (true)
                {
                    final Delivery delivery = consumer.take(0);
                    if (delivery == null)
                    {
                        finish();
                        return false;
                    }
                    try
                    {
                        final Message message = MeshMessageConsumer.decode(delivery, queue, session.core(),
                            largeBodies::add);
                        final String id = message.getJMSMessageID();
                        if (id != null && !shown.add(id))
                        {
                            session.core().largeDone(delivery.lease());
                            continue;
                        }
                        next = message;
                        return true;
                    }
                    catch (final JMSException ex)
                    {
                        // A browser sees what it can read; one message it cannot must not end the enumeration.
                        LOG.log(System.Logger.Level.WARNING, ex.getMessage() + "; the browser skips it");
                    }
                }
            }
            catch (final ClientException ex)
            {
                throw JmsExceptions.toRuntime(JmsExceptions.from(ex));
            }
            catch (final InterruptedException ex)
            {
                Thread.currentThread().interrupt();
                throw new JMSRuntimeException("interrupted while browsing " + queue);
            }
        }

        @Override
        public Message nextElement()
        {
            if (!hasMoreElements())
            {
                throw new NoSuchElementException("the browser has shown every message of its snapshot");
            }
            final Message message = next;
            next = null;
            return message;
        }

        private void finish()
        {
            done = true;
            synchronized (open)
            {
                open.remove(consumer);
            }
            closeSnapshot(consumer);
        }
    }
}
