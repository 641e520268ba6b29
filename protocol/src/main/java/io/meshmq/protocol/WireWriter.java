package io.meshmq.protocol;

import org.agrona.ExpandableArrayBuffer;
import org.agrona.MutableDirectBuffer;

import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;

import static io.meshmq.protocol.FrameDescriptor.BYTE_ORDER;

/**
 * Appends fields to a growable buffer, the counterpart of {@link WireReader}. Frames are written with
 * {@link #beginFrame(byte)} ... {@link #endFrame()}, which back-fills the length field.
 * <p>
 * Meant to be held by its owner thread and reused: {@link #reset()} keeps the grown capacity. Not thread safe.
 */
public final class WireWriter
{
    private final ExpandableArrayBuffer buffer;
    private int position;
    private int frameStart = -1;

    public WireWriter()
    {
        this(256);
    }

    public WireWriter(final int initialCapacity)
    {
        buffer = new ExpandableArrayBuffer(initialCapacity);
    }

    public WireWriter reset()
    {
        position = 0;
        frameStart = -1;
        return this;
    }

    public MutableDirectBuffer buffer()
    {
        return buffer;
    }

    /**
     * @return the backing array; valid bytes are [0, {@link #position()}).
     */
    public byte[] array()
    {
        return buffer.byteArray();
    }

    public int position()
    {
        return position;
    }

    public byte[] toByteArray()
    {
        final byte[] copy = new byte[position];
        buffer.getBytes(0, copy);
        return copy;
    }

    public WireWriter beginFrame(final byte type)
    {
        if (frameStart >= 0)
        {
            throw new IllegalStateException("frame already begun at " + frameStart);
        }
        frameStart = position;
        position += FrameDescriptor.LENGTH_FIELD_LENGTH;
        return writeByte(type);
    }

    public WireWriter endFrame()
    {
        if (frameStart < 0)
        {
            throw new IllegalStateException("no frame begun");
        }
        buffer.putInt(frameStart, position - frameStart - FrameDescriptor.LENGTH_FIELD_LENGTH, BYTE_ORDER);
        frameStart = -1;
        return this;
    }

    public WireWriter writeByte(final byte value)
    {
        buffer.putByte(position, value);
        position += 1;
        return this;
    }

    public WireWriter writeBoolean(final boolean value)
    {
        return writeByte(value ? (byte)1 : (byte)0);
    }

    public WireWriter writeShort(final short value)
    {
        buffer.putShort(position, value, BYTE_ORDER);
        position += 2;
        return this;
    }

    public WireWriter writeChar(final char value)
    {
        buffer.putChar(position, value, BYTE_ORDER);
        position += 2;
        return this;
    }

    public WireWriter writeInt(final int value)
    {
        buffer.putInt(position, value, BYTE_ORDER);
        position += 4;
        return this;
    }

    /**
     * Writes a placeholder int to fill in later with {@link #putIntAt(int, int)}.
     *
     * @return the placeholder's position.
     */
    public int reserveInt()
    {
        final int at = position;
        writeInt(0);
        return at;
    }

    public void putIntAt(final int at, final int value)
    {
        buffer.putInt(at, value, BYTE_ORDER);
    }

    public WireWriter writeLong(final long value)
    {
        buffer.putLong(position, value, BYTE_ORDER);
        position += 8;
        return this;
    }

    public WireWriter writeFloat(final float value)
    {
        buffer.putFloat(position, value, BYTE_ORDER);
        position += 4;
        return this;
    }

    public WireWriter writeDouble(final double value)
    {
        buffer.putDouble(position, value, BYTE_ORDER);
        position += 8;
        return this;
    }

    public WireWriter writeString(final String value)
    {
        if (value == null)
        {
            return writeInt(-1);
        }
        return writeBytes(value.getBytes(StandardCharsets.UTF_8));
    }

    public WireWriter writeBytes(final byte[] value)
    {
        if (value == null)
        {
            return writeInt(-1);
        }
        writeInt(value.length);
        return writeRaw(value, 0, value.length);
    }

    /**
     * Appends the buffer's bytes from its position to its limit, after their count; the buffer is not changed.
     */
    public WireWriter writeBuffer(final ByteBuffer value)
    {
        final int length = value.remaining();
        writeInt(length);
        buffer.putBytes(position, value, value.position(), length);
        position += length;
        return this;
    }

    /**
     * Appends bytes without a length field (a frame's "rest").
     */
    public WireWriter writeRaw(final byte[] value, final int offset, final int length)
    {
        buffer.putBytes(position, value, offset, length);
        position += length;
        return this;
    }
}
