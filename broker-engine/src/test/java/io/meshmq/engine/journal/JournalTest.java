package io.meshmq.engine.journal;

import io.meshmq.protocol.WireWriter;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.stream.Stream;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

class JournalTest
{
    private static final int SEGMENT = Journal.MIN_SEGMENT_SIZE;

    @TempDir
    Path dir;

    private final WireWriter payload = new WireWriter();

    @Test
    void shouldReadBackEveryRecordInOrderAcrossSegments() throws Exception
    {
        writeManySegments();
        assertEquals(range(1000), readAll(false));
    }

    @Test
    void shouldCutOffATornTailAndKeepWhatCameBefore() throws Exception
    {
        writeRecords(20);
        final Path last = newestSegment();
        final long size = dataEnd(last);
        try (FileChannel channel = FileChannel.open(last, StandardOpenOption.WRITE))
        {
            // A crash in mid-write: the end of the last record never reached the disk (the file keeps its size: it
            // was made whole), and half a header of another did.
            channel.write(ByteBuffer.allocate(40), size - 40);
            channel.write(ByteBuffer.wrap(new byte[] {(byte)0xFF, 0x01, 0x00}), size - 40);
        }
        final List<Integer> read = readAll(false);
        assertEquals(range(19), read);
        try (Journal journal = open(false))
        {
            journal.recover((type, buffer, offset, length, segment) -> { });
            append(journal, 99, 50);
            journal.writeStaged();
        }
        final List<Integer> expected = range(19);
        expected.add(99);
        assertEquals(expected, readAll(false), "appends after a torn tail go where the tail was cut");
    }

    @Test
    void shouldReportCorruptionInTheMiddleWithTheFileAndOffset() throws Exception
    {
        writeRecords(20);
        final Path segment = newestSegment();
        flipByteAt(segment, JournalRecordDescriptor.SEGMENT_HEADER_LENGTH + JournalRecordDescriptor.RECORD_HEADER_LENGTH + 2);
        final JournalCorruptException ex = assertThrows(JournalCorruptException.class, () -> readAll(false));
        assertEquals(segment, ex.file());
        assertEquals(JournalRecordDescriptor.SEGMENT_HEADER_LENGTH, ex.offset());
        assertTrue(ex.getMessage().contains("checksum mismatch"), ex.getMessage());
        assertEquals(List.of(), readAll(true), "skipping drops the rest of that segment only");
    }

    @Test
    void shouldSkipOnlyTheCorruptSegmentWhenAskedTo() throws Exception
    {
        writeManySegments();
        final Path first = segments().get(0);
        flipByteAt(first, JournalRecordDescriptor.SEGMENT_HEADER_LENGTH + JournalRecordDescriptor.RECORD_HEADER_LENGTH + 2);
        assertThrows(JournalCorruptException.class, () -> readAll(false));
        final List<Integer> read = readAll(true);
        assertTrue(read.size() < 1000 && read.get(read.size() - 1) == 999, "later segments are still read: " + read.size());
    }

    @Test
    void shouldFailWritesOnAFullDiskAndRecoverWhenItHasRoom() throws Exception
    {
        final AtomicBoolean full = new AtomicBoolean();
        try (Journal journal = Journal.open(dir, SEGMENT, false, FailingFileChannel.opener(full::get)))
        {
            journal.recover((type, buffer, offset, length, segment) -> { });
            append(journal, 0, 10);
            journal.writeStaged();
            full.set(true);
            append(journal, 1, 10);
            final JournalWriteException ex = assertThrows(JournalWriteException.class, journal::writeStaged);
            assertTrue(ex.getMessage().contains("No space left on device"), ex.getMessage());
            full.set(false);
            append(journal, 2, 10);
            journal.writeStaged();
        }
        assertEquals(List.of(0, 2), readAll(false), "what failed is not there, what came after is");
    }

    @Test
    void shouldKeepAMovedRecordWhileTheOlderCopyExists() throws Exception
    {
        try (Journal journal = open(false))
        {
            journal.recover((type, buffer, offset, length, segment) -> { });
            final JournalEntry moved = new JournalEntry() { };
            final JournalEntry keeper = new JournalEntry() { };
            append(journal, 1, 100);
            journal.place(moved, 100);
            append(journal, 2, 100);
            journal.place(keeper, 100);
            fillSegment(journal);
            append(journal, 3, 100);
            journal.place(moved, 100);   // compaction moved it to the second segment
            fillSegment(journal);
            append(journal, 4, 100);
            journal.noteReference(moved);
            journal.release(moved);      // and then it died
            fillSegment(journal);
            append(journal, 5, 100);
            journal.writeStaged();
            journal.onForced(journal.takeForceBatch().sequence());
            journal.deleteDeadSegments();
            final List<String> names = segments().stream().map(f -> f.getFileName().toString()).toList();
            assertTrue(names.contains("segment-0000000000000001.mjl"), "the keeper's segment stays");
            assertTrue(names.contains("segment-0000000000000002.mjl"),
                "the moved copy stays while the older copy exists, or recovery would read that one as live: " + names);
            assertTrue(names.contains("segment-0000000000000003.mjl"), "so does the record of its death");
        }
    }

    @Test
    void shouldRefuseToStartWithoutASegmentItListsAndGoOnWithoutItOnlyWhenAskedTo() throws Exception
    {
        writeManySegments();
        final List<Path> files = segments();
        for (final Path lost : List.of(files.get(0), files.get(files.size() / 2), files.get(files.size() - 1)))
        {
            final Path aside = dir.resolve("aside");
            Files.move(lost, aside);
            final JournalCorruptException ex = assertThrows(JournalCorruptException.class, () -> readAll(false));
            assertEquals(lost, ex.file());
            assertTrue(ex.getMessage().contains("missing") && ex.getMessage().contains("journal.skip-corrupt"),
                ex.getMessage());
            Files.move(aside, lost);
        }
        assertEquals(range(1000), readAll(false), "with every segment back, nothing is lost");

        Files.delete(files.get(0));
        final List<Integer> read = readAll(true);
        assertTrue(read.size() < 1000 && read.get(read.size() - 1) == 999, "the rest is read: " + read.size());
        assertEquals(read, readAll(false), "once gone on without it, the journal no longer expects it");
    }

    @Test
    void shouldNotTakeTheSegmentsItReclaimedForLostOnes() throws Exception
    {
        try (Journal journal = open(false))
        {
            journal.recover((type, buffer, offset, length, segment) -> { });
            final JournalEntry dies = new JournalEntry() { };
            append(journal, 1, 100);
            journal.place(dies, 100);
            fillSegment(journal);
            append(journal, 2, 100);
            journal.noteReference(dies);
            journal.release(dies);
            fillSegment(journal);
            journal.writeStaged();
            journal.onForced(journal.takeForceBatch().sequence());
            assertTrue(journal.deleteDeadSegments() > 0, "the first segment died and went");
        }
        final List<Integer> read = readAll(false);
        assertTrue(!read.contains(1) && !read.isEmpty(), "the journal starts without the segments it deleted: " + read);
    }

    @Test
    void shouldRemoveASegmentWhoseDeletionACrashInterruptedAndListAJournalThatHadNoList() throws Exception
    {
        writeManySegments();
        final List<Path> files = segments();
        final Path list = dir.resolve(SegmentList.FILE);
        final String full = Files.readString(list);
        // A crash after the list was rewritten without the first segment, before the file was deleted.
        Files.writeString(list, full.replaceFirst("\n1\n", "\n"));
        final List<Integer> read = readAll(false);
        assertTrue(Files.notExists(files.get(0)), "removed, not read");
        assertTrue(read.size() < 1000 && read.get(read.size() - 1) == 999, read.size() + " records");

        Files.delete(list);
        assertEquals(read, readAll(false), "a journal written before lists were kept starts, and is listed now");
        Files.delete(files.get(1));
        assertThrows(JournalCorruptException.class, () -> readAll(false));
    }

    @Test
    void shouldRefuseASegmentCutShorterThanItWasMade() throws Exception
    {
        writeRecords(20);
        final Path last = newestSegment();
        try (FileChannel channel = FileChannel.open(last, StandardOpenOption.WRITE))
        {
            channel.truncate(dataEnd(last) - 3 * 120);
        }
        final JournalCorruptException ex = assertThrows(JournalCorruptException.class, () -> readAll(false));
        assertEquals(last, ex.file());
        assertTrue(ex.getMessage().contains("cut short"), ex.getMessage());
        assertEquals(range(17), readAll(true), "skipping reads what is left");
        assertEquals(range(17), readAll(false), "and the segment is whole again");
    }

    @Test
    void shouldRefuseADamagedLastRecordOnceItWasForcedButCutItWhileItWasNot() throws Exception
    {
        try (Journal journal = open(false))
        {
            journal.recover((type, buffer, offset, length, segment) -> { });
            for (int i = 0; i < 5; i++)
            {
                append(journal, i, 100);
            }
            journal.writeStaged();
            journal.onForced(journal.takeForceBatch().sequence());
        }
        final Path segment = newestSegment();
        final long lastRecord = JournalRecordDescriptor.SEGMENT_HEADER_LENGTH +
            4L * JournalRecordDescriptor.alignedLength(JournalRecordDescriptor.RECORD_HEADER_LENGTH + 4 + 4 + 100);
        flipByteAt(segment, lastRecord + JournalRecordDescriptor.RECORD_HEADER_LENGTH + 2);
        final JournalCorruptException ex = assertThrows(JournalCorruptException.class, () -> readAll(false),
            "a forced record is no torn write");
        assertEquals(lastRecord, ex.offset());

        writeRecordsIn(dir.resolve("unforced"), 5);
        final Path unforced = segmentsIn(dir.resolve("unforced")).get(0);
        flipByteAt(unforced, lastRecord + JournalRecordDescriptor.RECORD_HEADER_LENGTH + 2);
        assertEquals(range(4), readAllIn(dir.resolve("unforced")), "a record never forced may be torn: it is cut");
    }

    @Test
    void shouldWriteIntoItsSpareWhenTheDiskIsFullAndMakeANewOneOnceThereIsRoom() throws Exception
    {
        final AtomicBoolean full = new AtomicBoolean();
        final Path spare = dir.resolve(Journal.SPARE);
        try (Journal journal = Journal.open(dir, SEGMENT, false, FailingFileChannel.growthFails(full::get)))
        {
            journal.recover((type, buffer, offset, length, segment) -> { });
            assertTrue(Files.exists(spare), "made at start");
            final JournalEntry early = new JournalEntry() { };
            append(journal, 1, 100);
            journal.place(early, 100);
            full.set(true);
            fillSegment(journal);
            assertTrue(journal.isOnSpare() && Files.notExists(spare), "no room for a segment: the spare became one");
            append(journal, 2, 100);
            journal.noteReference(early);
            journal.release(early);
            journal.writeStaged();
            journal.onForced(journal.takeForceBatch().sequence());
            assertTrue(journal.isOnSpare(), "an acknowledgement is stored on the spare");
            full.set(false);
            assertEquals(1, journal.deleteDeadSegments(), "the first segment died and went, which made room");
            assertTrue(!journal.isOnSpare() && Files.exists(spare), "room again: a new spare, and messages are taken");
            append(journal, 3, 100);
        }
        final List<Integer> read = readAll(false);
        assertTrue(read.contains(2) && read.contains(3) && !read.contains(1), read.toString());
    }

    // ---- helpers ----------------------------------------------------------------------------------------

    private void writeManySegments() throws Exception
    {
        try (Journal journal = open(false))
        {
            journal.recover((type, buffer, offset, length, segment) -> { });
            for (int i = 0; i < 1000; i++)
            {
                append(journal, i, 300);
            }
        }
        assertTrue(segments().size() > 3, "1000 records of 300 bytes fill several 64 KiB segments");
    }

    private void fillSegment(final Journal journal)
    {
        final int segments = journal.segmentCount();
        int id = 1000;
        while (journal.segmentCount() == segments)
        {
            append(journal, id++, 1000);
        }
    }

    private Journal open(final boolean skipCorrupt) throws IOException
    {
        return Journal.open(dir, SEGMENT, skipCorrupt);
    }

    private void append(final Journal journal, final int id, final int padding)
    {
        payload.reset().writeInt(id).writeBytes(new byte[padding]);
        journal.append(JournalRecordDescriptor.ACK, payload);
    }

    private void writeRecords(final int count) throws Exception
    {
        writeRecordsIn(dir, count);
    }

    /**
     * Appends and writes records, never forced (the journal closes without a force batch).
     */
    private void writeRecordsIn(final Path directory, final int count) throws Exception
    {
        try (Journal journal = Journal.open(directory, SEGMENT, false))
        {
            journal.recover((type, buffer, offset, length, segment) -> { });
            for (int i = 0; i < count; i++)
            {
                append(journal, i, 100);
            }
        }
    }

    private List<Integer> readAll(final boolean skipCorrupt) throws Exception
    {
        return readAllIn(dir, skipCorrupt);
    }

    private List<Integer> readAllIn(final Path directory) throws Exception
    {
        return readAllIn(directory, false);
    }

    private List<Integer> readAllIn(final Path directory, final boolean skipCorrupt) throws Exception
    {
        final List<Integer> ids = new ArrayList<>();
        try (Journal journal = Journal.open(directory, SEGMENT, skipCorrupt))
        {
            journal.recover((type, buffer, offset, length, segment) ->
                ids.add(buffer.getInt(offset, java.nio.ByteOrder.LITTLE_ENDIAN)));
        }
        return ids;
    }

    private static List<Integer> range(final int count)
    {
        final List<Integer> ids = new ArrayList<>();
        for (int i = 0; i < count; i++)
        {
            ids.add(i);
        }
        return ids;
    }

    private List<Path> segments() throws IOException
    {
        return segmentsIn(dir);
    }

    private static List<Path> segmentsIn(final Path directory) throws IOException
    {
        try (Stream<Path> files = Files.list(directory))
        {
            return files.filter(f -> f.getFileName().toString().endsWith(".mjl")).sorted().toList();
        }
    }

    private Path newestSegment() throws IOException
    {
        final List<Path> all = segments();
        return all.get(all.size() - 1);
    }

    /**
     * @return where a segment's records end: segments are filled with zeros beyond that.
     */
    private static long dataEnd(final Path file) throws IOException
    {
        final ByteBuffer bytes = ByteBuffer.wrap(Files.readAllBytes(file)).order(java.nio.ByteOrder.LITTLE_ENDIAN);
        int position = JournalRecordDescriptor.SEGMENT_HEADER_LENGTH;
        while (position + 4 <= bytes.limit() && bytes.getInt(position) != 0)
        {
            position += JournalRecordDescriptor.alignedLength(bytes.getInt(position));
        }
        return position;
    }

    private static void flipByteAt(final Path file, final long offset) throws IOException
    {
        try (FileChannel channel = FileChannel.open(file, StandardOpenOption.READ, StandardOpenOption.WRITE))
        {
            final ByteBuffer one = ByteBuffer.allocate(1);
            channel.read(one, offset);
            one.put(0, (byte)(one.get(0) ^ 0x5A)).position(0);
            channel.write(one, offset);
        }
    }
}
