package io.meshmq.protocol;

import org.agrona.concurrent.UnsafeBuffer;

import static io.meshmq.protocol.FrameDescriptor.BYTE_ORDER;

/**
 * The body section of a message flagged {@link MessageDescriptor#FLAG_LARGE_BODY}: where its bytes are, not the bytes.
 * <pre>
 *  long bodyId   (sent by a client: the uploadId of its LARGE_CHUNKs; kept by a broker: the body's file)
 *  long length   (bytes of body)
 *  byte form     ({@link #FORM_ENCODED}: the bytes are the body as {@link MessageDescriptor} lays it out for the
 *                 message's body type; {@link #FORM_RAW}: a BYTES or STREAM body given as a stream, its bytes
 *                 exactly as the application's InputStream gave them)
 * </pre>
 * It is always the last {@link #LENGTH} bytes of the message, so a broker rewrites the id in place.
 */
public final class LargeBodyDescriptor
{
    public static final int LENGTH = 2 * Long.BYTES + 1;
    public static final byte FORM_ENCODED = 0;
    public static final byte FORM_RAW = 1;

    private LargeBodyDescriptor()
    {
    }

    /**
     * Appends a descriptor: the body section of a large message.
     */
    public static WireWriter write(final WireWriter out, final long bodyId, final long length, final byte form)
    {
        return out.writeLong(bodyId).writeLong(length).writeByte(form);
    }

    public static boolean isLarge(final byte[] encoded)
    {
        return encoded.length > MessageDescriptor.FLAGS_OFFSET &&
            (encoded[MessageDescriptor.FLAGS_OFFSET] & MessageDescriptor.FLAG_LARGE_BODY) != 0;
    }

    /**
     * @return the body id of a message {@link #isLarge}.
     */
    public static long bodyId(final byte[] encoded)
    {
        return new UnsafeBuffer(encoded).getLong(encoded.length - LENGTH, BYTE_ORDER);
    }

    public static long length(final byte[] encoded)
    {
        return new UnsafeBuffer(encoded).getLong(encoded.length - LENGTH + Long.BYTES, BYTE_ORDER);
    }

    public static byte form(final byte[] encoded)
    {
        return encoded[encoded.length - 1];
    }

    /**
     * Names another body: the broker's file for what the client called its upload.
     */
    public static void rewriteBodyId(final byte[] encoded, final long bodyId)
    {
        new UnsafeBuffer(encoded).putLong(encoded.length - LENGTH, bodyId, BYTE_ORDER);
    }

    /**
     * Checks a descriptor read as the body of a message of {@code bodyType}.
     *
     * @throws ProtocolException naming what is wrong.
     */
    static void skip(final WireReader reader, final byte bodyType)
    {
        if (reader.remaining() != LENGTH)
        {
            throw new ProtocolException("a large message's body must be a " + LENGTH + "-byte descriptor, not " +
                reader.remaining() + " bytes");
        }
        reader.readLong();
        final long length = reader.readLong();
        if (length < 0)
        {
            throw new ProtocolException("a large message's body cannot be " + length + " bytes long");
        }
        final byte form = reader.readByte();
        if (form == FORM_RAW ? bodyType != MessageDescriptor.BODY_BYTES && bodyType != MessageDescriptor.BODY_STREAM :
            form != FORM_ENCODED)
        {
            throw new ProtocolException("large body form " + form + " is not valid for body type " + bodyType);
        }
        if (bodyType == MessageDescriptor.BODY_MESSAGE)
        {
            throw new ProtocolException("a message without a body cannot have a large body");
        }
    }
}
