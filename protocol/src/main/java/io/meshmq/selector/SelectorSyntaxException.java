package io.meshmq.selector;

/**
 * A selector that is not valid: its message names the 1-based position where the problem was found.
 */
public final class SelectorSyntaxException extends Exception
{
    private static final long serialVersionUID = 1L;

    private final int position;

    SelectorSyntaxException(final String selector, final int position, final String problem)
    {
        super("invalid message selector at position " + position + ": " + problem + " in \"" + selector + "\"");
        this.position = position;
    }

    /**
     * @return the 1-based character position of the problem.
     */
    public int position()
    {
        return position;
    }
}
