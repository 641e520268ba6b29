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
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * Message groups (JMSXGroupID) of clustered queues kept on one node, whichever node their messages are sent to: the
 * node whose {@code grouping.type} is local decides which node each group goes to (by the address's load balancing
 * among the nodes with a consumer for it, once, at its first message; to the node it was sent to while none has one)
 * and remembers it; the others send every grouped message to it to be routed ("decide
 * here": a forward that names no queue). Every message of a group so travels the same links, in order, to one node,
 * where the queue keeps the group with one consumer at a time (and moves it, in order, to another consumer of that
 * node when its consumer closes). A group's messages are never redistributed one by one: when a node whose consumers
 * all left holds some, the group moves whole to a node with a consumer ({@link GroupMoves}: its new messages wait on
 * the handler meanwhile, so they follow the old ones). A group ends with a message of JMSXGroupSeq -1; one no
 * message used for {@code grouping.group-timeout} is forgotten; one pinned to a node the cluster no longer has is
 * pinned anew. The pins are kept in {@value #FILE} and {@value #CHANGES} (written at the end of a batch that changed
 * them, before the batch's sends are confirmed), so a restart of the handler keeps them; with HA the files are
 * mirrored with the journal, and the backup that takes the handler's journal over is the handler
 * ({@link GroupingSettings#HANDLER_FILE}).
 * <p>
 * Not thread safe: processor thread only.
 */
final class GroupPins
{
    static final String FILE = "cluster-groups";
    /** The pins made and dropped since {@link #FILE} was last written whole. */
    static final String CHANGES = "cluster-groups.changes";
    static final int CHANGES_BEFORE_REWRITE = 1_024;
    private static final String GONE = "-";
    static final int MAX_PINS = 65_536;
    static final String HERE = "";
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

    record Key(String queue, String group)
    {
    }

    /**
     * Where a group's messages go from this node: {@link #HERE} or another node's id.
     */
    static final class Pin
    {
        String nodeId;
        long usedMs;
        /** Its node was seen to have the queue: its not having it now means it was deleted there. */
        boolean queueSeen;
        /** While the group moves from {@link #nodeId}: where to ({@link #HERE} or a node's id); else null. */
        String movingTo;
        /** The move's number, which the answer names. */
        long moveId;
        /** When the handler last told {@link #nodeId} to move the group. */
        long moveSentMs;
        /** A message that ends the group came while it moved: it is forgotten once the move ends. */
        boolean endsAfterMove;

        Pin(final String nodeId, final long usedMs)
        {
            this.nodeId = nodeId;
            this.usedMs = usedMs;
        }

        boolean isMoving()
        {
            return movingTo != null;
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
    private final GroupMoves moves;
    /**
     * Least recently used first, at most {@code maxPins}: an application that makes a group per order and never ends
     * them would otherwise grow it (and the file rewritten with it) for ever; the pin dropped is the one unused for
     * longest (its group's next message is decided anew), as a queue drops its oldest group.
     */
    private final Map<Key, Pin> pins;
    /** Pins made and dropped since {@link #FILE} was last written whole, a line each (as {@link #CHANGES} has). */
    private final StringBuilder logged = new StringBuilder();
    /** How long {@link #logged} was at the end of the last batch: beyond it, changes not yet written. */
    private int loggedWritten;
    private int loggedLines;
    /** False for a broker that keeps nothing on disk (known once recovered): nothing to write. */
    private boolean keeps;
    private long nextReapMs;

    GroupPins(final ClusterIdentity identity, final EngineControl control, final Topology topology,
        final Router router, final ForwardCopies copies)
    {
        this(identity, control, topology, router, copies, MAX_PINS);
    }

    /**
     * @param maxPins how many pins it keeps at most.
     */
    GroupPins(final ClusterIdentity identity, final EngineControl control, final Topology topology,
        final Router router, final ForwardCopies copies, final int maxPins)
    {
        this.pins = new LinkedHashMap<>(16, 0.75f, true)
        {
            @Override
            protected boolean removeEldestEntry(final Map.Entry<Key, Pin> eldest)
            {
                if (size() <= maxPins)
                {
                    return false;
                }
                // A moving group is kept until its move ends (its parked messages wait for it): the one unused
                // longest of the others goes.
                for (final Iterator<Map.Entry<Key, Pin>> it = entrySet().iterator(); it.hasNext(); )
                {
                    final Map.Entry<Key, Pin> entry = it.next();
                    if (!entry.getValue().isMoving())
                    {
                        logged.append(line(GONE, entry.getKey()));
                        it.remove();
                        return false;
                    }
                }
                return false;
            }
        };
        this.settings = identity.grouping();
        this.on = settings.isOn();
        this.local = settings.isLocal();
        this.control = control;
        this.topology = topology;
        this.router = router;
        this.copies = copies;
        this.moves = new GroupMoves(identity, control, topology, router, copies, this);
    }

    GroupMoves moves()
    {
        return moves;
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
        if (pin != null && pin.isMoving())
        {
            // Its messages still on the old node go first: it waits here until they are all on the new one.
            pin.usedMs = nowMs;
            pin.endsAfterMove |= message.endsGroup();
            forwards.add(moves.park(message, queue));
            return null;
        }
        if (pin != null && !HERE.equals(pin.nodeId) && isGone(pin, queue))
        {
            LOG.log(System.Logger.Level.WARNING, "message group '" + key.group + "' of '" + queue + "' was pinned " +
                "to node " + pin.nodeId + ", which no longer has the queue (or was removed): it is pinned again");
            unpin(key);
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
            pin = pinTo(key, decide(queue, message, sentFrom));
        }
        pin.usedMs = nowMs;
        if (message.endsGroup())
        {
            unpin(key);
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

    Pin pin(final Key key)
    {
        return pins.get(key);
    }

    /**
     * @param nodeId {@link #HERE} or a node's id.
     * @return a new pin of the group to the node (kept with the rest at the end of the batch).
     */
    Pin pinTo(final Key key, final String nodeId)
    {
        final Pin pin = new Pin(nodeId, control.nowMs());
        pin.queueSeen = hasQueue(nodeId, key.queue);
        pins.put(key, pin);
        logged.append(line(pin, key));
        return pin;
    }

    /**
     * The group begins to move from its node: its messages wait here meanwhile ({@link #route}).
     */
    void moving(final Key key, final Pin pin, final String to, final long moveId)
    {
        pin.movingTo = to;
        pin.moveId = moveId;
        pin.moveSentMs = control.nowMs();
        logged.append(line(pin, key));
    }

    /**
     * The group's move ended (or none began): its messages go to the node from now on.
     */
    void settle(final Key key, final Pin pin, final String nodeId)
    {
        pin.nodeId = nodeId;
        pin.movingTo = null;
        pin.moveId = 0;
        pin.queueSeen = hasQueue(nodeId, key.queue);
        logged.append(line(pin, key));
        if (pin.endsAfterMove)
        {
            unpin(key);
        }
    }

    /**
     * @return the groups moving now, by move number.
     */
    Map<Long, Key> movingGroups()
    {
        final Map<Long, Key> moving = new HashMap<>();
        for (final Map.Entry<Key, Pin> entry : pins.entrySet())
        {
            if (entry.getValue().isMoving())
            {
                moving.put(entry.getValue().moveId, entry.getKey());
            }
        }
        return moving;
    }

    /**
     * @return true if the pin's node is no longer there for the queue: unknown, or it had the queue and has it no more
     * (deleted there, or the node removed); not while it has not told of the queue yet (a group pinned to the node it
     * was sent to, which makes the queue when the message comes).
     */
    private boolean isGone(final Pin pin, final String queue)
    {
        if (topology.node(pin.nodeId) == null)
        {
            return true;
        }
        if (hasQueue(pin.nodeId, queue))
        {
            pin.queueSeen = true;
            return false;
        }
        return pin.queueSeen;
    }

    boolean hasQueue(final String nodeId, final String queue)
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
        final List<RemoteBinding> known = topology.bindings(DestinationType.QUEUE, queue);
        final List<RemoteBinding> there = known == null ? List.of() : known;
        if (!router.hasConsumerAmong(here, there, message, queue))
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
            final int moving = moves.movingCount();
            return "; grouping handler, " + pins.size() + " groups pinned" + (moving == 0 ? "" : ", " + moving +
                " moving");
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
        moves.onTick(nowMs);
        if (settings.groupTimeoutMs() < 0 || nowMs < nextReapMs)
        {
            return;
        }
        nextReapMs = nowMs + settings.reaperPeriodMs();
        for (final Iterator<Map.Entry<Key, Pin>> it = pins.entrySet().iterator(); it.hasNext(); )
        {
            final Map.Entry<Key, Pin> entry = it.next();
            if (nowMs - entry.getValue().usedMs >= settings.groupTimeoutMs() && !entry.getValue().isMoving())
            {
                it.remove();
                logged.append(line(GONE, entry.getKey()));
            }
        }
    }

    long nextDueMs()
    {
        return Math.min(moves.nextDueMs(),
            settings.groupTimeoutMs() < 0 || pins.isEmpty() ? Long.MAX_VALUE : nextReapMs);
    }

    /**
     * The batch ends: pins it made or dropped are kept before its sends are confirmed. Each batch rewrites only the
     * small file of changes since the last whole write ({@link #CHANGES}); past {@value #CHANGES_BEFORE_REWRITE}
     * changes, the pins are written whole ({@link #FILE}) and the changes start anew, so a batch costs little however
     * many groups there are.
     */
    void onEndOfBatch()
    {
        if (!keeps)
        {
            logged.setLength(0);
            return;
        }
        if (logged.length() == loggedWritten)
        {
            return;
        }
        loggedLines += count(logged, loggedWritten);
        loggedWritten = logged.length();
        try
        {
            if (loggedLines > CHANGES_BEFORE_REWRITE)
            {
                final StringBuilder whole = new StringBuilder(pins.size() * 48);
                for (final Map.Entry<Key, Pin> entry : pins.entrySet())
                {
                    whole.append(line(entry.getValue(), entry.getKey()));
                }
                // The whole first: a crash between the two replays changes the whole already holds, to the same end.
                control.replaceFile(FILE, whole.toString());
                logged.setLength(0);
                loggedWritten = 0;
                loggedLines = 0;
            }
            control.replaceFile(CHANGES, logged.toString());
        }
        catch (final IOException ex)
        {
            LOG.log(System.Logger.Level.ERROR, "cannot write " + FILE + " or " + CHANGES + " (" + ex + "): after a " +
                "restart, groups pinned since may go to another node");
        }
    }

    private void unpin(final Key key)
    {
        if (pins.remove(key) != null)
        {
            logged.append(line(GONE, key));
        }
    }

    /**
     * @return the pin's line: for a moving group, NODE "&gt;" TO "&gt;" MOVE, nodes URL-encoded ("." for this node).
     */
    private static String line(final Pin pin, final Key key)
    {
        if (!pin.isMoving())
        {
            return line(pin.nodeId, key);
        }
        return line(encodeNode(pin.nodeId) + '>' + encodeNode(pin.movingTo) + '>' + pin.moveId, key);
    }

    private static String encodeNode(final String nodeId)
    {
        return nodeId.isEmpty() ? "." : URLEncoder.encode(nodeId, StandardCharsets.UTF_8);
    }

    private static String decodeNode(final String text)
    {
        return ".".equals(text) ? HERE : URLDecoder.decode(text, StandardCharsets.UTF_8);
    }

    /**
     * @return "NODE QUEUE GROUP\n", NODE "." for this node, "-" for a pin dropped; names URL-encoded.
     */
    private static String line(final String nodeId, final Key key)
    {
        return (nodeId.isEmpty() ? "." : nodeId) + ' ' + URLEncoder.encode(key.queue, StandardCharsets.UTF_8) + ' ' +
            URLEncoder.encode(key.group, StandardCharsets.UTF_8) + '\n';
    }

    private static int count(final CharSequence text, final int from)
    {
        int lines = 0;
        for (int i = from; i < text.length(); i++)
        {
            lines += text.charAt(i) == '\n' ? 1 : 0;
        }
        return lines;
    }

    /**
     * @throws IllegalArgumentException if the line cannot be read.
     */
    private void restore(final String line, final long nowMs)
    {
        final String[] parts = line.split(" ");
        if (parts.length != 3)
        {
            return;
        }
        final Key key = new Key(URLDecoder.decode(parts[1], StandardCharsets.UTF_8),
            URLDecoder.decode(parts[2], StandardCharsets.UTF_8));
        final String[] moving = parts[0].split(">");
        if (GONE.equals(parts[0]))
        {
            pins.remove(key);
        }
        else if (moving.length == 3)
        {
            final Pin pin = new Pin(decodeNode(moving[0]), nowMs);
            pin.movingTo = decodeNode(moving[1]);
            pin.moveId = Long.parseLong(moving[2]);
            pin.moveSentMs = nowMs;
            pins.put(key, pin);
        }
        else
        {
            pins.put(key, new Pin(".".equals(parts[0]) ? HERE : parts[0], nowMs));
        }
    }

    /**
     * Recovery: the pins kept before the restart.
     */
    void restore()
    {
        final Path directory = control.dataDirectory();
        keeps = directory != null && on;
        if (!keeps)
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
        final long nowMs = control.nowMs();
        for (final String file : List.of(FILE, CHANGES))
        {
            final List<String> lines;
            try
            {
                lines = Files.readAllLines(directory.resolve(file), StandardCharsets.UTF_8);
            }
            catch (final NoSuchFileException none)
            {
                continue;
            }
            catch (final IOException ex)
            {
                LOG.log(System.Logger.Level.ERROR, "cannot read " + directory.resolve(file) + " (" + ex + "): groups " +
                    "pinned since its last write are pinned anew");
                continue;
            }
            for (final String line : lines)
            {
                try
                {
                    restore(line, nowMs);
                }
                catch (final IllegalArgumentException ex)
                {
                    LOG.log(System.Logger.Level.ERROR, "cannot read the line '" + line + "' of " +
                        directory.resolve(file) + " (" + ex + "): its group is decided anew");
                }
            }
        }
        // The changes file on disk is not in the whole one: the next batch that changes a pin writes the whole anew.
        logged.setLength(0);
        loggedWritten = 0;
        loggedLines = CHANGES_BEFORE_REWRITE;
        moves.restored();
    }
}
