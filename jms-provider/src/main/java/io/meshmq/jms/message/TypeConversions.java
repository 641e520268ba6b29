package io.meshmq.jms.message;

import jakarta.jms.MessageFormatException;

/**
 * The conversion table of the Jakarta Messaging specification (section 3.5.4, and 3.11.3 for map and stream
 * bodies): which stored type may be read as which. A value written as a String is parsed with the target
 * type's {@code valueOf}; a missing value (null) behaves as {@code valueOf(null)}, as the specification says.
 */
final class TypeConversions
{
    private TypeConversions()
    {
    }

    static boolean toBoolean(final Object value) throws MessageFormatException
    {
        if (value instanceof Boolean)
        {
            return (Boolean)value;
        }
        if (value == null || value instanceof String)
        {
            return Boolean.valueOf((String)value);
        }
        throw cannot(value, "boolean");
    }

    static byte toByte(final Object value) throws MessageFormatException
    {
        if (value instanceof Byte)
        {
            return (Byte)value;
        }
        if (value == null || value instanceof String)
        {
            return Byte.valueOf((String)value);
        }
        throw cannot(value, "byte");
    }

    static short toShort(final Object value) throws MessageFormatException
    {
        if (value instanceof Short || value instanceof Byte)
        {
            return ((Number)value).shortValue();
        }
        if (value == null || value instanceof String)
        {
            return Short.valueOf((String)value);
        }
        throw cannot(value, "short");
    }

    static char toChar(final Object value) throws MessageFormatException
    {
        if (value instanceof Character)
        {
            return (Character)value;
        }
        if (value == null)
        {
            throw new NullPointerException("no value to read as char");
        }
        throw cannot(value, "char");
    }

    static int toInt(final Object value) throws MessageFormatException
    {
        if (value instanceof Integer || value instanceof Short || value instanceof Byte)
        {
            return ((Number)value).intValue();
        }
        if (value == null || value instanceof String)
        {
            return Integer.valueOf((String)value);
        }
        throw cannot(value, "int");
    }

    static long toLong(final Object value) throws MessageFormatException
    {
        if (value instanceof Long || value instanceof Integer || value instanceof Short || value instanceof Byte)
        {
            return ((Number)value).longValue();
        }
        if (value == null || value instanceof String)
        {
            return Long.valueOf((String)value);
        }
        throw cannot(value, "long");
    }

    static float toFloat(final Object value) throws MessageFormatException
    {
        if (value instanceof Float)
        {
            return (Float)value;
        }
        if (value == null || value instanceof String)
        {
            return Float.valueOf((String)value);
        }
        throw cannot(value, "float");
    }

    static double toDouble(final Object value) throws MessageFormatException
    {
        if (value instanceof Double || value instanceof Float)
        {
            return ((Number)value).doubleValue();
        }
        if (value == null || value instanceof String)
        {
            return Double.valueOf((String)value);
        }
        throw cannot(value, "double");
    }

    static String toStringValue(final Object value) throws MessageFormatException
    {
        if (value instanceof byte[])
        {
            throw cannot(value, "String");
        }
        return value == null ? null : value.toString();
    }

    static byte[] toBytes(final Object value) throws MessageFormatException
    {
        if (value == null || value instanceof byte[])
        {
            return (byte[])value;
        }
        throw cannot(value, "byte[]");
    }

    /**
     * @return true for the types a map or stream body may hold.
     */
    static boolean isBodyValueType(final Object value)
    {
        return value == null || isPropertyValueType(value) || value instanceof Character || value instanceof byte[];
    }

    /**
     * @return true for the types a property may hold.
     */
    static boolean isPropertyValueType(final Object value)
    {
        return value instanceof Boolean || value instanceof Byte || value instanceof Short ||
            value instanceof Integer || value instanceof Long || value instanceof Float ||
            value instanceof Double || value instanceof String;
    }

    private static MessageFormatException cannot(final Object value, final String target)
    {
        final String type = value instanceof byte[] ? "byte[]" : value.getClass().getSimpleName();
        return new MessageFormatException("a " + type + " value cannot be read as " + target);
    }
}
