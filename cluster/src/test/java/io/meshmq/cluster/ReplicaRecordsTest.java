package io.meshmq.cluster;

import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

import java.io.IOException;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.ScheduledFuture;
import java.util.concurrent.TimeUnit;

import static org.junit.jupiter.api.Assertions.assertEquals;

class ReplicaRecordsTest
{
    private static final long RETRY_MS = 20;

    private final ScheduledExecutorService ha = Executors.newSingleThreadScheduledExecutor();
    private final List<String> tried = new CopyOnWriteArrayList<>();
    private final List<String> notes = new CopyOnWriteArrayList<>();
    private int failuresLeft;
    private volatile ScheduledFuture<?> afterLost;

    @AfterEach
    void stop()
    {
        ha.shutdownNow();
    }

    @Test
    void shouldAskAgainForAStateTheQuorumDidNotTake() throws Exception
    {
        failuresLeft = 2;
        final ReplicaRecords records = new ReplicaRecords(ha, RETRY_MS, this::record, notes::add);

        records.ask("b1", true);
        final long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(10);
        while (tried.size() < 3 && System.nanoTime() < deadline)
        {
            Thread.sleep(5);
        }
        ha.submit(() -> { }).get(10, TimeUnit.SECONDS);

        assertEquals(List.of("b1 in sync", "b1 in sync", "b1 in sync"), tried);
        assertEquals(List.of("cannot record in the quorum that backup 'b1' is in sync (retrying): no majority",
            "cannot record in the quorum that backup 'b1' is in sync (retrying): no majority"), notes);
    }

    /**
     * The replica got in sync, the quorum could not record it, then the replica was lost: the quorum must end up
     * holding no replica in sync, which the old "in sync" asked again after the "lost" would undo.
     */
    @Test
    void shouldNotAskAgainForAStateANewerOneReplaced() throws Exception
    {
        failuresLeft = 1;
        final ReplicaRecords records = new ReplicaRecords(ha, RETRY_MS, this::record, notes::add);

        records.ask("spare", true);
        records.ask("spare", false);
        final long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(10);
        while (afterLost == null && System.nanoTime() < deadline)
        {
            Thread.sleep(5);
        }
        afterLost.get(10, TimeUnit.SECONDS);

        assertEquals(List.of("spare in sync", "spare lost"), tried);
    }

    private void record(final String backupName, final boolean inSync) throws IOException
    {
        tried.add(backupName + (inSync ? " in sync" : " lost"));
        if (!inSync)
        {
            // Due after any retry scheduled by a failure before this record: it runs once such a retry has.
            afterLost = ha.schedule(() -> { }, RETRY_MS, TimeUnit.MILLISECONDS);
        }
        if (failuresLeft > 0)
        {
            failuresLeft--;
            throw new IOException("no majority");
        }
    }
}
