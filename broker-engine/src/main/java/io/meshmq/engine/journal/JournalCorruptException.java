package io.meshmq.engine.journal;

import java.nio.file.Path;

/**
 * A journal record that cannot be read where more records follow it: not a crash in mid-write, so recovery
 * stops rather than lose what comes after without saying so.
 */
public final class JournalCorruptException extends Exception
{
    private final Path file;
    private final long offset;

    public JournalCorruptException(final Path file, final long offset, final String reason)
    {
        super("journal file " + file + " is corrupt at offset " + offset + ": " + reason);
        this.file = file;
        this.offset = offset;
    }

    public Path file()
    {
        return file;
    }

    public long offset()
    {
        return offset;
    }
}
