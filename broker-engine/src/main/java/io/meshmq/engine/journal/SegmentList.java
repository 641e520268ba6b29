package io.meshmq.engine.journal;

import io.meshmq.engine.mirror.DataMirror;

import java.io.IOException;
import java.nio.channels.FileChannel;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.util.Collection;
import java.util.List;
import java.util.TreeSet;

/**
 * The journal's list of its segment files ({@value #FILE}, beside them): rewritten, forced, whenever a segment is
 * made (before any record goes into it) and before segments are deleted, so recovery knows every segment that must be
 * there. A listed segment that is missing is data lost (a deleted or misplaced file), never a segment the journal
 * reclaimed.
 * <p>
 * A text file of one segment sequence per line, after a comment line; replaced whole ({@link ForcedFile}).
 */
final class SegmentList
{
    static final String FILE = "segments.list";
    private static final String HEADER = "# MeshMQ journal segments; written by the broker, do not edit";

    private SegmentList()
    {
    }

    /**
     * @return the sequences listed, or null if the journal has no list (new, or written before lists were kept).
     * @throws JournalCorruptException if the list cannot be read.
     */
    static TreeSet<Long> read(final Path directory) throws IOException, JournalCorruptException
    {
        final Path file = directory.resolve(FILE);
        final List<String> lines;
        try
        {
            lines = Files.readAllLines(file);
        }
        catch (final NoSuchFileException ex)
        {
            return null;
        }
        final TreeSet<Long> sequences = new TreeSet<>();
        for (int i = 0; i < lines.size(); i++)
        {
            final String line = lines.get(i).strip();
            if (line.isEmpty() || line.startsWith("#"))
            {
                continue;
            }
            try
            {
                sequences.add(Long.parseLong(line));
            }
            catch (final NumberFormatException ex)
            {
                throw new JournalCorruptException(file, "line " + (i + 1) + " is '" + line + "', not a segment " +
                    "number: the list of segments is damaged (delete it to start without the check of missing segments)");
            }
        }
        return sequences;
    }

    /**
     * Replaces the list, and forces the directory so that the new list, not the old, is found after a crash.
     */
    static void write(final Path directory, final Collection<Long> sequences, final DataMirror mirror) throws IOException
    {
        final StringBuilder text = new StringBuilder(HEADER).append('\n');
        for (final long sequence : new TreeSet<>(sequences))
        {
            text.append(sequence).append('\n');
        }
        ForcedFile.replace(directory.resolve(FILE), text.toString(), mirror);
        try (FileChannel channel = FileChannel.open(directory, StandardOpenOption.READ))
        {
            channel.force(true);
        }
    }
}
