package io.meshmq.cluster.routing;

import java.util.HashMap;
import java.util.List;
import java.util.Map;

/**
 * Turns among candidates, one turn per routing key, so each key's messages spread by the candidates' weights whatever
 * other keys do: plain round robin while the weights are equal, else smooth weighted round robin (each turn every
 * candidate earns its weight, the richest is chosen and pays the total), which interleaves a weight-2 node's two
 * shares with the others instead of sending them back to back.
 * <p>
 * Not thread safe: processor thread only.
 */
final class RoundRobin
{
    private final Map<String, int[]> counters = new HashMap<>();
    private final Map<String, int[]> earned = new HashMap<>();

    <T extends Binding> T next(final String key, final List<T> candidates)
    {
        final int size = candidates.size();
        final int firstWeight = candidates.get(0).weight();
        boolean equal = true;
        for (int i = 1; i < size && equal; i++)
        {
            equal = candidates.get(i).weight() == firstWeight;
        }
        if (equal)
        {
            final int[] counter = counters.computeIfAbsent(key, k -> new int[1]);
            return candidates.get(Math.floorMod(counter[0]++, size));
        }
        int[] credit = earned.get(key);
        if (credit == null || credit.length != size)
        {
            // The candidates changed: start the smoothing again (the shares stay right, only the order restarts).
            credit = new int[size];
            earned.put(key, credit);
        }
        int total = 0;
        int richest = 0;
        for (int i = 0; i < size; i++)
        {
            final int weight = candidates.get(i).weight();
            credit[i] += weight;
            total += weight;
            if (credit[i] > credit[richest])
            {
                richest = i;
            }
        }
        credit[richest] -= total;
        return candidates.get(richest);
    }
}
