package io.meshmq.engine.journal;

import io.meshmq.engine.mirror.DataMirror;

import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.nio.file.StandardOpenOption;

/**
 * A small text file kept beside the journal (node identity, cluster definitions), replaced whole: written to
 * a temporary file, forced, then moved over the old one, so a crash leaves the old content or the new, never
 * a torn one.
 */
public final class ForcedFile
{
    private ForcedFile()
    {
    }

    /**
     * Writes the file (made, or emptied first) with the bytes and forces it to disk.
     */
    public static void write(final Path file, final ByteBuffer content) throws IOException
    {
        try (FileChannel channel = FileChannel.open(file, StandardOpenOption.CREATE, StandardOpenOption.WRITE,
            StandardOpenOption.TRUNCATE_EXISTING))
        {
            while (content.hasRemaining())
            {
                channel.write(content);
            }
            channel.force(true);
        }
    }

    public static void replace(final Path file, final String content) throws IOException
    {
        replace(file, content, DataMirror.NONE);
    }

    /**
     * @param mirror told of the new content once it is in place.
     */
    public static void replace(final Path file, final String content, final DataMirror mirror) throws IOException
    {
        final byte[] bytes = content.getBytes(StandardCharsets.UTF_8);
        final Path temporary = file.resolveSibling(file.getFileName() + ".tmp");
        write(temporary, ByteBuffer.wrap(bytes));
        Files.move(temporary, file, StandardCopyOption.ATOMIC_MOVE, StandardCopyOption.REPLACE_EXISTING);
        mirror.replaced(file, bytes);
    }
}
