package io.meshmq.cluster.routing;

import io.meshmq.cluster.ClusterCommand;
import io.meshmq.engine.extension.EngineControl;
import io.meshmq.engine.journal.JournalWriteException;
import io.meshmq.engine.processor.LinkPosition;
import io.meshmq.engine.processor.MessageReference;
import io.meshmq.engine.processor.ServerMessage;
import io.meshmq.engine.processor.ServerQueue;
import io.meshmq.engine.processor.TopicAddress;
import io.meshmq.engine.ring.ConnectionOutput;
import io.meshmq.protocol.DestinationType;
import io.meshmq.protocol.ErrorCode;
import io.meshmq.protocol.LargeBodyDescriptor;

import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;

/**
 * Takes the messages other nodes forward: each is stored in the queues it names here, with how far that node's
 * forwards are stored, in one journal record; a resend (at or below that position) is only confirmed again. A message
 * of a group kept on one node ({@link GroupPins}) goes where its group is pinned from here, which may be another node:
 * then its copy for that node is what is stored, in the same record. A signal about moving a group goes to
 * {@link GroupMoves}; what it sends on is stored with it.
 * <p>
 * Not thread safe: processor thread only.
 */
final class Receiver
{
    private final EngineControl control;
    private final Peers peers;
    private final Resends resends;
    private final GroupPins groups;
    /** How far each node's forwards are stored here, by node id (and node id + {@link #LARGE_LANE}). */
    private final Map<String, LinkPosition> positions = new HashMap<>();

    Receiver(final EngineControl control, final Peers peers, final Resends resends, final GroupPins groups)
    {
        this.control = control;
        this.peers = peers;
        this.resends = resends;
        this.groups = groups;
    }

    /** What a large forward whose body is not here is refused with; its sender then sends the body again. */
    static final String NOT_STAGED = "the body of this large message is not on this node (sent ahead, it was lost " +
        "with a restart): send it again";

    /** Added to a node's id for the position of its large lane (journaled as such). */
    static final String LARGE_LANE = "\u0000large lane";

    void restored(final LinkPosition position)
    {
        positions.put(position.nodeId(), position);
    }

    /**
     * A message another node forwarded: stored in the named queues here unless it was stored before.
     */
    void receive(final ConnectionOutput output, final ClusterCommand.Receive forward)
    {
        final long sequence = forward.sequence();
        final Peers.Peer peer = peers.get(output.id());
        if (peer == null || !peer.current)
        {
            control.error(output, sequence, ErrorCode.ILLEGAL_STATE, peer == null ?
                "CLUSTER_SEND before CLUSTER_JOIN" : "this link was replaced by a newer one of the same node");
            return;
        }
        final LinkPosition position = positions.computeIfAbsent(forward.largeLane() ? peer.nodeId + LARGE_LANE :
            peer.nodeId, id -> new LinkPosition(id, 0));
        final long mark = control.mark();
        if (sequence <= position.sequence())
        {
            // Stored before: a body sent ahead of it again is not needed.
            if (claimLargeBody(forward.message()))
            {
                control.settleLargeBody(forward.message());
            }
            control.confirm(output, sequence, mark);
            return;
        }
        if (!claimLargeBody(forward.message()))
        {
            control.error(output, sequence, ErrorCode.STORAGE, NOT_STAGED);
            return;
        }
        try
        {
            receive(output, forward, peer, position, sequence, mark);
        }
        finally
        {
            control.settleLargeBody(forward.message());
        }
    }

    /**
     * Makes a large forward name the body its sender staged here, now this node's.
     *
     * @return false if that body is not here (this node restarted since it was sent): the sender sends it again.
     */
    private boolean claimLargeBody(final byte[] message)
    {
        if (!LargeBodyDescriptor.isLarge(message))
        {
            return true;
        }
        final long bodyId = control.claimStagedLargeBody(LargeBodyDescriptor.bodyId(message));
        if (bodyId == 0)
        {
            return false;
        }
        LargeBodyDescriptor.rewriteBodyId(message, bodyId);
        return true;
    }

    private void receive(final ConnectionOutput output, final ClusterCommand.Receive forward, final Peers.Peer peer,
        final LinkPosition position, final long sequence, final long mark)
    {
        final ServerMessage message = control.message(forward.message(), 0);
        if (GroupSignal.ADDRESS.equals(forward.address()))
        {
            final List<MessageReference> onward = groups.moves().onSignal(message, peer.nodeId);
            if (store(output, peer, position, sequence, onward.isEmpty() ? message : onward.get(0).message(), onward))
            {
                control.enqueue(onward);
                control.confirm(output, sequence, mark);
            }
            return;
        }
        // Confirmed, not stored: the node's copy of a message a client that left it sent here again, or a message
        // sent again whose duplicate id this node holds (one moved by redistribution is taken whatever its id).
        final String duplicateId = control.duplicateId(forward.message());
        final boolean storedAlready = resends.isFirstCopy(peer.nodeId, forward.kind(), forward.address(), duplicateId) ||
            !forward.moved() && control.isStoredAlready(forward.kind(), forward.address(), duplicateId);
        final List<MessageReference> references = storedAlready ? List.of() :
            references(forward, message, peer.nodeId);
        // A group pinned elsewhere from here: its copy for that node is stored instead of the message.
        final ServerMessage stored = references.size() == 1 && references.get(0).message() != message ?
            references.get(0).message() : message;
        if (!store(output, peer, position, sequence, stored, references))
        {
            return;
        }
        if (!references.isEmpty())
        {
            control.rememberStored(forward.kind(), forward.address(), duplicateId);
        }
        control.enqueue(references);
        control.confirm(output, sequence, mark);
    }

    /**
     * @return false if the journal refused it (the link is then closed, and the sender sends it again).
     */
    private boolean store(final ConnectionOutput output, final Peers.Peer peer, final LinkPosition position,
        final long sequence, final ServerMessage stored, final List<MessageReference> references)
    {
        try
        {
            control.storeReceived(position, sequence, stored, references);
        }
        catch (final JournalWriteException ex)
        {
            // Refused, and the link closed: the sender sends this and everything after it again, in order.
            control.error(output, sequence, ErrorCode.STORAGE, "message not stored: " + ex.getMessage());
            peer.current = false;
            output.close();
            return false;
        }
        position.stored(sequence);
        return true;
    }

    /**
     * @param sentFrom the node that forwarded it.
     */
    private List<MessageReference> references(final ClusterCommand.Receive forward, final ServerMessage message,
        final String sentFrom)
    {
        final String[] queues = forward.queues();
        final List<MessageReference> references = new ArrayList<>(queues.length);
        final byte kind = forward.kind();
        if (groups.applies(kind, message))
        {
            final List<MessageReference> forwards = new ArrayList<>(1);
            groups.route(forward.address(), message, queues.length == 0 ? GroupPins.Origin.DECIDE_HERE :
                GroupPins.Origin.ROUTED_HERE, sentFrom, references, forwards);
            references.addAll(forwards);
        }
        else if (kind == DestinationType.QUEUE)
        {
            for (final String name : queues)
            {
                references.add(control.queue(name).reference(message));
            }
            if (queues.length == 0)
            {
                // Sent here for its group to be decided, and this node keeps no groups: its queue of the name has it.
                references.add(control.queue(forward.address()).reference(message));
            }
        }
        else if (kind == DestinationType.TEMPORARY_QUEUE)
        {
            // Gone with its connection meanwhile: the message goes with it, as it would had it been here.
            final ServerQueue queue = control.existingQueue(forward.address());
            if (queue != null && queue.isTemporary())
            {
                references.add(queue.reference(message));
            }
        }
        else if (kind == DestinationType.TEMPORARY_TOPIC)
        {
            final TopicAddress topic = control.existingTopic(forward.address());
            if (topic != null && topic.isTemporary())
            {
                topic.published();
                for (final ServerQueue subscription : topic.subscriptions())
                {
                    if (subscription.accepts(message, null, 0))
                    {
                        references.add(subscription.reference(message));
                    }
                }
            }
        }
        else
        {
            final TopicAddress topic = control.existingTopic(forward.address());
            for (final ServerQueue subscription : topic == null ? List.<ServerQueue>of() : topic.subscriptions())
            {
                for (final String name : queues)
                {
                    // Chosen there by the selector that node knew of: this one may have been made again since, with
                    // another selector (an inactive durable subscription asked for with a new one).
                    if (subscription.name().equals(name) && subscription.selects(message))
                    {
                        references.add(subscription.reference(message));
                    }
                }
            }
        }
        return references;
    }
}
