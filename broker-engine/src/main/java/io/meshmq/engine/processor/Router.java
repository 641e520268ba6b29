package io.meshmq.engine.processor;

import io.meshmq.engine.extension.ProcessorExtension;
import io.meshmq.engine.journal.JournalWriteException;
import io.meshmq.engine.ring.ConnectionOutput;
import io.meshmq.engine.ring.EngineEvent;
import io.meshmq.protocol.DestinationType;
import io.meshmq.protocol.ErrorCode;
import io.meshmq.protocol.MessageFields;
import io.meshmq.protocol.MessageHeaderFlyweight;

import java.io.IOException;
import java.util.ArrayList;
import java.util.List;

/**
 * Where sent messages go: a send or a committed transaction is checked, routed (to the queue, to the topic's
 * subscriptions that take it, or by the extension where it routes), paged or journaled, and made to wait in its
 * queues (or for its delivery time), then confirmed.
 * <p>
 * Not thread safe: processor thread only.
 */
final class Router
{
    private final AddressSettingsMatcher addressSettings;
    private final CommandClock clock;
    private final Connections connections;
    private final Admission admission;
    private final Consumers consumers;
    private final Destinations destinations;
    private final Durability durability;
    private final Paging paging;
    private final ScheduledDeliveries scheduled;
    private final Dispatcher dispatcher;
    private final ConnectionWriter writer;
    private final ProcessorExtension extension;
    private final DuplicateIds duplicates;
    private final MessageHeaderFlyweight header = new MessageHeaderFlyweight();
    private final List<MessageReference> routed = new ArrayList<>();
    private final List<MessageReference> copies = new ArrayList<>();

    Router(final AddressSettingsMatcher addressSettings, final CommandClock clock, final Connections connections, final Admission admission, final Consumers consumers,
        final Destinations destinations, final Durability durability, final Paging paging,
        final ScheduledDeliveries scheduled, final Dispatcher dispatcher, final ConnectionWriter writer,
        final ProcessorExtension extension, final DuplicateIds duplicates)
    {
        this.duplicates = duplicates;
        this.addressSettings = addressSettings;
        this.clock = clock;
        this.connections = connections;
        this.admission = admission;
        this.consumers = consumers;
        this.destinations = destinations;
        this.durability = durability;
        this.paging = paging;
        this.scheduled = scheduled;
        this.dispatcher = dispatcher;
        this.writer = writer;
        this.extension = extension;
    }

    /**
     * Makes the message's references in every queue it goes to (a queue, or a topic's subscriptions that
     * take it), without linking them yet: the journal must have them first.
     */
    private void route(final ConnectionState publisher, final byte type, final String name, final ServerMessage message,
        final List<MessageReference> into, final List<MessageReference> copies)
    {
        route(publisher.clientId, publisher.id(), type, name, message, into, copies);
    }

    /**
     * @param copies where copies for other nodes of the cluster go (references in their forward queues, each
     *               a message of its own that the caller journals with the rest).
     */
    void route(final String publisherClientId, final long publisherConnectionId, final byte type, final String name,
        final ServerMessage message, final List<MessageReference> into, final List<MessageReference> copies)
    {
        if (extension.routes(type, name))
        {
            extension.route(type, name, message, publisherClientId, publisherConnectionId, into, copies);
        }
        else if (DestinationType.isTopic(type))
        {
            final TopicAddress topic = destinations.topic(name);
            topic.messagesPublished++;
            for (final ServerQueue subscription : topic.subscriptions)
            {
                if (subscription.accepts(message, publisherClientId, publisherConnectionId))
                {
                    into.add(subscription.reference(message));
                }
            }
        }
        else
        {
            into.add(destinations.queue(name).reference(message));
        }
    }

    /**
     * A delivery time equal to the timestamp is a send without delay: never held, whatever the clocks say.
     */
    private boolean isScheduled(final ServerMessage message)
    {
        return message.deliveryTime() > clock.nowMs() && message.deliveryTime() != message.timestamp();
    }

    /**
     * A copy for another node is never held here: the other node holds it until its delivery time. Held here, it
     * would join its forward queue behind copies with later sequence numbers, and the other node would take it
     * for a resend.
     */
    private boolean isHeld(final MessageReference reference)
    {
        return isScheduled(reference.message) && !extension.ownsQueue(reference.queue.name);
    }

    void enqueue(final List<MessageReference> references)
    {
        for (int i = 0; i < references.size(); i++)
        {
            final MessageReference reference = references.get(i);
            if (isHeld(reference))
            {
                scheduled.schedule(reference.message.deliveryTime(), reference);
            }
            else
            {
                reference.queue.append(reference);
                dispatcher.touch(reference.queue);
            }
        }
    }

    /**
     * References made for a message that was refused after all: they end before they were linked (a large body they
     * needed is deleted once nothing else needs it).
     */
    private void abandon(final List<MessageReference> references, final List<MessageReference> copies)
    {
        for (int i = 0; i < references.size(); i++)
        {
            durability.large.referenceEnded(references.get(i));
        }
        for (int i = 0; i < copies.size(); i++)
        {
            durability.large.referenceEnded(copies.get(i));
        }
    }

    void onSend(final EngineEvent event)
    {
        final ConnectionState connection = connections.get(event);
        if (connection == null)
        {
            return;
        }
        final String problem = admission.checkRoutable(event.destinationType, event.destinationName);
        if (problem != null)
        {
            writer.error(event.connection, event.correlationId, ErrorCode.INVALID_DESTINATION, problem);
            return;
        }
        final AddressSettings settings = addressSettings.resolve(event.destinationName);
        final String full = admission.checkRoom(event.destinationType, event.destinationName, true, settings);
        if (full != null)
        {
            writer.error(event.connection, event.correlationId, ErrorCode.ADDRESS_FULL, "message not accepted: " + full);
            return;
        }
        final long mark = durability.mark();
        final ServerMessage message = message(event.message, connection);
        final String messageId = duplicates.idOf(header, event.message);
        if (duplicates.isDuplicate(event.destinationType, event.destinationName, messageId))
        {
            // Sent again by a client that failed over and never heard it was stored: confirmed, not stored twice.
            writer.confirm(durability, event.connection, event.correlationId, mark);
            return;
        }
        routed.clear();
        copies.clear();
        route(connection, event.destinationType, event.destinationName, message, routed, copies);
        final String unroutable = extension.takeRouteRefusal();
        if (unroutable != null)
        {
            abandon(routed, copies);
            writer.error(event.connection, event.correlationId, ErrorCode.GENERIC,
                "message not accepted: " + unroutable);
            return;
        }
        if (!copies.isEmpty() && destinations.memory.isFull())
        {
            abandon(routed, copies);
            // Forward queues are not paged (their order is their sequence): a broker at its limit takes no more
            // messages that must cross to another node until the backlog drains, rather than run out of memory.
            writer.error(event.connection, event.correlationId, ErrorCode.ADDRESS_FULL, "message not accepted: the broker is " +
                "full (" + destinations.memory.bytes() + " bytes held, global-max-size " + destinations.memory.limit() +
                ") and this message must wait to cross to another node of the cluster; its forward queues are not paged");
            return;
        }
        final Paging.Written written;
        try
        {
            written = isScheduled(message) ? null : paging.pageOut(routed);
        }
        catch (final IOException ex)
        {
            writer.error(event.connection, event.correlationId, ErrorCode.STORAGE, "message not stored: its page file could not be " +
                "written: " + ex.getMessage());
            return;
        }
        try
        {
            for (int i = 0; i < copies.size(); i++)
            {
                durability.messageRouted(copies.get(i).message, List.of(copies.get(i)));
            }
            durability.messageRouted(message, routed);
        }
        catch (final JournalWriteException ex)
        {
            if (written != null)
            {
                paging.takeBack(written);
            }
            abandon(routed, copies);
            writer.error(event.connection, event.correlationId, ErrorCode.STORAGE, "message not stored: " + ex.getMessage());
            return;
        }
        if (written != null && message.isPersistent())
        {
            durability.pagesWritten(written.stores());
        }
        enqueue(routed);
        enqueue(copies);
        duplicates.stored(event.destinationType, event.destinationName, messageId);
        if (event.resentFrom != null && messageId != null)
        {
            extension.resent(event.destinationType, event.destinationName, messageId, event.resentFrom);
        }
        if (copies.isEmpty() || event.correlationId == 0 || !extension.answersSend(event.destinationType,
            event.destinationName, copies, event.connection, event.correlationId, mark))
        {
            writer.confirm(durability, event.connection, event.correlationId, mark);
        }
        admission.blockIfFull(connection, event.destinationType, event.destinationName, settings);
        admission.holdIfBehind(connection, event.destinationType, event.destinationName, settings, routed,
            clock.nowMs());
    }

    /**
     * Answers whether a message of the id was stored at the address (a client asks after a commit whose answer it
     * lost).
     */
    void onDuplicateCheck(final EngineEvent event)
    {
        answerWhetherDone(event, duplicates.isDuplicate(event.destinationType, event.destinationName, event.reason));
    }

    /**
     * Answers whether a commit of the id was applied, so a client whose answer was lost knows.
     */
    void onCommitCheck(final EngineEvent event)
    {
        answerWhetherDone(event, duplicates.isCommitted(event.reason));
    }

    /**
     * "Done" holds once what did it is forced (it may have been applied in this very batch): the answer waits.
     */
    private void answerWhetherDone(final EngineEvent event, final boolean done)
    {
        final ConnectionOutput output = event.connection;
        final long correlationId = event.correlationId;
        if (!done)
        {
            writer.reply(output, correlationId, out -> out.writeBoolean(false));
            return;
        }
        durability.afterForce(() -> writer.reply(output, correlationId, out -> out.writeBoolean(true)));
    }

    ServerMessage message(final byte[] encoded, final ConnectionState connection)
    {
        return new ServerMessage(encoded, header.wrap(encoded), connection.id());
    }

    /**
     * Applies a transaction as one unit: either every destination is valid and everything happens, or
     * nothing does.
     */
    void onCommit(final EngineEvent event)
    {
        final ConnectionState connection = connections.get(event);
        if (connection == null)
        {
            return;
        }
        for (int i = 0; i < event.sendTypes.length; i++)
        {
            final String problem = admission.checkRoutable(event.sendTypes[i], event.sendNames[i]);
            if (problem != null)
            {
                writer.error(event.connection, event.correlationId, ErrorCode.INVALID_DESTINATION,
                    "transaction rolled back: " + problem);
                return;
            }
            final String full = admission.checkRoom(event.sendTypes[i], event.sendNames[i], false);
            if (full != null)
            {
                writer.error(event.connection, event.correlationId, ErrorCode.ADDRESS_FULL, "transaction rolled back: " + full);
                return;
            }
        }
        final long mark = durability.mark();
        final List<ServerMessage> messages = new ArrayList<>(event.sendTypes.length);
        final List<List<MessageReference>> references = new ArrayList<>(event.sendTypes.length);
        final List<List<MessageReference>> routedBySend = new ArrayList<>(event.sendTypes.length);
        for (int i = 0; i < event.sendTypes.length; i++)
        {
            final ServerMessage message = message(event.sendMessages[i], connection);
            final List<MessageReference> into = new ArrayList<>();
            copies.clear();
            route(connection, event.sendTypes[i], event.sendNames[i], message, into, copies);
            final String unroutable = extension.takeRouteRefusal();
            if (unroutable != null)
            {
                abandon(into, copies);
                references.forEach(earlier -> abandon(earlier, List.of()));
                writer.error(event.connection, event.correlationId, ErrorCode.GENERIC, "transaction rolled back: " +
                    unroutable);
                return;
            }
            messages.add(message);
            references.add(into);
            routedBySend.add(into);
            // Copies for other nodes of the cluster commit in the same record as the rest.
            for (int c = 0; c < copies.size(); c++)
            {
                messages.add(copies.get(c).message);
                references.add(List.of(copies.get(c)));
            }
        }
        final List<MessageReference> acknowledged = new ArrayList<>(event.consumerIds.length);
        for (int i = 0; i < event.consumerIds.length; i++)
        {
            final ServerConsumer consumer = connection.consumers.get(event.consumerIds[i]);
            final MessageReference reference = consumer == null ? null : consumer.unacknowledged.get(event.deliveryIds[i]);
            if (reference != null)
            {
                acknowledged.add(reference);
            }
        }
        try
        {
            durability.transaction(messages, references, acknowledged, event.reason);
        }
        catch (final JournalWriteException ex)
        {
            references.forEach(refused -> abandon(refused, List.of()));
            writer.error(event.connection, event.correlationId, ErrorCode.STORAGE, "transaction rolled back: " + ex.getMessage());
            return;
        }
        for (final List<MessageReference> into : references)
        {
            enqueue(into);
        }
        for (int i = 0; i < event.consumerIds.length; i++)
        {
            consumers.acknowledge(connection, event.consumerIds[i], event.deliveryIds[i], false);
        }
        for (int i = 0; duplicates.isOn() && i < event.sendTypes.length; i++)
        {
            duplicates.stored(event.sendTypes[i], event.sendNames[i],
                MessageFields.duplicateIdOf(header.wrap(event.sendMessages[i]), event.sendMessages[i]));
        }
        duplicates.committed(event.reason);
        writer.confirm(durability, event.connection, event.correlationId, mark);
        final long nowMs = clock.nowMs();
        for (int i = 0; i < event.sendTypes.length; i++)
        {
            // A commit fills queues as sends do: it starts a hold as a send would.
            final AddressSettings settings = addressSettings.resolve(event.sendNames[i]);
            admission.blockIfFull(connection, event.sendTypes[i], event.sendNames[i], settings);
            admission.holdIfBehind(connection, event.sendTypes[i], event.sendNames[i], settings, routedBySend.get(i),
                nowMs);
        }
    }

    void restore(final MessageReference reference)
    {
        final ServerMessage message = reference.message;
        if (isHeld(reference))
        {
            scheduled.schedule(message.deliveryTime(), reference);
        }
        else
        {
            reference.queue.append(reference);
        }
    }
}
