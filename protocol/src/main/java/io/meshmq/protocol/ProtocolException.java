package io.meshmq.protocol;

/**
 * Input that does not follow the wire protocol: a field past the end of its frame, a negative length, an
 * unknown frame type. The connection that sent it gets an {@link FrameType#ERROR} frame and is closed.
 */
public final class ProtocolException extends RuntimeException
{
    private static final long serialVersionUID = 1L;

    private final int errorCode;

    public ProtocolException(final String message)
    {
        this(ErrorCode.MALFORMED_FRAME, message);
    }

    public ProtocolException(final int errorCode, final String message)
    {
        super(message);
        this.errorCode = errorCode;
    }

    /**
     * @return one of the {@link ErrorCode} constants.
     */
    public int errorCode()
    {
        return errorCode;
    }
}
