package io.meshmq.engine.journal;

import io.meshmq.engine.mirror.DataMirror;
import io.meshmq.protocol.WireWriter;
import org.agrona.concurrent.UnsafeBuffer;

import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.channels.FileChannel;
import java.nio.file.DirectoryStream;
import java.nio.file.Files;
import java.nio.file.OpenOption;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.nio.file.StandardOpenOption;
import java.util.ArrayList;
import java.util.List;
import java.util.TreeMap;
import java.util.TreeSet;
import java.util.zip.CRC32C;

import static io.meshmq.engine.journal.JournalRecordDescriptor.*;

/**
 * The append-only journal: segment files of records (layout in {@link JournalRecordDescriptor}), appended
 * by the processor, written once per batch and forced by the {@link JournalSyncer}.
 * <pre>{@code
 * Journal journal = Journal.open(dataDir.resolve(Journal.DIRECTORY), 16 << 20, false);
 * journal.recover((type, buffer, offset, length, segment) -> ...);   // before the processor starts
 * journal.append(JournalRecordDescriptor.ACK, payload);               // processor thread
 * journal.writeStaged();                                              // end of batch
 * ForceBatch batch = journal.takeForceBatch();                         // for the syncer
 * }</pre>
 * Design note: appends go to a staging buffer and reach the file in one write per batch, so a batch costs
 * one system call to write and one to force, however many records it holds. Entries ({@link JournalEntry})
 * link themselves into the segment holding their newest record; a segment whose entries all died, whose
 * deaths are forced, and whose acks refer to no segment still kept is deleted, and the live records of a
 * mostly dead segment are moved by appending them again ({@link #compactionCandidate()}).
 * <p>
 * Not thread safe: the processor thread owns it (the starting thread during recovery).
 */
public final class Journal implements JournalLog
{
    public static final String DIRECTORY = "journal";
    public static final int DEFAULT_SEGMENT_SIZE = 16 * 1024 * 1024;
    public static final int MIN_SEGMENT_SIZE = 64 * 1024;
    private static final String PREFIX = "segment-";
    private static final String SUFFIX = ".mjl";
    /** A segment made ahead, for when the disk is too full to make one: not named like segments, so never read. */
    static final String SPARE = "spare.segment";
    private static final long SPARE_RETRY_MS = 5_000;
    private static final int STAGING_FLUSH_BYTES = 1024 * 1024;
    /** Read only: {@link #preallocate} writes duplicates of it. */
    private static final ByteBuffer ZEROS = ByteBuffer.allocateDirect(256 * 1024);
    private static final System.Logger LOG = System.getLogger(Journal.class.getName());

    /**
     * Opens segment files; tests replace it to inject I/O failures.
     */
    @FunctionalInterface
    public interface FileOpener
    {
        FileChannel open(Path path, OpenOption... options) throws IOException;
    }

    private final Path directory;
    private final int segmentSize;
    private final boolean skipCorrupt;
    private final FileOpener opener;
    private final DataMirror mirror;
    private final TreeMap<Long, JournalSegment> segments = new TreeMap<>();
    /** Segments recovery skipped for a bad header: kept, and listed. */
    private final TreeSet<Long> unreadable = new TreeSet<>();
    private final List<JournalSegment> unforced = new ArrayList<>();
    /** Entries placed in records not yet written: if the write fails they are not journaled after all. */
    private final List<JournalEntry> placedSinceWrite = new ArrayList<>();
    /** Entries whose newest record a failed write lost: they must be appended again. */
    private final List<JournalEntry> unwritten = new ArrayList<>();
    private final CRC32C crc = new CRC32C();
    private final UnsafeBuffer stagingView = new UnsafeBuffer(new byte[0]);
    private ByteBuffer staging = ByteBuffer.allocateDirect(STAGING_FLUSH_BYTES * 2).order(ByteOrder.LITTLE_ENDIAN);
    private JournalSegment current;
    private long appendSequence;
    private long writtenSequence;
    private long forcedSequence;
    private boolean recovered;
    /** The last record written is a {@link JournalRecordDescriptor#FORCED} mark: nothing more to mark. */
    private boolean markedLast;
    /** The disk was too full for a new segment: the spare was taken, and none is made yet. */
    private boolean onSpare;
    private long spareTriedAtMs;

    private Journal(final Path directory, final int segmentSize, final boolean skipCorrupt, final FileOpener opener,
        final DataMirror mirror)
    {
        this.directory = directory;
        this.segmentSize = segmentSize;
        this.skipCorrupt = skipCorrupt;
        this.opener = opener;
        this.mirror = mirror;
        stagingView.wrap(staging);
    }

    /**
     * @param skipCorrupt on corruption in the middle of the journal, log it and go on with the next segment
     *                    instead of refusing to start.
     */
    public static Journal open(final Path directory, final int segmentSize, final boolean skipCorrupt) throws IOException
    {
        return open(directory, segmentSize, skipCorrupt, FileChannel::open);
    }

    public static Journal open(final Path directory, final int segmentSize, final boolean skipCorrupt, final FileOpener opener)
        throws IOException
    {
        return open(directory, segmentSize, skipCorrupt, opener, DataMirror.NONE);
    }

    /**
     * @param mirror told every change made to the journal's files, for a replica.
     */
    public static Journal open(final Path directory, final int segmentSize, final boolean skipCorrupt, final FileOpener opener,
        final DataMirror mirror) throws IOException
    {
        if (segmentSize < MIN_SEGMENT_SIZE)
        {
            throw new IllegalArgumentException("journal segment size " + segmentSize + " is below the minimum " + MIN_SEGMENT_SIZE);
        }
        Files.createDirectories(directory);
        return new Journal(directory, segmentSize, skipCorrupt, opener, mirror);
    }

    @Override
    public Path directory()
    {
        return directory;
    }

    // ---- recovery ---------------------------------------------------------------------------------------

    /**
     * Reads every record in order. A torn tail of the newest segment (a crash in mid-write: a bad record with
     * no good record after it) is cut off and logged; any other unreadable record stops recovery with
     * {@link JournalCorruptException}, unless the journal was opened to skip corruption.
     */
    @Override
    public RecoveryReport recover(final JournalRecordHandler handler) throws IOException, JournalCorruptException
    {
        if (recovered)
        {
            throw new IllegalStateException("already recovered");
        }
        recovered = true;
        final List<Path> files = segmentFiles();
        long records = 0;
        final TreeSet<Long> listed = SegmentList.read(directory);
        long dropped = checkSegmentList(files, listed);
        for (int i = 0; i < files.size(); i++)
        {
            final Path file = files.get(i);
            final boolean newest = i == files.size() - 1;
            // Mapped, not read into the heap: a broker with a small heap must still get through a journal of
            // full segments.
            final UnsafeBuffer buffer = map(file);
            final int size = buffer.capacity();
            final long sequence = sequenceOf(file);
            if (size < SEGMENT_HEADER_LENGTH && newest)
            {
                // Created, then the crash came before its header was written: it holds nothing.
                LOG.log(System.Logger.Level.WARNING, "journal: removing " + file + ", a segment with no complete header");
                Files.delete(file);
                mirror.deleted(file);
                continue;
            }
            final String headerProblem = headerProblem(buffer, size, sequence);
            if (headerProblem != null)
            {
                if (!skipCorrupt)
                {
                    throw new JournalCorruptException(file, 0, headerProblem);
                }
                LOG.log(System.Logger.Level.ERROR, "journal: skipping " + file + ": " + headerProblem);
                dropped += size;
                unreadable.add(sequence);
                continue;
            }
            final int madeWith = buffer.getInt(CAPACITY_OFFSET, ByteOrder.LITTLE_ENDIAN);
            if (madeWith > size && (listed == null || listed.contains(sequence)))
            {
                // Segments are made whole (zeros to their capacity) before they are listed: one shorter was cut.
                final String why = "the file is " + size + " bytes, shorter than the " + madeWith + " it was made with: " +
                    "it was cut short, and the records at its end (confirmed ones among them) are lost";
                if (!skipCorrupt)
                {
                    throw new JournalCorruptException(file, size, why);
                }
                LOG.log(System.Logger.Level.ERROR, "journal: reading what is left of " + file + "; " + why);
                dropped += madeWith - size;
            }
            final JournalSegment segment = new JournalSegment(sequence, file, Math.max(Math.max(madeWith, segmentSize),
                size), null, 0);
            segments.put(sequence, segment);
            int position = SEGMENT_HEADER_LENGTH;
            while (position + RECORD_HEADER_LENGTH <= size)
            {
                final int length = buffer.getInt(position + LENGTH_OFFSET, ByteOrder.LITTLE_ENDIAN);
                if (length == 0 && allZero(buffer, position, size))
                {
                    break;
                }
                final String problem = recordProblem(buffer, size, position);
                if (problem == null && buffer.getByte(position + TYPE_OFFSET) == FORCED)
                {
                    position += alignedLength(length);
                    continue;
                }
                if (problem == null)
                {
                    try
                    {
                        handler.onRecord(buffer.getByte(position + TYPE_OFFSET), buffer, position + RECORD_HEADER_LENGTH,
                            length - RECORD_HEADER_LENGTH, segment);
                    }
                    catch (final RuntimeException ex)
                    {
                        throw new JournalCorruptException(file, position, "cannot apply " +
                            typeName(buffer.getByte(position + TYPE_OFFSET)) + " record: " + ex.getMessage());
                    }
                    records++;
                    position += alignedLength(length);
                    continue;
                }
                if (newest && !anyGoodRecordAfter(buffer, size, position))
                {
                    LOG.log(System.Logger.Level.WARNING, "journal: dropped a torn tail of " + (size - position) +
                        " bytes at offset " + position + " of " + file + " (" + problem + "); a crash in mid-write " +
                        "leaves one, and nothing in it was confirmed");
                    dropped += size - position;
                    break;
                }
                if (!skipCorrupt)
                {
                    throw new JournalCorruptException(file, position, problem + ", and good records follow it");
                }
                LOG.log(System.Logger.Level.ERROR, "journal: skipping the rest of " + file + " from offset " + position +
                    " (" + problem + "); the records there are lost");
                dropped += size - position;
                break;
            }
            segment.writePosition = position;
            segment.sealed = true;
        }
        SegmentList.write(directory, listed(), mirror);
        if (!makeSpare())
        {
            LOG.log(System.Logger.Level.WARNING, "journal: cannot make a spare segment in " + directory + "; should the " +
                "disk fill up, acknowledgements could not be stored either");
        }
        if (!segments.isEmpty())
        {
            final JournalSegment newest = segments.lastEntry().getValue();
            if (newest.writePosition + alignedLength(RECORD_HEADER_LENGTH) < newest.capacity)
            {
                newest.channel = opener.open(newest.path, StandardOpenOption.READ, StandardOpenOption.WRITE);
                // What a torn write left after the good records goes; zeros take its place, as in a new segment (never
                // a shorter file: that reads as one cut short).
                preallocate(newest.channel, newest.path, newest.writePosition, newest.capacity);
                newest.sealed = false;
                current = newest;
            }
        }
        return new RecoveryReport(segments.size(), records, dropped);
    }

    /**
     * Fills a segment with zeros to its capacity. Appends then overwrite blocks the file already has, so forcing
     * them (fdatasync) need not also record a new file size and new blocks: the force a confirmation waits
     * for is cheaper. A zero length where a record would start ends a segment's data, so the zeros read as
     * "nothing here yet".
     */
    private void preallocate(final FileChannel channel, final Path path, final long from, final long capacity)
        throws IOException
    {
        mirror.zeroed(path, from, capacity);
        long position = from;
        while (position < capacity)
        {
            final ByteBuffer zeros = ZEROS.duplicate();
            zeros.limit((int)Math.min(zeros.capacity(), capacity - position));
            writeFully(channel, zeros, position);
            position += zeros.limit();
        }
    }

    /**
     * Compares the segment files with the list the journal kept of them: a listed segment that is missing loses its
     * records (start-up is refused, naming it, unless corruption is skipped); a file not listed is a segment whose
     * deletion a crash interrupted (older than the newest listed: it is dead, and goes) or whose making it
     * interrupted (newer: it holds nothing confirmed, and is read as the newest). The files left are in {@code files}.
     *
     * @return bytes of segments missing (counted as dropped when skipped).
     */
    private long checkSegmentList(final List<Path> files, final TreeSet<Long> listed)
        throws IOException, JournalCorruptException
    {
        if (listed == null)
        {
            if (!files.isEmpty())
            {
                LOG.log(System.Logger.Level.INFO, "journal: " + directory + " has no list of its segments yet (written " +
                    "by an older broker); listing the " + files.size() + " there now");
            }
            return 0;
        }
        final TreeSet<Long> present = new TreeSet<>();
        for (final java.util.Iterator<Path> it = files.iterator(); it.hasNext(); )
        {
            final Path file = it.next();
            final long sequence = sequenceOf(file);
            if (!listed.contains(sequence) && !listed.isEmpty() && sequence < listed.last())
            {
                LOG.log(System.Logger.Level.INFO, "journal: removing " + file + ", a segment whose deletion a crash " +
                    "interrupted (it holds nothing live)");
                Files.delete(file);
                mirror.deleted(file);
                it.remove();
                continue;
            }
            present.add(sequence);
        }
        long missing = 0;
        for (final long sequence : listed)
        {
            if (present.contains(sequence))
            {
                continue;
            }
            final Path file = segmentPath(sequence);
            final String why = "missing: the journal's list of segments (" + SegmentList.FILE + ") names it, so the " +
                "messages and acknowledgements it held are lost. Put the file back, or start with " +
                "journal.skip-corrupt = true to go on without it";
            if (!skipCorrupt)
            {
                throw new JournalCorruptException(file, why);
            }
            LOG.log(System.Logger.Level.ERROR, "journal: going on without " + file + ", " + why);
            missing += segmentSize;
        }
        return missing;
    }

    /**
     * @return what the list of segments names: every segment, and those skipped for a bad header (a start that does
     * not skip corruption refuses them again).
     */
    private TreeSet<Long> listed()
    {
        final TreeSet<Long> listed = new TreeSet<>(segments.keySet());
        listed.addAll(unreadable);
        return listed;
    }

    private static ByteBuffer segmentHeader(final long sequence, final int capacity)
    {
        return ByteBuffer.allocate(SEGMENT_HEADER_LENGTH).order(ByteOrder.LITTLE_ENDIAN)
            .putLong(MAGIC_OFFSET, MAGIC).putInt(VERSION_OFFSET, FORMAT_VERSION).putLong(SEQUENCE_OFFSET, sequence)
            .putInt(CAPACITY_OFFSET, capacity);
    }

    /**
     * Makes the spare segment, zeros to the segment size, unless it is there.
     *
     * @return false if the disk has no room for it.
     */
    private boolean makeSpare()
    {
        final Path spare = directory.resolve(SPARE);
        final Path making = directory.resolve(SPARE + ".tmp");
        try
        {
            if (Files.exists(spare) && Files.size(spare) == segmentSize)
            {
                return true;
            }
            try (FileChannel channel = opener.open(making, StandardOpenOption.CREATE, StandardOpenOption.WRITE,
                StandardOpenOption.TRUNCATE_EXISTING))
            {
                preallocate(channel, making, 0, segmentSize);
                channel.force(true);
            }
            Files.move(making, spare, StandardCopyOption.ATOMIC_MOVE, StandardCopyOption.REPLACE_EXISTING);
            mirror.moved(making, spare);
            return true;
        }
        catch (final IOException ex)
        {
            try
            {
                Files.deleteIfExists(making);
                mirror.deleted(making);
            }
            catch (final IOException ignore)
            {
                // tried again later
            }
            return false;
        }
    }

    /**
     * Makes the spare the new segment: renaming and overwriting it needs no new space.
     *
     * @return false if there is no spare, or it cannot be used.
     */
    private boolean takeSpare(final long sequence, final Path path)
    {
        final Path spare = directory.resolve(SPARE);
        if (!Files.exists(spare))
        {
            return false;
        }
        FileChannel channel = null;
        try
        {
            Files.move(spare, path, StandardCopyOption.ATOMIC_MOVE);
            mirror.moved(spare, path);
            channel = opener.open(path, StandardOpenOption.READ, StandardOpenOption.WRITE);
            write(channel, path, segmentHeader(sequence, segmentSize), 0);
        }
        catch (final IOException ex)
        {
            LOG.log(System.Logger.Level.ERROR, "journal: cannot use the spare segment: " + ex.getMessage());
            try
            {
                if (channel != null)
                {
                    channel.close();
                }
                Files.deleteIfExists(path);
                mirror.deleted(path);
            }
            catch (final IOException ignore)
            {
                // nothing more to do: writes fail as they would without a spare
            }
            return false;
        }
        current = new JournalSegment(sequence, path, segmentSize, channel, SEGMENT_HEADER_LENGTH);
        current.needsDirectorySync = true;
        segments.put(sequence, current);
        onSpare = true;
        try
        {
            SegmentList.write(directory, listed(), mirror);
        }
        catch (final IOException ex)
        {
            // Not listed yet, it is the newest segment: recovery reads it; the next list written names it.
            LOG.log(System.Logger.Level.WARNING, "journal: cannot list the spare segment now: " + ex.getMessage());
        }
        return true;
    }

    @Override
    public boolean isOnSpare()
    {
        return onSpare;
    }

    private Path segmentPath(final long sequence)
    {
        return directory.resolve(String.format("%s%016d%s", PREFIX, sequence, SUFFIX));
    }

    private List<Path> segmentFiles() throws IOException
    {
        final TreeMap<Long, Path> files = new TreeMap<>();
        try (DirectoryStream<Path> stream = Files.newDirectoryStream(directory, PREFIX + "*" + SUFFIX))
        {
            for (final Path file : stream)
            {
                files.put(sequenceOf(file), file);
            }
        }
        return new ArrayList<>(files.values());
    }

    private static long sequenceOf(final Path file)
    {
        final String name = file.getFileName().toString();
        try
        {
            return Long.parseLong(name.substring(PREFIX.length(), name.length() - SUFFIX.length()));
        }
        catch (final NumberFormatException ex)
        {
            throw new IllegalStateException("journal file " + file + " is not named " + PREFIX + "NUMBER" + SUFFIX, ex);
        }
    }

    private static String headerProblem(final UnsafeBuffer buffer, final int length, final long sequence)
    {
        if (length < SEGMENT_HEADER_LENGTH)
        {
            return "shorter (" + length + " bytes) than a segment header";
        }
        if (buffer.getLong(MAGIC_OFFSET, ByteOrder.LITTLE_ENDIAN) != MAGIC)
        {
            return "not a MeshMQ journal segment (bad magic)";
        }
        final int version = buffer.getInt(VERSION_OFFSET, ByteOrder.LITTLE_ENDIAN);
        if (version != FORMAT_VERSION)
        {
            return "journal format version " + version + ", this broker reads " + FORMAT_VERSION;
        }
        final long inHeader = buffer.getLong(SEQUENCE_OFFSET, ByteOrder.LITTLE_ENDIAN);
        if (inHeader != sequence)
        {
            return "header says segment " + inHeader + ", the file name says " + sequence;
        }
        return null;
    }

    private String recordProblem(final UnsafeBuffer buffer, final int limit, final int position)
    {
        final int length = buffer.getInt(position + LENGTH_OFFSET, ByteOrder.LITTLE_ENDIAN);
        if (length < RECORD_HEADER_LENGTH || (long)position + length > limit)
        {
            return "record length " + length + " does not fit the " + (limit - position) + " bytes left";
        }
        final int stored = buffer.getInt(position + CHECKSUM_OFFSET, ByteOrder.LITTLE_ENDIAN);
        final ByteBuffer body = buffer.byteBuffer().duplicate();
        body.limit(position + length).position(position + TYPE_OFFSET);
        if (stored != checksum(length, body))
        {
            return "checksum mismatch";
        }
        return null;
    }

    private boolean anyGoodRecordAfter(final UnsafeBuffer buffer, final int limit, final int badPosition)
    {
        for (int p = badPosition + ALIGNMENT; p + RECORD_HEADER_LENGTH <= limit; p += ALIGNMENT)
        {
            if (buffer.getInt(p + LENGTH_OFFSET, ByteOrder.LITTLE_ENDIAN) != 0 && recordProblem(buffer, limit, p) == null)
            {
                return true;
            }
        }
        return false;
    }

    private static boolean allZero(final UnsafeBuffer buffer, final int from, final int size)
    {
        int i = from;
        for (; i + Long.BYTES <= size; i += Long.BYTES)
        {
            if (buffer.getLong(i) != 0)
            {
                return false;
            }
        }
        for (; i < size; i++)
        {
            if (buffer.getByte(i) != 0)
            {
                return false;
            }
        }
        return true;
    }

    private static UnsafeBuffer map(final Path file) throws IOException
    {
        try (FileChannel channel = FileChannel.open(file, StandardOpenOption.READ))
        {
            final long size = channel.size();
            if (size > Integer.MAX_VALUE)
            {
                throw new IOException(file + " is larger (" + size + " bytes) than any journal segment can be");
            }
            return new UnsafeBuffer(size == 0 ? ByteBuffer.allocate(0) : channel.map(FileChannel.MapMode.READ_ONLY, 0, size));
        }
    }


    /**
     * @param body the record from its type byte to its end.
     */
    private int checksum(final int length, final ByteBuffer body)
    {
        crc.reset();
        crc.update(length);
        crc.update(length >>> 8);
        crc.update(length >>> 16);
        crc.update(length >>> 24);
        crc.update(body);
        return (int)crc.getValue();
    }

    // ---- appending --------------------------------------------------------------------------------------

    /**
     * Stages a record for the next {@link #writeStaged()}, in the current segment or, if it does not fit,
     * a new one.
     *
     * @return the record's length (header and payload) for {@link #place}.
     * @throws JournalWriteException if a segment had to be written or made and could not be.
     */
    @Override
    public int append(final byte type, final WireWriter payload)
    {
        final int length = RECORD_HEADER_LENGTH + payload.position();
        final int aligned = alignedLength(length);
        if (current == null || current.writePosition + staging.position() + aligned > current.capacity)
        {
            roll(aligned);
        }
        if (staging.remaining() < aligned)
        {
            growStaging(aligned);
        }
        final int at = staging.position();
        stagingView.putInt(at + LENGTH_OFFSET, length, ByteOrder.LITTLE_ENDIAN);
        stagingView.putByte(at + TYPE_OFFSET, type);
        stagingView.putBytes(at + RECORD_HEADER_LENGTH, payload.buffer(), 0, payload.position());
        for (int i = at + length; i < at + aligned; i++)
        {
            stagingView.putByte(i, (byte)0);
        }
        final ByteBuffer body = staging.duplicate();
        body.limit(at + length).position(at + TYPE_OFFSET);
        stagingView.putInt(at + CHECKSUM_OFFSET, checksum(length, body), ByteOrder.LITTLE_ENDIAN);
        staging.position(at + aligned);
        appendSequence++;
        markedLast = false;
        if (staging.position() >= STAGING_FLUSH_BYTES)
        {
            writeStaged();
        }
        return length;
    }

    private void growStaging(final int needed)
    {
        final ByteBuffer larger = ByteBuffer.allocateDirect(Math.max(staging.capacity() * 2, staging.position() + needed))
            .order(ByteOrder.LITTLE_ENDIAN);
        staging.flip();
        larger.put(staging);
        staging = larger;
        stagingView.wrap(staging);
    }

    private void roll(final int recordSpace)
    {
        if (current != null)
        {
            writeStaged();
            current.sealed = true;
            if (!unforced.contains(current))
            {
                unforced.add(current);
            }
        }
        final TreeSet<Long> existing = listed();
        final long sequence = existing.isEmpty() ? 1 : existing.last() + 1;
        final Path path = segmentPath(sequence);
        final int capacity = Math.max(segmentSize, SEGMENT_HEADER_LENGTH + recordSpace);
        try
        {
            final FileChannel channel = opener.open(path, StandardOpenOption.CREATE_NEW, StandardOpenOption.READ,
                StandardOpenOption.WRITE);
            try
            {
                write(channel, path, segmentHeader(sequence, capacity), 0);
                preallocate(channel, path, SEGMENT_HEADER_LENGTH, capacity);
                // Listed before a record goes in: a segment that holds anything confirmed is always on the list.
                final TreeSet<Long> listed = listed();
                listed.add(sequence);
                SegmentList.write(directory, listed, mirror);
            }
            catch (final IOException ex)
            {
                channel.close();
                throw ex;
            }
            current = new JournalSegment(sequence, path, capacity, channel, SEGMENT_HEADER_LENGTH);
            current.needsDirectorySync = true;
            segments.put(sequence, current);
        }
        catch (final IOException ex)
        {
            try
            {
                Files.deleteIfExists(path);
                mirror.deleted(path);
                // The list may name it already: a segment that never held a record must not be taken for a lost one.
                SegmentList.write(directory, listed(), mirror);
            }
            catch (final IOException ignore)
            {
                // the next roll picks the same name and says why it fails
            }
            current = null;
            if (capacity == segmentSize && takeSpare(sequence, path))
            {
                LOG.log(System.Logger.Level.WARNING, "journal: the disk is too full for a new segment (" + ex.getMessage() +
                    "); writing into the spare one: acknowledgements are stored, new persistent messages are refused " +
                    "until consuming or the operator frees space");
                return;
            }
            throw new JournalWriteException("cannot create journal segment " + path + ": " + ex.getMessage(), ex);
        }
    }

    /**
     * Writes what was staged since the last call to the current segment (not yet forced).
     *
     * @throws JournalWriteException if the write failed; what was staged is then dropped.
     */
    @Override
    public void writeStaged()
    {
        if (staging.position() == 0)
        {
            return;
        }
        final JournalSegment segment = current;
        staging.flip();
        try
        {
            write(segment.channel, segment.path, staging, segment.writePosition);
            segment.writePosition += staging.limit();
            writtenSequence = appendSequence;
            placedSinceWrite.clear();
            if (!unforced.contains(segment))
            {
                unforced.add(segment);
            }
        }
        catch (final IOException ex)
        {
            try
            {
                // Zeros over what part of the write made it, not a shorter file (that reads as one cut short).
                preallocate(segment.channel, segment.path, segment.writePosition, segment.writePosition + staging.limit());
            }
            catch (final IOException ignore)
            {
                // the next write goes to the same position and overwrites what is there; recovery cuts what is left
                // after the last good record as a torn tail
            }
            for (final JournalEntry entry : placedSinceWrite)
            {
                if (entry.segment == segment)
                {
                    segment.unlink(entry);
                }
                if (!unwritten.contains(entry))
                {
                    unwritten.add(entry);
                }
            }
            placedSinceWrite.clear();
            throw new JournalWriteException("cannot write the journal (" + segment.path + "): " + ex.getMessage(), ex);
        }
        finally
        {
            staging.clear();
        }
    }

    /**
     * Writes locally what the mirror is told of first: a replica may hold a write the local disk never got (the broker
     * died in between), never miss one a confirmation covers.
     */
    private void write(final FileChannel channel, final Path path, final ByteBuffer buffer, final long position)
        throws IOException
    {
        mirror.written(path, position, buffer);
        writeFully(channel, buffer, position);
    }

    private static void writeFully(final FileChannel channel, final ByteBuffer buffer, final long position) throws IOException
    {
        long at = position;
        while (buffer.hasRemaining())
        {
            at += channel.write(buffer, at);
        }
    }

    /**
     * @return the segments written since the last call, for the syncer to force; null if none.
     */
    @Override
    public ForceBatch takeForceBatch()
    {
        if (unforced.isEmpty())
        {
            return null;
        }
        final ForceBatch batch = new ForceBatch(new ArrayList<>(unforced), writtenSequence, mirror.forced());
        unforced.clear();
        return batch;
    }

    @Override
    public ForceBatch takeMirrorOnlyBatch()
    {
        return new ForceBatch(List.of(), writtenSequence, mirror.forced());
    }

    /**
     * @return whether records were written since the last {@link #takeForceBatch()}.
     */
    @Override
    public boolean hasUnforced()
    {
        return !unforced.isEmpty();
    }

    /**
     * Everything appended up to {@code sequence} is on disk.
     */
    @Override
    public void onForced(final long sequence)
    {
        forcedSequence = Math.max(forcedSequence, sequence);
        if (sequence == appendSequence && sequence == writtenSequence && staging.position() == 0 && !markedLast &&
            current != null)
        {
            writeForcedMark();
        }
    }

    /**
     * Writes a {@link JournalRecordDescriptor#FORCED} record after the last confirmed one; not forced by itself (it
     * goes with the next force, or when the system writes its cache back), so it costs no extra force.
     */
    private void writeForcedMark()
    {
        final int length = RECORD_HEADER_LENGTH + 2 * Long.BYTES;
        final int aligned = alignedLength(length);
        if (current.writePosition + aligned > current.capacity)
        {
            return;
        }
        final ByteBuffer mark = ByteBuffer.allocate(aligned).order(ByteOrder.LITTLE_ENDIAN);
        mark.putInt(LENGTH_OFFSET, length).put(TYPE_OFFSET, FORCED).putLong(RECORD_HEADER_LENGTH, current.sequence)
            .putLong(RECORD_HEADER_LENGTH + Long.BYTES, current.writePosition);
        final ByteBuffer body = mark.duplicate();
        body.limit(length).position(TYPE_OFFSET);
        mark.putInt(CHECKSUM_OFFSET, checksum(length, body));
        try
        {
            write(current.channel, current.path, mark, current.writePosition);
            current.writePosition += aligned;
            markedLast = true;
        }
        catch (final IOException ex)
        {
            // Only a safeguard: without it a damaged last record reads as a torn tail, as it did before marks.
            LOG.log(System.Logger.Level.DEBUG, "journal: cannot write a forced mark: " + ex.getMessage());
        }
    }

    /**
     * @return how many records were appended so far; compare before and after a command to know whether it
     * wrote any.
     */
    @Override
    public long appendSequence()
    {
        return appendSequence;
    }

    // ---- liveness ---------------------------------------------------------------------------------------

    /**
     * The entry's newest record is the last one appended: it lives in that record's segment from now on
     * (and no longer in the one it was in before).
     */
    @Override
    public int place(final JournalEntry entry, final int recordLength)
    {
        final JournalSegment previous = entry.segment;
        if (previous != null)
        {
            release(entry);
            // The new record supersedes the old one only while it exists: were it deleted first (its entry
            // died, say, and the record saying so went too), recovery would read the old record as live.
            current.dependOn(previous);
        }
        entry.recordLength = recordLength;
        current.link(entry);
        placedSinceWrite.add(entry);
        return recordLength;
    }

    /**
     * A force of these segments failed: what was written to them since the last good force may not be on
     * disk, and the operating system may not say so again. Their live entries are appended again, to a new
     * segment, before any segment is deleted.
     */
    @Override
    public void distrust(final List<JournalSegment> failed)
    {
        for (final JournalSegment segment : failed)
        {
            JournalEntry entry;
            while ((entry = segment.liveHead) != null)
            {
                segment.unlink(entry);
                if (!unwritten.contains(entry))
                {
                    unwritten.add(entry);
                }
            }
            if (segment == current)
            {
                // Records staged for it since are dropped: the entries they placed were just unlinked above.
                staging.clear();
                placedSinceWrite.clear();
                current.sealed = true;
                current = null;
                unforced.remove(segment);
                try
                {
                    segment.channel.close();
                }
                catch (final IOException ignore)
                {
                    // it is not written to again either way
                }
            }
        }
    }

    /**
     * @return the entries a failed write lost (their older records may already be dead), to be appended
     * again; segments are not deleted until they are.
     */
    @Override
    public List<JournalEntry> takeUnwritten()
    {
        if (unwritten.isEmpty())
        {
            return List.of();
        }
        final List<JournalEntry> taken = new ArrayList<>(unwritten);
        unwritten.clear();
        return taken;
    }

    /**
     * The entry died (acknowledged, deleted) or moved: its segment may go once that is forced.
     */
    @Override
    public void release(final JournalEntry entry)
    {
        final JournalSegment segment = entry.segment;
        if (segment != null)
        {
            segment.unlink(entry);
            segment.lastDeathSequence = appendSequence;
        }
    }

    /**
     * The last record appended (an ack, a deletion) refers to this entry: while the entry's segment is kept,
     * so must the one holding that record be.
     */
    @Override
    public void noteReference(final JournalEntry entry)
    {
        if (current != null)
        {
            current.dependOn(entry.segment);
        }
    }

    /**
     * Places an entry found during recovery in the segment its newest record was read from.
     */
    @Override
    public void placeRecovered(final JournalEntry entry, final JournalSegment segment, final int recordLength)
    {
        if (entry.segment != null)
        {
            entry.segment.unlink(entry);
        }
        entry.recordLength = recordLength;
        segment.link(entry);
    }

    /**
     * Deletes the segments that no longer hold anything: no live entry, their entries' deaths forced, and
     * nothing older kept that their records refer to.
     *
     * @return how many were deleted.
     */
    @Override
    public int deleteDeadSegments()
    {
        int deleted = 0;
        if (!unwritten.isEmpty())
        {
            return 0;
        }
        final List<JournalSegment> dead = new ArrayList<>();
        for (final JournalSegment segment : new ArrayList<>(segments.values()))
        {
            if (!segment.sealed || segment.liveCount > 0 || segment.lastDeathSequence > forcedSequence ||
                unforced.contains(segment) || dependsOnKept(segment))
            {
                continue;
            }
            // Gone from the map now, so that a later segment that depends only on it may go in this pass too.
            segments.remove(segment.sequence);
            dead.add(segment);
        }
        if (dead.isEmpty())
        {
            trySpareAgain(false);
            return 0;
        }
        try
        {
            // Unlisted first: a crash between the two leaves files the list does not name, which recovery removes.
            SegmentList.write(directory, listed(), mirror);
        }
        catch (final IOException ex)
        {
            LOG.log(System.Logger.Level.WARNING, "journal: cannot rewrite its list of segments, so none is deleted " +
                "now: " + ex.getMessage());
            dead.forEach(segment -> segments.put(segment.sequence, segment));
            return 0;
        }
        for (final JournalSegment segment : dead)
        {
            segment.deleted = true;
            deleted++;
            try
            {
                Files.deleteIfExists(segment.path);
                mirror.deleted(segment.path);
            }
            catch (final IOException ex)
            {
                LOG.log(System.Logger.Level.WARNING, "journal: cannot delete " + segment.path + " (no longer listed, " +
                    "it goes at the next start): " + ex.getMessage());
            }
        }
        trySpareAgain(true);
        return deleted;
    }

    /**
     * On the spare: makes a new one once there is room (at once after segments were deleted, else now and then), and
     * takes new messages again.
     */
    private void trySpareAgain(final boolean freed)
    {
        final long nowMs = System.currentTimeMillis();
        if (!onSpare || !freed && nowMs - spareTriedAtMs < SPARE_RETRY_MS)
        {
            return;
        }
        spareTriedAtMs = nowMs;
        if (makeSpare())
        {
            onSpare = false;
            LOG.log(System.Logger.Level.INFO, "journal: there is room again (a new spare segment is made): new " +
                "persistent messages are taken again");
        }
    }

    private boolean dependsOnKept(final JournalSegment segment)
    {
        final org.agrona.collections.LongHashSet.LongIterator older = segment.dependsOn.iterator();
        while (older.hasNext())
        {
            if (segments.containsKey(older.nextValue()))
            {
                return true;
            }
        }
        return false;
    }

    /**
     * @return the oldest sealed segment whose live records are under a quarter of it, so that moving them
     * frees the rest; null if none.
     */
    @Override
    public JournalSegment compactionCandidate()
    {
        for (final JournalSegment segment : segments.values())
        {
            if (segment.sealed && segment.liveCount > 0 && segment.liveBytes * 4 < segment.writePosition)
            {
                return segment;
            }
        }
        return null;
    }

    /**
     * @return how many segment files the journal has.
     */
    @Override
    public int segmentCount()
    {
        return segments.size();
    }

    /**
     * Writes and forces what is left and closes every file. Called once the processor has stopped.
     */
    @Override
    public void close()
    {
        try
        {
            writeStaged();
            for (final JournalSegment segment : segments.values())
            {
                if (segment.channel != null && segment.channel.isOpen())
                {
                    segment.channel.force(false);
                    segment.channel.close();
                }
            }
        }
        catch (final IOException | JournalWriteException ex)
        {
            LOG.log(System.Logger.Level.ERROR, "journal: could not close cleanly: " + ex.getMessage());
        }
    }
}
