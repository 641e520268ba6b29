package io.meshmq.cluster.routing;

import io.meshmq.engine.processor.ServerMessage;
import io.meshmq.protocol.DestinationType;
import io.meshmq.protocol.MessageFields;

import java.util.Map;
import java.util.Set;

/**
 * What nodes tell each other to move a message group from one node to another (see {@link GroupMoves}). A signal
 * travels as a message in the forward queues, addressed to {@link #ADDRESS}, so it keeps its place after the messages
 * forwarded before it on the same link, survives a restart in the journal, and is sent again like any forward.
 *
 * @param queue  the clustered queue whose group it is.
 * @param from   the node whose messages of the group move.
 * @param to     the node they move to.
 * @param moveId the handler's number for the move; 0 for a move the handler waits for no answer to.
 */
record GroupSignal(Kind kind, String queue, String group, String from, String to, long moveId)
{
    /** The address of every signal: reserved, never a queue. */
    static final String ADDRESS = Cluster.RESERVED_PREFIX + "groups";
    private static final String KIND = "JMS_MeshMQ_GroupSignal";
    private static final String QUEUE = "JMS_MeshMQ_GroupQueue";
    private static final String GROUP = "JMS_MeshMQ_Group";
    private static final String FROM = "JMS_MeshMQ_GroupFrom";
    private static final String TO = "JMS_MeshMQ_GroupTo";
    private static final String MOVE = "JMS_MeshMQ_GroupMove";

    enum Kind
    {
        /** To the handler, from a node whose queue holds messages of the group and no consumer: move it. */
        ASK,
        /** From the handler to the node holding the group: send its messages of it to {@code to}, then say so. */
        MOVE,
        /** After the moved messages, to the node they moved to, which tells the handler: they are all stored there. */
        ARRIVED,
        /** To the handler, from the node told to move: it did not (it has a consumer again, or cannot). */
        STAYED
    }

    /**
     * @return the signal as a message (persistent: it must outlive a restart on either side).
     */
    byte[] encode(final long timestamp)
    {
        return MessageFields.encodeBodyless("ID:mesh-group-" + kind + '-' + moveId + '-' + from, true, timestamp,
            DestinationType.QUEUE, ADDRESS, properties());
    }

    /**
     * @param sample a message of the group waiting on the asking node: the handler chooses, by it, a node with a
     *               consumer that would take it (selectors).
     * @return an {@link Kind#ASK} signal: the sample with the signal's properties (persistent if the sample is).
     */
    byte[] encodeAsk(final ServerMessage sample)
    {
        return sample.fields().rewrite(sample.encoded(), properties(), Set.of(), 0, sample.priority());
    }

    private Map<String, Object> properties()
    {
        return Map.of(KIND, kind.name(), QUEUE, queue, GROUP, group, FROM, from, TO, to, MOVE, moveId);
    }

    /**
     * @throws IllegalArgumentException if the message is not a signal this version knows.
     */
    static GroupSignal read(final ServerMessage message)
    {
        try
        {
            final MessageFields fields = message.fields();
            return new GroupSignal(Kind.valueOf((String)fields.property(KIND)), required(fields, QUEUE),
                required(fields, GROUP), required(fields, FROM), required(fields, TO),
                ((Number)fields.property(MOVE)).longValue());
        }
        catch (final RuntimeException ex)
        {
            throw new IllegalArgumentException("not a message group signal: " + ex, ex);
        }
    }

    private static String required(final MessageFields fields, final String name)
    {
        final Object value = fields.property(name);
        if (!(value instanceof String text))
        {
            throw new IllegalArgumentException("no " + name);
        }
        return text;
    }
}
