package io.meshmq.engine.journal;

import java.nio.file.Path;

/**
 * A journal record that cannot be read where more records follow it (not a crash in mid-write), or a segment file
 * that should be there and is not: recovery stops rather than lose data without saying so.
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

    /**
     * A whole file is wrong (missing, or not what it should be): there is no offset.
     */
    public JournalCorruptException(final Path file, final String reason)
    {
        super("journal file " + file + ": " + reason);
        this.file = file;
        this.offset = -1;
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
