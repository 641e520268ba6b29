package io.meshmq.cluster;

import java.io.IOException;
import java.util.concurrent.RejectedExecutionException;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import java.util.function.Consumer;

/**
 * What a live asks the quorum to record about its replica — in sync, or lost — run on the HA thread in the order
 * asked. One the quorum could not take is asked again a little later, unless a newer one was asked meanwhile: an old
 * "in sync" recorded after the "lost" that followed it would have the quorum hold as the replica in sync a backup that
 * no longer receives anything, and let it take the journal over without what was confirmed since.
 * <p>
 * HA thread only, but for {@link #ask}.
 */
final class ReplicaRecords
{
    /**
     * Records one replica state in the quorum; throws if the quorum did not answer (it is asked again).
     */
    @FunctionalInterface
    interface Recorder
    {
        void record(String backupName, boolean inSync) throws IOException;
    }

    private final ScheduledExecutorService ha;
    private final long retryMs;
    private final Recorder recorder;
    private final Consumer<String> note;
    /** How many records were asked for: a retry runs only while it is still the newest. */
    private long asked;

    /**
     * @param note told each failure, with what is asked again.
     */
    ReplicaRecords(final ScheduledExecutorService ha, final long retryMs, final Recorder recorder,
        final Consumer<String> note)
    {
        this.ha = ha;
        this.retryMs = retryMs;
        this.recorder = recorder;
        this.note = note;
    }

    /**
     * From any thread: records that {@code backupName} is in sync, or lost, after whatever was asked before.
     */
    void ask(final String backupName, final boolean inSync)
    {
        ha.execute(() -> attempt(backupName, inSync, ++asked));
    }

    private void attempt(final String backupName, final boolean inSync, final long which)
    {
        if (which != asked)
        {
            return; // a newer state was asked for since: it alone says how the replica stands
        }
        try
        {
            recorder.record(backupName, inSync);
        }
        catch (final IOException ex)
        {
            note.accept("cannot record in the quorum that backup '" + backupName + "' is " + (inSync ? "in sync" :
                "lost") + " (retrying): " + ex.getMessage());
            try
            {
                ha.schedule(() -> attempt(backupName, inSync, which), retryMs, TimeUnit.MILLISECONDS);
            }
            catch (final RejectedExecutionException closing)
            {
                // the node is closing: it serves nothing any more
            }
        }
    }
}
