package io.meshmq.cluster.routing;

import io.meshmq.engine.processor.MessageReference;
import io.meshmq.engine.processor.ServerQueue;
import io.meshmq.engine.ring.ConnectionOutput;
import org.agrona.collections.Long2ObjectHashMap;

import java.util.HashMap;
import java.util.Map;

/**
 * Another node of the cluster: what it has (its bindings), the queue of messages waiting to cross to it,
 * and those sent over the link and not yet confirmed stored there.
 * <p>
 * Not thread safe: owned by the processor thread.
 */
final class RemoteNode
{
    final String id;
    String name;
    String url;
    /** Where forwards are written while the link is up; null while it is down. */
    ConnectionOutput link;
    String state = "down: not connected yet";
    final Map<String, RemoteBinding> bindings = new HashMap<>();
    /** Messages for this node, durable and in order; a message leaves it once the node confirms it stored it. */
    final ServerQueue forwardQueue;
    /** Forwards sent and not yet confirmed, by sequence. */
    final Long2ObjectHashMap<MessageReference> inFlight = new Long2ObjectHashMap<>();
    /** Counts link-ups: a snapshot of bindings after a link-up replaces those of older generations. */
    long generation;
    /** After a refused forward, nothing more is sent before this time. */
    long pausedUntilMs;
    long forwarded;

    RemoteNode(final String id, final ServerQueue forwardQueue)
    {
        this.id = id;
        this.name = id;
        this.forwardQueue = forwardQueue;
    }

    boolean isUp()
    {
        return link != null;
    }

    long backlog()
    {
        return forwardQueue.size() + inFlight.size();
    }
}
