package io.meshmq.cluster.routing;

import io.meshmq.cluster.RepositoryRole;

import java.util.HashMap;
import java.util.Map;

/**
 * The links a partial repository opens to the nodes it has messages for, beyond its links to the full repositories:
 * wanted as soon as a message waits for a node not linked, closed once no message went to it for the idle-link
 * timeout (the node stays known, and is linked again when it is next sent something).
 * <p>
 * Not thread safe: processor thread only.
 */
final class LinksOnDemand
{
    private static final long CHECK_EVERY_MS = 1_000;
    private static final System.Logger LOG = System.getLogger(LinksOnDemand.class.getName());

    private final RepositoryRole role;
    private final Topology topology;
    private long lastCheckMs;

    LinksOnDemand(final RepositoryRole role, final Topology topology)
    {
        this.role = role;
        this.topology = topology;
    }

    /**
     * The batch ends: a node with messages waiting for it, and no link, is linked to.
     */
    void onEndOfBatch(final long nowMs)
    {
        if (!role.partial())
        {
            return;
        }
        boolean changed = false;
        for (final RemoteNode node : topology.nodes())
        {
            if (!node.linkWanted && !node.isUp() && node.url != null && node.backlog() > 0)
            {
                node.linkWanted = true;
                node.lastUsedMs = nowMs;
                changed = true;
            }
        }
        if (changed)
        {
            publish();
        }
    }

    long nextDueMs()
    {
        return role.partial() ? lastCheckMs + CHECK_EVERY_MS : Long.MAX_VALUE;
    }

    void onTick(final long nowMs)
    {
        if (!role.partial() || nowMs - lastCheckMs < CHECK_EVERY_MS)
        {
            return;
        }
        lastCheckMs = nowMs;
        boolean changed = false;
        for (final RemoteNode node : topology.nodes())
        {
            if (!node.linkWanted)
            {
                continue;
            }
            final long forwarded = node.bridge.forwarded();
            if (node.backlog() > 0 || forwarded != node.forwardedSeen)
            {
                node.lastUsedMs = nowMs;
                node.forwardedSeen = forwarded;
            }
            else if (nowMs - node.lastUsedMs >= role.idleLinkTimeoutMs())
            {
                LOG.log(System.Logger.Level.INFO, "closing the link to node '" + node.name + "' (" + node.url +
                    "): nothing went to it for " + role.idleLinkTimeoutMs() / 1000 + " s (cluster.idle-link-timeout)");
                node.linkWanted = false;
                // Closed while up, it stays reachable; one that went down stays so until a repository tells of it.
                node.onDemand = node.isUp();
                changed = true;
            }
        }
        if (changed)
        {
            publish();
        }
    }

    /**
     * @return true if the node's link was closed because nothing went to it: it is not down.
     */
    static boolean closedIdle(final RemoteNode node)
    {
        return node.onDemand && !node.linkWanted;
    }

    private void publish()
    {
        final Map<String, String> wanted = new HashMap<>();
        for (final RemoteNode node : topology.nodes())
        {
            if (node.linkWanted)
            {
                wanted.put(node.url, node.id);
            }
        }
        role.wantLinks(wanted);
    }
}
