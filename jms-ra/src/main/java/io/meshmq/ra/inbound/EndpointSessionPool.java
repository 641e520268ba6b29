package io.meshmq.ra.inbound;

import jakarta.jms.JMSException;
import jakarta.jms.ServerSession;
import jakarta.jms.ServerSessionPool;

import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.TimeUnit;

/**
 * The {@code maxSession} sessions of one broker connection of an activation. The connection consumer waits here
 * for a free one, so at most that many messages are being delivered at once and the rest wait on the broker, where
 * other consumers may take them.
 */
final class EndpointSessionPool implements ServerSessionPool
{
    interface SessionMaker
    {
        EndpointServerSession make(EndpointSessionPool pool) throws JMSException;
    }

    private final SessionMaker maker;
    private final BlockingQueue<EndpointServerSession> idle = new LinkedBlockingQueue<>();
    private final List<EndpointServerSession> all = new ArrayList<>();
    private volatile boolean closed;

    EndpointSessionPool(final int size, final SessionMaker maker) throws JMSException
    {
        this.maker = maker;
        for (int i = 0; i < size; i++)
        {
            add();
        }
    }

    private void add() throws JMSException
    {
        final EndpointServerSession session = maker.make(this);
        synchronized (all)
        {
            all.add(session);
        }
        idle.add(session);
    }

    @Override
    public ServerSession getServerSession() throws JMSException
    {
        while (!closed)
        {
            try
            {
                final EndpointServerSession session = idle.poll(200, TimeUnit.MILLISECONDS);
                if (session != null)
                {
                    return session;
                }
            }
            catch (final InterruptedException ex)
            {
                Thread.currentThread().interrupt();
                break;
            }
        }
        throw new JMSException("the MDB activation is stopping: no session takes more messages");
    }

    void giveBack(final EndpointServerSession session)
    {
        if (!closed)
        {
            idle.add(session);
        }
    }

    /**
     * A session that must not be used again is closed, and a new one takes its place.
     */
    void discard(final EndpointServerSession session)
    {
        session.closeQuietly();
        synchronized (all)
        {
            all.remove(session);
        }
        if (closed)
        {
            return;
        }
        try
        {
            add();
        }
        catch (final JMSException ex)
        {
            // The connection is failing: the activation connects again with a new pool.
        }
    }

    void close()
    {
        closed = true;
        final List<EndpointServerSession> sessions;
        synchronized (all)
        {
            sessions = new ArrayList<>(all);
        }
        sessions.forEach(EndpointServerSession::closeQuietly);
    }
}
