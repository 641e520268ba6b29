package io.meshmq.cluster;

import java.util.Map;
import java.util.concurrent.atomic.AtomicReference;

/**
 * What this node keeps of the cluster's picture ({@code cluster.repository}). A full repository links to every
 * member and knows every node's queues and subscriptions; a partial one links to the full repositories, asks them
 * for the nodes of the addresses it uses, and links to those alone.
 *
 * @param partial           this node is a partial repository.
 * @param idleLinkTimeoutMs a partial node closes a link it opened on demand once unused this long.
 * @param linksWanted       the nodes this node wants linked besides its members, by url (HOST:PORT) to node id: a
 *                          full repository's partial nodes, a partial node's nodes in use; set on the processor
 *                          thread, read by the mesh.
 * @param onLinksWanted     run when they change; the mesh sets it.
 */
public record RepositoryRole(boolean partial, long idleLinkTimeoutMs, AtomicReference<Map<String, String>> linksWanted,
    AtomicReference<Runnable> onLinksWanted)
{
    public RepositoryRole(final boolean partial, final long idleLinkTimeoutMs)
    {
        this(partial, idleLinkTimeoutMs, new AtomicReference<>(Map.of()), new AtomicReference<>());
    }

    public static RepositoryRole full()
    {
        return new RepositoryRole(false, Long.MAX_VALUE);
    }

    public String describe()
    {
        return partial ? "partial" : "full";
    }

    /**
     * The processor wants these links (url to node id): the mesh hears of it, now or when it starts.
     */
    public void wantLinks(final Map<String, String> wanted)
    {
        linksWanted.set(Map.copyOf(wanted));
        final Runnable listener = onLinksWanted.get();
        if (listener != null)
        {
            listener.run();
        }
    }
}
