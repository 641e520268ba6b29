package io.meshmq.jms.message;

import io.meshmq.protocol.MessageDescriptor;
import io.meshmq.protocol.WireReader;
import io.meshmq.protocol.WireWriter;
import jakarta.jms.BytesMessage;
import jakarta.jms.JMSException;
import jakarta.jms.MessageEOFException;
import jakarta.jms.MessageFormatException;
import jakarta.jms.MessageNotReadableException;

import java.io.ByteArrayInputStream;
import java.io.ByteArrayOutputStream;
import java.io.DataInputStream;
import java.io.DataOutputStream;
import java.io.EOFException;
import java.io.IOException;
import java.io.OutputStream;
import java.util.Arrays;

/**
 * A message whose body is a stream of bytes, written and read with {@code java.io.DataOutput} encodings.
 * A new message is write-only; {@link #reset()} or receipt makes it read-only.
 */
public final class MeshBytesMessage extends MeshMessage implements BytesMessage
{
    private ByteArrayOutputStream out = new ByteArrayOutputStream();
    private DataOutputStream dataOut = new DataOutputStream(out);
    private byte[] body;
    private DataInputStream dataIn;

    @Override
    protected byte bodyType()
    {
        return MessageDescriptor.BODY_BYTES;
    }

    private boolean isReading()
    {
        return dataIn != null;
    }

    private byte[] bytes() throws JMSException
    {
        if (isLargeBodyPending())
        {
            return readLargeBody();
        }
        return isReading() ? body : out.toByteArray();
    }

    @Override
    protected boolean streamsLargeBody()
    {
        return true;
    }

    @Override
    public long bodyLengthAtMost()
    {
        if (isLargeBodyPending())
        {
            return 0;
        }
        return isReading() ? body.length : out.size();
    }

    @Override
    protected void saveBody(final OutputStream to) throws JMSException
    {
        if (isLargeBodyPending())
        {
            saveLargeBody(to);
            return;
        }
        try
        {
            to.write(bytes());
            to.flush();
        }
        catch (final IOException ex)
        {
            throw JmsStreams.failure("cannot save this message's body", ex);
        }
    }

    @Override
    protected void encodeBody(final WireWriter writer)
    {
        if (isLargeBodyPending())
        {
            // Sent on: the body goes as a stream read from where it was received.
            return;
        }
        if (isReading())
        {
            writer.writeRaw(body, 0, body.length);
        }
        else
        {
            final byte[] bytes = out.toByteArray();
            writer.writeRaw(bytes, 0, bytes.length);
        }
    }

    @Override
    protected void decodeBody(final WireReader reader)
    {
        body = reader.readRest();
    }

    @Override
    protected void onReceived()
    {
        if (isLargeBodyPending())
        {
            startReadingLarge();
            return;
        }
        startReading(body);
    }

    /**
     * Reads a received large body from the broker as the application reads it; the stream is opened on the first read,
     * so a message whose body is never read (or only saved) asks the broker for nothing.
     */
    private void startReadingLarge()
    {
        body = null;
        out = null;
        dataOut = null;
        dataIn = new DataInputStream(new LazyInputStream(() ->
        {
            try
            {
                return new java.io.BufferedInputStream(largeBody().open(), 64 * 1024);
            }
            catch (final JMSException ex)
            {
                throw new IOException(ex.getMessage(), ex);
            }
        }));
    }

    private void startReading(final byte[] bytes)
    {
        body = bytes;
        dataIn = new DataInputStream(new ByteArrayInputStream(bytes));
        out = null;
        dataOut = null;
    }

    /**
     * Switches to reading from the start; the body is read-only until {@link #clearBody()}.
     */
    @Override
    public void reset() throws JMSException
    {
        if (isLargeBodyPending())
        {
            startReadingLarge();
            return;
        }
        startReading(bytes());
    }

    @Override
    public void clearBody() throws JMSException
    {
        super.clearBody();
        body = null;
        dataIn = null;
        out = new ByteArrayOutputStream();
        dataOut = new DataOutputStream(out);
    }

    @Override
    public long getBodyLength() throws JMSException
    {
        checkReadable();
        return isLargeBodyPending() ? largeBodyLength() : body.length;
    }

    @Override
    public <T> T getBody(final Class<T> c) throws JMSException
    {
        final byte[] bytes = bytes();
        return castBody(bytes.length == 0 ? null : Arrays.copyOf(bytes, bytes.length), c, "BytesMessage");
    }

    @Override
    public boolean isBodyAssignableTo(@SuppressWarnings("rawtypes") final Class c)
    {
        return bodyLengthAtMost() == 0 && !isLargeBodyPending() || c.isAssignableFrom(byte[].class);
    }

    // ---- reading ----------------------------------------------------------------------------------------

    private void checkReadable() throws MessageNotReadableException
    {
        if (!isReading())
        {
            throw new MessageNotReadableException("bytes message is in write mode; call reset() to read it");
        }
    }

    private interface Read<T>
    {
        T read(DataInputStream in) throws IOException;
    }

    private <T> T read(final Read<T> read) throws JMSException
    {
        checkReadable();
        try
        {
            return read.read(dataIn);
        }
        catch (final EOFException ex)
        {
            throw new MessageEOFException("end of bytes message body reached");
        }
        catch (final IOException ex)
        {
            final MessageFormatException e = new MessageFormatException("cannot read bytes message body: " + ex);
            e.setLinkedException(ex);
            throw e;
        }
    }

    @Override
    public boolean readBoolean() throws JMSException
    {
        return read(DataInputStream::readBoolean);
    }

    @Override
    public byte readByte() throws JMSException
    {
        return read(DataInputStream::readByte);
    }

    @Override
    public int readUnsignedByte() throws JMSException
    {
        return read(DataInputStream::readUnsignedByte);
    }

    @Override
    public short readShort() throws JMSException
    {
        return read(DataInputStream::readShort);
    }

    @Override
    public int readUnsignedShort() throws JMSException
    {
        return read(DataInputStream::readUnsignedShort);
    }

    @Override
    public char readChar() throws JMSException
    {
        return read(DataInputStream::readChar);
    }

    @Override
    public int readInt() throws JMSException
    {
        return read(DataInputStream::readInt);
    }

    @Override
    public long readLong() throws JMSException
    {
        return read(DataInputStream::readLong);
    }

    @Override
    public float readFloat() throws JMSException
    {
        return read(DataInputStream::readFloat);
    }

    @Override
    public double readDouble() throws JMSException
    {
        return read(DataInputStream::readDouble);
    }

    @Override
    public String readUTF() throws JMSException
    {
        return read(in -> in.readUTF());
    }

    @Override
    public int readBytes(final byte[] value) throws JMSException
    {
        return readBytes(value, value.length);
    }

    @Override
    public int readBytes(final byte[] value, final int length) throws JMSException
    {
        if (length < 0 || length > value.length)
        {
            throw new IndexOutOfBoundsException("length " + length + " outside 0-" + value.length);
        }
        return read(in ->
        {
            final int n = in.read(value, 0, length);
            return n < 0 ? -1 : n;
        });
    }

    // ---- writing ----------------------------------------------------------------------------------------

    private interface Write
    {
        void write(DataOutputStream out) throws IOException;
    }

    private void write(final Write write) throws JMSException
    {
        checkWritable();
        if (isReading())
        {
            throw new jakarta.jms.MessageNotWriteableException("bytes message is in read mode; call clearBody() to write it");
        }
        try
        {
            write.write(dataOut);
        }
        catch (final IOException ex)
        {
            final MessageFormatException e = new MessageFormatException("cannot write bytes message body: " + ex);
            e.setLinkedException(ex);
            throw e;
        }
    }

    @Override
    public void writeBoolean(final boolean value) throws JMSException
    {
        write(o -> o.writeBoolean(value));
    }

    @Override
    public void writeByte(final byte value) throws JMSException
    {
        write(o -> o.writeByte(value));
    }

    @Override
    public void writeShort(final short value) throws JMSException
    {
        write(o -> o.writeShort(value));
    }

    @Override
    public void writeChar(final char value) throws JMSException
    {
        write(o -> o.writeChar(value));
    }

    @Override
    public void writeInt(final int value) throws JMSException
    {
        write(o -> o.writeInt(value));
    }

    @Override
    public void writeLong(final long value) throws JMSException
    {
        write(o -> o.writeLong(value));
    }

    @Override
    public void writeFloat(final float value) throws JMSException
    {
        write(o -> o.writeFloat(value));
    }

    @Override
    public void writeDouble(final double value) throws JMSException
    {
        write(o -> o.writeDouble(value));
    }

    @Override
    public void writeUTF(final String value) throws JMSException
    {
        if (value == null)
        {
            throw new NullPointerException("writeUTF value is null");
        }
        write(o -> o.writeUTF(value));
    }

    @Override
    public void writeBytes(final byte[] value) throws JMSException
    {
        write(o -> o.write(value));
    }

    @Override
    public void writeBytes(final byte[] value, final int offset, final int length) throws JMSException
    {
        write(o -> o.write(value, offset, length));
    }

    @Override
    public void writeObject(final Object value) throws JMSException
    {
        if (value == null)
        {
            throw new NullPointerException("writeObject value is null");
        }
        if (value instanceof Boolean)
        {
            writeBoolean((Boolean)value);
        }
        else if (value instanceof Byte)
        {
            writeByte((Byte)value);
        }
        else if (value instanceof Short)
        {
            writeShort((Short)value);
        }
        else if (value instanceof Character)
        {
            writeChar((Character)value);
        }
        else if (value instanceof Integer)
        {
            writeInt((Integer)value);
        }
        else if (value instanceof Long)
        {
            writeLong((Long)value);
        }
        else if (value instanceof Float)
        {
            writeFloat((Float)value);
        }
        else if (value instanceof Double)
        {
            writeDouble((Double)value);
        }
        else if (value instanceof String)
        {
            writeUTF((String)value);
        }
        else if (value instanceof byte[])
        {
            writeBytes((byte[])value);
        }
        else
        {
            throw new MessageFormatException("writeObject cannot write a " + value.getClass().getName());
        }
    }
}
