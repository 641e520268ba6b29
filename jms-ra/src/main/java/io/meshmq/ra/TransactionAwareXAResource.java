package io.meshmq.ra;

import javax.transaction.xa.XAException;
import javax.transaction.xa.XAResource;
import javax.transaction.xa.Xid;

/**
 * A session's XA resource as the adapter gives it to the container, knowing whether the session works for a branch
 * now: a pooled session handle answers {@code getTransacted()} and refuses {@code commit()} by it, and an MDB's
 * session delivers only inside the branch the container started.
 */
public final class TransactionAwareXAResource implements XAResource
{
    private final XAResource delegate;
    private volatile boolean associated;

    public TransactionAwareXAResource(final XAResource delegate)
    {
        this.delegate = delegate;
    }

    public boolean isAssociated()
    {
        return associated;
    }

    @Override
    public void start(final Xid xid, final int flags) throws XAException
    {
        delegate.start(xid, flags);
        associated = true;
    }

    @Override
    public void end(final Xid xid, final int flags) throws XAException
    {
        associated = false;
        delegate.end(xid, flags);
    }

    @Override
    public int prepare(final Xid xid) throws XAException
    {
        return delegate.prepare(xid);
    }

    @Override
    public void commit(final Xid xid, final boolean onePhase) throws XAException
    {
        delegate.commit(xid, onePhase);
    }

    @Override
    public void rollback(final Xid xid) throws XAException
    {
        delegate.rollback(xid);
    }

    @Override
    public void forget(final Xid xid) throws XAException
    {
        delegate.forget(xid);
    }

    @Override
    public Xid[] recover(final int flag) throws XAException
    {
        return delegate.recover(flag);
    }

    @Override
    public boolean isSameRM(final XAResource other) throws XAException
    {
        return delegate.isSameRM(other instanceof TransactionAwareXAResource aware ? aware.delegate : other);
    }

    @Override
    public int getTransactionTimeout() throws XAException
    {
        return delegate.getTransactionTimeout();
    }

    @Override
    public boolean setTransactionTimeout(final int seconds) throws XAException
    {
        return delegate.setTransactionTimeout(seconds);
    }
}
