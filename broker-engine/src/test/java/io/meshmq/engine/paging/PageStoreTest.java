package io.meshmq.engine.paging;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.util.stream.Stream;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

class PageStoreTest
{
    private static final int PAGE = 4096;

    @TempDir
    Path dir;

    private static byte[] record(final int n)
    {
        final byte[] payload = new byte[300];
        ByteBuffer.wrap(payload).putInt(n);
        return payload;
    }

    private static int number(final byte[] payload)
    {
        return ByteBuffer.wrap(payload).getInt();
    }

    @Test
    void shouldReadBackInOrderAcrossPagesAndDeleteWhatWasRead() throws Exception
    {
        final PageStore store = PageStore.open(dir, PAGE, null);
        for (int i = 0; i < 100; i++)
        {
            store.append(record(i), 300);
        }
        store.force();
        assertEquals(100, store.records());
        assertTrue(pageFiles() > 5, "300-byte records fill several 4 KiB pages");
        for (int i = 0; i < 60; i++)
        {
            assertEquals(i, number(store.next()));
        }
        final int before = pageFiles();
        store.deleteBefore(store.cursor());
        assertTrue(pageFiles() < before, "read pages deleted");
        store.append(record(100), 300);
        for (int i = 60; i <= 100; i++)
        {
            assertEquals(i, number(store.next()));
        }
        assertNull(store.next());
        assertEquals(0, store.records());
        store.close();
    }

    @Test
    void shouldReopenAtACursorAndCountWhatIsLeft() throws Exception
    {
        final PageStore first = PageStore.open(dir, PAGE, null);
        for (int i = 0; i < 50; i++)
        {
            first.append(record(i), 300);
        }
        for (int i = 0; i < 20; i++)
        {
            first.next();
        }
        final PageStore.Cursor cursor = first.cursor();
        first.close();
        final PageStore again = PageStore.open(dir, PAGE, cursor);
        assertEquals(30, again.records());
        assertEquals(20, number(again.next()));
        again.append(record(50), 300);
        int last = 20;
        byte[] payload;
        while ((payload = again.next()) != null)
        {
            last = number(payload);
        }
        assertEquals(50, last);
        again.close();
    }

    @Test
    void shouldCutOffATornTailButReportCorruptionBeforeIt() throws Exception
    {
        final PageStore store = PageStore.open(dir, PAGE, null);
        for (int i = 0; i < 30; i++)
        {
            store.append(record(i), 300);
        }
        store.close();
        final Path newest;
        final Path oldest;
        try (Stream<Path> files = Files.list(dir))
        {
            final var sorted = files.sorted().toList();
            oldest = sorted.get(0);
            newest = sorted.get(sorted.size() - 1);
        }
        try (FileChannel channel = FileChannel.open(newest, StandardOpenOption.WRITE))
        {
            channel.truncate(channel.size() - 10);
        }
        final PageStore reopened = PageStore.open(dir, PAGE, null);
        assertEquals(29, reopened.records(), "the torn last record is cut off");
        reopened.close();
        try (FileChannel channel = FileChannel.open(oldest, StandardOpenOption.READ, StandardOpenOption.WRITE))
        {
            channel.write(ByteBuffer.wrap(new byte[] {0x5A}), PageStore.HEADER_LENGTH + 8 + 100);
        }
        final IOException corrupt = assertThrows(IOException.class, () -> PageStore.open(dir, PAGE, null));
        assertTrue(corrupt.getMessage().contains(oldest.getFileName().toString()) && corrupt.getMessage().contains("offset 16"),
            corrupt.getMessage());
    }

    @Test
    void shouldHaveEveryAppendInItsFileOnceForcedThoughAppendsAreGathered() throws Exception
    {
        final int bigPage = 4 * PageStore.WRITE_BUFFER_BYTES;
        final PageStore store = PageStore.open(dir, bigPage, null);
        final byte[] large = new byte[PageStore.WRITE_BUFFER_BYTES + 1];
        ByteBuffer.wrap(large).putInt(-1);
        store.append(record(0), 300);
        store.append(record(1), 300);
        store.append(large, large.length);
        for (int i = 2; i < 1_000; i++)
        {
            store.append(record(i), 300);
        }
        assertTrue(store.isUnforced());
        store.force();

        // Another store opened on the files alone (the first is not closed, which would write what it gathered).
        final PageStore fromFiles = PageStore.open(dir, bigPage, null);
        assertEquals(1_001, fromFiles.records(), "every append is in a file once forced");
        assertEquals(0, number(fromFiles.next()));
        assertEquals(1, number(fromFiles.next()));
        assertEquals(-1, number(fromFiles.next()), "a record larger than the gathering buffer keeps its place");
        for (int i = 2; i < 1_000; i++)
        {
            assertEquals(i, number(fromFiles.next()));
        }
        assertNull(fromFiles.next());
        fromFiles.close();
        store.close();
    }

    @Test
    void shouldReadWhatWasJustAppendedAndTakeBackWhatIsStillGathered() throws Exception
    {
        final PageStore store = PageStore.open(dir, PAGE * 64, null);
        store.append(record(1), 300);
        assertEquals(1, number(store.next()), "reading catches up with an append not written yet");
        final PageStore.Tail tail = store.tail();
        store.append(record(2), 300);
        store.append(record(3), 300);
        store.truncate(tail);
        store.append(record(4), 300);
        assertEquals(4, number(store.next()), "the taken back appends are gone, the next one follows");
        assertNull(store.next());
        store.close();

        final PageStore reopened = PageStore.open(dir, PAGE * 64, null);
        assertEquals(2, reopened.records(), "closing wrote what was gathered: records 1 and 4");
        reopened.close();
    }

    @Test
    void shouldNotReadAheadWhatATruncationTookBack() throws Exception
    {
        final PageStore store = PageStore.open(dir, PAGE * 64, null);
        store.append(record(1), 300);
        final PageStore.Tail tail = store.tail();
        store.append(record(2), 300);
        store.append(record(3), 300);
        assertEquals(1, number(store.next()), "reads 1, and 2 and 3 ahead");
        store.truncate(tail);
        store.append(record(4), 300);
        assertEquals(4, number(store.next()), "not the 2 read ahead before it was taken back");
        assertNull(store.next());
        store.close();
    }

    private int pageFiles() throws IOException
    {
        try (Stream<Path> files = Files.list(dir))
        {
            return (int)files.count();
        }
    }
}
