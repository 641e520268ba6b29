package io.meshmq.engine.journal;

import io.meshmq.protocol.WireWriter;

import java.io.IOException;
import java.nio.file.Path;
import java.util.List;

/**
 * What the store writes its records to and keeps its entries' places in: appending and writing records, handing
 * batches to a force, knowing which segment holds which live entry (so dead segments are deleted and live entries
 * compacted), and reading everything back at start. {@link Journal} keeps it in segment files; a replicating journal
 * can wrap one and ship what is written to a replica before the store's confirmations go.
 * <p>
 * Not thread safe: the processor thread writes; {@link ForceBatch}es go to the syncer thread.
 */
public interface JournalLog extends AutoCloseable
{
    /**
     * What the syncer must force: the segments written since the last batch, and the append sequence that forcing
     * them makes durable.
     *
     * @param mirrorMark the mark the data mirror gave this force (what a replica must have stored); 0 for none.
     */
    record ForceBatch(List<JournalSegment> segments, long sequence, long mirrorMark)
    {
    }

    /**
     * What recovery found and what it dropped.
     */
    record RecoveryReport(int segments, long records, long droppedBytes)
    {
    }

    /**
     * @return the directory of its files.
     */
    Path directory();

    /**
     * Reads every record in order. A torn tail of the newest segment (a crash in mid-write: a bad record with
     * no good record after it) is cut off and logged; any other unreadable record stops recovery with
     * {@link JournalCorruptException}, unless the journal was opened to skip corruption.
     */
    RecoveryReport recover(JournalRecordHandler handler) throws IOException, JournalCorruptException;

    /**
     * Stages a record for the next {@link #writeStaged()}, in the current segment or, if it does not fit,
     * a new one.
     *
     * @return the record's length (header and payload) for {@link #place}.
     * @throws JournalWriteException if a segment had to be written or made and could not be.
     */
    int append(byte type, WireWriter payload);

    /**
     * Writes what was staged since the last call to the current segment (not yet forced).
     *
     * @throws JournalWriteException if the write failed; what was staged is then dropped.
     */
    void writeStaged();

    /**
     * @return the segments written since the last call, for the syncer to force; null if none.
     */
    ForceBatch takeForceBatch();

    /**
     * @return a force of no segment whose mark covers what the data mirror was told since the last force (page
     * writes a replica must store before their confirmations go, in a batch that wrote no record).
     */
    ForceBatch takeMirrorOnlyBatch();

    /**
     * @return whether records were written since the last {@link #takeForceBatch()}.
     */
    boolean hasUnforced();

    /**
     * Everything appended up to {@code sequence} is on disk.
     */
    void onForced(long sequence);

    /**
     * @return how many records were appended so far; compare before and after a command to know whether it
     * wrote any.
     */
    long appendSequence();

    /**
     * The entry's newest record is the last one appended: it lives in that record's segment from now on
     * (and no longer in the one it was in before).
     */
    int place(JournalEntry entry, int recordLength);

    /**
     * A force of these segments failed: what was written to them since the last good force may not be on
     * disk, and the operating system may not say so again. Their live entries are appended again, to a new
     * segment, before any segment is deleted.
     */
    void distrust(List<JournalSegment> failed);

    /**
     * @return the entries a failed write lost (their older records may already be dead), to be appended
     * again; segments are not deleted until they are.
     */
    List<JournalEntry> takeUnwritten();

    /**
     * The entry died (acknowledged, deleted) or moved: its segment may go once that is forced.
     */
    void release(JournalEntry entry);

    /**
     * The last record appended (an ack, a deletion) refers to this entry: while the entry's segment is kept,
     * so must the one holding that record be.
     */
    void noteReference(JournalEntry entry);

    /**
     * Places an entry found during recovery in the segment its newest record was read from.
     */
    void placeRecovered(JournalEntry entry, JournalSegment segment, int recordLength);

    /**
     * Deletes the segments that no longer hold anything: no live entry, their entries' deaths forced, and
     * nothing older kept that their records refer to.
     *
     * @return how many were deleted.
     */
    int deleteDeadSegments();

    /**
     * @return the oldest sealed segment whose live records are under a quarter of it, so that moving them
     * frees the rest; null if none.
     */
    JournalSegment compactionCandidate();

    /**
     * @return how many segment files the journal has.
     */
    int segmentCount();

    /**
     * @return true while the disk was too full for a new segment and the journal writes into its spare: it stores
     * acknowledgements and deletions (which let segments go and free space) but should take no new messages.
     */
    boolean isOnSpare();

    /**
     * Writes and forces what is left and closes every file. Called once the processor has stopped.
     */
    @Override
    void close();
}
