package io.meshmq.engine.extension;

import io.meshmq.engine.processor.LinkPosition;
import io.meshmq.engine.processor.MessageReference;
import io.meshmq.engine.processor.ServerMessage;
import io.meshmq.engine.processor.ServerQueue;
import io.meshmq.engine.ring.ConnectionOutput;
import io.meshmq.engine.ring.ExtensionCommand;
import io.meshmq.protocol.AdminTable;

import java.util.List;

/**
 * Something that runs inside the processor (the cluster's routing and forwarding, say): it is handed the commands
 * it owns, the batch's end, the timer's ticks with the time passed in, the closing of connections, and a say in
 * routing and naming. Every call comes on the processor thread, so an extension owns its state the way the processor
 * owns queues: without locks. A broker with no extension uses {@link #NONE}.
 */
public interface ProcessorExtension
{
    /**
     * Does nothing and routes nothing: a broker on its own.
     */
    ProcessorExtension NONE = new ProcessorExtension()
    {
    };

    /**
     * A command published for this extension.
     *
     * @param connection    where the command came from, or null if it came from no connection.
     * @param correlationId what a reply to it must carry (0 for none).
     */
    default void onCommand(final ConnectionOutput connection, final long correlationId, final ExtensionCommand command)
    {
        throw new IllegalStateException("no extension takes " + command);
    }

    /**
     * A connection closed; whatever the extension kept for it goes.
     */
    default void onConnectionClosed(final long connectionId)
    {
    }

    /**
     * The ring batch ends: send what was gathered during it.
     */
    default void onEndOfBatch()
    {
    }

    /**
     * The broker's timer ticked.
     */
    default void onTick(final long nowMs)
    {
    }

    /**
     * @return when this extension next wants a tick (ms since the epoch), {@code Long.MAX_VALUE} for never.
     */
    default long nextTickDueMs(final long nowMs)
    {
        return Long.MAX_VALUE;
    }

    // ---- routing ------------------------------------------------------------------------------------------

    /**
     * @return the address a destination name means, for permissions: a name may say where a message goes (a cluster's
     * {@code orders@n2} means queue {@code orders}); the name itself by default.
     */
    default String addressOf(final String name)
    {
        return name;
    }

    /**
     * A send to a name that says where it goes ({@link #addressOf} differs from it): whether it can be delivered.
     *
     * @return null if the message may be sent; else why not (the sender's {@code JMSException} says it).
     */
    default String sendRefusal(final byte type, final String name)
    {
        return null;
    }

    /**
     * A send was stored here, with its copies for other nodes ({@code copies}, references in their forward queues made
     * by {@link #route}; the list is the caller's, reused after this call): the extension may answer its sender
     * itself, later (once the other nodes stored the copies, say), instead of the processor answering once the send is
     * safe here.
     *
     * @param mark the journal's mark before the send, for {@link EngineControl#confirm} to answer once the send is
     *             safe here too.
     * @return true if the extension answers the sender; false to leave it to the processor.
     */
    default boolean answersSend(final byte type, final String name, final List<MessageReference> copies,
        final ConnectionOutput sender, final long correlationId, final long mark)
    {
        return false;
    }

    /**
     * @return true if the extension decides where messages for the destination go ({@link #route}); false leaves it
     * to the processor (every local subscription of a topic, the queue of its name).
     */
    default boolean routes(final byte type, final String name)
    {
        return false;
    }

    /**
     * @return true if the destination exists beyond this node (another node told of it), so using it here makes
     * nothing new; by default, whenever the extension {@link #routes} it.
     */
    default boolean existsElsewhere(final byte type, final String name)
    {
        return routes(type, name);
    }

    /**
     * Routes a message among this node's queues ({@code into}: references made with
     * {@link ServerQueue#reference}) and anything the extension keeps elsewhere ({@code copies}: references to
     * messages of its own, which the caller journals with the rest).
     */
    default void route(final byte type, final String name, final ServerMessage message, final String publisherClientId,
        final long publisherConnectionId, final List<MessageReference> into, final List<MessageReference> copies)
    {
        throw new IllegalStateException("this extension routes nothing");
    }

    /**
     * @return why the last {@link #route} could not route its message as it must be (it put it in a queue of this node
     * instead, for a caller that has to store it anyway), taken; null if it could. A send is then refused.
     */
    default String takeRouteRefusal()
    {
        return null;
    }

    /**
     * @return true if the temporary destination lives elsewhere and the extension takes messages for it, so the
     * processor need not know it.
     */
    default boolean isElsewhere(final byte type, final String name)
    {
        return false;
    }

    /**
     * A client that failed over sent a message again and it was stored here: the node it sent it to before may
     * hold a copy too.
     *
     * @param previousScope that node's {@link #temporaryScope()}.
     */
    default void resent(final byte type, final String address, final String messageId, final String previousScope)
    {
    }

    /**
     * A queue or subscription was made or deleted, or its consumers changed.
     */
    default void changed(final ServerQueue queue)
    {
    }

    // ---- names --------------------------------------------------------------------------------------------

    /**
     * @return what clients put in the names of their temporary destinations so that names stay unique beyond this
     * broker; null when the broker's own are enough.
     */
    default String temporaryScope()
    {
        return null;
    }

    /**
     * @return HOST:PORT where clients reach each live member of this broker's cluster, this broker first; empty
     * outside a cluster (or while this broker does not know where clients reach it).
     */
    default List<String> clientTopology()
    {
        return List.of();
    }

    /**
     * @return the journal each member of {@link #clientTopology()} serves, in the same order, where journals move
     * between members (HA); else empty.
     */
    default List<String> clientTopologyJournals()
    {
        return List.of();
    }

    /**
     * @return where journals move between members (HA), the one this broker serves, whether or not
     * {@link #clientTopology()} lists it (a suspended broker takes no new clients); else null.
     */
    default String journalServed()
    {
        return null;
    }

    /**
     * @return why clients may not use the name (it belongs to the extension), or null if they may.
     */
    default String refusal(final String name)
    {
        return null;
    }

    /**
     * @return true for a queue of the extension's own, known by its name (also while recovery rebuilds it): its
     * messages are never held for a later delivery time here.
     */
    default boolean ownsQueue(final String name)
    {
        return false;
    }

    // ---- recovery -----------------------------------------------------------------------------------------

    /**
     * Recovery found how far another node's forwards were stored.
     */
    default void restored(final LinkPosition position)
    {
    }

    /**
     * Recovery is done: queues and link positions are back.
     */
    default void recovered()
    {
    }

    // ---- admin --------------------------------------------------------------------------------------------

    /**
     * Answers an admin verb of the extension's.
     *
     * @return the answer, or null if the verb is not the extension's.
     * @throws IllegalArgumentException if the arguments are wrong, saying how.
     * @throws IllegalStateException    if the verb cannot be done now, saying why.
     */
    default AdminTable admin(final String verb, final String[] args)
    {
        return null;
    }
}
