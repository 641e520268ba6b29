package io.meshmq.engine.journal;

import org.agrona.collections.LongHashSet;

import java.nio.channels.FileChannel;
import java.nio.file.Path;

/**
 * One segment file of the journal and what the journal knows about it: where the next record goes, which
 * entries still need its records, and which older segments its records refer to.
 * <p>
 * Not thread safe: the processor thread owns it; the syncer thread only forces and closes {@link #channel}
 * once the segment is handed over.
 */
public final class JournalSegment
{
    final long sequence;
    final Path path;
    final int capacity;
    FileChannel channel;
    /** Bytes in the file that hold records (and the header); the next record is written here. */
    long writePosition;
    int liveCount;
    long liveBytes;
    JournalEntry liveHead;
    /** Set once no record may be appended any more (a newer segment exists). */
    boolean sealed;
    boolean deleted;
    /** A new file: the syncer forces the directory too, the first time it forces this segment. */
    boolean needsDirectorySync;
    /** The append sequence when the last entry of this segment died: it may go once that is forced. */
    long lastDeathSequence;
    /**
     * Older segments whose entries this segment's acks and deletions refer to: while one of them is kept, so
     * is this one, or what it removed would come back on recovery.
     */
    final LongHashSet dependsOn = new LongHashSet();

    JournalSegment(final long sequence, final Path path, final int capacity, final FileChannel channel, final long writePosition)
    {
        this.sequence = sequence;
        this.path = path;
        this.capacity = capacity;
        this.channel = channel;
        this.writePosition = writePosition;
    }

    /**
     * @return its first live entry (the oldest still live), null if none: what compaction moves next.
     */
    public JournalEntry firstLive()
    {
        return liveHead;
    }

    public long sequence()
    {
        return sequence;
    }

    public Path path()
    {
        return path;
    }

    /**
     * This segment's records remove or change something an older segment holds.
     */
    public void dependOn(final JournalSegment older)
    {
        if (older != null && older != this)
        {
            dependsOn.add(older.sequence);
        }
    }

    void link(final JournalEntry entry)
    {
        entry.segment = this;
        entry.previousLive = null;
        entry.nextLive = liveHead;
        if (liveHead != null)
        {
            liveHead.previousLive = entry;
        }
        liveHead = entry;
        liveCount++;
        liveBytes += entry.recordLength;
    }

    void unlink(final JournalEntry entry)
    {
        if (entry.previousLive == null)
        {
            liveHead = entry.nextLive;
        }
        else
        {
            entry.previousLive.nextLive = entry.nextLive;
        }
        if (entry.nextLive != null)
        {
            entry.nextLive.previousLive = entry.previousLive;
        }
        entry.previousLive = null;
        entry.nextLive = null;
        entry.segment = null;
        liveCount--;
        liveBytes -= entry.recordLength;
    }

    @Override
    public String toString()
    {
        return path.getFileName() + "[live " + liveCount + ", " + liveBytes + " of " + writePosition + " bytes]";
    }
}
