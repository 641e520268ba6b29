package io.meshmq.protocol;

import org.agrona.DirectBuffer;
import org.agrona.concurrent.UnsafeBuffer;

import static io.meshmq.protocol.FrameDescriptor.BYTE_ORDER;
import static io.meshmq.protocol.MessageDescriptor.*;

/**
 * Reads the fixed header of an encoded message in place (see {@link MessageDescriptor}); what the broker
 * needs to queue a message: persistence, priority, expiration and delivery time. Not thread safe.
 */
public final class MessageHeaderFlyweight
{
    private final UnsafeBuffer buffer = new UnsafeBuffer(0, 0);
    private int offset;

    /**
     * @throws ProtocolException if the region is shorter than the fixed header or a field is out of range.
     */
    public MessageHeaderFlyweight wrap(final byte[] message)
    {
        return wrap(message, 0, message.length);
    }

    public MessageHeaderFlyweight wrap(final byte[] message, final int offset, final int length)
    {
        buffer.wrap(message, offset, length);
        this.offset = 0;
        validate(length);
        return this;
    }

    public MessageHeaderFlyweight wrap(final DirectBuffer message, final int offset, final int length)
    {
        buffer.wrap(message, offset, length);
        this.offset = 0;
        validate(length);
        return this;
    }

    private void validate(final int length)
    {
        if (length < FIXED_HEADER_LENGTH)
        {
            throw new ProtocolException("message of " + length + " bytes is shorter than its fixed header (" +
                FIXED_HEADER_LENGTH + ")");
        }
        final byte bodyType = bodyType();
        if (bodyType < BODY_MESSAGE || bodyType > BODY_TEXT)
        {
            throw new ProtocolException("unknown message body type " + bodyType);
        }
        final byte mode = deliveryMode();
        if (mode != NON_PERSISTENT && mode != PERSISTENT)
        {
            throw new ProtocolException("unknown delivery mode " + mode);
        }
        final int priority = priority();
        if (priority < 0 || priority > 9)
        {
            throw new ProtocolException("priority " + priority + " outside 0-9");
        }
    }

    public byte bodyType()
    {
        return buffer.getByte(offset + BODY_TYPE_OFFSET);
    }

    public byte deliveryMode()
    {
        return buffer.getByte(offset + DELIVERY_MODE_OFFSET);
    }

    public boolean isPersistent()
    {
        return deliveryMode() == PERSISTENT;
    }

    public int priority()
    {
        return buffer.getByte(offset + PRIORITY_OFFSET);
    }

    /**
     * @return true if the application gave the message a duplicate id of its own (read it with
     * {@link MessageFields#addressOf}); else the message id is what duplicate detection knows it by.
     */
    public boolean hasDuplicateId()
    {
        return (buffer.getByte(offset + MessageDescriptor.FLAGS_OFFSET) & MessageDescriptor.FLAG_DUPLICATE_ID) != 0;
    }

    /**
     * @return true if the application put the message in a group (JMSXGroupID).
     */
    public boolean hasGroupId()
    {
        return (buffer.getByte(offset + MessageDescriptor.FLAGS_OFFSET) & MessageDescriptor.FLAG_GROUP_ID) != 0;
    }

    /**
     * @return true if the body is in a file of the broker (see {@link LargeBodyDescriptor}).
     */
    public boolean hasLargeBody()
    {
        return (buffer.getByte(offset + MessageDescriptor.FLAGS_OFFSET) & MessageDescriptor.FLAG_LARGE_BODY) != 0;
    }

    public long timestamp()
    {
        return buffer.getLong(offset + TIMESTAMP_OFFSET, BYTE_ORDER);
    }

    public long expiration()
    {
        return buffer.getLong(offset + EXPIRATION_OFFSET, BYTE_ORDER);
    }

    public long deliveryTime()
    {
        return buffer.getLong(offset + DELIVERY_TIME_OFFSET, BYTE_ORDER);
    }

    /**
     * @return the message id the producer gave it (the first field after the fixed header), or null if the producer
     * gave none; what duplicate detection knows a message by.
     * @throws ProtocolException if the field runs past the message.
     */
    public String messageId()
    {
        final int at = offset + FIXED_HEADER_LENGTH;
        if (at + Integer.BYTES > buffer.capacity())
        {
            throw new ProtocolException("message ends before its message id");
        }
        final int length = buffer.getInt(at, BYTE_ORDER);
        if (length < 0)
        {
            return null;
        }
        if (length > buffer.capacity() - at - Integer.BYTES)
        {
            throw new ProtocolException("message id of " + length + " bytes runs past the message");
        }
        return buffer.getStringWithoutLengthUtf8(at + Integer.BYTES, length);
    }
}
