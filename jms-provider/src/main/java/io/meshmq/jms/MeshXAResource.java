package io.meshmq.jms;

import io.meshmq.client.ClientConnection;
import io.meshmq.client.ClientException;
import io.meshmq.client.DeliveryAck;
import io.meshmq.protocol.ErrorCode;
import io.meshmq.protocol.FrameType;
import io.meshmq.protocol.WireXid;

import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import javax.transaction.xa.XAException;
import javax.transaction.xa.XAResource;
import javax.transaction.xa.Xid;

/**
 * The XA resource of one {@link MeshXASession}. Branches are the connection's: another session of the same
 * connection may join or resume them, and {@link #isSameRM} is true only within one connection, since work
 * not yet prepared lives in that connection's client.
 * <p>
 * Prepare stores the branch on the broker; from then on it survives the client, the connection and a broker
 * restart, and any connection to that broker may commit, roll back or recover it. A branch that passes its
 * timeout before prepare is rolled back when the transaction manager next touches it (end, prepare, commit),
 * with {@code XA_RBTIMEOUT}; until then its consumed messages stay held.
 */
final class MeshXAResource implements XAResource
{
    /** The timeout of a branch whose manager does not set one, as brokers commonly default. */
    static final int DEFAULT_TIMEOUT_SECONDS = 300;

    private final MeshXAConnection connection;
    private final MeshXASession session;
    private final Map<WireXid, XaBranch> branches;
    private volatile int timeoutSeconds = DEFAULT_TIMEOUT_SECONDS;

    MeshXAResource(final MeshXAConnection connection, final MeshXASession session)
    {
        this.connection = connection;
        this.session = session;
        this.branches = connection.branches();
    }

    private ClientConnection core()
    {
        return connection.core();
    }

    // ---- association --------------------------------------------------------------------------------------

    @Override
    public void start(final Xid xid, final int flags) throws XAException
    {
        final WireXid id = wireXid(xid);
        if (session.isClosed())
        {
            throw error(XAException.XAER_PROTO, "start(" + id + "): the session is closed");
        }
        synchronized (branches)
        {
            if (session.branch() != null)
            {
                throw error(XAException.XAER_PROTO, "start(" + id + "): the session already works for " + session.branch());
            }
            XaBranch branch = branches.get(id);
            switch (flags)
            {
                case TMNOFLAGS:
                    if (branch != null)
                    {
                        throw error(XAException.XAER_DUPID, "start(" + id + "): the branch exists; join or resume it");
                    }
                    branch = new XaBranch(id, timeoutSeconds);
                    branches.put(id, branch);
                    break;
                case TMJOIN:
                    requireKnown(branch, id, "start(TMJOIN)");
                    break;
                case TMRESUME:
                    requireKnown(branch, id, "start(TMRESUME)");
                    if (!branch.suspended.remove(session))
                    {
                        throw error(XAException.XAER_PROTO, "start(TMRESUME): this session did not suspend " + branch);
                    }
                    break;
                default:
                    throw error(XAException.XAER_INVAL, "start(" + id + "): flags must be TMNOFLAGS, TMJOIN or TMRESUME, not " + flags);
            }
            branch.associated.add(session);
            session.branch(branch);
        }
    }

    @Override
    public void end(final Xid xid, final int flags) throws XAException
    {
        final WireXid id = wireXid(xid);
        if (flags != TMSUCCESS && flags != TMFAIL && flags != TMSUSPEND)
        {
            throw error(XAException.XAER_INVAL, "end(" + id + "): flags must be TMSUCCESS, TMFAIL or TMSUSPEND, not " + flags);
        }
        final XaBranch branch;
        synchronized (branches)
        {
            branch = branches.get(id);
            final boolean working = branch != null && session.branch() == branch;
            final boolean wasSuspended = branch != null && flags != TMSUSPEND && branch.suspended.remove(session);
            if (!working && !wasSuspended)
            {
                throw error(branch == null ? XAException.XAER_NOTA : XAException.XAER_PROTO,
                    "end(" + id + "): this session does not work for that branch");
            }
            if (working)
            {
                branch.add(session.takeWork());
                branch.associated.remove(session);
                session.branch(null);
            }
            if (flags == TMSUSPEND)
            {
                branch.suspended.add(session);
            }
            else if (flags == TMFAIL && branch.rollbackOnly == 0)
            {
                branch.rollbackOnly = XAException.XA_RBROLLBACK;
            }
            if (branch.doomed() == 0 || flags == TMSUSPEND)
            {
                return;
            }
        }
        throw error(branch.doomed(), "end(" + id + "): " + branch + " is marked to roll back" +
            (branch.doomed() == XAException.XA_RBTIMEOUT ? ": its timeout passed" : ""));
    }

    // ---- completion ---------------------------------------------------------------------------------------

    @Override
    public int prepare(final Xid xid) throws XAException
    {
        final WireXid id = wireXid(xid);
        final XaBranch branch = takeIdle(id, "prepare");
        if (branch == null)
        {
            throw error(XAException.XAER_NOTA, "prepare(" + id + "): no such branch on this connection (prepared already?)");
        }
        if (branch.doomed() != 0)
        {
            throw rolledBack(branch, branch.doomed(), "prepare(" + id + ")");
        }
        if (branch.sends.isEmpty() && branch.acks.isEmpty())
        {
            return XA_RDONLY;
        }
        try
        {
            core().xaPrepare(id, branch.sends, branch.acks);
            return XA_OK;
        }
        catch (final ClientException ex)
        {
            throw failed(branch, ex, "prepare(" + id + ")");
        }
    }

    @Override
    public void commit(final Xid xid, final boolean onePhase) throws XAException
    {
        final WireXid id = wireXid(xid);
        if (!onePhase)
        {
            synchronized (branches)
            {
                if (branches.containsKey(id))
                {
                    throw error(XAException.XAER_PROTO, "commit(" + id + "): the branch is not prepared; commit it in one phase");
                }
            }
            complete(FrameType.XA_COMMIT, id, "commit");
            return;
        }
        final XaBranch branch = takeIdle(id, "commit");
        if (branch == null)
        {
            throw error(XAException.XAER_NOTA, "commit(" + id + ", one phase): no such branch on this connection");
        }
        if (branch.doomed() != 0)
        {
            throw rolledBack(branch, branch.doomed(), "commit(" + id + ")");
        }
        try
        {
            core().commit(branch.sends, branch.acks);
        }
        catch (final ClientException ex)
        {
            throw failed(branch, ex, "commit(" + id + ", one phase)");
        }
    }

    @Override
    public void rollback(final Xid xid) throws XAException
    {
        final WireXid id = wireXid(xid);
        final XaBranch branch;
        synchronized (branches)
        {
            branch = branches.remove(id);
            if (branch != null)
            {
                // The manager may roll back while a session still works for the branch (a timeout): that
                // session's work goes with it.
                for (final MeshXASession working : branch.associated)
                {
                    branch.add(working.takeWork());
                    working.branch(null);
                }
            }
        }
        if (branch == null)
        {
            complete(FrameType.XA_ROLLBACK, id, "rollback");
            return;
        }
        giveBack(branch);
    }

    @Override
    public void forget(final Xid xid) throws XAException
    {
        complete(FrameType.XA_FORGET, wireXid(xid), "forget");
    }

    @Override
    public Xid[] recover(final int flags) throws XAException
    {
        if ((flags & ~(TMSTARTRSCAN | TMENDRSCAN)) != 0)
        {
            throw error(XAException.XAER_INVAL, "recover: flags must be TMSTARTRSCAN, TMENDRSCAN or TMNOFLAGS, not " + flags);
        }
        if ((flags & TMSTARTRSCAN) == 0)
        {
            // The whole list is returned at the start of a scan.
            return new Xid[0];
        }
        try
        {
            try
            {
                return core().xaRecover().toArray(new Xid[0]);
            }
            catch (final ClientException lost)
            {
                if (!notAnswered(lost) || core().isOpen())
                {
                    throw lost;
                }
                return connection.elsewhere(ClientConnection::xaRecover).toArray(new Xid[0]);
            }
        }
        catch (final ClientException ex)
        {
            throw error(XAException.XAER_RMFAIL, "recover: " + ex.getMessage());
        }
    }

    @Override
    public boolean isSameRM(final XAResource other)
    {
        return other instanceof MeshXAResource && ((MeshXAResource)other).connection == connection;
    }

    @Override
    public int getTransactionTimeout()
    {
        return timeoutSeconds;
    }

    @Override
    public boolean setTransactionTimeout(final int seconds) throws XAException
    {
        if (seconds < 0)
        {
            throw error(XAException.XAER_INVAL, "a transaction timeout cannot be negative: " + seconds);
        }
        timeoutSeconds = seconds == 0 ? DEFAULT_TIMEOUT_SECONDS : seconds;
        return true;
    }

    // ---- the session's close -------------------------------------------------------------------------------

    /**
     * The session closes: a branch it works for cannot be finished and must roll back; one it suspended may
     * still be ended and completed without it.
     */
    void sessionClosing()
    {
        synchronized (branches)
        {
            final XaBranch branch = session.branch();
            if (branch != null)
            {
                branch.add(session.takeWork());
                branch.associated.remove(session);
                branch.rollbackOnly = XAException.XA_RBROLLBACK;
                session.branch(null);
            }
            for (final XaBranch any : branches.values())
            {
                any.suspended.remove(session);
            }
        }
    }

    /**
     * @return deliveries of one consumer that unfinished branches acknowledged: the broker must keep them.
     */
    List<DeliveryAck> heldDeliveriesOf(final long consumerId)
    {
        final List<DeliveryAck> ids = new ArrayList<>();
        synchronized (branches)
        {
            for (final XaBranch branch : branches.values())
            {
                for (final DeliveryAck ack : branch.acks)
                {
                    if (ack.consumerId() == consumerId)
                    {
                        ids.add(ack);
                    }
                }
            }
        }
        return ids;
    }

    boolean holdsDeliveries()
    {
        synchronized (branches)
        {
            for (final XaBranch branch : branches.values())
            {
                if (!branch.acks.isEmpty())
                {
                    return true;
                }
            }
            return false;
        }
    }

    // ---- helpers ------------------------------------------------------------------------------------------

    private static void requireKnown(final XaBranch branch, final WireXid id, final String what) throws XAException
    {
        if (branch == null)
        {
            throw error(XAException.XAER_NOTA, what + ": no branch " + id + " on this connection");
        }
        if (branch.doomed() != 0)
        {
            throw error(branch.doomed(), what + ": " + branch + " is marked to roll back");
        }
    }

    /**
     * @return the branch, taken out of the table for prepare or a one-phase commit; null if the table has
     * none of that xid.
     */
    private XaBranch takeIdle(final WireXid id, final String what) throws XAException
    {
        synchronized (branches)
        {
            final XaBranch branch = branches.get(id);
            if (branch != null && !branch.isIdle())
            {
                throw error(XAException.XAER_PROTO, what + "(" + id + "): a session still works for the branch or " +
                    "suspended it; end it first");
            }
            return branches.remove(id);
        }
    }

    private void complete(final byte frameType, final WireXid id, final String what) throws XAException
    {
        try
        {
            try
            {
                core().xaComplete(frameType, id);
            }
            catch (final ClientException lost)
            {
                if (!notAnswered(lost) || core().isOpen())
                {
                    throw lost;
                }
                // The manager completes the branch after this connection was lost (it retries a commit, or
                // recovers through the resource it enlisted): the branch is on the broker, reached anew.
                connection.elsewhere(broker ->
                {
                    broker.xaComplete(frameType, id);
                    return null;
                });
            }
        }
        catch (final ClientException ex)
        {
            final int code;
            switch (ex.code())
            {
                case ErrorCode.XA_UNKNOWN_XID: code = XAException.XAER_NOTA; break;
                case ErrorCode.XA_HEURISTIC_COMMIT: code = XAException.XA_HEURCOM; break;
                case ErrorCode.XA_HEURISTIC_ROLLBACK: code = XAException.XA_HEURRB; break;
                // The branch is still prepared: the manager may try again.
                case ErrorCode.STORAGE: code = frameType == FrameType.XA_COMMIT ? XAException.XA_RETRY : XAException.XAER_RMERR; break;
                default: code = notAnswered(ex) && frameType == FrameType.XA_COMMIT ? XAException.XA_RETRY :
                    XAException.XAER_RMFAIL; break;
            }
            throw error(code, what + "(" + id + "): " + ex.getMessage());
        }
    }

    /**
     * @return true if the broker gave no answer (the connection failed or the call timed out): a prepared branch is
     * then still prepared there, unless the call reached it just before. A commit so lost is reported as
     * {@code XA_RETRY}, so the manager keeps the transaction and commits again (through recovery, on any connection);
     * {@code XAER_RMFAIL} would let GlassFish and Payara forget a transaction that others had committed.
     */
    private static boolean notAnswered(final ClientException ex)
    {
        return ex.code() < 0;
    }

    /**
     * Prepare or a one-phase commit failed. If the broker refused it, nothing of it was stored: the branch is
     * rolled back. If the connection failed, the outcome is not known here; the broker returns what a lost
     * connection held, and recover lists the branch if it was prepared.
     */
    private XAException failed(final XaBranch branch, final ClientException ex, final String what)
    {
        if (ex.code() == ClientException.CONNECTION_LOST || ex.code() == ClientException.TIMEOUT)
        {
            return error(XAException.XAER_RMFAIL, what + ": " + ex.getMessage());
        }
        if (ex.code() == ErrorCode.XA_DUPLICATE_XID)
        {
            giveBack(branch);
            return error(XAException.XAER_DUPID, what + ": " + ex.getMessage());
        }
        return rolledBack(branch, XAException.XA_RBROLLBACK, what + ": " + ex.getMessage());
    }

    private XAException rolledBack(final XaBranch branch, final int code, final String what)
    {
        giveBack(branch);
        return error(code, what + ": " + branch + " was rolled back" +
            (code == XAException.XA_RBTIMEOUT ? " (its timeout passed)" : ""));
    }

    /**
     * Rolls back a branch the broker has not seen: its messages are dropped, and what it consumed goes back,
     * counted as delivered.
     */
    private void giveBack(final XaBranch branch)
    {
        if (branch.acks.isEmpty())
        {
            return;
        }
        try
        {
            core().release(branch.acks, true);
        }
        catch (final ClientException ex)
        {
            // The connection is gone: the broker gives back everything it held.
        }
    }

    private static WireXid wireXid(final Xid xid) throws XAException
    {
        try
        {
            return WireXid.of(xid);
        }
        catch (final IllegalArgumentException ex)
        {
            throw error(XAException.XAER_INVAL, ex.getMessage());
        }
    }

    private static XAException error(final int code, final String message)
    {
        final XAException ex = new XAException(message);
        ex.errorCode = code;
        return ex;
    }
}
