package io.meshmq.engine.journal;

/**
 * The journal could not write or force: a full disk or an I/O error. What it was writing is not stored.
 */
public final class JournalWriteException extends RuntimeException
{
    public JournalWriteException(final String message, final Throwable cause)
    {
        super(message, cause);
    }
}
