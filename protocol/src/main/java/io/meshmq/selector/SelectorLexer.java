package io.meshmq.selector;

import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Map;

/**
 * Splits a selector into tokens. Keywords are case insensitive, identifiers case sensitive; a string literal
 * is in single quotes with {@code ''} for a quote; numbers follow Java's decimal literal syntax.
 */
final class SelectorLexer
{
    private static final Map<String, Token.Kind> KEYWORDS = Map.ofEntries(
        Map.entry("AND", Token.Kind.AND), Map.entry("OR", Token.Kind.OR), Map.entry("NOT", Token.Kind.NOT),
        Map.entry("BETWEEN", Token.Kind.BETWEEN), Map.entry("LIKE", Token.Kind.LIKE), Map.entry("IN", Token.Kind.IN),
        Map.entry("IS", Token.Kind.IS), Map.entry("NULL", Token.Kind.NULL), Map.entry("TRUE", Token.Kind.TRUE),
        Map.entry("FALSE", Token.Kind.FALSE), Map.entry("ESCAPE", Token.Kind.ESCAPE));

    private final String text;
    private int index;

    private SelectorLexer(final String text)
    {
        this.text = text;
    }

    static List<Token> tokenize(final String text) throws SelectorSyntaxException
    {
        return new SelectorLexer(text).all();
    }

    private List<Token> all() throws SelectorSyntaxException
    {
        final List<Token> tokens = new ArrayList<>();
        while (true)
        {
            while (index < text.length() && Character.isWhitespace(text.charAt(index)))
            {
                index++;
            }
            if (index >= text.length())
            {
                tokens.add(new Token(Token.Kind.END, "", text.length() + 1));
                return tokens;
            }
            tokens.add(next());
        }
    }

    private Token next() throws SelectorSyntaxException
    {
        final int start = index;
        final char c = text.charAt(index);
        if (Character.isJavaIdentifierStart(c))
        {
            index++;
            while (index < text.length() && Character.isJavaIdentifierPart(text.charAt(index)))
            {
                index++;
            }
            final String word = text.substring(start, index);
            final Token.Kind keyword = KEYWORDS.get(word.toUpperCase(Locale.ROOT));
            return new Token(keyword == null ? Token.Kind.IDENTIFIER : keyword, word, start + 1);
        }
        if (c == '\'')
        {
            return string(start);
        }
        if (isAsciiDigit(c) || (c == '.' && index + 1 < text.length() && isAsciiDigit(text.charAt(index + 1))))
        {
            return number(start);
        }
        index++;
        switch (c)
        {
            case '(': return new Token(Token.Kind.LEFT_PAREN, "(", start + 1);
            case ')': return new Token(Token.Kind.RIGHT_PAREN, ")", start + 1);
            case ',': return new Token(Token.Kind.COMMA, ",", start + 1);
            case '=': return new Token(Token.Kind.EQUAL, "=", start + 1);
            case '+': return new Token(Token.Kind.PLUS, "+", start + 1);
            case '-': return new Token(Token.Kind.MINUS, "-", start + 1);
            case '*': return new Token(Token.Kind.TIMES, "*", start + 1);
            case '/': return new Token(Token.Kind.DIVIDE, "/", start + 1);
            case '<':
                if (accept('>'))
                {
                    return new Token(Token.Kind.NOT_EQUAL, "<>", start + 1);
                }
                return accept('=') ? new Token(Token.Kind.LESS_EQUAL, "<=", start + 1) :
                    new Token(Token.Kind.LESS, "<", start + 1);
            case '>':
                return accept('=') ? new Token(Token.Kind.GREATER_EQUAL, ">=", start + 1) :
                    new Token(Token.Kind.GREATER, ">", start + 1);
            default:
                throw new SelectorSyntaxException(text, start + 1, "unexpected character '" + c + "'");
        }
    }

    private boolean accept(final char c)
    {
        if (index < text.length() && text.charAt(index) == c)
        {
            index++;
            return true;
        }
        return false;
    }

    private Token string(final int start) throws SelectorSyntaxException
    {
        final StringBuilder value = new StringBuilder();
        index++;
        while (true)
        {
            if (index >= text.length())
            {
                throw new SelectorSyntaxException(text, start + 1, "string literal is not closed");
            }
            final char c = text.charAt(index++);
            if (c == '\'')
            {
                if (!accept('\''))
                {
                    return new Token(Token.Kind.STRING, value.toString(), start + 1);
                }
            }
            value.append(c);
        }
    }

    private Token number(final int start) throws SelectorSyntaxException
    {
        if (text.charAt(index) == '0' && index + 1 < text.length() &&
            (text.charAt(index + 1) == 'x' || text.charAt(index + 1) == 'X'))
        {
            return hexadecimal(start);
        }
        boolean approximate = false;
        digits();
        if (accept('.'))
        {
            approximate = true;
            digits();
        }
        if (index < text.length() && (text.charAt(index) == 'e' || text.charAt(index) == 'E'))
        {
            approximate = true;
            index++;
            if (!accept('+'))
            {
                accept('-');
            }
            final int exponentStart = index;
            digits();
            if (index == exponentStart)
            {
                throw new SelectorSyntaxException(text, start + 1, "number has an exponent without digits");
            }
        }
        final String literal = text.substring(start, index);
        if (index < text.length())
        {
            final char suffix = text.charAt(index);
            if (suffix == 'l' || suffix == 'L')
            {
                if (approximate)
                {
                    throw new SelectorSyntaxException(text, start + 1, "a decimal number cannot end in L");
                }
                index++;
            }
            else if (suffix == 'd' || suffix == 'D' || suffix == 'f' || suffix == 'F')
            {
                index++;
                approximate = true;
            }
        }
        if (index < text.length() && Character.isJavaIdentifierPart(text.charAt(index)))
        {
            throw new SelectorSyntaxException(text, start + 1, "malformed number '" + text.substring(start, index + 1) + "'");
        }
        return new Token(approximate ? Token.Kind.APPROXIMATE_NUMBER : Token.Kind.EXACT_NUMBER, literal, start + 1);
    }

    /**
     * A hexadecimal exact number, as Java writes one: {@code 0x} or {@code 0X}, hexadecimal digits, an optional L.
     */
    private Token hexadecimal(final int start) throws SelectorSyntaxException
    {
        index += 2;
        final int digitsStart = index;
        while (index < text.length() && Character.digit(text.charAt(index), 16) >= 0)
        {
            index++;
        }
        if (index == digitsStart)
        {
            throw new SelectorSyntaxException(text, start + 1, "hexadecimal number without digits");
        }
        final String literal = text.substring(start, index);
        if (index < text.length() && (text.charAt(index) == 'l' || text.charAt(index) == 'L'))
        {
            index++;
        }
        if (index < text.length() && Character.isJavaIdentifierPart(text.charAt(index)))
        {
            throw new SelectorSyntaxException(text, start + 1, "malformed number '" + text.substring(start, index + 1) + "'");
        }
        return new Token(Token.Kind.EXACT_NUMBER, literal, start + 1);
    }

    /**
     * Literals follow Java's syntax: its digits are ASCII only (Character.isDigit would take a Devanagari or Malayalam
     * digit, which no number parser reads).
     */
    private static boolean isAsciiDigit(final char c)
    {
        return c >= '0' && c <= '9';
    }

    private void digits()
    {
        while (index < text.length() && isAsciiDigit(text.charAt(index)))
        {
            index++;
        }
    }
}
