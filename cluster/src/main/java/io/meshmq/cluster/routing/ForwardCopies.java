package io.meshmq.cluster.routing;

import io.meshmq.engine.extension.EngineControl;
import io.meshmq.engine.processor.MessageReference;
import io.meshmq.engine.processor.ServerMessage;
import io.meshmq.engine.processor.ServerQueue;
import io.meshmq.protocol.ProtocolException;

import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;

/**
 * The copies of messages that wait in forward queues to cross to another node: each carries its route (the address
 * and the other node's queues) and a sequence number in properties of its own, so it survives a restart in the
 * journal like any message, and is sent in sequence order.
 * <p>
 * Design note: the sequence has the node's incarnation in its high bits, so it grows across restarts; the other node
 * keeps the highest it stored and recognises a resend. A forward queue must send in sequence order, so its copies all
 * have the same priority; the original priority travels in a property and is put back when the copy is sent.
 * <p>
 * A forward queue has two lanes, each sent in sequence order and each with its own highest sequence on the other node,
 * so that a large message whose body is still crossing holds back only its own lane: the large lane takes large
 * messages and whatever must stay behind them ({@link Bridge#laneOf}); the lane is chosen when the copy is made and
 * kept in it, so a copy sent again after a restart goes on the lane it went on before.
 * <p>
 * Not thread safe: processor thread only.
 */
final class ForwardCopies
{
    static final String ROUTE_PROPERTY = "JMS_MeshMQ_ClusterRoute";
    static final String SEQUENCE_PROPERTY = "JMS_MeshMQ_ClusterSequence";
    static final String PRIORITY_PROPERTY = "JMS_MeshMQ_ClusterPriority";
    /** Present on a message redistributed from a queue here: the other node takes it even if it had one of its id. */
    static final String MOVED_PROPERTY = "JMS_MeshMQ_ClusterMoved";
    /** Present on a copy that crosses on the large lane. */
    static final String LARGE_LANE_PROPERTY = "JMS_MeshMQ_ClusterLargeLane";
    /** On a message parked while its address is looked up: its publisher's client id and connection id. */
    static final String PUBLISHER_PROPERTY = "JMS_MeshMQ_ClusterPublisher";
    private static final Set<String> FORWARD_PROPERTIES = Set.of(ROUTE_PROPERTY, SEQUENCE_PROPERTY, PRIORITY_PROPERTY,
        MOVED_PROPERTY, LARGE_LANE_PROPERTY, PUBLISHER_PROPERTY);
    private static final int FORWARD_PRIORITY = 4;
    private static final int INCARNATION_SHIFT = 40;

    /**
     * A copy read back for sending.
     *
     * @param kind     the address's {@link io.meshmq.protocol.DestinationType}.
     * @param queues   the other node's queues that take it.
     * @param moved    redistributed from a queue here, rather than routed there when it was sent.
     * @param largeLane it crosses on the large lane.
     * @param original the message as it was sent here, its priority back.
     */
    record Forward(long sequence, byte kind, String address, String[] queues, boolean moved, boolean largeLane,
        byte[] original)
    {
    }

    private final EngineControl control;
    private long nextSequence;

    ForwardCopies(final EngineControl control, final long incarnation)
    {
        this.control = control;
        this.nextSequence = incarnation << INCARNATION_SHIFT;
    }

    /**
     * @param moved true for a message redistributed from a queue here (stored here before), false for one routed
     *              there as it is sent.
     * @return a reference, in {@code forwardQueue}, to a copy of the message that carries its route and a new
     * sequence number.
     */
    MessageReference copy(final ServerMessage message, final ServerQueue forwardQueue, final byte type,
        final String address, final List<String> queues, final boolean moved)
    {
        return copy(message, forwardQueue, type, address, queues, moved, null);
    }

    /**
     * @param publisherClientId the client id of the connection that published it (null for none), and that
     *                          connection's id: a subscription that takes no messages of its own connection must know
     *                          them when the message is routed again.
     * @return a reference, in {@code queue}, to a copy of the message that waits to be routed again.
     */
    MessageReference park(final ServerMessage message, final ServerQueue queue, final byte type, final String address,
        final String publisherClientId, final long publisherConnectionId)
    {
        return copy(message, queue, type, address, List.of(), false,
            publisherConnectionId + (publisherClientId == null ? "" : "\u0000" + publisherClientId));
    }

    /**
     * The connection that published a parked message.
     *
     * @param clientId its client id, null for none.
     */
    record Publisher(String clientId, long connectionId)
    {
    }

    /**
     * @return who published a parked message (connection 0 if it does not say).
     */
    static Publisher publisherOf(final ServerMessage parked)
    {
        final String publisher = (String)parked.fields().property(PUBLISHER_PROPERTY);
        final int zero = publisher == null ? -1 : publisher.indexOf('\u0000');
        try
        {
            return publisher == null ? new Publisher(null, 0) : new Publisher(
                zero < 0 ? null : publisher.substring(zero + 1),
                Long.parseLong(zero < 0 ? publisher : publisher.substring(0, zero)));
        }
        catch (final NumberFormatException ex)
        {
            return new Publisher(null, 0);
        }
    }

    private MessageReference copy(final ServerMessage message, final ServerQueue forwardQueue, final byte type,
        final String address, final List<String> queues, final boolean moved, final String publisher)
    {
        final StringBuilder route = new StringBuilder().append((char)('0' + type)).append(address);
        for (final String queue : queues)
        {
            route.append('\u0000').append(queue);
        }
        final long sequence = ++nextSequence;
        final Map<String, Object> forward = new HashMap<>(8);
        forward.put(ROUTE_PROPERTY, route.toString());
        forward.put(SEQUENCE_PROPERTY, sequence);
        forward.put(PRIORITY_PROPERTY, message.priority());
        if (moved)
        {
            forward.put(MOVED_PROPERTY, true);
        }
        if (publisher != null)
        {
            forward.put(PUBLISHER_PROPERTY, publisher);
        }
        if (forwardQueue.drain() instanceof Bridge bridge && bridge.laneOf(message, address, sequence))
        {
            forward.put(LARGE_LANE_PROPERTY, true);
        }
        final byte[] encoded = message.fields().rewrite(message.encoded(), forward, Set.of(), message.expiration(),
            FORWARD_PRIORITY);
        return forwardQueue.reference(control.message(encoded, message.originConnectionId()));
    }

    /**
     * @return true for a copy that names no queue of the other node: that node routes it (a grouping handler, which
     * decides where its group goes).
     */
    static boolean asksToDecide(final ServerMessage copy)
    {
        return ((String)copy.fields().property(ROUTE_PROPERTY)).indexOf('\u0000') < 0;
    }

    /**
     * @return true for a copy that crosses on the large lane.
     */
    static boolean isOnLargeLane(final ServerMessage copy)
    {
        return copy.fields().property(LARGE_LANE_PROPERTY) != null;
    }

    /**
     * @return the sequence number of a copy made by {@link #copy}.
     */
    static long sequenceOf(final ServerMessage copy)
    {
        return ((Number)copy.fields().property(SEQUENCE_PROPERTY)).longValue();
    }

    /**
     * @throws IllegalArgumentException if the copy's route cannot be read (a damaged journal, say).
     */
    static Forward read(final ServerMessage copy)
    {
        try
        {
            final long sequence = sequenceOf(copy);
            final String route = (String)copy.fields().property(ROUTE_PROPERTY);
            final int priority = ((Number)copy.fields().property(PRIORITY_PROPERTY)).intValue();
            final boolean moved = copy.fields().property(MOVED_PROPERTY) != null;
            final boolean largeLane = copy.fields().property(LARGE_LANE_PROPERTY) != null;
            final byte[] original = copy.fields().rewrite(copy.encoded(), Map.of(), FORWARD_PROPERTIES,
                copy.expiration(), priority);
            final String[] parts = route.split("\u0000", -1);
            final String[] queues = new String[parts.length - 1];
            System.arraycopy(parts, 1, queues, 0, queues.length);
            return new Forward(sequence, (byte)(parts[0].charAt(0) - '0'), parts[0].substring(1), queues, moved,
                largeLane, original);
        }
        catch (final ProtocolException | ClassCastException | NullPointerException | IndexOutOfBoundsException ex)
        {
            throw new IllegalArgumentException(ex.toString(), ex);
        }
    }
}
