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

    long backlog()
    {
        return bridge.backlog();
    }
}
