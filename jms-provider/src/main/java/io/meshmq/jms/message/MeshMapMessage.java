package io.meshmq.jms.message;

import io.meshmq.protocol.MessageDescriptor;
import io.meshmq.protocol.TypedValueCodec;
import io.meshmq.protocol.WireReader;
import io.meshmq.protocol.WireWriter;
import jakarta.jms.JMSException;
import jakarta.jms.MapMessage;
import jakarta.jms.MessageFormatException;

import java.util.Collections;
import java.util.Enumeration;
import java.util.LinkedHashMap;
import java.util.Map;

/**
 * A message whose body is a set of named, typed values.
 */
public final class MeshMapMessage extends MeshMessage implements MapMessage
{
    private final Map<String, Object> map = new LinkedHashMap<>();

    @Override
    protected byte bodyType()
    {
        return MessageDescriptor.BODY_MAP;
    }

    /**
     * Only encoding it tells.
     */
    @Override
    public long bodyLengthAtMost()
    {
        return Long.MAX_VALUE;
    }

    @Override
    protected void encodeBody(final WireWriter writer)
    {
        writer.writeInt(map.size());
        for (final Map.Entry<String, Object> entry : map.entrySet())
        {
            writer.writeString(entry.getKey());
            TypedValueCodec.write(writer, entry.getValue());
        }
    }

    @Override
    protected void decodeBody(final WireReader reader)
    {
        final int count = reader.readCount(5);
        for (int i = 0; i < count; i++)
        {
            map.put(reader.readRequiredString("map entry name"), TypedValueCodec.read(reader));
        }
    }

    @Override
    public void clearBody() throws JMSException
    {
        super.clearBody();
        map.clear();
    }

    @Override
    public <T> T getBody(final Class<T> c) throws JMSException
    {
        return castBody(map.isEmpty() ? null : new LinkedHashMap<>(map), c, "MapMessage");
    }

    @Override
    public boolean isBodyAssignableTo(@SuppressWarnings("rawtypes") final Class c)
    {
        return map.isEmpty() || c.isAssignableFrom(Map.class);
    }

    @Override
    public boolean getBoolean(final String name) throws JMSException
    {
        return TypeConversions.toBoolean(map.get(name));
    }

    @Override
    public byte getByte(final String name) throws JMSException
    {
        return TypeConversions.toByte(map.get(name));
    }

    @Override
    public short getShort(final String name) throws JMSException
    {
        return TypeConversions.toShort(map.get(name));
    }

    @Override
    public char getChar(final String name) throws JMSException
    {
        return TypeConversions.toChar(map.get(name));
    }

    @Override
    public int getInt(final String name) throws JMSException
    {
        return TypeConversions.toInt(map.get(name));
    }

    @Override
    public long getLong(final String name) throws JMSException
    {
        return TypeConversions.toLong(map.get(name));
    }

    @Override
    public float getFloat(final String name) throws JMSException
    {
        return TypeConversions.toFloat(map.get(name));
    }

    @Override
    public double getDouble(final String name) throws JMSException
    {
        return TypeConversions.toDouble(map.get(name));
    }

    @Override
    public String getString(final String name) throws JMSException
    {
        return TypeConversions.toStringValue(map.get(name));
    }

    @Override
    public byte[] getBytes(final String name) throws JMSException
    {
        final byte[] bytes = TypeConversions.toBytes(map.get(name));
        return bytes == null ? null : bytes.clone();
    }

    @Override
    public Object getObject(final String name)
    {
        final Object value = map.get(name);
        return value instanceof byte[] ? ((byte[])value).clone() : value;
    }

    @Override
    public Enumeration<String> getMapNames()
    {
        return Collections.enumeration(map.keySet().stream().toList());
    }

    @Override
    public void setBoolean(final String name, final boolean value) throws JMSException
    {
        put(name, value);
    }

    @Override
    public void setByte(final String name, final byte value) throws JMSException
    {
        put(name, value);
    }

    @Override
    public void setShort(final String name, final short value) throws JMSException
    {
        put(name, value);
    }

    @Override
    public void setChar(final String name, final char value) throws JMSException
    {
        put(name, value);
    }

    @Override
    public void setInt(final String name, final int value) throws JMSException
    {
        put(name, value);
    }

    @Override
    public void setLong(final String name, final long value) throws JMSException
    {
        put(name, value);
    }

    @Override
    public void setFloat(final String name, final float value) throws JMSException
    {
        put(name, value);
    }

    @Override
    public void setDouble(final String name, final double value) throws JMSException
    {
        put(name, value);
    }

    @Override
    public void setString(final String name, final String value) throws JMSException
    {
        put(name, value);
    }

    @Override
    public void setBytes(final String name, final byte[] value) throws JMSException
    {
        put(name, value == null ? null : value.clone());
    }

    @Override
    public void setBytes(final String name, final byte[] value, final int offset, final int length) throws JMSException
    {
        put(name, java.util.Arrays.copyOfRange(value, offset, offset + length));
    }

    @Override
    public void setObject(final String name, final Object value) throws JMSException
    {
        if (!TypeConversions.isBodyValueType(value))
        {
            throw new MessageFormatException("a map message cannot hold a " + value.getClass().getName());
        }
        put(name, value instanceof byte[] ? ((byte[])value).clone() : value);
    }

    @Override
    public boolean itemExists(final String name)
    {
        return map.containsKey(name);
    }

    private void put(final String name, final Object value) throws JMSException
    {
        if (name == null || name.isEmpty())
        {
            throw new IllegalArgumentException("map entry name must not be null or empty");
        }
        checkWritable();
        map.put(name, value);
    }
}
