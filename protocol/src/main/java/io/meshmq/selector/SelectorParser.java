package io.meshmq.selector;

import io.meshmq.selector.Expression.Type;
import io.meshmq.selector.Expressions.ArithmeticOperator;
import io.meshmq.selector.Expressions.ComparisonOperator;

import java.util.ArrayList;
import java.util.List;
import java.util.Set;

/**
 * Recursive descent over the selector grammar, lowest precedence first:
 * <pre>
 * selector  := or END
 * or        := and (OR and)*
 * and       := not (AND not)*
 * not       := NOT not | predicate
 * predicate := sum [ compare sum | [NOT] BETWEEN sum AND sum | [NOT] IN '(' string (',' string)* ')'
 *                  | [NOT] LIKE string [ESCAPE string] | IS [NOT] NULL ]
 * sum       := product (('+' | '-') product)*
 * product   := unary (('*' | '/') unary)*
 * unary     := ('+' | '-') unary | literal | identifier | '(' or ')'
 * </pre>
 * Types are checked as far as literals tell them: arithmetic needs numbers, logic needs booleans, strings and
 * booleans are only compared with {@code =} and {@code <>}, and the whole selector must be a condition.
 * <p>
 * Design note: a selector is evaluated on the broker's processor thread for every message it is offered, so its size is
 * bounded here: at most {@link #MAX_LENGTH} characters, and trees at most {@link #MAX_NESTING} deep (parentheses,
 * NOT, signs, and arithmetic chains each add a level). AND and OR chains of any length are one level: they are
 * evaluated in a loop. Evaluation then never runs out of stack, and its work grows only with the selector's length.
 */
final class SelectorParser
{
    /** Characters a selector may have. */
    static final int MAX_LENGTH = 65_536;
    /** Levels a selector's tree may have. */
    static final int MAX_NESTING = 100;

    private final String text;
    private final List<Token> tokens;
    private int index;
    /** Levels of the tree above the node being parsed. */
    private int depth;

    private SelectorParser(final String text, final List<Token> tokens)
    {
        this.text = text;
        this.tokens = tokens;
    }

    static Expression parse(final String text) throws SelectorSyntaxException
    {
        if (text.length() > MAX_LENGTH)
        {
            throw new SelectorSyntaxException(text.substring(0, 80) + "...", MAX_LENGTH + 1, "the selector has " + text.length() +
                " characters; at most " + MAX_LENGTH + " are allowed");
        }
        final SelectorParser parser = new SelectorParser(text, SelectorLexer.tokenize(text));
        final Token first = parser.peek();
        final Expression root = parser.or();
        if (!parser.peek().is(Token.Kind.END))
        {
            throw parser.error(parser.peek(), "unexpected '" + parser.peek().text() + "'");
        }
        if (root.type() != Type.BOOLEAN && root.type() != Type.ANY)
        {
            throw parser.error(first, "the selector is not a condition (it yields a " +
                root.type().name().toLowerCase() + ")");
        }
        return root;
    }

    private Token peek()
    {
        return tokens.get(index);
    }

    private Token take()
    {
        return tokens.get(index++);
    }

    private boolean accept(final Token.Kind kind)
    {
        if (peek().is(kind))
        {
            index++;
            return true;
        }
        return false;
    }

    private Token expect(final Token.Kind kind, final String what) throws SelectorSyntaxException
    {
        if (!peek().is(kind))
        {
            throw error(peek(), "expected " + what + " but found " + describe(peek()));
        }
        return take();
    }

    private static String describe(final Token token)
    {
        return token.is(Token.Kind.END) ? "the end" : "'" + token.text() + "'";
    }

    private SelectorSyntaxException error(final Token at, final String problem)
    {
        return new SelectorSyntaxException(text, at.position(), problem);
    }

    /**
     * The tree gets a level deeper below {@code at}; {@link #leave()} when done with it.
     */
    private void enter(final Token at) throws SelectorSyntaxException
    {
        if (++depth > MAX_NESTING)
        {
            throw error(at, "the selector nests more than " + MAX_NESTING + " levels deep (parentheses, NOT, signs " +
                "and chained arithmetic)");
        }
    }

    private void leave()
    {
        depth--;
    }

    private Expression or() throws SelectorSyntaxException
    {
        final Expression first = and();
        if (!peek().is(Token.Kind.OR))
        {
            return first;
        }
        final List<Expression> operands = new ArrayList<>();
        operands.add(condition(first, peek()));
        while (peek().is(Token.Kind.OR))
        {
            final Token operator = take();
            operands.add(condition(and(), operator));
        }
        return new Expressions.Or(List.copyOf(operands));
    }

    private Expression and() throws SelectorSyntaxException
    {
        final Expression first = not();
        if (!peek().is(Token.Kind.AND))
        {
            return first;
        }
        final List<Expression> operands = new ArrayList<>();
        operands.add(condition(first, peek()));
        while (peek().is(Token.Kind.AND))
        {
            final Token operator = take();
            operands.add(condition(not(), operator));
        }
        return new Expressions.And(List.copyOf(operands));
    }

    private Expression not() throws SelectorSyntaxException
    {
        if (peek().is(Token.Kind.NOT))
        {
            final Token operator = take();
            enter(operator);
            final Expression operand = not();
            leave();
            return new Expressions.Not(condition(operand, operator));
        }
        return predicate();
    }

    private Expression condition(final Expression operand, final Token operator) throws SelectorSyntaxException
    {
        if (operand.type() != Type.BOOLEAN && operand.type() != Type.ANY)
        {
            throw error(operator, operator.text().toUpperCase() + " needs conditions, not a " +
                operand.type().name().toLowerCase());
        }
        return operand;
    }

    private Expression number(final Expression operand, final Token operator) throws SelectorSyntaxException
    {
        if (operand.type() != Type.NUMBER && operand.type() != Type.ANY)
        {
            throw error(operator, "'" + operator.text() + "' needs numbers, not a " + operand.type().name().toLowerCase());
        }
        return operand;
    }

    private Expression predicate() throws SelectorSyntaxException
    {
        final Expression left = sum();
        final Token operator = peek();
        switch (operator.kind())
        {
            case EQUAL: return comparison(ComparisonOperator.EQUAL, left);
            case NOT_EQUAL: return comparison(ComparisonOperator.NOT_EQUAL, left);
            case LESS: return comparison(ComparisonOperator.LESS, left);
            case LESS_EQUAL: return comparison(ComparisonOperator.LESS_EQUAL, left);
            case GREATER: return comparison(ComparisonOperator.GREATER, left);
            case GREATER_EQUAL: return comparison(ComparisonOperator.GREATER_EQUAL, left);
            case IS:
            {
                take();
                final boolean negated = accept(Token.Kind.NOT);
                expect(Token.Kind.NULL, "NULL after IS");
                final Expression isNull = new Expressions.IsNull(identifier(left, operator, "IS NULL"));
                return negated ? new Expressions.Not(isNull) : isNull;
            }
            case NOT:
            {
                take();
                final Token negatedOperator = peek();
                if (!negatedOperator.is(Token.Kind.BETWEEN) && !negatedOperator.is(Token.Kind.IN) &&
                    !negatedOperator.is(Token.Kind.LIKE))
                {
                    throw error(negatedOperator, "expected BETWEEN, IN or LIKE after NOT but found " +
                        describe(negatedOperator));
                }
                return new Expressions.Not(negatable(left));
            }
            case BETWEEN:
            case IN:
            case LIKE:
                return negatable(left);
            default:
                return left;
        }
    }

    private Expression comparison(final ComparisonOperator comparison, final Expression left)
        throws SelectorSyntaxException
    {
        final Token operator = take();
        final Expression right = sum();
        if (comparison.isOrdering())
        {
            number(left, operator);
            number(right, operator);
        }
        else if (left.type() != Type.ANY && right.type() != Type.ANY && left.type() != right.type())
        {
            throw error(operator, "cannot compare a " + left.type().name().toLowerCase() + " with a " +
                right.type().name().toLowerCase());
        }
        return new Expressions.Comparison(comparison, left, right);
    }

    private Expression negatable(final Expression left) throws SelectorSyntaxException
    {
        final Token operator = take();
        switch (operator.kind())
        {
            case BETWEEN:
            {
                number(left, operator);
                final Expression low = number(sum(), operator);
                expect(Token.Kind.AND, "AND between the bounds of BETWEEN");
                final Expression high = number(sum(), operator);
                return new Expressions.Between(left, low, high);
            }
            case IN:
            {
                final Expressions.Identifier identifier = identifier(left, operator, "IN");
                expect(Token.Kind.LEFT_PAREN, "'(' after IN");
                final List<String> values = new ArrayList<>();
                do
                {
                    values.add(expect(Token.Kind.STRING, "a string literal in the IN list").text());
                }
                while (accept(Token.Kind.COMMA));
                expect(Token.Kind.RIGHT_PAREN, "')' to close the IN list");
                return new Expressions.In(identifier, Set.copyOf(values));
            }
            default:
            {
                final Expressions.Identifier identifier = identifier(left, operator, "LIKE");
                final String pattern = expect(Token.Kind.STRING, "a string literal pattern after LIKE").text();
                Character escape = null;
                if (accept(Token.Kind.ESCAPE))
                {
                    final Token escapeToken = expect(Token.Kind.STRING, "a string literal after ESCAPE");
                    if (escapeToken.text().length() != 1)
                    {
                        throw error(escapeToken, "the ESCAPE string must be exactly one character");
                    }
                    escape = escapeToken.text().charAt(0);
                }
                return new Expressions.Like(identifier, LikePattern.compile(pattern, escape));
            }
        }
    }

    private Expressions.Identifier identifier(final Expression left, final Token operator, final String what)
        throws SelectorSyntaxException
    {
        if (left instanceof Expressions.Identifier)
        {
            return (Expressions.Identifier)left;
        }
        throw error(operator, what + " applies to an identifier only");
    }

    private Expression sum() throws SelectorSyntaxException
    {
        Expression left = product();
        final int entered = depth;
        while (peek().is(Token.Kind.PLUS) || peek().is(Token.Kind.MINUS))
        {
            final Token operator = take();
            enter(operator);
            final ArithmeticOperator kind = operator.is(Token.Kind.PLUS) ? ArithmeticOperator.PLUS : ArithmeticOperator.MINUS;
            left = new Expressions.Arithmetic(kind, number(left, operator), number(product(), operator));
        }
        depth = entered;
        return left;
    }

    private Expression product() throws SelectorSyntaxException
    {
        Expression left = unary();
        final int entered = depth;
        while (peek().is(Token.Kind.TIMES) || peek().is(Token.Kind.DIVIDE))
        {
            final Token operator = take();
            enter(operator);
            final ArithmeticOperator kind = operator.is(Token.Kind.TIMES) ? ArithmeticOperator.TIMES : ArithmeticOperator.DIVIDE;
            left = new Expressions.Arithmetic(kind, number(left, operator), number(unary(), operator));
        }
        depth = entered;
        return left;
    }

    private Expression unary() throws SelectorSyntaxException
    {
        final Token token = take();
        switch (token.kind())
        {
            case PLUS:
            {
                enter(token);
                final Expression operand = number(unary(), token);
                leave();
                return operand;
            }
            case MINUS:
            {
                if (peek().is(Token.Kind.EXACT_NUMBER))
                {
                    // Folded here so that -9223372036854775808 is in range.
                    return exact(take(), "-");
                }
                enter(token);
                final Expression operand = number(unary(), token);
                leave();
                return new Expressions.Negate(operand);
            }
            case EXACT_NUMBER:
                return exact(token, "");
            case APPROXIMATE_NUMBER:
                return new Expressions.Literal(Double.parseDouble(token.text()), Type.NUMBER);
            case STRING:
                return new Expressions.Literal(token.text(), Type.STRING);
            case TRUE:
                return new Expressions.Literal(Boolean.TRUE, Type.BOOLEAN);
            case FALSE:
                return new Expressions.Literal(Boolean.FALSE, Type.BOOLEAN);
            case IDENTIFIER:
                return new Expressions.Identifier(token.text());
            case LEFT_PAREN:
            {
                enter(token);
                final Expression inner = or();
                leave();
                expect(Token.Kind.RIGHT_PAREN, "')'");
                return inner;
            }
            case NULL:
                throw error(token, "NULL is only allowed in IS [NOT] NULL");
            default:
                throw error(token, "expected a value but found " + describe(token));
        }
    }

    /**
     * An exact number as Java writes an integer literal: decimal, octal (a leading 0: {@code 035} is 29) or
     * hexadecimal ({@code 0x1d}); hexadecimal and octal may use all 64 bits, as a Java long literal may.
     */
    private Expression exact(final Token token, final String sign) throws SelectorSyntaxException
    {
        final String digits = token.text();
        try
        {
            final long value;
            if (digits.startsWith("0x") || digits.startsWith("0X"))
            {
                value = Long.parseUnsignedLong(digits.substring(2), 16);
            }
            else if (digits.length() > 1 && digits.charAt(0) == '0')
            {
                value = Long.parseUnsignedLong(digits.substring(1), 8);
            }
            else
            {
                return new Expressions.Literal(Long.parseLong(sign + digits), Type.NUMBER);
            }
            return new Expressions.Literal(sign.isEmpty() ? value : -value, Type.NUMBER);
        }
        catch (final NumberFormatException ex)
        {
            throw error(token, "the number " + sign + digits + " is not a long (decimal, octal with a leading 0, or " +
                "hexadecimal with 0x)");
        }
    }
}
