package io.meshmq.jmh;

import io.meshmq.engine.journal.Journal;
import io.meshmq.engine.journal.JournalLog;
import io.meshmq.engine.journal.JournalRecordDescriptor;
import io.meshmq.engine.journal.JournalSyncer;
import io.meshmq.protocol.WireWriter;
import org.openjdk.jmh.annotations.Benchmark;
import org.openjdk.jmh.annotations.BenchmarkMode;
import org.openjdk.jmh.annotations.Fork;
import org.openjdk.jmh.annotations.Level;
import org.openjdk.jmh.annotations.Mode;
import org.openjdk.jmh.annotations.OperationsPerInvocation;
import org.openjdk.jmh.annotations.OutputTimeUnit;
import org.openjdk.jmh.annotations.Param;
import org.openjdk.jmh.annotations.Scope;
import org.openjdk.jmh.annotations.Setup;
import org.openjdk.jmh.annotations.State;
import org.openjdk.jmh.annotations.TearDown;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Comparator;
import java.util.concurrent.TimeUnit;
import java.util.stream.Stream;

/**
 * The journal alone, on the processor's side of the hand-off: records of {@code size} payload bytes appended, written
 * and forced the way a persistent send's record is, with no broker, ring or network.
 * <ul>
 *   <li>{@code appendWriteForce}: one record, then write and force (fdatasync) it: a lone synchronous producer.</li>
 *   <li>{@code groupCommit}: {@value #GROUP} records, then one write and one force: many producers at once.</li>
 * </ul>
 * {@code java -jar jmh/target/benchmarks.jar JournalBenchmark}
 */
@State(Scope.Thread)
@BenchmarkMode(Mode.Throughput)
@OutputTimeUnit(TimeUnit.SECONDS)
@Fork(1)
public class JournalBenchmark
{
    static final int GROUP = 64;

    @Param({"1024"})
    public int size;

    private Path directory;
    private Journal journal;
    private WireWriter payload;

    @Setup(Level.Trial)
    public void open() throws Exception
    {
        directory = Files.createTempDirectory("meshmq-journal-bench-");
        journal = Journal.open(directory, Journal.DEFAULT_SEGMENT_SIZE, false);
        journal.recover((type, buffer, offset, length, segment) -> { });
        payload = new WireWriter(size + 16);
        payload.writeRaw(new byte[size], 0, size);
    }

    @Benchmark
    public long appendWriteForce() throws IOException
    {
        journal.append(JournalRecordDescriptor.MESSAGE, payload);
        return force();
    }

    @Benchmark
    @OperationsPerInvocation(GROUP)
    public long groupCommit() throws IOException
    {
        for (int i = 0; i < GROUP; i++)
        {
            journal.append(JournalRecordDescriptor.MESSAGE, payload);
        }
        return force();
    }

    private long force() throws IOException
    {
        journal.writeStaged();
        final JournalLog.ForceBatch batch = journal.takeForceBatch();
        JournalSyncer.force(batch.segments(), directory, true);
        journal.onForced(batch.sequence());
        return batch.sequence();
    }

    /**
     * Full segments hold no live record here (nothing refers to them), so they go, as the broker's compaction would
     * make them go: the disk does not fill up over a run.
     */
    @TearDown(Level.Iteration)
    public void dropFullSegments() throws IOException
    {
        journal.writeStaged();
        final JournalLog.ForceBatch batch = journal.takeForceBatch();
        if (batch != null)
        {
            JournalSyncer.force(batch.segments(), directory, true);
            journal.onForced(batch.sequence());
        }
        journal.deleteDeadSegments();
    }

    @TearDown(Level.Trial)
    public void close() throws IOException
    {
        journal.close();
        try (Stream<Path> files = Files.walk(directory))
        {
            files.sorted(Comparator.reverseOrder()).forEach(path -> path.toFile().delete());
        }
    }
}
