package io.meshmq.broker.cli;

/**
 * The command line is wrong; the message says what and how to write it.
 */
public final class UsageException extends Exception
{
    private static final long serialVersionUID = 1L;

    public UsageException(final String message)
    {
        super(message);
    }
}
