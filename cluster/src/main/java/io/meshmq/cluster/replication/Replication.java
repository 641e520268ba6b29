package io.meshmq.cluster.replication;

import io.meshmq.engine.extension.EngineControl;
import io.meshmq.engine.ring.ConnectionOutput;
import io.meshmq.protocol.ErrorCode;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Path;
import java.util.concurrent.atomic.AtomicReference;

/**
 * This node's replica, if it has one: takes a backup that asks (one at a time; a new one replaces the old), feeds it,
 * puts it in sync, and lets it go when its connection closes or it stops storing what it is sent. While a replica is
 * in sync, confirmations wait for it as well as for the local disk; without one (none yet, or lost) they wait for
 * the local disk alone, which is logged when it happens. Where a quorum decides takeovers, a replica in sync that is
 * lost holds confirmations until the quorum has recorded that it may no longer take over (else this node could
 * confirm what only it holds while the replica takes over without it).
 * <p>
 * A spare (it adopted this journal because it had no replica) is taken only while no other backup copies or holds the
 * replica, and gives way to any other backup that asks, even once in sync: it was there only while none could be, and
 * the journal's own backups keep the members' arrangement (this node confirms with its own disk alone, as for any
 * replica lost, until the newcomer is in sync).
 * <p>
 * A replica in sync that says it cannot store what it is sent (its disk is full) stores and confirms nothing more:
 * with {@code ha.replica-fault = wait} (the default) every confirmation waits, even across the replica's reconnection,
 * until a replica is in sync again, so nothing is confirmed that only this node holds; with {@code alone} the replica
 * is let go as if lost (through the quorum first, where there is one), with a warning.
 * <p>
 * Not thread safe: processor thread only.
 */
public final class Replication
{
    /** How long a force may wait for the backup to store it before the backup is taken for gone. */
    public static final long STORE_TIMEOUT_MS = 10_000;
    private static final System.Logger LOG = System.getLogger(Replication.class.getName());

    private final EngineControl engine;
    /** Null when takeover is by hand; else holds what the quorum is told, once this node owns its journal. */
    private final AtomicReference<ReplicaQuorum> quorum;
    private ReplicaFeed feed;
    /** The feed's backup is a spare: closed when another backup replaces it, so it looks for another journal. */
    private boolean feedIsSpare;
    /** A spare in sync that gave way: its connection closes once the quorum recorded it may not take over. */
    private ConnectionOutput givingWay;
    /** A replica in sync was lost and the quorum has not yet recorded it: confirmations are held, none is taken. */
    private String dropping;
    /** ha.replica-fault = wait: a replica that cannot store holds confirmations until one is in sync again. */
    private final boolean faultWaits;
    /** Which replica could not store, and why, while confirmations wait for another to get in sync; or null. */
    private String holding;

    public Replication(final EngineControl engine, final AtomicReference<ReplicaQuorum> quorum,
        final boolean faultWaits)
    {
        this.engine = engine;
        this.quorum = quorum;
        this.faultWaits = faultWaits;
    }

    /**
     * A backup asked, on {@code connection}, to be this node's replica.
     *
     * @param spare a spare adopting this journal because it had no replica: taken only while no other backup copies
     *              or holds the replica; any other backup that asks takes its place (see the class comment).
     */
    public void start(final ConnectionOutput connection, final long correlationId, final String backupName,
        final boolean spare)
    {
        final Path root = engine.dataDirectory();
        if (root == null)
        {
            engine.error(connection, correlationId, ErrorCode.ILLEGAL_STATE, "this node keeps nothing on disk to replicate");
            connection.close();
            return;
        }
        if (!spare && feed != null && feedIsSpare && feed.isInSync() && dropping == null &&
            (quorum == null || quorum.get() != null))
        {
            final ConnectionOutput spareOutput = feed.output();
            LOG.log(System.Logger.Level.WARNING, "replication: backup '" + backupName + "' asks to be this node's " +
                "replica: spare '" + feed.backupName() + "' gives way");
            lose("it gives way to backup '" + backupName + "'");
            if (dropping != null)
            {
                givingWay = spareOutput; // closed at once, it could claim the journal before the quorum heard
            }
            else
            {
                spareOutput.close();
            }
        }
        // With a quorum, a replica in sync is only let go through the quorum (DROP before confirming alone): a second
        // backup waits until the first is gone rather than replacing it.
        final String notNow = quorum == null ? null : quorum.get() == null ?
            "this node does not own its journal yet (it waits for the quorum)" : dropping != null ?
            "the quorum is still recording that replica '" + dropping + "' was lost; ask again" :
            feed != null && feed.isInSync() ? "replica '" + feed.backupName() + "' is in sync; this live keeps one " +
                "replica (ask again once it is gone)" : null;
        final String refusal = notNow != null || !spare || feed == null ? notNow : "backup '" + feed.backupName() +
            "' is copying this node's data directory; a spare adopts only a journal that no backup copies";
        if (refusal != null)
        {
            engine.error(connection, correlationId, ErrorCode.ILLEGAL_STATE, refusal);
            connection.close();
            return;
        }
        if (feed != null)
        {
            LOG.log(System.Logger.Level.WARNING, "replication: backup '" + backupName + "' replaces '" +
                feed.backupName() + "' as this node's replica");
            final ConnectionOutput replaced = feed.output();
            lose("replaced by backup '" + backupName + "'");
            if (feedIsSpare)
            {
                replaced.close();
            }
        }
        final ReplicaFeed next = new ReplicaFeed(engine, connection, root, backupName);
        try
        {
            next.start();
        }
        catch (final IOException | UncheckedIOException ex)
        {
            engine.error(connection, correlationId, ErrorCode.STORAGE, "cannot list the data directory to copy it: " + ex);
            connection.close();
            return;
        }
        feed = next;
        feedIsSpare = spare;
        LOG.log(System.Logger.Level.INFO, "replication: " + (spare ? "spare '" : "backup '") + backupName + "' (" +
            connection.remoteAddress() + ") attached; copying the data directory to it");
    }

    /**
     * The backup on {@code connection} stored everything up to {@code mark}.
     */
    public void stored(final ConnectionOutput connection, final long mark)
    {
        if (feed != null && feed.output() == connection && feed.stored(mark))
        {
            LOG.log(System.Logger.Level.INFO, "replication: backup '" + feed.backupName() + "' is in sync (" +
                feed.copiedBytes() + " bytes copied); confirmations now wait for it too" + (holding == null ? "" :
                "; those held since " + holding + " go"));
            holding = null;
            if (quorum != null)
            {
                quorum.get().inSync(feed.backupName());
            }
        }
    }

    /**
     * The backup on {@code connection} says it cannot store what it is sent.
     */
    public void fault(final ConnectionOutput connection, final String reason)
    {
        if (feed == null || feed.output() != connection || feed.fault() != null)
        {
            return;
        }
        final ConnectionOutput output = feed.output();
        if (!feed.isInSync())
        {
            LOG.log(System.Logger.Level.ERROR, "replication: backup '" + feed.backupName() + "' cannot store the copy " +
                "of this node's data directory (" + reason + "); it tries again once it can");
            lose("it cannot store the copy");
            output.close();
        }
        else if (!faultWaits)
        {
            LOG.log(System.Logger.Level.ERROR, "replication: backup '" + feed.backupName() + "' cannot store what it is " +
                "sent (" + reason + "); ha.replica-fault = alone: this node goes on without a replica");
            lose("it cannot store");
            output.close();
        }
        else
        {
            feed.fault(reason);
            LOG.log(System.Logger.Level.ERROR, "replication: backup '" + feed.backupName() + "' cannot store what it is " +
                "sent (" + reason + "): this node confirms nothing until a backup is in sync again " +
                "(ha.replica-fault = wait). Free space on the backup, which then copies again by itself; or restart " +
                "this node with ha.replica-fault = alone to go on with its own disk alone");
        }
    }

    /**
     * The quorum recorded that the replica lost may no longer take over: confirmations wait for the local disk alone.
     */
    public void dropped()
    {
        if (dropping == null)
        {
            return;
        }
        LOG.log(System.Logger.Level.WARNING, "replication: the quorum recorded that backup '" + dropping + "' is no " +
            "longer in sync; confirmations no longer wait for a replica: what is confirmed from now on is stored on " +
            "this node only, until a backup is in sync again");
        dropping = null;
        engine.replicaLost();
        if (givingWay != null)
        {
            givingWay.close();
            givingWay = null;
        }
    }

    public void onConnectionClosed(final long connectionId)
    {
        if (feed != null && feed.output().id() == connectionId)
        {
            lose("its connection closed");
        }
    }

    public void onEndOfBatch()
    {
        if (feed == null || !feed.isCopying())
        {
            return;
        }
        try
        {
            feed.continueCopy();
        }
        catch (final UncheckedIOException ex)
        {
            LOG.log(System.Logger.Level.ERROR, "replication: " + ex.getMessage());
            final ConnectionOutput output = feed.output();
            lose("the copy failed");
            output.close();
        }
    }

    /**
     * @return when the replication next wants a tick: at once while a copy goes on (an idle node has no batches to
     * send it in), else when the oldest force would time out; Long.MAX_VALUE for never.
     */
    public long nextTickDueMs(final long nowMs)
    {
        if (feed == null)
        {
            return Long.MAX_VALUE;
        }
        if (feed.isCopying())
        {
            return nowMs;
        }
        if (feed.fault() != null)
        {
            return Long.MAX_VALUE; // it answers pings, so it is there: confirmations wait for it by choice
        }
        final long since = feed.oldestUnstoredSinceMs();
        return since < 0 ? Long.MAX_VALUE : since + STORE_TIMEOUT_MS;
    }

    public void onTick(final long nowMs)
    {
        if (feed == null || feed.fault() != null)
        {
            return;
        }
        final long since = feed.oldestUnstoredSinceMs();
        if (since >= 0 && nowMs - since >= STORE_TIMEOUT_MS)
        {
            final ConnectionOutput output = feed.output();
            lose("it stored nothing for " + STORE_TIMEOUT_MS / 1000 + " s");
            output.close();
        }
    }

    /**
     * @return the replica's name and state for status (in sync: its lag, the age of the oldest force it has not yet
     * said it stored), or null for none.
     */
    public String describe()
    {
        final String held = holding == null ? "" : "; confirmations held since " + holding;
        final String lag = ", lag " + lagMs() + " ms";
        return feed != null ? feed.backupName() + (feed.fault() != null ? " (cannot store: " + feed.fault() +
            "; confirmations held)" : feed.isInSync() ? " (in sync)" + lag : " (copying, " +
            feed.copiedBytes() / 1024 + " KiB sent" + held + ")") :
            dropping != null ? dropping + " (lost; the quorum is recording it, confirmations held)" :
            holding != null ? "none in sync (confirmations held since " + holding + ")" : null;
    }

    /**
     * @return the name of the node holding this node's replica (in sync or still copying); "" for none.
     */
    public String replicaName()
    {
        return feed == null ? "" : feed.backupName();
    }

    /**
     * @return for a replica in sync, the age of the oldest force it has not yet said it stored (0: none waits);
     * -1 with no replica in sync.
     */
    public long lagMs()
    {
        if (feed == null || feed.fault() != null || !feed.isInSync())
        {
            return -1;
        }
        final long since = feed.oldestUnstoredSinceMs();
        return since < 0 ? 0 : Math.max(0, engine.nowMs() - since);
    }

    private void lose(final String why)
    {
        if (feed.fault() != null)
        {
            holding = "backup '" + feed.backupName() + "' could not store (" + feed.fault() + ")";
            LOG.log(System.Logger.Level.WARNING, "replication: " + holding + " and is gone: " + why + "; confirmations " +
                "stay held until a backup is in sync again (ha.replica-fault = wait)");
            feed.close();
            feed = null;
            engine.replicaDetached();
            return;
        }
        final boolean wasInSync = feed.isInSync();
        if (wasInSync && quorum != null)
        {
            LOG.log(System.Logger.Level.WARNING, "replication: lost backup '" + feed.backupName() + "': " + why +
                "; confirmations are held until the quorum records that it may no longer take over");
            dropping = feed.backupName();
            feed.close();
            feed = null;
            engine.replicaDetached();
            quorum.get().lost(dropping);
            return;
        }
        LOG.log(System.Logger.Level.WARNING, "replication: lost backup '" + feed.backupName() + "': " + why + "; " +
            (wasInSync ? "confirmations no longer wait for a replica: what is confirmed from now on is stored on " +
                "this node only, until a backup is in sync again" : "it was not in sync yet"));
        feed.close();
        feed = null;
        engine.replicaLost();
    }
}
