package io.meshmq.client;

/**
 * A message held by a transacted session until commit: already encoded, so later changes the application
 * makes to the message object do not change what is sent. Immutable.
 */
public final class PendingSend
{
    private final byte destinationType;
    private final String destinationName;
    private final byte[] message;

    public PendingSend(final byte destinationType, final String destinationName, final byte[] message)
    {
        this.destinationType = destinationType;
        this.destinationName = destinationName;
        this.message = message;
    }

    public byte destinationType()
    {
        return destinationType;
    }

    public String destinationName()
    {
        return destinationName;
    }

    public byte[] message()
    {
        return message;
    }
}
