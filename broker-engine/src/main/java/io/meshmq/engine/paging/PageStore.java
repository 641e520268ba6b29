package io.meshmq.engine.paging;

import io.meshmq.engine.mirror.DataMirror;

import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.channels.FileChannel;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.util.ArrayList;
import java.util.List;
import java.util.TreeMap;
import java.util.stream.Stream;
import java.util.zip.CRC32C;

/**
 * The page files of one queue: records appended at the tail, read back in order from a cursor, files deleted
 * once read. It stores bytes; what they mean is the processor's business.
 * <p>
 * A page file is a 16-byte header (magic "MESHPAGE", int format version, int reserved) and then records:
 * int payload length, int CRC-32C of the payload, the payload; integers little endian. Opening a store counts
 * the records after the cursor; a torn record at the end of the newest file (a crash in mid-write) is cut
 * off, a bad one anywhere else is an {@link IOException} naming the file and offset.
 * <p>
 * Appends gather in a buffer of {@value #WRITE_BUFFER_BYTES} bytes and reach the file in one write when it is full,
 * before a force, a read of what they hold, a truncation and a close: a paging queue took one write(2) per message
 * before, which was most of the processor's time while a producer outran its consumers (issue 20). Reading back
 * likewise takes the file a buffer at a time rather than two reads (and a size) per record.
 * <p>
 * Not thread safe: used by the processor thread (and at start-up by the starting thread).
 */
public final class PageStore
{
    static final int WRITE_BUFFER_BYTES = 256 * 1024;
    public static final long MAGIC = 0x45474150_4853454DL; // "MESHPAGE" read little endian
    public static final int FORMAT_VERSION = 1;
    public static final int HEADER_LENGTH = 16;
    private static final int RECORD_HEADER_LENGTH = 8;
    private static final String PREFIX = "page-";
    private static final String SUFFIX = ".mpg";
    private static final System.Logger LOG = System.getLogger(PageStore.class.getName());

    /**
     * Where reading goes on from: a page file's sequence and an offset in it.
     */
    public record Cursor(long page, long offset)
    {
    }

    private final Path directory;
    private final int pageSize;
    private final DataMirror mirror;
    private final TreeMap<Long, FileChannel> pages = new TreeMap<>();
    private final List<FileChannel> unforced = new ArrayList<>();
    private final CRC32C crc = new CRC32C();
    private final ByteBuffer recordHeader = ByteBuffer.allocate(RECORD_HEADER_LENGTH).order(ByteOrder.LITTLE_ENDIAN);
    private boolean directoryUnforced;
    /** Appended records not written to the file yet: they belong at {@link #pendingOffset} of {@link #pendingPage}. */
    private final ByteBuffer pending = ByteBuffer.allocate(WRITE_BUFFER_BYTES).order(ByteOrder.LITTLE_ENDIAN);
    private long pendingPage;
    private long pendingOffset;
    /** Bytes of {@link #readAheadPage} from {@link #readAheadStart} on, read in one go for the records in them. */
    private final ByteBuffer readAhead = ByteBuffer.allocate(WRITE_BUFFER_BYTES).order(ByteOrder.LITTLE_ENDIAN);
    private long readAheadPage = -1;
    private long readAheadStart;
    private long sizedPage = -1;
    private long readPageSize;
    private long writePage;
    private long writeOffset;
    private long readPage;
    private long readOffset;
    private long records;

    private PageStore(final Path directory, final int pageSize, final DataMirror mirror)
    {
        this.directory = directory;
        this.pageSize = pageSize;
        this.mirror = mirror;
    }

    /**
     * Opens (or makes) the store in {@code directory}, reading on from {@code cursor} (null: from the start).
     *
     * @throws IOException if a file cannot be read, or holds a bad record before its end.
     */
    public static PageStore open(final Path directory, final int pageSize, final Cursor cursor) throws IOException
    {
        return open(directory, pageSize, cursor, DataMirror.NONE);
    }

    /**
     * @param mirror told every change made to the store's files, for a replica.
     */
    public static PageStore open(final Path directory, final int pageSize, final Cursor cursor, final DataMirror mirror)
        throws IOException
    {
        final PageStore store = new PageStore(directory, pageSize, mirror);
        Files.createDirectories(directory);
        try (Stream<Path> files = Files.list(directory))
        {
            for (final Path file : (Iterable<Path>)files::iterator)
            {
                final String name = file.getFileName().toString();
                if (name.startsWith(PREFIX) && name.endsWith(SUFFIX))
                {
                    final long sequence = Long.parseLong(name.substring(PREFIX.length(), name.length() - SUFFIX.length()));
                    store.pages.put(sequence, FileChannel.open(file, StandardOpenOption.READ, StandardOpenOption.WRITE));
                }
            }
        }
        catch (final NumberFormatException ex)
        {
            store.close();
            throw new IOException("unexpected file in page directory " + directory + ": " + ex.getMessage());
        }
        store.seekAndCount(cursor);
        return store;
    }

    private void seekAndCount(final Cursor cursor) throws IOException
    {
        readPage = cursor == null ? (pages.isEmpty() ? 1 : pages.firstKey()) : cursor.page();
        readOffset = cursor == null ? HEADER_LENGTH : cursor.offset();
        // Files wholly before the cursor were read before the restart; their deletion may not have happened.
        while (!pages.isEmpty() && pages.firstKey() < readPage)
        {
            deletePage(pages.firstKey());
        }
        writePage = pages.isEmpty() ? readPage : pages.lastKey();
        writeOffset = HEADER_LENGTH;
        for (final var entry : pages.entrySet())
        {
            final long page = entry.getKey();
            final FileChannel channel = entry.getValue();
            checkHeader(page, channel);
            long offset = page == readPage ? readOffset : HEADER_LENGTH;
            final long size = channel.size();
            while (offset < size)
            {
                final int length = validRecordAt(channel, offset, size);
                if (length < 0)
                {
                    if (page != pages.lastKey())
                    {
                        throw new IOException("corrupt page record in " + path(page) + " at offset " + offset);
                    }
                    LOG.log(System.Logger.Level.WARNING, "paging: cut off a torn record at the end of " + path(page) +
                        " (offset " + offset + ", " + (size - offset) + " bytes)");
                    channel.truncate(offset);
                    mirror.truncated(path(page), offset);
                    break;
                }
                offset += RECORD_HEADER_LENGTH + length;
                records++;
            }
            if (page == writePage)
            {
                writeOffset = Math.max(offset, HEADER_LENGTH);
            }
        }
    }

    private void checkHeader(final long page, final FileChannel channel) throws IOException
    {
        final ByteBuffer header = ByteBuffer.allocate(HEADER_LENGTH).order(ByteOrder.LITTLE_ENDIAN);
        if (channel.read(header, 0) < HEADER_LENGTH && page == pages.lastKey())
        {
            // Created, then the crash came before its header was written: an empty page.
            writeHeader(channel, path(page));
            return;
        }
        if (header.getLong(0) != MAGIC || header.getInt(8) != FORMAT_VERSION)
        {
            throw new IOException(path(page) + " is not a MeshMQ page file of format " + FORMAT_VERSION);
        }
    }

    /**
     * @return the payload length of a good record at {@code offset}, or -1.
     */
    private int validRecordAt(final FileChannel channel, final long offset, final long size) throws IOException
    {
        if (size - offset < RECORD_HEADER_LENGTH)
        {
            return -1;
        }
        recordHeader.clear();
        channel.read(recordHeader, offset);
        final int length = recordHeader.getInt(0);
        if (length < 0 || length > size - offset - RECORD_HEADER_LENGTH)
        {
            return -1;
        }
        final ByteBuffer payload = ByteBuffer.allocate(length);
        readFully(channel, payload, offset + RECORD_HEADER_LENGTH);
        payload.flip();
        return checksum(payload) == recordHeader.getInt(4) ? length : -1;
    }

    private int checksum(final ByteBuffer payload)
    {
        crc.reset();
        crc.update(payload.duplicate());
        return (int)crc.getValue();
    }

    // ---- writing ------------------------------------------------------------------------------------------

    /**
     * Appends a record at the tail (written, not forced).
     */
    public void append(final byte[] payload, final int length) throws IOException
    {
        final int recordLength = RECORD_HEADER_LENGTH + length;
        final FileChannel channel = writableChannel(recordLength);
        crc.reset();
        crc.update(payload, 0, length);
        final int checksum = (int)crc.getValue();
        if (pending.position() > 0 && pending.remaining() < recordLength)
        {
            flush();
        }
        if (recordLength > pending.capacity())
        {
            final ByteBuffer header = ByteBuffer.allocate(RECORD_HEADER_LENGTH).order(ByteOrder.LITTLE_ENDIAN);
            header.putInt(0, length).putInt(4, checksum);
            final ByteBuffer body = ByteBuffer.wrap(payload, 0, length);
            final Path page = path(writePage);
            mirror.written(page, writeOffset, header);
            mirror.written(page, writeOffset + RECORD_HEADER_LENGTH, body);
            writeFully(channel, new ByteBuffer[] {header, body}, writeOffset);
        }
        else
        {
            if (pending.position() == 0)
            {
                pendingPage = writePage;
                pendingOffset = writeOffset;
            }
            pending.putInt(length).putInt(checksum).put(payload, 0, length);
        }
        writeOffset += recordLength;
        records++;
        // Appends go to the newest page, so it is the last one listed if listed at all: no search per message.
        if (unforced.isEmpty() || unforced.get(unforced.size() - 1) != channel)
        {
            unforced.add(channel);
        }
    }

    /**
     * Writes the gathered appends to their file (not forced). If that fails they stay gathered, so every later force
     * fails too until a write succeeds (positional writes of the same bytes: a retry repeats nothing): a force must
     * never cover records that are not in the file.
     */
    private void flush() throws IOException
    {
        if (pending.position() == 0)
        {
            return;
        }
        final ByteBuffer gathered = pending.duplicate().flip();
        mirror.written(path(pendingPage), pendingOffset, gathered);
        writeFully(pages.get(pendingPage), new ByteBuffer[] {gathered}, pendingOffset);
        pending.clear();
    }

    /**
     * Where the tail is now, to take back appends with {@link #truncate} if what they belong to fails.
     */
    public record Tail(long page, long offset, long records)
    {
    }

    public Tail tail()
    {
        return new Tail(writePage, writeOffset, records);
    }

    /**
     * Takes back every append since {@code tail}: the store reads as if they never happened.
     */
    public void truncate(final Tail tail) throws IOException
    {
        flush();
        forgetReadAhead();
        while (!pages.isEmpty() && pages.lastKey() > tail.page())
        {
            deletePage(pages.lastKey());
        }
        final FileChannel channel = pages.get(tail.page());
        if (channel != null)
        {
            channel.truncate(tail.offset());
            mirror.truncated(path(tail.page()), tail.offset());
        }
        writePage = tail.page();
        writeOffset = tail.offset();
        records = tail.records();
    }

    private FileChannel writableChannel(final int recordLength) throws IOException
    {
        FileChannel channel = pages.get(writePage);
        if (channel != null && (writeOffset == HEADER_LENGTH || writeOffset + recordLength <= pageSize))
        {
            return channel;
        }
        if (channel != null)
        {
            flush();
            writePage++;
        }
        final Path path = path(writePage);
        channel = FileChannel.open(path, StandardOpenOption.CREATE_NEW, StandardOpenOption.READ, StandardOpenOption.WRITE);
        writeHeader(channel, path);
        pages.put(writePage, channel);
        writeOffset = HEADER_LENGTH;
        directoryUnforced = true;
        return channel;
    }

    private void writeHeader(final FileChannel channel, final Path path) throws IOException
    {
        final ByteBuffer header = ByteBuffer.allocate(HEADER_LENGTH).order(ByteOrder.LITTLE_ENDIAN);
        header.putLong(0, MAGIC).putInt(8, FORMAT_VERSION).putInt(12, 0);
        mirror.written(path, 0, header);
        while (header.hasRemaining())
        {
            channel.write(header, header.position());
        }
    }

    /**
     * @return true if records were appended since the last force.
     */
    public boolean isUnforced()
    {
        return !unforced.isEmpty() || directoryUnforced || pending.position() > 0;
    }

    /**
     * Forces what was appended since the last call (and new files' names) to disk.
     */
    public void force() throws IOException
    {
        flush();
        for (final FileChannel channel : unforced)
        {
            channel.force(false);
        }
        unforced.clear();
        if (directoryUnforced)
        {
            try (FileChannel dir = FileChannel.open(directory, StandardOpenOption.READ))
            {
                dir.force(true);
            }
            catch (final IOException ex)
            {
                // Some file systems cannot open a directory; the files themselves are forced.
            }
            directoryUnforced = false;
        }
        mirror.forced();
    }

    // ---- reading ------------------------------------------------------------------------------------------

    /**
     * @return the next record's payload, or null if every record was read.
     */
    public byte[] next() throws IOException
    {
        while (true)
        {
            final FileChannel channel = pages.get(readPage);
            if (channel == null)
            {
                return null;
            }
            final long end = readPage == writePage ? writeOffset : sizeOfReadPage(channel);
            if (readOffset + RECORD_HEADER_LENGTH <= end)
            {
                if (readPage == pendingPage && pending.position() > 0)
                {
                    // Reading caught up with the appends: what it reads must be in the file.
                    flush();
                }
                final ByteBuffer header = readAhead(channel, readOffset, RECORD_HEADER_LENGTH, end);
                final int length = header.getInt(header.position());
                final int checksum = header.getInt(header.position() + 4);
                if (length < 0 || readOffset + RECORD_HEADER_LENGTH + length > end)
                {
                    throw new IOException("corrupt page record in " + path(readPage) + " at offset " + readOffset +
                        ": its length " + length + " runs past the end of what was written");
                }
                final byte[] payload = new byte[length];
                if (RECORD_HEADER_LENGTH + length <= readAhead.capacity())
                {
                    readAhead(channel, readOffset, RECORD_HEADER_LENGTH + length, end)
                        .get(readAhead.position() + RECORD_HEADER_LENGTH, payload);
                }
                else
                {
                    readFully(channel, ByteBuffer.wrap(payload), readOffset + RECORD_HEADER_LENGTH);
                }
                crc.reset();
                crc.update(payload, 0, length);
                if ((int)crc.getValue() != checksum)
                {
                    throw new IOException("corrupt page record in " + path(readPage) + " at offset " + readOffset);
                }
                readOffset += RECORD_HEADER_LENGTH + length;
                records--;
                return payload;
            }
            if (readPage >= writePage)
            {
                return null;
            }
            readPage++;
            readOffset = HEADER_LENGTH;
        }
    }

    /**
     * @return the read-ahead buffer positioned at {@code offset} of the page being read, holding at least {@code need}
     *         bytes from there: read from the file, as much as fits up to {@code end}, only when it does not already.
     */
    private ByteBuffer readAhead(final FileChannel channel, final long offset, final int need, final long end)
        throws IOException
    {
        if (readAheadPage != readPage || offset < readAheadStart || offset + need > readAheadStart + readAhead.limit())
        {
            readAhead.clear().limit((int)Math.min(readAhead.capacity(), end - offset));
            readFully(channel, readAhead, offset);
            readAheadPage = readPage;
            readAheadStart = offset;
        }
        return readAhead.position((int)(offset - readAheadStart));
    }

    /** A page before the one written to no longer grows: its size is asked of the file system once. */
    private long sizeOfReadPage(final FileChannel channel) throws IOException
    {
        if (sizedPage != readPage)
        {
            readPageSize = channel.size();
            sizedPage = readPage;
        }
        return readPageSize;
    }

    /** Forgets what was read ahead and sized: the files changed under it (a truncation, a deletion). */
    private void forgetReadAhead()
    {
        readAheadPage = -1;
        sizedPage = -1;
    }

    public Cursor cursor()
    {
        return new Cursor(readPage, readOffset);
    }

    /**
     * Reads again from an earlier cursor: the {@code read} records after it count as unread again.
     */
    public void rewind(final Cursor to, final long read)
    {
        readPage = to.page();
        readOffset = to.offset();
        records += read;
    }

    /**
     * @return records appended and not read yet.
     */
    public long records()
    {
        return records;
    }

    /**
     * @return bytes of the page files from the read position to the end of what was appended (each page after the
     * first counted whole but for its header, so what a page left unused at its end counts too): what the store
     * holds on disk for its queue.
     */
    public long unreadBytes()
    {
        if (records == 0)
        {
            return 0;
        }
        if (writePage == readPage)
        {
            return Math.max(0, writeOffset - readOffset);
        }
        return Math.max(0, pageSize - readOffset) + (writePage - readPage - 1) * (long)(pageSize - HEADER_LENGTH) +
            Math.max(0, writeOffset - HEADER_LENGTH);
    }

    /**
     * Deletes the files wholly before {@code cursor}: everything in them was read, and what was read is kept
     * elsewhere now (the caller knows that is on disk).
     */
    public void deleteBefore(final Cursor cursor) throws IOException
    {
        while (!pages.isEmpty() && pages.firstKey() < cursor.page() && pages.firstKey() < writePage)
        {
            deletePage(pages.firstKey());
        }
    }

    private void deletePage(final long page) throws IOException
    {
        forgetReadAhead();
        if (page == pendingPage)
        {
            pending.clear();
        }
        final FileChannel channel = pages.remove(page);
        unforced.removeIf(listed -> listed == channel);
        channel.close();
        Files.deleteIfExists(path(page));
        mirror.deleted(path(page));
    }

    /**
     * Deletes every file and the directory: the queue is gone, or everything was read and kept elsewhere.
     */
    public void deleteAll() throws IOException
    {
        pending.clear();
        close();
        try (Stream<Path> files = Files.list(directory))
        {
            for (final Path file : (Iterable<Path>)files::iterator)
            {
                Files.deleteIfExists(file);
                mirror.deleted(file);
            }
        }
        Files.deleteIfExists(directory);
        mirror.deleted(directory);
        records = 0;
    }

    public void close() throws IOException
    {
        forgetReadAhead();
        if (!pages.isEmpty())
        {
            flush();
        }
        for (final FileChannel channel : pages.values())
        {
            channel.close();
        }
        pages.clear();
        unforced.clear();
    }

    public Path directory()
    {
        return directory;
    }

    private Path path(final long page)
    {
        return directory.resolve(String.format("%s%016d%s", PREFIX, page, SUFFIX));
    }

    private static void readFully(final FileChannel channel, final ByteBuffer buffer, final long position) throws IOException
    {
        long at = position;
        while (buffer.hasRemaining())
        {
            final int read = channel.read(buffer, at);
            if (read < 0)
            {
                throw new IOException("unexpected end of page file at offset " + at);
            }
            at += read;
        }
    }

    private static void writeFully(final FileChannel channel, final ByteBuffer[] buffers, final long position) throws IOException
    {
        long at = position;
        for (final ByteBuffer buffer : buffers)
        {
            while (buffer.hasRemaining())
            {
                at += channel.write(buffer, at);
            }
        }
    }
}
