package io.meshmq.cluster.routing;

import io.meshmq.cluster.ClusterCommand;
import io.meshmq.cluster.wire.ClusterFrameEncoder;
import io.meshmq.engine.extension.EngineControl;
import io.meshmq.engine.journal.JournalWriteException;
import io.meshmq.engine.processor.MessageReference;
import io.meshmq.engine.processor.ServerMessage;
import io.meshmq.engine.processor.ServerQueue;
import io.meshmq.protocol.DestinationType;
import io.meshmq.protocol.TemporaryNames;
import io.meshmq.protocol.WireWriter;

import java.util.ArrayList;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;

/**
 * A partial repository's questions to the full ones: the first message to a name this node has not looked up waits
 * (parked in {@link #PARKED}, stored like any message) until a full repository said which nodes have queues or
 * subscriptions of that name, then is routed as if it had just been sent; later ones are routed at once. Every name
 * looked up is asked again of each full repository that links up, so the repositories that remain tell this node of
 * later changes when one is lost.
 * <p>
 * Not thread safe: processor thread only.
 */
final class Lookups
{
    static final String PARKED = Cluster.RESERVED_PREFIX + "lookup.parked";
    /** How long a parked message waits for an answer before it is routed with what this node knows. */
    static final long ANSWER_WAIT_MS = 5_000;
    private static final System.Logger LOG = System.getLogger(Lookups.class.getName());

    private final boolean partial;
    private final String nodeId;
    private final EngineControl control;
    private final Topology topology;
    private final ForwardCopies copies;
    private final WireWriter frame;
    /**
     * Routes a parked message again, as the cluster routes a message just sent.
     */
    interface Rerouter
    {
        void route(byte type, String name, ServerMessage message, String publisherClientId,
            long publisherConnectionId, List<MessageReference> into);
    }

    private final Rerouter rerouter;
    private final Set<String> answered = new HashSet<>();
    /** Names asked and not answered yet, to the time their messages stop waiting for the answer. */
    private final Map<String, Long> pending = new LinkedHashMap<>();

    Lookups(final boolean partial, final String nodeId, final EngineControl control, final Topology topology,
        final ForwardCopies copies, final WireWriter frame, final Rerouter rerouter)
    {
        this.partial = partial;
        this.nodeId = nodeId;
        this.control = control;
        this.topology = topology;
        this.copies = copies;
        this.frame = frame;
        this.rerouter = rerouter;
    }

    static boolean isParkedQueue(final String name)
    {
        return PARKED.equals(name);
    }

    /**
     * @return true if a message to the destination must wait for a full repository's answer: this node is partial
     * and has not looked the name up (or, for a temporary destination, does not know its node).
     */
    boolean mustWait(final byte type, final String name)
    {
        if (!partial || Cluster.isReserved(name) || answered.contains(name))
        {
            return false;
        }
        if (type == DestinationType.QUEUE || type == DestinationType.TOPIC)
        {
            return true;
        }
        if (!DestinationType.isTemporary(type))
        {
            return false;
        }
        final String owner = TemporaryNames.nodeOf(name);
        return owner != null && !owner.equals(nodeId) && topology.node(owner) == null && !isHere(type, name);
    }

    private boolean isHere(final byte type, final String name)
    {
        return type == DestinationType.TEMPORARY_QUEUE ? control.existingQueue(name) != null :
            control.existingTopic(name) != null;
    }

    /**
     * @return a reference, in {@link #PARKED}, to a copy of the message that waits for the name's answer.
     */
    MessageReference park(final byte type, final String name, final ServerMessage message,
        final String publisherClientId, final long publisherConnectionId)
    {
        ask(name);
        return copies.park(message, control.queue(PARKED), type, name, publisherClientId, publisherConnectionId);
    }

    /**
     * Asks every full repository linked about the name, unless asked already.
     */
    void ask(final String name)
    {
        if (pending.containsKey(name))
        {
            return;
        }
        pending.put(name, control.nowMs() + ANSWER_WAIT_MS);
        for (final RemoteNode repository : repositories())
        {
            control.write(repository.bridge.link(), ClusterFrameEncoder.lookup(frame, name));
        }
    }

    /**
     * A full repository's link is up: it is asked every name, those still waiting and those answered (so it tells
     * this node of their changes from now on).
     */
    void repositoryUp(final RemoteNode repository)
    {
        for (final String name : pending.keySet())
        {
            control.write(repository.bridge.link(), ClusterFrameEncoder.lookup(frame, name));
        }
        for (final String name : answered)
        {
            control.write(repository.bridge.link(), ClusterFrameEncoder.lookup(frame, name));
        }
    }

    /**
     * A full repository said all it knows of the name: its parked messages are routed.
     */
    void answered(final String name)
    {
        rememberAnswered(name);
        if (pending.remove(name) != null)
        {
            release(name);
        }
    }

    /**
     * A full repository told of a node, and maybe of a queue or subscription of it.
     *
     * @return true if what it told applies: the node's own link is not up (while it is, the node says first-hand).
     */
    boolean known(final RemoteNode node, final ClusterCommand.Known known, final String repositoryName)
    {
        if (node.isUp())
        {
            return false;
        }
        node.url = known.url();
        if (node.name.equals(node.id))
        {
            node.name = known.nodeName();
            node.bridge.target(RemoteNode.describe(node.name));
        }
        node.knownFrom = repositoryName;
        node.onDemand = true;
        if (!node.linkWanted)
        {
            node.state = "known from full repository '" + repositoryName + "'; linked when sent something";
        }
        return true;
    }

    /**
     * A temporary destination's name is kept only while its node is unknown: once known, its node says where it is,
     * and request/reply makes a new name for every requester.
     */
    private void rememberAnswered(final String name)
    {
        final String owner = TemporaryNames.nodeOf(name);
        if (owner == null || topology.node(owner) == null)
        {
            answered.add(name);
        }
    }

    /**
     * Routes the name's parked messages, in the order they were sent, as if they had just been sent.
     */
    private void release(final String name)
    {
        final ServerQueue parked = control.existingQueue(PARKED);
        if (parked == null)
        {
            return;
        }
        for (MessageReference reference = parked.first(); reference != null; )
        {
            final MessageReference next = parked.after(reference);
            final ForwardCopies.Forward forward = ForwardCopies.read(reference.message());
            if (forward.address().equals(name))
            {
                final ForwardCopies.Publisher publisher = ForwardCopies.publisherOf(reference.message());
                final ServerMessage original = control.message(forward.original(), publisher.connectionId());
                final List<MessageReference> into = new ArrayList<>(2);
                rerouter.route(forward.kind(), name, original, publisher.clientId(), publisher.connectionId(), into);
                try
                {
                    control.move(List.of(reference), into);
                }
                catch (final JournalWriteException ex)
                {
                    LOG.log(System.Logger.Level.WARNING, "a message to '" + name + "' stays parked until this node " +
                        "restarts: the journal failed (" + ex.getMessage() + ")");
                }
            }
            reference = next;
        }
    }

    /**
     * After a restart: the names of parked messages are asked again.
     */
    void recovered()
    {
        final ServerQueue parked = control.existingQueue(PARKED);
        if (parked == null)
        {
            return;
        }
        for (MessageReference reference = parked.first(); reference != null; reference = parked.after(reference))
        {
            ask(ForwardCopies.read(reference.message()).address());
        }
    }

    long nextDueMs()
    {
        long due = Long.MAX_VALUE;
        for (final long deadline : pending.values())
        {
            due = Math.min(due, deadline);
        }
        return due;
    }

    void onTick(final long nowMs)
    {
        if (pending.isEmpty())
        {
            return;
        }
        final List<String> late = new ArrayList<>();
        pending.forEach((name, deadline) ->
        {
            if (deadline <= nowMs)
            {
                late.add(name);
            }
        });
        for (final String name : late)
        {
            LOG.log(System.Logger.Level.WARNING, "no full repository answered this partial node's lookup of '" + name +
                "' within " + ANSWER_WAIT_MS + " ms (" + (repositories().isEmpty() ? "none is linked: check " +
                "cluster.members and cluster status" : "they are slow") + "): its messages are routed with what this " +
                "node knows, and the name is asked again when a full repository links up");
            pending.remove(name);
            rememberAnswered(name);
            release(name);
        }
    }

    /**
     * @return how many names this node looked up, and how many wait for an answer.
     */
    String describe()
    {
        return !partial ? "" : "; partial repository: " + answered.size() + " names looked up" +
            (pending.isEmpty() ? "" : ", " + pending.size() + " waiting for an answer") +
            (repositories().isEmpty() ? ", NO FULL REPOSITORY LINKED" : "");
    }

    private List<RemoteNode> repositories()
    {
        final List<RemoteNode> up = new ArrayList<>();
        for (final RemoteNode node : topology.nodes())
        {
            if (node.isUp() && !node.partial && node.bridge.link() != null)
            {
                up.add(node);
            }
        }
        return up;
    }
}
