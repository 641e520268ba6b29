package io.meshmq.broker.cli;

import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Set;

/**
 * Parses {@code --flag value} and {@code --switch} arguments against the set a verb accepts. Not thread safe.
 */
public final class Flags
{
    private final String verb;
    private final Map<String, String> values = new LinkedHashMap<>();

    private Flags(final String verb)
    {
        this.verb = verb;
    }

    /**
     * @param withValue flags that take a value.
     * @param switches flags that take none.
     * @throws UsageException for an unknown flag, a missing value or a flag given twice.
     */
    public static Flags parse(final String verb, final String[] args, final int from, final Set<String> withValue,
        final Set<String> switches) throws UsageException
    {
        final Flags flags = new Flags(verb);
        for (int i = from; i < args.length; i++)
        {
            String arg = args[i];
            String inline = null;
            final int eq = arg.indexOf('=');
            if (arg.startsWith("--") && eq > 0)
            {
                inline = arg.substring(eq + 1);
                arg = arg.substring(0, eq);
            }
            if (withValue.contains(arg))
            {
                final String value;
                if (inline != null)
                {
                    value = inline;
                }
                else
                {
                    if (i + 1 >= args.length)
                    {
                        throw new UsageException(verb + ": " + arg + " needs a value");
                    }
                    value = args[++i];
                }
                flags.put(arg, value);
            }
            else if (switches.contains(arg) && inline == null)
            {
                flags.put(arg, "true");
            }
            else
            {
                throw new UsageException(verb + ": unknown argument '" + args[i] + "'; accepted: " +
                    String.join(" ", withValue) + (switches.isEmpty() ? "" : " " + String.join(" ", switches)));
            }
        }
        return flags;
    }

    private void put(final String flag, final String value) throws UsageException
    {
        if (values.put(flag, value) != null)
        {
            throw new UsageException(verb + ": " + flag + " given twice");
        }
    }

    public String get(final String flag)
    {
        return values.get(flag);
    }

    public String get(final String flag, final String defaultValue)
    {
        return values.getOrDefault(flag, defaultValue);
    }

    public boolean has(final String flag)
    {
        return values.containsKey(flag);
    }

    public long positiveLong(final String flag, final long defaultValue) throws UsageException
    {
        return longIn(flag, defaultValue, 1);
    }

    public long nonNegativeLong(final String flag, final long defaultValue) throws UsageException
    {
        return longIn(flag, defaultValue, 0);
    }

    private long longIn(final String flag, final long defaultValue, final long min) throws UsageException
    {
        final String value = values.get(flag);
        if (value == null)
        {
            return defaultValue;
        }
        try
        {
            final long parsed = Long.parseLong(value);
            if (parsed < min)
            {
                throw new NumberFormatException();
            }
            return parsed;
        }
        catch (final NumberFormatException ex)
        {
            throw new UsageException(verb + ": " + flag + " '" + value + "' must be a whole number of at least " + min);
        }
    }
}
