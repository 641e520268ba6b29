package io.meshmq.cluster.routing;

import java.util.HashMap;
import java.util.List;
import java.util.Map;

/**
 * Turns among candidates, one counter per routing key, so each key's messages spread evenly whatever other keys do.
 * <p>
 * Not thread safe: processor thread only.
 */
final class RoundRobin
{
    private final Map<String, int[]> counters = new HashMap<>();

    <T> T next(final String key, final List<T> candidates)
    {
        final int[] counter = counters.computeIfAbsent(key, k -> new int[1]);
        return candidates.get(Math.floorMod(counter[0]++, candidates.size()));
    }
}
