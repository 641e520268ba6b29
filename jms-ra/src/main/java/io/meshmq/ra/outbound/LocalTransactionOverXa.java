package io.meshmq.ra.outbound;

import jakarta.resource.ResourceException;
import jakarta.resource.spi.LocalTransaction;
import jakarta.resource.spi.LocalTransactionException;

import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.util.UUID;
import javax.transaction.xa.XAException;
import javax.transaction.xa.XAResource;
import javax.transaction.xa.Xid;

/**
 * A resource-manager local transaction (a pool configured for {@code LocalTransaction}) run as a one-phase XA branch
 * of the pooled session: the broker commits it in one step, never in doubt, and the session keeps one way of being
 * transacted.
 */
final class LocalTransactionOverXa implements LocalTransaction
{
    private static final int FORMAT = 0x4d4c5458; // "MLTX"
    private static final byte[] BRANCH = "meshmq-ra-local".getBytes(StandardCharsets.US_ASCII);

    private final XAResource resource;
    private Xid current;

    LocalTransactionOverXa(final XAResource resource)
    {
        this.resource = resource;
    }

    @Override
    public synchronized void begin() throws ResourceException
    {
        if (current != null)
        {
            throw new LocalTransactionException("a local transaction is already running on this connection");
        }
        final Xid xid = newXid();
        try
        {
            resource.start(xid, XAResource.TMNOFLAGS);
        }
        catch (final XAException ex)
        {
            throw failure("begin", ex);
        }
        current = xid;
    }

    @Override
    public synchronized void commit() throws ResourceException
    {
        final Xid xid = take("commit");
        try
        {
            resource.end(xid, XAResource.TMSUCCESS);
            resource.commit(xid, true);
        }
        catch (final XAException ex)
        {
            throw failure("commit", ex);
        }
    }

    @Override
    public synchronized void rollback() throws ResourceException
    {
        final Xid xid = take("rollback");
        try
        {
            resource.end(xid, XAResource.TMFAIL);
        }
        catch (final XAException ex)
        {
            // Ended as rolled back already (a timeout, a failed connection): the rollback below still applies.
        }
        try
        {
            resource.rollback(xid);
        }
        catch (final XAException ex)
        {
            throw failure("rollback", ex);
        }
    }

    private Xid take(final String operation) throws LocalTransactionException
    {
        final Xid xid = current;
        if (xid == null)
        {
            throw new LocalTransactionException(operation + " without a local transaction begun on this connection");
        }
        current = null;
        return xid;
    }

    private static LocalTransactionException failure(final String operation, final XAException cause)
    {
        final LocalTransactionException ex = new LocalTransactionException(
            "local transaction " + operation + " failed: " + cause.getMessage() + " (XA error " + cause.errorCode + ")",
            cause);
        ex.setErrorCode(Integer.toString(cause.errorCode));
        return ex;
    }

    private static Xid newXid()
    {
        final UUID id = UUID.randomUUID();
        final byte[] global = ByteBuffer.allocate(16).putLong(id.getMostSignificantBits())
            .putLong(id.getLeastSignificantBits()).array();
        return new Xid()
        {
            @Override
            public int getFormatId()
            {
                return FORMAT;
            }

            @Override
            public byte[] getGlobalTransactionId()
            {
                return global.clone();
            }

            @Override
            public byte[] getBranchQualifier()
            {
                return BRANCH.clone();
            }
        };
    }
}
