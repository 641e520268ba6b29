package io.meshmq.protocol;

import org.agrona.concurrent.UnsafeBuffer;

/**
 * Checks that an encoded message (see {@link MessageDescriptor}) is whole: every length and count fits, every tag is
 * known, and the body is what its type says, to the last byte. The broker checks each message it is sent, so what it
 * stores and delivers can always be decoded; a message that could not be would be taken by no consumer, seen by no
 * browser and sent to no dead-letter address.
 * <p>
 * Walks the bytes without making strings or values. An instance keeps its reader for the next message, so a connection's
 * handler checks every message it is sent without allocating; it is not thread safe (one per handler). The static
 * {@link #validate(byte[])} is, for callers shared by threads.
 */
public final class MessageValidator
{
    private static final int MAX_PRIORITY = 9;
    private static final byte[] NO_BYTES = new byte[0];

    private final UnsafeBuffer view = new UnsafeBuffer(0, 0);
    private final WireReader reader = new WireReader();

    /**
     * @throws ProtocolException naming the first thing wrong.
     */
    public static void validate(final byte[] encoded)
    {
        new MessageValidator().check(encoded);
    }

    /**
     * @throws ProtocolException naming the first thing wrong.
     */
    public void check(final byte[] encoded)
    {
        if (encoded.length < MessageDescriptor.FIXED_HEADER_LENGTH)
        {
            throw new ProtocolException("message of " + encoded.length + " bytes is shorter than its fixed header (" +
                MessageDescriptor.FIXED_HEADER_LENGTH + ")");
        }
        view.wrap(encoded);
        try
        {
            walk(reader.wrap(view, 0, encoded.length));
            if ((encoded[MessageDescriptor.FLAGS_OFFSET] & MessageDescriptor.FLAG_DUPLICATE_ID) != 0)
            {
                // Read now, on the I/O thread, so the processor never meets a message flagged without the id.
                MessageFields.addressOf(encoded);
            }
        }
        finally
        {
            // The message may be large: this validator must not keep it alive until the next one.
            view.wrap(NO_BYTES);
        }
    }

    private static void walk(final WireReader reader)
    {
        final byte bodyType = reader.readByte();
        if (bodyType < MessageDescriptor.BODY_MESSAGE || bodyType > MessageDescriptor.BODY_TEXT)
        {
            throw new ProtocolException("unknown message body type " + bodyType);
        }
        final byte deliveryMode = reader.readByte();
        if (deliveryMode != MessageDescriptor.NON_PERSISTENT && deliveryMode != MessageDescriptor.PERSISTENT)
        {
            throw new ProtocolException("unknown delivery mode " + deliveryMode);
        }
        final byte priority = reader.readByte();
        if (priority < 0 || priority > MAX_PRIORITY)
        {
            throw new ProtocolException("priority " + priority + " is not 0-" + MAX_PRIORITY);
        }
        final byte flags = reader.readByte();
        if ((flags & ~(MessageDescriptor.FLAG_DUPLICATE_ID | MessageDescriptor.FLAG_GROUP_ID |
            MessageDescriptor.FLAG_LARGE_BODY)) != 0)
        {
            throw new ProtocolException("unknown message flags 0x" + Integer.toHexString(flags & 0xff));
        }
        reader.skip(MessageDescriptor.FIXED_HEADER_LENGTH - 4);
        skipSized(reader, "message id");
        final byte correlationKind = reader.readByte();
        if (correlationKind == MessageDescriptor.CORRELATION_STRING || correlationKind == MessageDescriptor.CORRELATION_BYTES)
        {
            skipSized(reader, "correlation id");
        }
        else if (correlationKind != MessageDescriptor.CORRELATION_NONE)
        {
            throw new ProtocolException("unknown correlation id kind " + correlationKind);
        }
        skipSized(reader, "type");
        skipDestination(reader, "destination");
        skipDestination(reader, "reply-to");
        final int properties = reader.readCount(5);
        for (int i = 0; i < properties; i++)
        {
            if (skipSized(reader, "property name") < 0)
            {
                throw new ProtocolException("property " + i + " has no name");
            }
            skipTypedValue(reader);
        }
        if ((flags & MessageDescriptor.FLAG_LARGE_BODY) != 0)
        {
            LargeBodyDescriptor.skip(reader, bodyType);
        }
        else
        {
            skipBody(reader, bodyType);
        }
        if (reader.remaining() != 0)
        {
            throw new ProtocolException("message has " + reader.remaining() + " bytes after its body");
        }
    }

    private static void skipBody(final WireReader reader, final byte bodyType)
    {
        switch (bodyType)
        {
            case MessageDescriptor.BODY_MESSAGE:
                break;
            case MessageDescriptor.BODY_BYTES:
                reader.skip(reader.remaining());
                break;
            case MessageDescriptor.BODY_TEXT:
                skipSized(reader, "text body");
                break;
            case MessageDescriptor.BODY_OBJECT:
                skipSized(reader, "object body");
                break;
            case MessageDescriptor.BODY_MAP:
            {
                final int entries = reader.readCount(5);
                for (int i = 0; i < entries; i++)
                {
                    if (skipSized(reader, "map entry name") < 0)
                    {
                        throw new ProtocolException("map entry " + i + " has no name");
                    }
                    skipTypedValue(reader);
                }
                break;
            }
            default:
                while (reader.remaining() > 0)
                {
                    skipTypedValue(reader);
                }
        }
    }

    private static void skipDestination(final WireReader reader, final String what)
    {
        final byte type = reader.readByte();
        if (type == DestinationType.NONE)
        {
            return;
        }
        if (!DestinationType.isValid(type))
        {
            throw new ProtocolException("unknown " + what + " type " + type);
        }
        if (skipSized(reader, what + " name") < 0)
        {
            throw new ProtocolException(what + " has no name");
        }
    }

    private static void skipTypedValue(final WireReader reader)
    {
        final byte tag = reader.readByte();
        switch (tag)
        {
            case TypedValueCodec.NULL: break;
            case TypedValueCodec.BOOLEAN:
            case TypedValueCodec.BYTE: reader.skip(1); break;
            case TypedValueCodec.SHORT:
            case TypedValueCodec.CHAR: reader.skip(2); break;
            case TypedValueCodec.INT:
            case TypedValueCodec.FLOAT: reader.skip(4); break;
            case TypedValueCodec.LONG:
            case TypedValueCodec.DOUBLE: reader.skip(8); break;
            case TypedValueCodec.STRING: skipSized(reader, "string value"); break;
            case TypedValueCodec.BYTES: skipSized(reader, "bytes value"); break;
            default: throw new ProtocolException("unknown typed value tag " + tag);
        }
    }

    /**
     * Skips a length-prefixed string or byte array.
     *
     * @return its length, -1 for null.
     */
    private static int skipSized(final WireReader reader, final String what)
    {
        final int length = reader.readInt();
        if (length < -1 || length > reader.remaining())
        {
            throw new ProtocolException(what + " has length " + length + " with " + reader.remaining() + " bytes left");
        }
        if (length > 0)
        {
            reader.skip(length);
        }
        return length;
    }
}
