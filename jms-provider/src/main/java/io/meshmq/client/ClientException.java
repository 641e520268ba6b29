package io.meshmq.client;

import io.meshmq.protocol.ErrorCode;

/**
 * A failure of the client core: an error frame from the broker (with its {@link ErrorCode}), a lost
 * connection or a timeout. The JMS layer turns it into the matching JMS exception.
 */
public final class ClientException extends Exception
{
    private static final long serialVersionUID = 1L;

    /** Not an error code of the protocol: the connection is gone. */
    public static final int CONNECTION_LOST = -1;
    /** Not an error code of the protocol: the broker did not answer in time. */
    public static final int TIMEOUT = -2;
    /** Not an error code of the protocol: the client is reconnecting and a call waited for it too long. */
    public static final int RECONNECTING = -3;
    /** Not an error code of the protocol: a failover rolled the transaction back. */
    public static final int ROLLED_BACK = -4;
    /** Not an error code of the protocol: what was acknowledged was delivered before a failover; it comes again. */
    public static final int FAILED_OVER = -5;
    /** Not an error code of the protocol: the connection failed while a commit was in flight, its outcome unknown. */
    public static final int IN_DOUBT = -6;
    /**
     * Not an error code of the protocol: the connection failed before a send was confirmed, and the client failed over
     * to a broker of another journal (with HA, the lost one's was not served again in time): the message may be stored
     * in the lost journal, so it is not sent again.
     */
    public static final int SEND_IN_DOUBT = -7;

    private final int code;

    public ClientException(final int code, final String message)
    {
        super(message);
        this.code = code;
    }

    public ClientException(final int code, final String message, final Throwable cause)
    {
        super(message, cause);
        this.code = code;
    }

    public int code()
    {
        return code;
    }

    /**
     * @return for a failed commit, whether the session's transaction has ended: the broker refused it (an error
     * frame; a broker applies a transaction whole or not at all), a failover rolled it back, or it is in doubt (the
     * application is told so; the session goes on with a new transaction either way).
     */
    public boolean rolledBackCommit()
    {
        return code > 0 || code == ROLLED_BACK || code == IN_DOUBT;
    }
}
