package io.meshmq.selector;

/**
 * A parsed message selector. Immutable and thread safe.
 * <pre>
 * Selector selector = Selector.parse("color IN ('red', 'blue') AND weight BETWEEN 10 AND 20");
 * boolean wanted = selector.matches(name -&gt; properties.get(name));
 * </pre>
 */
public final class Selector
{
    private final String text;
    private final Expression root;

    private Selector(final String text, final Expression root)
    {
        this.text = text;
        this.root = root;
    }

    /**
     * @param text a selector in the syntax of the Jakarta Messaging specification, section 3.8.1.
     * @throws SelectorSyntaxException naming the position of the first problem.
     */
    public static Selector parse(final String text) throws SelectorSyntaxException
    {
        return new Selector(text, SelectorParser.parse(text));
    }

    /**
     * @return true only when the selector is TRUE for the message; FALSE and unknown both reject it.
     */
    public boolean matches(final SelectorContext message)
    {
        return Boolean.TRUE.equals(root.evaluate(message));
    }

    public String text()
    {
        return text;
    }

    @Override
    public String toString()
    {
        return text;
    }
}
