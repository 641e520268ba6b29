package io.meshmq.cluster.replication;

import io.meshmq.engine.extension.EngineControl;
import io.meshmq.engine.ring.ConnectionOutput;
import io.meshmq.protocol.WireWriter;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.lang.reflect.Proxy;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.atomic.AtomicReference;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * A live whose takeovers a quorum decides: it takes no replica before it owns its journal, tells the quorum when its
 * replica is in sync, and when it loses that replica holds confirmations (the mirror detached, the replica still
 * required) until the quorum recorded the loss; no other backup is taken meanwhile, nor while one is in sync. And a
 * replica in sync that cannot store (its disk is full): held confirmations until one is in sync again
 * (ha.replica-fault = wait), or let go as if lost (alone).
 */
class ReplicationQuorumTest
{
    @TempDir
    Path dir;
    private final List<String> calls = new ArrayList<>();
    private final List<String> told = new ArrayList<>();

    @Test
    void shouldTakeAndLetGoOfItsReplicaOnlyThroughTheQuorum() throws Exception
    {
        Files.writeString(Files.createDirectories(dir.resolve("journal")).resolve("a"), "abc");
        final AtomicReference<ReplicaQuorum> quorum = new AtomicReference<>();
        final Replication replication = new Replication(engine(), quorum, true);

        replication.start(output(1), 7, "b1", false);
        assertEquals(List.of("error 7: this node does not own its journal yet (it waits for the quorum)", "close 1"),
            calls);
        calls.clear();

        quorum.set(recording());
        final ConnectionOutput first = output(1);
        replication.start(first, 8, "b1", false);
        for (int batch = 0; batch < 10; batch++)
        {
            replication.onEndOfBatch();
        }
        replication.stored(first, Long.MAX_VALUE / 2);
        assertEquals(List.of("in sync b1"), told);
        assertTrue(calls.contains("replicaStored in sync"), calls.toString());
        calls.clear();

        replication.start(output(2), 9, "b2", false);
        assertEquals(List.of("error 9: replica 'b1' is in sync; this live keeps one replica (ask again once it is " +
            "gone)", "close 2"), calls);
        calls.clear();

        replication.onConnectionClosed(1);
        assertEquals(List.of("replicaDetached"), calls, "confirmations stay held: the replica is still required");
        assertEquals(List.of("in sync b1", "lost b1"), told);
        calls.clear();

        replication.start(output(2), 10, "b2", false);
        assertEquals(List.of("error 10: the quorum is still recording that replica 'b1' was lost; ask again",
            "close 2"), calls);
        calls.clear();

        replication.dropped();
        assertEquals(List.of("replicaLost"), calls, "now confirmations wait for the local disk alone");
        calls.clear();
        replication.start(output(2), 11, "b2", false);
        assertEquals("replicate", calls.get(0));
    }

    @Test
    void shouldHoldConfirmationsWhileAReplicaInSyncCannotStoreUntilOneIsInSyncAgain() throws Exception
    {
        Files.writeString(Files.createDirectories(dir.resolve("journal")).resolve("a"), "abc");
        final AtomicReference<ReplicaQuorum> quorum = new AtomicReference<>(recording());
        final Replication replication = new Replication(engine(), quorum, true);
        final ConnectionOutput first = inSync(replication, 1, "b1");

        replication.fault(first, "No space left on device");
        assertEquals(List.of(), calls, "the replica stays attached and required: confirmations wait for it");
        assertTrue(replication.describe().contains("b1 (cannot store: No space left on device; confirmations held)"),
            replication.describe());
        replication.onTick(Replication.STORE_TIMEOUT_MS * 10);
        assertEquals(List.of(), calls, "no store timeout lets go of a replica that said it cannot store");

        replication.onConnectionClosed(1);
        assertEquals(List.of("replicaDetached"), calls, "still held, and the quorum not told: its copy holds " +
            "everything confirmed");
        assertEquals(List.of("in sync b1"), told);
        assertTrue(replication.describe().startsWith("none in sync (confirmations held since backup 'b1' could not " +
            "store"), replication.describe());
        calls.clear();

        final ConnectionOutput again = output(2);
        replication.start(again, 12, "b1", false);
        assertEquals("replicate", calls.get(0), "a backup copying anew is taken at once");
        replication.onEndOfBatch();
        replication.stored(again, Long.MAX_VALUE / 2);
        assertTrue(calls.contains("replicaStored in sync"), calls.toString());
        assertEquals(List.of("in sync b1", "in sync b1"), told);
        assertEquals("b1 (in sync), lag 0 ms", replication.describe());
    }

    @Test
    void shouldLetAReplicaThatCannotStoreGoWhenToldToGoOnAlone() throws Exception
    {
        Files.writeString(Files.createDirectories(dir.resolve("journal")).resolve("a"), "abc");
        final Replication alone = new Replication(engine(), null, false);
        final ConnectionOutput first = inSync(alone, 1, "b1");
        alone.fault(first, "No space left on device");
        assertEquals(List.of("close 1", "replicaLost"), calls.stream().sorted().toList());
        calls.clear();

        // A backup still copying that cannot store is let go in either mode: nothing waited for it yet.
        final Replication waits = new Replication(engine(), null, true);
        final ConnectionOutput copying = output(3);
        waits.start(copying, 13, "b2", false);
        calls.clear();
        waits.fault(copying, "No space left on device");
        assertEquals(List.of("close 3", "replicaLost"), calls.stream().sorted().toList());
    }

    /**
     * A spare (re-replication: it adopts a journal without a replica) never displaces a backup that copies, and gives
     * way to any backup that asks, still copying (replaced at once) or in sync (let go through the quorum first).
     */
    @Test
    void shouldTakeASpareOnlyWhileNoBackupCopiesAndLetAnyBackupTakeItsPlace() throws Exception
    {
        Files.writeString(Files.createDirectories(dir.resolve("journal")).resolve("a"), "abc");
        final Replication replication = new Replication(engine(), new AtomicReference<>(recording()), true);
        replication.start(output(1), 7, "b1", false);
        calls.clear();

        replication.start(output(2), 8, "n3-spare", true);
        assertEquals(List.of("error 8: backup 'b1' is copying this node's data directory; a spare adopts only a " +
            "journal that no backup copies", "close 2"), calls);
        calls.clear();

        replication.onConnectionClosed(1);
        calls.clear();
        final ConnectionOutput spare = output(3);
        replication.start(spare, 9, "n3-spare", true);
        assertEquals("replicate", calls.get(0), "no backup copies: the spare is taken");
        calls.clear();

        replication.start(output(4), 10, "b1", false);
        assertEquals(List.of("close 3", "replicaLost", "replicate"), calls.stream().sorted().toList(),
            "a backup replaces the spare still copying");
        assertEquals("b1", replication.replicaName());
        calls.clear();

        replication.onConnectionClosed(4);
        inSync(replication, 5, "n3-spare", true);
        replication.start(output(6), 11, "n3-spare", true);
        assertEquals(List.of("error 11: replica 'n3-spare' is in sync; this live keeps one replica (ask again once " +
            "it is gone)", "close 6"), calls, "a spare never replaces a replica in sync");
        calls.clear();

        replication.start(output(7), 12, "b1", false);
        assertEquals(List.of("close 7", "error 12: the quorum is still recording that replica 'n3-spare' was lost; " +
            "ask again", "replicaDetached"), calls.stream().sorted().toList(),
            "a backup asking makes the spare in sync give way, through the quorum");
        assertEquals(List.of("in sync n3-spare", "lost n3-spare"), told);
        calls.clear();
        replication.dropped();
        assertEquals(List.of("replicaLost", "close 5"), calls, "the spare's connection closes once it can no longer " +
            "claim the journal");
        calls.clear();
        replication.start(output(8), 13, "b1", false);
        assertEquals(List.of("replicate"), calls);
    }

    private ConnectionOutput inSync(final Replication replication, final long id, final String name)
    {
        return inSync(replication, id, name, false);
    }

    private ConnectionOutput inSync(final Replication replication, final long id, final String name,
        final boolean spare)
    {
        final ConnectionOutput output = output(id);
        replication.start(output, 8, name, spare);
        for (int batch = 0; batch < 10; batch++)
        {
            replication.onEndOfBatch();
        }
        replication.stored(output, Long.MAX_VALUE / 2);
        assertTrue(calls.contains("replicaStored in sync"), calls.toString());
        calls.clear();
        return output;
    }

    private ReplicaQuorum recording()
    {
        return new ReplicaQuorum()
        {
            @Override
            public void inSync(final String backupName)
            {
                told.add("in sync " + backupName);
            }

            @Override
            public void lost(final String backupName)
            {
                told.add("lost " + backupName);
            }

            @Override
            public String describe()
            {
                return "recording";
            }
        };
    }

    private EngineControl engine()
    {
        return (EngineControl)Proxy.newProxyInstance(getClass().getClassLoader(), new Class<?>[] {EngineControl.class},
            (proxy, method, args) ->
            {
                switch (method.getName())
                {
                    case "dataDirectory":
                        return dir;
                    case "nowMs":
                    case "mark":
                        return 0L;
                    case "error":
                        calls.add("error " + args[1] + ": " + args[3]);
                        return null;
                    case "replicaStored":
                        calls.add("replicaStored" + ((Boolean)args[1] ? " in sync" : ""));
                        return null;
                    case "write":
                        return null;
                    case "replicate":
                    case "replicaCopied":
                    case "replicaDetached":
                    case "replicaLost":
                        calls.add(method.getName());
                        return null;
                    default:
                        throw new UnsupportedOperationException(method.getName());
                }
            });
    }

    private ConnectionOutput output(final long id)
    {
        return new ConnectionOutput()
        {
            @Override
            public long id()
            {
                return id;
            }

            @Override
            public String remoteAddress()
            {
                return "backup " + id;
            }

            @Override
            public boolean write(final WireWriter frame)
            {
                return true;
            }

            @Override
            public boolean isWritable()
            {
                return true;
            }

            @Override
            public void flush()
            {
            }

            @Override
            public void close()
            {
                calls.add("close " + id);
            }
        };
    }
}
