package io.meshmq.protocol;

import org.agrona.DirectBuffer;

import java.nio.charset.StandardCharsets;

import static io.meshmq.protocol.FrameDescriptor.BYTE_ORDER;

/**
 * Reads fields in order from a region of a buffer, checking every length against the end of the region.
 * Reading past the end, or a length that is negative or longer than what is left, throws
 * {@link ProtocolException}: a peer can never make the reader touch memory outside its frame.
 * <p>
 * A flyweight: {@link #wrap(DirectBuffer, int, int)} re-points it, nothing is allocated except the
 * strings and byte arrays it is asked for. Not thread safe.
 */
public final class WireReader
{
    private DirectBuffer buffer;
    private int position;
    private int limit;

    public WireReader wrap(final DirectBuffer buffer, final int offset, final int length)
    {
        if (offset < 0 || length < 0 || offset + length > buffer.capacity())
        {
            throw new ProtocolException("region " + offset + "+" + length + " outside buffer of " + buffer.capacity());
        }
        this.buffer = buffer;
        this.position = offset;
        this.limit = offset + length;
        return this;
    }

    public DirectBuffer buffer()
    {
        return buffer;
    }

    public int position()
    {
        return position;
    }

    public int remaining()
    {
        return limit - position;
    }

    public void skip(final int length)
    {
        require(length);
        position += length;
    }

    public byte readByte()
    {
        require(1);
        return buffer.getByte(position++);
    }

    public boolean readBoolean()
    {
        final byte b = readByte();
        if (b != 0 && b != 1)
        {
            throw new ProtocolException("boolean field holds " + b);
        }
        return b == 1;
    }

    public short readShort()
    {
        require(2);
        final short v = buffer.getShort(position, BYTE_ORDER);
        position += 2;
        return v;
    }

    public char readChar()
    {
        require(2);
        final char v = buffer.getChar(position, BYTE_ORDER);
        position += 2;
        return v;
    }

    public int readInt()
    {
        require(4);
        final int v = buffer.getInt(position, BYTE_ORDER);
        position += 4;
        return v;
    }

    public long readLong()
    {
        require(8);
        final long v = buffer.getLong(position, BYTE_ORDER);
        position += 8;
        return v;
    }

    public float readFloat()
    {
        require(4);
        final float v = buffer.getFloat(position, BYTE_ORDER);
        position += 4;
        return v;
    }

    public double readDouble()
    {
        require(8);
        final double v = buffer.getDouble(position, BYTE_ORDER);
        position += 8;
        return v;
    }

    /**
     * @return the string, or null when the length field is -1.
     */
    public String readString()
    {
        final int length = readLength();
        if (length < 0)
        {
            return null;
        }
        final byte[] bytes = new byte[length];
        buffer.getBytes(position, bytes);
        position += length;
        return new String(bytes, StandardCharsets.UTF_8);
    }

    /**
     * @return a string that must not be null.
     */
    public String readRequiredString(final String fieldName)
    {
        final String value = readString();
        if (value == null)
        {
            throw new ProtocolException("field " + fieldName + " must not be null");
        }
        return value;
    }

    /**
     * @return the bytes, or null when the length field is -1.
     */
    public byte[] readBytes()
    {
        final int length = readLength();
        if (length < 0)
        {
            return null;
        }
        final byte[] bytes = new byte[length];
        buffer.getBytes(position, bytes);
        position += length;
        return bytes;
    }

    /**
     * @return every byte left in the region, copied.
     */
    public byte[] readRest()
    {
        final byte[] bytes = new byte[remaining()];
        buffer.getBytes(position, bytes);
        position = limit;
        return bytes;
    }

    /**
     * Reads a count field and checks that {@code count * minimumElementLength} bytes could follow.
     */
    public int readCount(final int minimumElementLength)
    {
        final int count = readInt();
        // Every element takes a byte at least: a count of empty elements (an admin table without columns, say) must not
        // make a reader loop or allocate without bound (found by WireFuzzTest).
        if (count < 0 || (long)count * Math.max(1, minimumElementLength) > remaining())
        {
            throw new ProtocolException("count " + count + " does not fit in the " + remaining() + " bytes left");
        }
        return count;
    }

    /**
     * Checks that the whole region was read: trailing bytes mean sender and receiver disagree on a layout.
     */
    public void requireEnd(final String frameName)
    {
        if (position != limit)
        {
            throw new ProtocolException(frameName + " frame has " + remaining() + " unexpected trailing bytes");
        }
    }

    private int readLength()
    {
        final int length = readInt();
        if (length < -1)
        {
            throw new ProtocolException("negative length " + length);
        }
        if (length > remaining())
        {
            throw new ProtocolException("length " + length + " exceeds the " + remaining() + " bytes left");
        }
        return length;
    }

    private void require(final int length)
    {
        if (length < 0 || position + length > limit)
        {
            throw new ProtocolException("field of " + length + " bytes at " + position + " runs past the end of the frame");
        }
    }
}
