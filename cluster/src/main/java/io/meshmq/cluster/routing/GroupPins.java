package io.meshmq.cluster.routing;

import io.meshmq.cluster.ClusterIdentity;
import io.meshmq.cluster.GroupingSettings;
import io.meshmq.engine.extension.EngineControl;
import io.meshmq.engine.processor.MessageReference;
import io.meshmq.engine.processor.ServerMessage;
import io.meshmq.engine.processor.ServerQueue;
import io.meshmq.protocol.DestinationType;

import java.io.IOException;
import java.net.URLDecoder;
import java.net.URLEncoder;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.util.HashMap;
import java.util.Iterator;
import java.util.List;
import java.util.Map;

/**
 * Message groups (JMSXGroupID) of clustered queues kept on one node, whichever node their messages are sent to: the
 * node whose {@code grouping.type} is local decides which node each group goes to (by the address's load balancing
 * among the nodes with a consumer for it, once, at its first message; to the node it was sent to while none has one)
 * and remembers it; the others send every grouped message to it to be routed ("decide
 * here": a forward that names no queue). Every message of a group so travels the same links, in order, to one node,
 * where the queue keeps the group with one consumer at a time (and moves it, in order, to another consumer of that
 * node when its consumer closes). A group's messages are never redistributed: a node whose consumers all left keeps
 * them until one comes (moving a group between nodes in order needs the old node drained first, which is not built).
 * A group ends with a message of JMSXGroupSeq -1; one no message used for {@code grouping.group-timeout} is
 * forgotten; one pinned to a node the cluster no longer has is pinned anew. The pins are kept in {@value #FILE}
 * (replaced whole at the end of a batch that changed them, before the batch's sends are confirmed), so a restart of
 * the handler keeps them; with HA the file is mirrored with the journal, and the backup that takes the handler's
 * journal over is the handler ({@link GroupingSettings#HANDLER_FILE}).
 * <p>
 * Not thread safe: processor thread only.
 */
final class GroupPins
{
    static final String FILE = "cluster-groups";
    private static final String HERE = "";
    private static final System.Logger LOG = System.getLogger(GroupPins.class.getName());

    /**
     * How a grouped message came to be routed here.
     */
    enum Origin
    {
        /** A client sent it to this node. */
        SENT_HERE,
        /** Another node asks this one, the local handler, to decide its group. */
        DECIDE_HERE,
        /** Another node routed it to this one's queue. */
        ROUTED_HERE
    }

    private record Key(String queue, String group)
    {
    }

    /**
     * Where a group's messages go from this node: {@link #HERE} or another node's id.
     */
    private static final class Pin
    {
        final String nodeId;
        long usedMs;

        Pin(final String nodeId, final long usedMs)
        {
            this.nodeId = nodeId;
            this.usedMs = usedMs;
        }
    }

    private final GroupingSettings settings;
    /** Asked for every send: kept, not compared from the settings' strings each time. */
    private final boolean on;
    private final boolean local;
    private final EngineControl control;
    private final Topology topology;
    private final Router router;
    private final ForwardCopies copies;
    private final Map<Key, Pin> pins = new HashMap<>();
    private boolean changed;
    private long nextReapMs;

    GroupPins(final ClusterIdentity identity, final EngineControl control, final Topology topology,
        final Router router, final ForwardCopies copies)
    {
        this.settings = identity.grouping();
        this.on = settings.isOn();
        this.local = settings.isLocal();
        this.control = control;
        this.topology = topology;
        this.router = router;
        this.copies = copies;
    }

    boolean isOn()
    {
        return on;
    }

    boolean isLocalHandler()
    {
        return local;
    }

    /**
     * @return true if every send to a queue must come to {@link #route} (grouping is on: its message may be in a
     * group).
     */
    boolean routesQueues(final byte type)
    {
        return on && type == DestinationType.QUEUE;
    }

    /**
     * @return true if the message's group is kept on one node by this class.
     */
    boolean applies(final byte type, final ServerMessage message)
    {
        return on && type == DestinationType.QUEUE && message.groupId() != null;
    }

    /**
     * @return the node that decides where groups go, if this node knows it and it is not this node; else null.
     */
    RemoteNode handler()
    {
        for (final RemoteNode node : topology.nodes())
        {
            if (node.groupHandler)
            {
                return node;
            }
        }
        return null;
    }

    /**
     * Routes a grouped message: where its group is pinned from here, or to the local handler to decide, or (on the
     * local handler, or for a message another node routed to this one) by deciding or storing here.
     *
     * @param sentFrom the node a forwarded message comes from; null for one a client sent here.
     * @return null, or why it could not be routed as its group needs (no local handler is known): it is then put in
     * this node's queue, for callers that must store it anyway.
     */
    String route(final String queue, final ServerMessage message, final Origin origin, final String sentFrom,
        final List<MessageReference> into, final List<MessageReference> forwards)
    {
        if (origin == Origin.ROUTED_HERE)
        {
            // Routed here by the handler's pin: its group waits here, whatever this node would decide.
            into.add(control.queue(queue).reference(message));
            return null;
        }
        final Key key = new Key(queue, message.groupId());
        Pin pin = pins.get(key);
        final long nowMs = control.nowMs();
        if (pin != null && !HERE.equals(pin.nodeId) && !hasQueue(pin.nodeId, queue))
        {
            LOG.log(System.Logger.Level.WARNING, "message group '" + key.group + "' of '" + queue + "' was pinned " +
                "to node " + pin.nodeId + ", which no longer has the queue (or was removed): it is pinned again");
            pins.remove(key);
            changed = true;
            pin = null;
        }
        if (pin == null)
        {
            if (origin == Origin.SENT_HERE && !local)
            {
                final RemoteNode handler = handler();
                if (handler != null)
                {
                    forwards.add(copies.copy(message, handler.bridge.queue(), DestinationType.QUEUE, queue, List.of(),
                        false));
                    return null;
                }
                into.add(control.queue(queue).reference(message));
                return "message group '" + key.group + "' of '" + queue + "' cannot be kept on one node: no node " +
                    "of this cluster is its grouping handler (grouping.type = local) that this node knows of";
            }
            pin = new Pin(decide(queue, message, sentFrom), nowMs);
            pins.put(key, pin);
            changed = true;
        }
        pin.usedMs = nowMs;
        if (message.endsGroup())
        {
            pins.remove(key);
            changed = true;
        }
        if (HERE.equals(pin.nodeId))
        {
            into.add(control.queue(queue).reference(message));
        }
        else
        {
            // Marked moved: the node it goes to may be the one it was sent to, which holds its duplicate id already.
            forwards.add(copies.copy(message, topology.node(pin.nodeId).bridge.queue(), DestinationType.QUEUE, queue,
                List.of(queue), true));
        }
        return null;
    }

    private boolean hasQueue(final String nodeId, final String queue)
    {
        final RemoteNode node = topology.node(nodeId);
        return node != null && node.bindings.containsKey(queue);
    }

    /**
     * @return the node a new group goes to, by the address's load balancing: {@link #HERE} or a node's id.
     */
    private String decide(final String queue, final ServerMessage message, final String sentFrom)
    {
        final ServerQueue here = control.existingQueue(queue);
        final List<RemoteBinding> there = topology.bindings(DestinationType.QUEUE, queue) == null ? List.of() :
            topology.bindings(DestinationType.QUEUE, queue);
        boolean consumed = here != null && !topology.suspended && here.hasConsumerFor(message);
        for (int i = 0; !consumed && i < there.size(); i++)
        {
            consumed = there.get(i).hasConsumerFor(message);
        }
        if (!consumed)
        {
            // No consumer anywhere yet: it waits where it was sent, as a message in no group would.
            return sentFrom == null || topology.node(sentFrom) == null ? HERE : sentFrom;
        }
        final Binding chosen = router.chooseAmong(here, there, message, queue);
        return chosen instanceof RemoteBinding remote ? remote.node.id : HERE;
    }

    /**
     * @return for this node's status: its part in grouping ("" when off).
     */
    String describe()
    {
        if (local)
        {
            return "; grouping handler, " + pins.size() + " groups pinned";
        }
        if (!on)
        {
            return "";
        }
        final RemoteNode handler = handler();
        return handler == null ? "; grouping: no handler known (grouped sends are refused)" :
            "; grouping: handler " + handler.name + (handler.isUp() ? "" : " (down: grouped sends fail)");
    }

    /**
     * Forgets the groups no message used for grouping.group-timeout, now and then.
     */
    void onTick(final long nowMs)
    {
        if (settings.groupTimeoutMs() < 0 || nowMs < nextReapMs)
        {
            return;
        }
        nextReapMs = nowMs + settings.reaperPeriodMs();
        for (final Iterator<Pin> it = pins.values().iterator(); it.hasNext(); )
        {
            if (nowMs - it.next().usedMs >= settings.groupTimeoutMs())
            {
                it.remove();
                changed = true;
            }
        }
    }

    long nextDueMs()
    {
        return settings.groupTimeoutMs() < 0 || pins.isEmpty() ? Long.MAX_VALUE : nextReapMs;
    }

    /**
     * The batch ends: pins it changed are kept before its sends are confirmed.
     */
    void onEndOfBatch()
    {
        if (!changed)
        {
            return;
        }
        changed = false;
        final StringBuilder text = new StringBuilder();
        for (final Map.Entry<Key, Pin> entry : pins.entrySet())
        {
            text.append(entry.getValue().nodeId.isEmpty() ? "." : entry.getValue().nodeId).append(' ')
                .append(URLEncoder.encode(entry.getKey().queue, StandardCharsets.UTF_8)).append(' ')
                .append(URLEncoder.encode(entry.getKey().group, StandardCharsets.UTF_8)).append('\n');
        }
        try
        {
            control.replaceFile(FILE, text.toString());
        }
        catch (final IOException ex)
        {
            LOG.log(System.Logger.Level.ERROR, "cannot write " + FILE + " (" + ex + "): after a restart, groups " +
                "pinned since may go to another node");
        }
    }

    /**
     * Recovery: the pins kept before the restart.
     */
    void restore()
    {
        final Path directory = control.dataDirectory();
        if (directory == null || !on)
        {
            return;
        }
        if (local)
        {
            try
            {
                // Goes with the journal: a backup that takes it over is the handler in its place.
                control.replaceFile(GroupingSettings.HANDLER_FILE, "this journal's node decides where message " +
                    "groups go\n");
            }
            catch (final IOException ex)
            {
                LOG.log(System.Logger.Level.ERROR, "cannot write " + GroupingSettings.HANDLER_FILE + " (" + ex +
                    "): a backup that takes this journal over will not be the grouping handler");
            }
        }
        final List<String> lines;
        try
        {
            lines = Files.readAllLines(directory.resolve(FILE), StandardCharsets.UTF_8);
        }
        catch (final NoSuchFileException none)
        {
            return;
        }
        catch (final IOException ex)
        {
            LOG.log(System.Logger.Level.ERROR, "cannot read " + directory.resolve(FILE) + " (" + ex + "): groups are " +
                "pinned anew");
            return;
        }
        final long nowMs = control.nowMs();
        for (final String line : lines)
        {
            final String[] parts = line.split(" ");
            if (parts.length == 3)
            {
                pins.put(new Key(URLDecoder.decode(parts[1], StandardCharsets.UTF_8),
                    URLDecoder.decode(parts[2], StandardCharsets.UTF_8)), new Pin(".".equals(parts[0]) ? HERE :
                    parts[0], nowMs));
            }
        }
    }
}
