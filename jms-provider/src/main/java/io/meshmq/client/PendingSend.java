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
    /** The large body the message names, sent already; null for a message with its body in it. */
    private final LargeUpload upload;

    public PendingSend(final byte destinationType, final String destinationName, final byte[] message)
    {
        this(destinationType, destinationName, message, null);
    }

    public PendingSend(final byte destinationType, final String destinationName, final byte[] message,
        final LargeUpload upload)
    {
        this.destinationType = destinationType;
        this.destinationName = destinationName;
        this.message = message;
        this.upload = upload;
    }

    /**
     * @return the large body the message names, or null.
     */
    public LargeUpload upload()
    {
        return upload;
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
