package io.meshmq.protocol;

/**
 * Encodes the values JMS allows in properties, map messages and stream messages: a one-byte tag, then the
 * value. Tags: NULL (no value), BOOLEAN (byte 0/1), BYTE, SHORT, CHAR (2 bytes), INT, LONG, FLOAT, DOUBLE,
 * STRING ({@code string}), BYTES ({@code bytes}).
 */
public final class TypedValueCodec
{
    public static final byte NULL = 0;
    public static final byte BOOLEAN = 1;
    public static final byte BYTE = 2;
    public static final byte SHORT = 3;
    public static final byte CHAR = 4;
    public static final byte INT = 5;
    public static final byte LONG = 6;
    public static final byte FLOAT = 7;
    public static final byte DOUBLE = 8;
    public static final byte STRING = 9;
    public static final byte BYTES = 10;

    private TypedValueCodec()
    {
    }

    /**
     * @param value null, a boxed primitive, a String or a byte[].
     * @throws IllegalArgumentException for any other type.
     */
    public static void write(final WireWriter writer, final Object value)
    {
        if (value == null)
        {
            writer.writeByte(NULL);
        }
        else if (value instanceof String)
        {
            writer.writeByte(STRING).writeString((String)value);
        }
        else if (value instanceof Integer)
        {
            writer.writeByte(INT).writeInt((Integer)value);
        }
        else if (value instanceof Long)
        {
            writer.writeByte(LONG).writeLong((Long)value);
        }
        else if (value instanceof Boolean)
        {
            writer.writeByte(BOOLEAN).writeBoolean((Boolean)value);
        }
        else if (value instanceof Byte)
        {
            writer.writeByte(BYTE).writeByte((Byte)value);
        }
        else if (value instanceof Short)
        {
            writer.writeByte(SHORT).writeShort((Short)value);
        }
        else if (value instanceof Character)
        {
            writer.writeByte(CHAR).writeChar((Character)value);
        }
        else if (value instanceof Float)
        {
            writer.writeByte(FLOAT).writeFloat((Float)value);
        }
        else if (value instanceof Double)
        {
            writer.writeByte(DOUBLE).writeDouble((Double)value);
        }
        else if (value instanceof byte[])
        {
            writer.writeByte(BYTES).writeBytes((byte[])value);
        }
        else
        {
            throw new IllegalArgumentException("type " + value.getClass().getName() + " cannot be encoded");
        }
    }

    /**
     * @return the decoded value, boxed, a String, a byte[] or null.
     * @throws ProtocolException for an unknown tag or a truncated value.
     */
    public static Object read(final WireReader reader)
    {
        final byte tag = reader.readByte();
        switch (tag)
        {
            case NULL: return null;
            case BOOLEAN: return reader.readBoolean();
            case BYTE: return reader.readByte();
            case SHORT: return reader.readShort();
            case CHAR: return reader.readChar();
            case INT: return reader.readInt();
            case LONG: return reader.readLong();
            case FLOAT: return reader.readFloat();
            case DOUBLE: return reader.readDouble();
            case STRING: return reader.readString();
            case BYTES: return reader.readBytes();
            default: throw new ProtocolException("unknown typed value tag " + tag);
        }
    }
}
