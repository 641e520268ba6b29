package io.meshmq.selector;

/**
 * A node of a parsed selector. {@link #evaluate} returns a Boolean, a Long or Double (numbers are always
 * promoted to one of these), a String, or null for SQL's unknown.
 */
interface Expression
{
    /**
     * What a node yields, as far as is known before a message is seen; the parser rejects combinations the
     * specification forbids, such as arithmetic on a string literal.
     */
    enum Type
    {
        BOOLEAN, NUMBER, STRING, ANY
    }

    /**
     * @return BOOLEAN unless a node says otherwise: most nodes are conditions.
     */
    default Type type()
    {
        return Type.BOOLEAN;
    }

    Object evaluate(SelectorContext message);

    /**
     * @return a Long or Double for any Java number, else the value unchanged.
     */
    static Object promote(final Object value)
    {
        if (value instanceof Long || value instanceof Double)
        {
            return value;
        }
        if (value instanceof Integer || value instanceof Short || value instanceof Byte)
        {
            return ((Number)value).longValue();
        }
        if (value instanceof Float)
        {
            return ((Float)value).doubleValue();
        }
        return value;
    }
}
