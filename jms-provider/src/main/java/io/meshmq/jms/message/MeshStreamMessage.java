package io.meshmq.jms.message;

import io.meshmq.protocol.MessageDescriptor;
import io.meshmq.protocol.TypedValueCodec;
import io.meshmq.protocol.WireReader;
import io.meshmq.protocol.WireWriter;
import jakarta.jms.JMSException;
import jakarta.jms.MessageEOFException;
import jakarta.jms.MessageFormatException;
import jakarta.jms.MessageNotReadableException;
import jakarta.jms.MessageNotWriteableException;
import jakarta.jms.StreamMessage;

import java.io.OutputStream;
import java.util.ArrayList;
import java.util.List;

/**
 * A message whose body is a sequence of typed values, read back in order with the conversions of the
 * specification. A read that fails with a conversion error leaves the position where it was.
 */
public final class MeshStreamMessage extends MeshMessage implements StreamMessage
{
    private final List<Object> values = new ArrayList<>();
    private boolean reading;
    private int position;
    /** Bytes of the current byte[] value already returned by readBytes; -1 when none in progress. */
    private int bytesOffset = -1;

    @Override
    protected byte bodyType()
    {
        return MessageDescriptor.BODY_STREAM;
    }

    @Override
    protected void encodeBody(final WireWriter writer)
    {
        for (final Object value : values)
        {
            TypedValueCodec.write(writer, value);
        }
    }

    /**
     * A body given as a stream is one byte[] value.
     */
    @Override
    protected void decodeRawBody(final byte[] bytes)
    {
        values.add(bytes);
    }

    @Override
    public long bodyLengthAtMost()
    {
        return values.isEmpty() ? 0 : Long.MAX_VALUE;
    }

    @Override
    protected void saveBody(final OutputStream out) throws JMSException
    {
        if (isRawLargeBody() && isLargeBodyPending())
        {
            saveLargeBody(out);
            return;
        }
        if (values.size() == 1 && values.get(0) instanceof byte[] bytes)
        {
            try
            {
                out.write(bytes);
                out.flush();
            }
            catch (final java.io.IOException ex)
            {
                throw JmsStreams.failure("cannot save this message's body", ex);
            }
            return;
        }
        throw new MessageFormatException(SAVE_STREAM + " reads a StreamMessage whose body was given as a stream (one " +
            "byte[] value); this one holds " + values.size() + " values");
    }

    @Override
    protected void decodeBody(final WireReader reader)
    {
        while (reader.remaining() > 0)
        {
            values.add(TypedValueCodec.read(reader));
        }
    }

    @Override
    protected void onReceived()
    {
        reset();
    }

    @Override
    public void reset()
    {
        reading = true;
        position = 0;
        bytesOffset = -1;
    }

    @Override
    public void clearBody() throws JMSException
    {
        super.clearBody();
        values.clear();
        reading = false;
        position = 0;
        bytesOffset = -1;
    }

    @Override
    public <T> T getBody(final Class<T> c) throws JMSException
    {
        throw new MessageFormatException("the body of a StreamMessage cannot be read with getBody");
    }

    @Override
    public boolean isBodyAssignableTo(@SuppressWarnings("rawtypes") final Class c)
    {
        return false;
    }

    // ---- reading ----------------------------------------------------------------------------------------

    private interface Conversion<T>
    {
        T convert(Object value) throws JMSException;
    }

    private <T> T read(final Conversion<T> conversion) throws JMSException
    {
        if (!reading)
        {
            throw new MessageNotReadableException("stream message is in write mode; call reset() to read it");
        }
        checkBodyInMemory();
        if (bytesOffset >= 0)
        {
            throw new MessageFormatException("the byte[] value being read with readBytes has not been read to its end");
        }
        if (position >= values.size())
        {
            throw new MessageEOFException("end of stream message reached");
        }
        final T result = conversion.convert(values.get(position));
        position++;
        return result;
    }

    @Override
    public boolean readBoolean() throws JMSException
    {
        return read(TypeConversions::toBoolean);
    }

    @Override
    public byte readByte() throws JMSException
    {
        return read(TypeConversions::toByte);
    }

    @Override
    public short readShort() throws JMSException
    {
        return read(TypeConversions::toShort);
    }

    @Override
    public char readChar() throws JMSException
    {
        return read(TypeConversions::toChar);
    }

    @Override
    public int readInt() throws JMSException
    {
        return read(TypeConversions::toInt);
    }

    @Override
    public long readLong() throws JMSException
    {
        return read(TypeConversions::toLong);
    }

    @Override
    public float readFloat() throws JMSException
    {
        return read(TypeConversions::toFloat);
    }

    @Override
    public double readDouble() throws JMSException
    {
        return read(TypeConversions::toDouble);
    }

    @Override
    public String readString() throws JMSException
    {
        return read(TypeConversions::toStringValue);
    }

    @Override
    public Object readObject() throws JMSException
    {
        return read(v -> v instanceof byte[] ? ((byte[])v).clone() : v);
    }

    /**
     * Reads a byte[] value in as many calls as the caller's array needs; -1 once the value is used up.
     */
    @Override
    public int readBytes(final byte[] value) throws JMSException
    {
        if (!reading)
        {
            throw new MessageNotReadableException("stream message is in write mode; call reset() to read it");
        }
        checkBodyInMemory();
        if (position >= values.size())
        {
            throw new MessageEOFException("end of stream message reached");
        }
        final Object current = values.get(position);
        if (current == null)
        {
            position++;
            return -1;
        }
        if (!(current instanceof byte[]))
        {
            throw new MessageFormatException("a " + current.getClass().getSimpleName() + " value cannot be read as byte[]");
        }
        final byte[] bytes = (byte[])current;
        final int offset = Math.max(bytesOffset, 0);
        final int left = bytes.length - offset;
        if (left == 0 && bytesOffset >= 0)
        {
            bytesOffset = -1;
            position++;
            return -1;
        }
        final int n = Math.min(left, value.length);
        System.arraycopy(bytes, offset, value, 0, n);
        bytesOffset = offset + n;
        if (n < value.length)
        {
            // Short read: the value is finished, the next call moves on.
            bytesOffset = -1;
            position++;
        }
        return n;
    }

    // ---- writing ----------------------------------------------------------------------------------------

    private void add(final Object value) throws JMSException
    {
        checkWritable();
        if (reading)
        {
            throw new MessageNotWriteableException("stream message is in read mode; call clearBody() to write it");
        }
        values.add(value);
    }

    @Override
    public void writeBoolean(final boolean value) throws JMSException
    {
        add(value);
    }

    @Override
    public void writeByte(final byte value) throws JMSException
    {
        add(value);
    }

    @Override
    public void writeShort(final short value) throws JMSException
    {
        add(value);
    }

    @Override
    public void writeChar(final char value) throws JMSException
    {
        add(value);
    }

    @Override
    public void writeInt(final int value) throws JMSException
    {
        add(value);
    }

    @Override
    public void writeLong(final long value) throws JMSException
    {
        add(value);
    }

    @Override
    public void writeFloat(final float value) throws JMSException
    {
        add(value);
    }

    @Override
    public void writeDouble(final double value) throws JMSException
    {
        add(value);
    }

    @Override
    public void writeString(final String value) throws JMSException
    {
        add(value);
    }

    @Override
    public void writeBytes(final byte[] value) throws JMSException
    {
        add(value == null ? null : value.clone());
    }

    @Override
    public void writeBytes(final byte[] value, final int offset, final int length) throws JMSException
    {
        add(java.util.Arrays.copyOfRange(value, offset, offset + length));
    }

    @Override
    public void writeObject(final Object value) throws JMSException
    {
        if (!TypeConversions.isBodyValueType(value))
        {
            throw new MessageFormatException("a stream message cannot hold a " + value.getClass().getName());
        }
        add(value instanceof byte[] ? ((byte[])value).clone() : value);
    }
}
