package io.meshmq.protocol;

/**
 * Codes carried by {@link FrameType#ERROR} frames; the client maps each one to the matching JMS exception.
 */
public final class ErrorCode
{
    /** Anything not covered by a more specific code. */
    public static final int GENERIC = 1;
    /** The frame could not be decoded: the connection is closed after this error. */
    public static final int MALFORMED_FRAME = 2;
    /** The handshake was missing, had the wrong magic or an unsupported version. */
    public static final int BAD_HANDSHAKE = 3;
    /** A frame longer than the broker accepts. */
    public static final int FRAME_TOO_LONG = 4;
    /** A destination that does not exist and may not be created. */
    public static final int INVALID_DESTINATION = 5;
    /** A consumer, session or delivery id the broker does not know on this connection. */
    public static final int UNKNOWN_ID = 6;
    /** An operation that is not allowed in the current state (e.g. a duplicate id). */
    public static final int ILLEGAL_STATE = 7;
    /** A message selector the broker cannot parse. */
    public static final int INVALID_SELECTOR = 8;
    /** Credentials refused. */
    public static final int SECURITY = 9;
    /** A client id already in use on another connection. */
    public static final int INVALID_CLIENT_ID = 10;
    /** The broker is shutting down. */
    public static final int SHUTTING_DOWN = 11;
    /** The broker could not store it: a full disk or an I/O error on its journal. */
    public static final int STORAGE = 12;
    /** No transaction branch of that xid: never prepared, or already completed (XAER_NOTA). */
    public static final int XA_UNKNOWN_XID = 13;
    /** A branch of that xid is already prepared (XAER_DUPID). */
    public static final int XA_DUPLICATE_XID = 14;
    /** An operator already committed the branch by hand (XA_HEURCOM); it is kept until forgotten. */
    public static final int XA_HEURISTIC_COMMIT = 15;
    /** An operator already rolled the branch back by hand (XA_HEURRB); it is kept until forgotten. */
    public static final int XA_HEURISTIC_ROLLBACK = 16;
    /** The destination, or the broker as a whole, holds as many waiting messages as its memory limit allows. */
    public static final int ADDRESS_FULL = 17;
    /** A cluster connection from a node of another cluster, or from the node itself. */
    public static final int CLUSTER_MISMATCH = 18;
    /** The broker holds as many connections as it may, in all or from the caller's address. */
    public static final int CONNECTION_LIMIT = 19;

    private ErrorCode()
    {
    }
}
