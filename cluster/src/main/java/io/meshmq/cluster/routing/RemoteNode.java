package io.meshmq.cluster.routing;

import java.util.HashMap;
import java.util.List;
import java.util.Map;

/**
 * Another node of the cluster: what it has (its bindings), and the bridge that carries messages to it.
 * <p>
 * Not thread safe: owned by the processor thread.
 */
final class RemoteNode
{
    final String id;
    String name;
    /** The named group the node is in ({@code cluster.group}), as its bindings last said; "" for none. */
    String group = "";
    String url;
    String state = "down: not connected yet";
    /** Applications connected to it, as it last said while its link was up. */
    int clients;
    final Map<String, RemoteBinding> bindings = new HashMap<>();
    /** Its forward queue and link: messages for it wait there, in order, until it confirms it stored them. */
    final Bridge bridge;
    /** It said it is suspended: it takes no new work that another node can take. */
    boolean suspended;
    /** It said it decides where message groups go (grouping.type = local). */
    boolean groupHandler;
    /** Counts link-ups: a snapshot of bindings after a link-up replaces those of older generations. */
    long generation;
    /** It said, when this node's link joined it, that it is a partial repository. */
    boolean partial;
    /**
     * This partial node may link to it when it has something for it: a full repository told of it, or the link was
     * closed for being idle. False once an attempt to reach it failed, until a repository tells of it again.
     */
    boolean onDemand;
    /** A partial node's link to it is wanted: messages wait for it, or went to it in the idle-link timeout. */
    boolean linkWanted;
    /** When a partial node last had a message for it (ms), and how many it had forwarded then. */
    long lastUsedMs;
    long forwardedSeen;
    /** The full repository that told this partial node of it, or null. */
    String knownFrom;

    /**
     * @param bridge its forward queue's bridge, named {@link #describe(String) describe(id)} until the node's name is
     *               known.
     */
    RemoteNode(final String id, final Bridge bridge)
    {
        this.id = id;
        this.name = id;
        this.bridge = bridge;
    }

    /**
     * @return for people, as logs and refusals name a node.
     */
    static String describe(final String name)
    {
        return "node '" + name + "' of the cluster";
    }

    /**
     * @return "node 'NAME'", as the sender of a message that could not be delivered is told.
     */
    static String named(final String name)
    {
        return "node '" + name + "'";
    }

    /**
     * @return "node 'A'" for one, "nodes 'A', 'B'" for more.
     */
    static String named(final List<String> names)
    {
        return names.size() == 1 ? named(names.get(0)) : "nodes '" + String.join("', '", names) + "'";
    }

    boolean isUp()
    {
        return bridge.isUp();
    }

    /**
     * @return true while its link is up, or while this partial node can open one when it has something for it.
     */
    boolean isReachable()
    {
        return isUp() || onDemand;
    }

    long backlog()
    {
        return bridge.backlog();
    }
}
