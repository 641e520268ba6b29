package io.meshmq.selector;

import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.atomic.AtomicLong;

/**
 * A {@code LIKE} pattern, matched without regular expressions: the pattern is cut at each {@code %} into segments
 * (runs of literal characters and {@code _}), the first segment must match at the start, the last at the end, and each
 * one between is found at its earliest place after the one before. Taking the earliest place never loses a match, so
 * nothing is ever tried twice: the work is at most the value's length times the longest segment, however many
 * {@code %} the pattern has (a backtracking regular expression takes exponential time on {@code '%a%a%a...%ab'}).
 * <p>
 * That bound can still be large for a huge value and a long segment, so one match does at most {@link #BUDGET}
 * character comparisons; past it the result is unknown (the message is not selected) and that is logged, at most once a
 * minute. Characters are Unicode code points: {@code _} stands for one, as the specification says.
 * <p>
 * Immutable and thread safe.
 */
final class LikePattern
{
    /** Character comparisons one match may make. */
    static final long BUDGET = 20_000_000;
    private static final int ANY_ONE = -1;
    private static final long LOG_INTERVAL_NS = 60_000_000_000L;
    private static final System.Logger LOG = System.getLogger(LikePattern.class.getName());
    private static final AtomicLong LAST_LOGGED_NS = new AtomicLong(System.nanoTime() - LOG_INTERVAL_NS);

    private final String text;
    /** Code points, {@link #ANY_ONE} for {@code _}; one segment more than the pattern has {@code %}. */
    private final int[][] segments;

    private LikePattern(final String text, final int[][] segments)
    {
        this.text = text;
        this.segments = segments;
    }

    /**
     * @param escape the escape character, or null for none: it makes the character after it literal.
     */
    static LikePattern compile(final String pattern, final Character escape)
    {
        final List<int[]> segments = new ArrayList<>();
        final List<Integer> current = new ArrayList<>();
        final int[] codePoints = pattern.codePoints().toArray();
        for (int i = 0; i < codePoints.length; i++)
        {
            final int c = codePoints[i];
            if (escape != null && c == escape && i + 1 < codePoints.length)
            {
                current.add(codePoints[++i]);
            }
            else if (c == '%')
            {
                segments.add(toArray(current));
                current.clear();
            }
            else
            {
                current.add(c == '_' ? ANY_ONE : c);
            }
        }
        segments.add(toArray(current));
        return new LikePattern(pattern, segments.toArray(new int[0][]));
    }

    private static int[] toArray(final List<Integer> codePoints)
    {
        final int[] array = new int[codePoints.size()];
        for (int i = 0; i < array.length; i++)
        {
            array[i] = codePoints.get(i);
        }
        return array;
    }

    /**
     * @return TRUE or FALSE, or null (unknown) if matching would take more than {@link #BUDGET} comparisons.
     */
    Boolean matches(final String value)
    {
        // Values outside the Basic Multilingual Plane are rare: only they are turned into code points.
        final int[] codePoints = hasSurrogates(value) ? value.codePoints().toArray() : null;
        final int length = codePoints == null ? value.length() : codePoints.length;
        final int[] first = segments[0];
        if (segments.length == 1)
        {
            return length == first.length && matchesAt(first, value, codePoints, 0);
        }
        final int[] last = segments[segments.length - 1];
        if (first.length + last.length > length || !matchesAt(first, value, codePoints, 0) ||
            !matchesAt(last, value, codePoints, length - last.length))
        {
            return Boolean.FALSE;
        }
        final int end = length - last.length;
        int position = first.length;
        long work = 0;
        for (int s = 1; s < segments.length - 1; s++)
        {
            final int[] segment = segments[s];
            int found = -1;
            for (int start = position; start + segment.length <= end; start++)
            {
                work += segment.length;
                if (work > BUDGET)
                {
                    tooMuchWork(value.length());
                    return null;
                }
                if (matchesAt(segment, value, codePoints, start))
                {
                    found = start;
                    break;
                }
            }
            if (found < 0)
            {
                return Boolean.FALSE;
            }
            position = found + segment.length;
        }
        return Boolean.TRUE;
    }

    /**
     * @param codePoints the value's code points, or null when every char of it is one.
     */
    private static boolean matchesAt(final int[] segment, final String value, final int[] codePoints, final int start)
    {
        for (int i = 0; i < segment.length; i++)
        {
            final int c = codePoints == null ? value.charAt(start + i) : codePoints[start + i];
            if (segment[i] != ANY_ONE && segment[i] != c)
            {
                return false;
            }
        }
        return true;
    }

    private static boolean hasSurrogates(final String value)
    {
        for (int i = 0; i < value.length(); i++)
        {
            if (Character.isSurrogate(value.charAt(i)))
            {
                return true;
            }
        }
        return false;
    }

    private void tooMuchWork(final int valueLength)
    {
        final long now = System.nanoTime();
        final long last = LAST_LOGGED_NS.get();
        if (now - last >= LOG_INTERVAL_NS && LAST_LOGGED_NS.compareAndSet(last, now))
        {
            LOG.log(System.Logger.Level.WARNING, "LIKE '" + text + "' gave up on a value of " + valueLength +
                " characters after " + BUDGET + " comparisons: the message is not selected (logged at most once a minute)");
        }
    }

    @Override
    public String toString()
    {
        return text;
    }
}
