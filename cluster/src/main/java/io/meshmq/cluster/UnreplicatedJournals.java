package io.meshmq.cluster;

import io.meshmq.cluster.quorum.Ownership;

import java.util.Collection;
import java.util.HashMap;
import java.util.HashSet;
import java.util.Map;
import java.util.Set;

/**
 * What a spare watches in the quorum's register: since when each journal served by another process has had no replica
 * in sync, and which one it should adopt — the one without a replica the longest, once that is at least
 * {@code ha.re-replicate-after}. Waiting first lets a process that was only restarted copy its journals back itself.
 * <p>
 * Not thread safe: the spare's HA thread only.
 */
final class UnreplicatedJournals
{
    private final Set<String> ownNodes;
    private final long afterNs;
    /** Journal → when it was first seen without a replica (System.nanoTime), while it stays so. */
    private final Map<String, Long> since = new HashMap<>();

    /**
     * @param ownNodes the names of this process's nodes: a journal one of them serves is never adopted here (the
     *                 replica would die with its live).
     * @param afterMs  how long a journal must go without a replica before it is adopted.
     */
    UnreplicatedJournals(final Set<String> ownNodes, final long afterMs)
    {
        this.ownNodes = Set.copyOf(ownNodes);
        this.afterNs = afterMs * 1_000_000L;
    }

    /**
     * @param register every journal's ownership as the register holds it now.
     * @return the journal to adopt now, or null for none yet.
     */
    String toAdopt(final Collection<Ownership> register, final long nowNs)
    {
        final Set<String> without = new HashSet<>();
        String oldest = null;
        long oldestSince = 0;
        for (final Ownership ownership : register)
        {
            if (!isAdoptable(ownership))
            {
                continue;
            }
            without.add(ownership.journal());
            final long first = since.computeIfAbsent(ownership.journal(), journal -> nowNs);
            if (nowNs - first >= afterNs && (oldest == null || first < oldestSince))
            {
                oldest = ownership.journal();
                oldestSince = first;
            }
        }
        since.keySet().retainAll(without);
        return oldest;
    }

    /**
     * @return true if a spare of this process may copy the journal: it has no replica in sync and another process
     * serves it.
     */
    boolean isAdoptable(final Ownership ownership)
    {
        return ownership != null && ownership.replica() == null && !ownNodes.contains(ownership.owner());
    }

    /**
     * @return true if the node of that name is one of this process's.
     */
    boolean isOwnNode(final String name)
    {
        return ownNodes.contains(name);
    }

    /**
     * The adoption of {@code journal} ended without a replica in sync (refused, or its live went): its wait starts
     * again, so the spare does not keep asking a live whose own backup is copying.
     */
    void restart(final String journal, final long nowNs)
    {
        since.put(journal, nowNs);
    }

    /**
     * @return how long the journal the longest without a replica has been so, in ms (0 for none).
     */
    long longestWaitMs(final long nowNs)
    {
        return since.values().stream().mapToLong(first -> (nowNs - first) / 1_000_000L).max().orElse(0);
    }
}
