package io.meshmq.selector;

import java.util.List;
import java.util.Set;

/**
 * The node kinds of a selector's expression tree. Logic follows SQL's three values: null is unknown.
 */
final class Expressions
{
    private Expressions()
    {
    }

    record Literal(Object value, Type type) implements Expression
    {
        @Override
        public Object evaluate(final SelectorContext message)
        {
            return value;
        }
    }

    record Identifier(String name) implements Expression
    {
        @Override
        public Type type()
        {
            return Type.ANY;
        }

        @Override
        public Object evaluate(final SelectorContext message)
        {
            return Expression.promote(message.lookup(name));
        }
    }

    /**
     * Conditions joined by AND, however many: evaluated in a loop, so a long chain never deepens the tree.
     */
    record And(List<Expression> operands) implements Expression
    {
        @Override
        public Object evaluate(final SelectorContext message)
        {
            boolean unknown = false;
            for (int i = 0; i < operands.size(); i++)
            {
                final Boolean value = asBoolean(operands.get(i).evaluate(message));
                if (Boolean.FALSE.equals(value))
                {
                    return Boolean.FALSE;
                }
                unknown |= value == null;
            }
            return unknown ? null : Boolean.TRUE;
        }
    }

    /**
     * Conditions joined by OR, however many: evaluated in a loop, so a long chain never deepens the tree.
     */
    record Or(List<Expression> operands) implements Expression
    {
        @Override
        public Object evaluate(final SelectorContext message)
        {
            boolean unknown = false;
            for (int i = 0; i < operands.size(); i++)
            {
                final Boolean value = asBoolean(operands.get(i).evaluate(message));
                if (Boolean.TRUE.equals(value))
                {
                    return Boolean.TRUE;
                }
                unknown |= value == null;
            }
            return unknown ? null : Boolean.FALSE;
        }
    }

    record Not(Expression operand) implements Expression
    {
        @Override
        public Object evaluate(final SelectorContext message)
        {
            final Boolean value = asBoolean(operand.evaluate(message));
            return value == null ? null : !value;
        }
    }

    enum ComparisonOperator
    {
        EQUAL, NOT_EQUAL, LESS, LESS_EQUAL, GREATER, GREATER_EQUAL;

        boolean isOrdering()
        {
            return this != EQUAL && this != NOT_EQUAL;
        }

        boolean test(final int comparison)
        {
            switch (this)
            {
                case EQUAL: return comparison == 0;
                case NOT_EQUAL: return comparison != 0;
                case LESS: return comparison < 0;
                case LESS_EQUAL: return comparison <= 0;
                case GREATER: return comparison > 0;
                default: return comparison >= 0;
            }
        }
    }

    record Comparison(ComparisonOperator operator, Expression left, Expression right) implements Expression
    {
        @Override
        public Object evaluate(final SelectorContext message)
        {
            return compare(operator, left.evaluate(message), right.evaluate(message));
        }
    }

    /**
     * Compares like types; numbers of either kind compare with each other. Comparing unlike types is false
     * (specification 3.8.1.2), and strings and booleans only compare for (in)equality.
     */
    static Boolean compare(final ComparisonOperator operator, final Object a, final Object b)
    {
        if (a == null || b == null)
        {
            return null;
        }
        if (a instanceof Number && b instanceof Number)
        {
            final int comparison = a instanceof Long && b instanceof Long ?
                Long.compare((Long)a, (Long)b) :
                Double.compare(((Number)a).doubleValue(), ((Number)b).doubleValue());
            if (a instanceof Double || b instanceof Double)
            {
                // Double.compare orders NaN and -0.0; SQL comparison follows IEEE like Java's operators.
                final double x = ((Number)a).doubleValue();
                final double y = ((Number)b).doubleValue();
                if (Double.isNaN(x) || Double.isNaN(y))
                {
                    return operator == ComparisonOperator.NOT_EQUAL;
                }
                return operator.test(x < y ? -1 : (x > y ? 1 : 0));
            }
            return operator.test(comparison);
        }
        if (a.getClass() != b.getClass())
        {
            return Boolean.FALSE;
        }
        if (operator.isOrdering())
        {
            return null;
        }
        return operator.test(a.equals(b) ? 0 : 1);
    }

    enum ArithmeticOperator
    {
        PLUS, MINUS, TIMES, DIVIDE
    }

    record Arithmetic(ArithmeticOperator operator, Expression left, Expression right) implements Expression
    {
        @Override
        public Type type()
        {
            return Type.NUMBER;
        }

        @Override
        public Object evaluate(final SelectorContext message)
        {
            final Object a = left.evaluate(message);
            final Object b = right.evaluate(message);
            if (!(a instanceof Number) || !(b instanceof Number))
            {
                return null;
            }
            if (a instanceof Long && b instanceof Long)
            {
                final long x = (Long)a;
                final long y = (Long)b;
                switch (operator)
                {
                    case PLUS: return x + y;
                    case MINUS: return x - y;
                    case TIMES: return x * y;
                    default: return y == 0 ? null : x / y;
                }
            }
            final double x = ((Number)a).doubleValue();
            final double y = ((Number)b).doubleValue();
            switch (operator)
            {
                case PLUS: return x + y;
                case MINUS: return x - y;
                case TIMES: return x * y;
                default: return x / y;
            }
        }
    }

    record Negate(Expression operand) implements Expression
    {
        @Override
        public Type type()
        {
            return Type.NUMBER;
        }

        @Override
        public Object evaluate(final SelectorContext message)
        {
            final Object value = operand.evaluate(message);
            if (value instanceof Long)
            {
                return -(Long)value;
            }
            if (value instanceof Double)
            {
                return -(Double)value;
            }
            return null;
        }
    }

    record Between(Expression value, Expression low, Expression high) implements Expression
    {
        @Override
        public Object evaluate(final SelectorContext message)
        {
            final Object v = value.evaluate(message);
            final Boolean aboveLow = asBoolean(compare(ComparisonOperator.GREATER_EQUAL, v, low.evaluate(message)));
            if (Boolean.FALSE.equals(aboveLow))
            {
                return Boolean.FALSE;
            }
            final Boolean belowHigh = asBoolean(compare(ComparisonOperator.LESS_EQUAL, v, high.evaluate(message)));
            if (Boolean.FALSE.equals(belowHigh))
            {
                return Boolean.FALSE;
            }
            return aboveLow == null || belowHigh == null ? null : Boolean.TRUE;
        }
    }

    record In(Identifier identifier, Set<String> values) implements Expression
    {
        @Override
        public Object evaluate(final SelectorContext message)
        {
            final Object value = identifier.evaluate(message);
            return value instanceof String ? values.contains(value) : null;
        }
    }

    record Like(Identifier identifier, LikePattern pattern) implements Expression
    {
        @Override
        public Object evaluate(final SelectorContext message)
        {
            final Object value = identifier.evaluate(message);
            return value instanceof String ? pattern.matches((String)value) : null;
        }
    }

    record IsNull(Identifier identifier) implements Expression
    {
        @Override
        public Object evaluate(final SelectorContext message)
        {
            return identifier.evaluate(message) == null;
        }
    }

    static Boolean asBoolean(final Object value)
    {
        return value instanceof Boolean ? (Boolean)value : null;
    }
}
