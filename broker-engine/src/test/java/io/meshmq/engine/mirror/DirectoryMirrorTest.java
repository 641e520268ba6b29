package io.meshmq.engine.mirror;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.io.UncheckedIOException;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

class DirectoryMirrorTest
{
    @TempDir
    Path dir;

    @Test
    void shouldMakeEveryChangeUnderTheTargetAndTakeEachTwice()
    {
        final Path source = dir.resolve("live");
        final Path target = dir.resolve("replica");
        try (DirectoryMirror mirror = new DirectoryMirror(source, target))
        {
            final Path segment = source.resolve("journal/segment-1");
            final ByteBuffer bytes = ByteBuffer.wrap("abcdef".getBytes(StandardCharsets.US_ASCII));
            bytes.position(2);
            mirror.zeroed(segment, 0, 10);
            mirror.written(segment, 4, bytes);
            mirror.written(segment, 4, bytes);
            assertEquals(2, bytes.position(), "the caller's buffer is not consumed");
            assertEquals(1, mirror.forced());
            assertArrayEquals(new byte[] {0, 0, 0, 0, 'c', 'd', 'e', 'f', 0, 0}, read(target.resolve("journal/segment-1")));
            mirror.truncated(segment, 6);
            assertArrayEquals(new byte[] {0, 0, 0, 0, 'c', 'd'}, read(target.resolve("journal/segment-1")));

            mirror.replaced(source.resolve("node.id"), "42\n".getBytes(StandardCharsets.US_ASCII));
            assertEquals("42\n", new String(read(target.resolve("node.id")), StandardCharsets.US_ASCII));

            mirror.moved(segment, source.resolve("journal/segment-2"));
            mirror.moved(segment, source.resolve("journal/segment-2"));
            assertFalse(Files.exists(target.resolve("journal/segment-1")));
            assertTrue(Files.exists(target.resolve("journal/segment-2")));
            mirror.deleted(source.resolve("journal/segment-2"));
            mirror.deleted(source.resolve("journal/segment-2"));
            assertFalse(Files.exists(target.resolve("journal/segment-2")));
            assertEquals(2, mirror.forced());

            final UncheckedIOException missing = assertThrows(UncheckedIOException.class,
                () -> mirror.moved(source.resolve("nothing"), source.resolve("still-nothing")));
            assertTrue(missing.getMessage().contains("nothing"), missing.getMessage());
            assertThrows(IllegalArgumentException.class, () -> mirror.deleted(dir.resolve("elsewhere")));
        }
    }

    @Test
    void shouldCopyABodyWholeAndForcedAndNotKeepEveryFileOpen() throws Exception
    {
        final Path source = dir.resolve("live");
        final Path target = dir.resolve("replica");
        final byte[] content = new byte[600_000];
        for (int i = 0; i < content.length; i++)
        {
            content[i] = (byte)(i * 7);
        }
        Files.createDirectories(source.resolve("large"));
        Files.write(source.resolve("large/1.body"), content);
        Files.write(source.resolve("large/2.body"), new byte[0]);
        try (DirectoryMirror mirror = new DirectoryMirror(source, target))
        {
            assertEquals(null, mirror.bodies().copy(source.resolve("large/1.body")));
            assertEquals(null, mirror.bodies().copy(source.resolve("large/2.body")));
            assertArrayEquals(content, read(target.resolve("large/1.body")));
            assertEquals(0, read(target.resolve("large/2.body")).length, "an empty body is copied too");
            final String missing = mirror.bodies().copy(source.resolve("large/3.body"));
            assertTrue(missing != null && missing.contains("3.body"), missing);

            for (int i = 0; i <= DirectoryMirror.MAX_OPEN_FILES; i++)
            {
                mirror.written(source.resolve("large/" + i + ".other"), 0, ByteBuffer.wrap(new byte[] {1}));
            }
            mirror.forced();
            assertEquals(0, mirror.openFiles(), "files are closed once more than " + DirectoryMirror.MAX_OPEN_FILES +
                " are open");
            mirror.written(source.resolve("large/1.body"), 0, ByteBuffer.wrap(new byte[] {9}));
            assertEquals(9, read(target.resolve("large/1.body"))[0], "a closed file is opened again to be written");
        }
    }

    private static byte[] read(final Path file)
    {
        try
        {
            return Files.readAllBytes(file);
        }
        catch (final java.io.IOException ex)
        {
            throw new UncheckedIOException(ex);
        }
    }
}
