package io.meshmq.engine;

/**
 * A broker could not start; the message says why in terms the operator can act on (a port in use, a data
 * directory locked by another broker, a bad setting).
 */
public final class BrokerStartException extends Exception
{
    private static final long serialVersionUID = 1L;

    public BrokerStartException(final String message)
    {
        super(message);
    }

    public BrokerStartException(final String message, final Throwable cause)
    {
        super(message, cause);
    }
}
