package io.meshmq.broker.config;

/**
 * A configuration error, with a message that names the key (and file and line) and what is accepted.
 */
public final class ConfigException extends Exception
{
    private static final long serialVersionUID = 1L;

    public ConfigException(final String message)
    {
        super(message);
    }
}
