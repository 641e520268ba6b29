package io.meshmq.cluster;

/**
 * One cluster connection defined at run time ({@code cluster add|remove}): spread to every member, kept
 * across restarts. Of two definitions of the same member the later stamp wins everywhere, so the nodes
 * agree whatever order they hear them in.
 *
 * @param member  HOST:PORT.
 * @param active  false for a connection that is kept but not used.
 * @param removed a removal, kept so it spreads and outvotes older additions.
 * @param stamp   when it was made (ms since the epoch); 0 for a member only learned from its own join.
 * @param origin  the node id that made it: breaks ties between equal stamps.
 */
public record MemberDefinition(String member, boolean active, boolean removed, long stamp, String origin)
{
    public boolean isNewerThan(final MemberDefinition other)
    {
        return other == null || stamp > other.stamp || stamp == other.stamp && origin.compareTo(other.origin) > 0;
    }

    /**
     * @return true if this node should keep a link to the member.
     */
    public boolean isUsed()
    {
        return active && !removed;
    }
}
