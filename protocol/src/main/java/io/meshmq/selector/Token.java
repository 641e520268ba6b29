package io.meshmq.selector;

/**
 * One lexical token of a selector.
 *
 * @param kind     what it is.
 * @param text     the characters as written (for a string literal: its value, quotes removed).
 * @param position 1-based position of its first character.
 */
record Token(Kind kind, String text, int position)
{
    enum Kind
    {
        IDENTIFIER, STRING, EXACT_NUMBER, APPROXIMATE_NUMBER,
        AND, OR, NOT, BETWEEN, LIKE, IN, IS, NULL, TRUE, FALSE, ESCAPE,
        LEFT_PAREN, RIGHT_PAREN, COMMA, EQUAL, NOT_EQUAL, LESS, LESS_EQUAL, GREATER, GREATER_EQUAL,
        PLUS, MINUS, TIMES, DIVIDE, END
    }

    boolean is(final Kind k)
    {
        return kind == k;
    }
}
