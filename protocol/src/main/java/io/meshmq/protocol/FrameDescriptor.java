package io.meshmq.protocol;

import java.nio.ByteOrder;

/**
 * Layout of a frame on the wire. Every multi-byte field, here and in every frame body, is little endian.
 * <pre>
 *   0                   1                   2                   3
 *   0 1 2 3 4 5 6 7 8 9 0 1 2 3 4 5 6 7 8 9 0 1 2 3 4 5 6 7 8 9 0 1
 *  +---------------------------------------------------------------+
 *  |                 Length (bytes that follow this field)         |
 *  +---------------+-----------------------------------------------+
 *  |     Type      |  Body (layout per type, see FrameType)       ...
 *  +---------------+-----------------------------------------------+
 * </pre>
 * The first frame on a connection must be {@link FrameType#HELLO}. A frame whose length is negative, zero
 * or larger than the receiver's maximum closes the connection with an error.
 */
public final class FrameDescriptor
{
    public static final ByteOrder BYTE_ORDER = ByteOrder.LITTLE_ENDIAN;

    public static final int LENGTH_FIELD_LENGTH = 4;
    public static final int TYPE_OFFSET = 0;
    /** Offset of the body within a frame once the length field is stripped. */
    public static final int BODY_OFFSET = 1;

    /** "MSHQ" as a little endian int: the first field of a HELLO frame. */
    public static final int MAGIC = 0x5148534D;
    public static final short PROTOCOL_VERSION = 1;

    /** Default largest frame a peer accepts: 100 MiB, so a single large message still fits. */
    public static final int DEFAULT_MAX_FRAME_LENGTH = 100 * 1024 * 1024;

    /** Most bytes one LARGE_READ may ask for. */
    public static final int MAX_LARGE_READ = 1024 * 1024;
    /** Bytes of body a client puts in one LARGE_CHUNK: well under any maximum frame length a broker is given. */
    public static final int LARGE_CHUNK_BYTES = 64 * 1024;

    /** Role in HELLO: an application client. */
    public static final byte ROLE_CLIENT = 1;
    /** Role in HELLO: another broker of the same cluster (core connection). */
    public static final byte ROLE_CLUSTER = 2;

    private FrameDescriptor()
    {
    }
}
