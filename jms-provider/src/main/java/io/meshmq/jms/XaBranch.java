package io.meshmq.jms;

import io.meshmq.client.ClientSession;
import io.meshmq.client.DeliveryAck;
import io.meshmq.client.PendingSend;
import io.meshmq.protocol.WireXid;

import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Set;
import javax.transaction.xa.XAException;

/**
 * One XA branch of a connection before it is prepared: the work its sessions did for it, gathered at each
 * {@code end}, and which sessions work for it now or are suspended from it. Like a local transaction's work,
 * it stays in the client until prepare (or a one-phase commit) takes it to the broker.
 * <p>
 * Guarded by the connection's branch table ({@link MeshXAConnection#branches()}).
 */
final class XaBranch
{
    final WireXid xid;
    final List<PendingSend> sends = new ArrayList<>();
    final List<DeliveryAck> acks = new ArrayList<>();
    final Set<MeshXASession> associated = new HashSet<>();
    final Set<MeshXASession> suspended = new HashSet<>();
    private final long deadlineNanos;
    /** 0, or the XA_RB* code that dooms the branch to roll back. */
    int rollbackOnly;

    XaBranch(final WireXid xid, final int timeoutSeconds)
    {
        this.xid = xid;
        this.deadlineNanos = System.nanoTime() + timeoutSeconds * 1_000_000_000L;
    }

    void add(final ClientSession.Work work)
    {
        sends.addAll(work.sends());
        acks.addAll(work.acks());
    }

    boolean isIdle()
    {
        return associated.isEmpty() && suspended.isEmpty();
    }

    /**
     * @return the XA_RB* code if the branch must roll back (marked so, or past its timeout), else 0.
     */
    int doomed()
    {
        if (rollbackOnly == 0 && System.nanoTime() - deadlineNanos > 0)
        {
            rollbackOnly = XAException.XA_RBTIMEOUT;
        }
        return rollbackOnly;
    }

    @Override
    public String toString()
    {
        return "XA branch " + xid;
    }
}
