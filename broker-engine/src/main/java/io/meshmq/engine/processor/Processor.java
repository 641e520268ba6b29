package io.meshmq.engine.processor;

import com.lmax.disruptor.EventHandler;
import io.meshmq.engine.extension.EngineControl;
import io.meshmq.engine.extension.ProcessorExtension;
import io.meshmq.engine.journal.JournalCorruptException;
import io.meshmq.engine.journal.JournalWriteException;
import io.meshmq.engine.ring.ConnectionOutput;
import io.meshmq.engine.ring.EngineEvent;
import io.meshmq.protocol.AdminTable;
import io.meshmq.protocol.ConsumerFlags;
import io.meshmq.protocol.DestinationType;
import io.meshmq.protocol.ErrorCode;
import io.meshmq.protocol.MessageHeaderFlyweight;
import io.meshmq.protocol.WireWriter;
import io.meshmq.selector.Selector;
import org.agrona.collections.Long2ObjectHashMap;
import org.agrona.collections.LongArrayList;
import org.agrona.collections.LongHashSet;
import org.agrona.concurrent.EpochClock;

import java.io.IOException;
import java.util.ArrayList;
import java.util.Collection;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.function.Consumer;

/**
 * The single writer of all queue state: takes commands off the ring in order, routes messages, dispatches
 * them to consumers within their credit, and writes replies and deliveries to connections, flushing each
 * connection once at the end of a ring batch.
 * <p>
 * Not thread safe: called only on the processor thread (or a test's thread, which then plays that role).
 * {@link #nextTickDueMs()} is the one exception: the broker's timer reads it to know when to send a TICK.
 */
public final class Processor implements EventHandler<EngineEvent>
{
    /** Properties the broker adds to a message it moves to a dead-letter or expiry address. */
    public static final String ORIGINAL_DESTINATION_PROPERTY = "JMS_MeshMQ_OriginalDestination";
    public static final String DEAD_LETTER_REASON_PROPERTY = "JMS_MeshMQ_DeadLetterReason";
    public static final String ACTUAL_EXPIRY_PROPERTY = "JMS_MeshMQ_ActualExpiration";
    /** How often waiting messages are checked for expiry when no consumer takes them. */
    public static final long EXPIRY_SCAN_INTERVAL_MS = 1000;

    private static final System.Logger LOG = System.getLogger(Processor.class.getName());

    private final ProcessorContext context;
    private final EpochClock clock;
    private final ConnectionWriter writer = new ConnectionWriter();
    private final MessageHeaderFlyweight header = new MessageHeaderFlyweight();
    private final Durability durability;
    private final Destinations destinations;
    private final XaBranches xa;
    private final Paging paging;
    private final AdminCommands admin;
    private final DeadLetters deadLetters;
    private final Dispatcher dispatcher;
    /** The processor's one extension (the cluster), or {@link ProcessorExtension#NONE}. */
    private final ProcessorExtension extension;
    private final List<MessageReference> copies = new ArrayList<>();
    private final BlockedProducers blocked = new BlockedProducers();
    private final ScheduledDeliveries scheduled = new ScheduledDeliveries();
    private final List<MessageReference> routed = new ArrayList<>();
    private final Durability.Confirmer confirmer = new Durability.Confirmer()
    {
        @Override
        public void confirmed(final ConnectionOutput output, final long correlationId)
        {
            ok(output, correlationId);
        }

        @Override
        public void failed(final ConnectionOutput output, final long correlationId, final String reason)
        {
            error(output, correlationId, ErrorCode.STORAGE, reason);
        }
    };
    private final Long2ObjectHashMap<ConnectionState> connections = new Long2ObjectHashMap<>();
    private final Map<String, ConnectionState> connectionsByClientId = new HashMap<>();
    private long nowMs;
    private long lastExpiryScanMs;
    private volatile long nextTickDueMs;

    /**
     * A processor that keeps nothing on disk.
     */
    public Processor(final ProcessorContext context, final EpochClock clock)
    {
        this(context, clock, Durability.none());
        createConfiguredDestinations();
    }

    private Processor(final ProcessorContext context, final EpochClock clock, final Durability durability)
    {
        this.context = context;
        this.clock = clock;
        this.durability = durability;
        final MemoryUsage memory = new MemoryUsage(context.globalMaxSize());
        this.paging = new Paging(context.pagingDirectory(), clock.time(), durability, memory, new Paging.Host()
        {
            @Override
            public AddressSettings settingsOf(final ServerQueue queue)
            {
                return Processor.this.settingsOf(queue);
            }

            @Override
            public void restore(final MessageReference reference)
            {
                Processor.this.restore(reference);
                dispatcher.touch(reference.queue);
            }
        });
        this.destinations = new Destinations(durability, memory, paging);
        this.xa = new XaBranches(this, durability);
        this.extension = context.extension().apply(new Control());
        this.deadLetters = new DeadLetters(context.addressSettings(), destinations, durability);
        this.dispatcher = new Dispatcher(writer, deadLetters);
        destinations.changes = extension::changed;
        this.admin = new AdminCommands(destinations, scheduled, durability, paging, xa, this::deleteSubscription, extension);
        lastExpiryScanMs = clock.time();
        nextTickDueMs = lastExpiryScanMs + EXPIRY_SCAN_INTERVAL_MS;
    }

    /**
     * Makes a processor from what the journal holds, then adds the configured destinations it lacks. Call
     * before the processor thread starts.
     *
     * @throws JournalCorruptException if the journal cannot be read past a bad record.
     */
    public static Processor recover(final ProcessorContext context, final EpochClock clock, final Durability durability)
        throws IOException, JournalCorruptException
    {
        final Processor processor = new Processor(context, clock, durability);
        processor.nowMs = clock.time();
        final List<PagePosition> positions = new ArrayList<>();
        durability.recover(processor.destinations, processor::restore, processor.xa::restore, positions::add,
            processor.extension::restored);
        processor.paging.recover(processor.destinations, positions);
        processor.createConfiguredDestinations();
        processor.extension.recovered();
        return processor;
    }

    private void restore(final MessageReference reference)
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

    private void createConfiguredDestinations()
    {
        for (final String name : context.queues())
        {
            destinations.queue(name);
        }
        for (final String name : context.topics())
        {
            destinations.topic(name);
        }
    }

    @Override
    public void onEvent(final EngineEvent event, final long sequence, final boolean endOfBatch)
    {
        nowMs = clock.time();
        try
        {
            handle(event);
        }
        catch (final RuntimeException ex)
        {
            // A bug must cost one command, never the processor thread and with it every connection.
            LOG.log(System.Logger.Level.ERROR, "command " + event.type + " failed", ex);
            if (event.connection != null && event.correlationId != 0)
            {
                error(event.connection, event.correlationId, ErrorCode.GENERIC, "broker failed: " + ex);
            }
        }
        finally
        {
            event.clear();
        }
        dispatcher.dispatchTouched(nowMs);
        if (endOfBatch)
        {
            paging.readBackWhereRoom();
            dispatcher.dispatchTouched(nowMs);
            blocked.releaseWhereRoom((type, name) -> fullReason(type, name, context.addressSettings().resolve(name)) != null,
                writer);
            extension.onEndOfBatch();
            durability.endOfBatch(confirmer);
            flush();
            nextTickDueMs = Math.min(Math.min(scheduled.nextDueMs(), lastExpiryScanMs + EXPIRY_SCAN_INTERVAL_MS),
                Math.min(extension.nextTickDueMs(nowMs), durability.nextForceDueMs()));
            if (dispatcher.anyStalled())
            {
                // A connection backed up by this batch's own writes may drain without its writability ever
                // changing: look again at the next tick.
                nextTickDueMs = nowMs;
            }
        }
    }

    /**
     * @return when the processor next wants a TICK (ms since the epoch). Safe to read from any thread.
     */
    public long nextTickDueMs()
    {
        return nextTickDueMs;
    }

    /**
     * Sends what this batch wrote. Public so tests driving the processor directly can end a batch.
     */
    public void flush()
    {
        writer.flush();
    }

    private void handle(final EngineEvent event)
    {
        switch (event.type)
        {
            case EngineEvent.CONNECTION_OPENED: onConnectionOpened(event); break;
            case EngineEvent.CONNECTION_CLOSED: onConnectionClosed(event.connection.id()); break;
            case EngineEvent.GOODBYE:
                onConnectionClosed(event.connection.id());
                ok(event.connection, event.correlationId);
                break;
            case EngineEvent.SET_CLIENT_ID: onSetClientId(event); break;
            case EngineEvent.CREATE_CONSUMER: onCreateConsumer(event); break;
            case EngineEvent.CLOSE_CONSUMER: onCloseConsumer(event); break;
            case EngineEvent.CLOSE_SESSION: onCloseSession(event); break;
            case EngineEvent.CREDIT: onCredit(event); break;
            case EngineEvent.ACK: acknowledge(connection(event), event.consumerId, event.deliveryId, true); break;
            case EngineEvent.ACK_BATCH: onAckBatch(event); break;
            case EngineEvent.RELEASE: onRelease(event); break;
            case EngineEvent.RECOVER: onRecover(event); break;
            case EngineEvent.SEND: onSend(event); break;
            case EngineEvent.COMMIT: onCommit(event); break;
            case EngineEvent.XA_PREPARE:
            {
                final ConnectionState connection = connection(event);
                if (connection != null)
                {
                    xa.prepare(event, connection);
                }
                break;
            }
            case EngineEvent.XA_COMMIT: xa.commit(event); break;
            case EngineEvent.XA_ROLLBACK: xa.rollback(event); break;
            case EngineEvent.XA_RECOVER: xa.recover(event); break;
            case EngineEvent.XA_FORGET: xa.forget(event); break;
            case EngineEvent.CREATE_TEMP: onCreateTemporary(event); break;
            case EngineEvent.DELETE_TEMP: onDeleteTemporary(event); break;
            case EngineEvent.UNSUBSCRIBE: onUnsubscribe(event); break;
            case EngineEvent.ADMIN: onAdmin(event); break;
            case EngineEvent.TICK:
                dispatcher.resumeStalled();
                onTick();
                break;
            case EngineEvent.WRITABLE: dispatcher.resumeStalled(); break;
            case EngineEvent.EXTENSION: extension.onCommand(event.connection, event.correlationId, event.command); break;
            case EngineEvent.FORCED:
                durability.onForced(event.forced, event.reason, confirmer);
                break;
            default: throw new IllegalStateException("unknown engine event " + event.type);
        }
    }

    private ConnectionState connection(final EngineEvent event)
    {
        return connections.get(event.connection.id());
    }

    // ---- connections ------------------------------------------------------------------------------------

    private void onConnectionOpened(final EngineEvent event)
    {
        final ConnectionOutput output = event.connection;
        if (event.clientId != null && connectionsByClientId.containsKey(event.clientId))
        {
            error(output, 0, ErrorCode.INVALID_CLIENT_ID,
                "client id '" + event.clientId + "' is already in use by another connection");
            output.close();
            return;
        }
        final ConnectionState connection = new ConnectionState(output, event.user, event.clientId);
        connections.put(output.id(), connection);
        if (event.clientId != null)
        {
            connectionsByClientId.put(event.clientId, connection);
        }
        writer.helloOk(output, context.brokerName(), extension.temporaryScope());
    }

    private void onSetClientId(final EngineEvent event)
    {
        final ConnectionState connection = connection(event);
        if (connection == null)
        {
            return;
        }
        if (connection.clientId != null)
        {
            error(event.connection, event.correlationId, ErrorCode.ILLEGAL_STATE,
                "this connection's client id is already '" + connection.clientId + "'");
            return;
        }
        if (connectionsByClientId.containsKey(event.clientId))
        {
            error(event.connection, event.correlationId, ErrorCode.INVALID_CLIENT_ID,
                "client id '" + event.clientId + "' is already in use by another connection");
            return;
        }
        connection.clientId = event.clientId;
        connectionsByClientId.put(event.clientId, connection);
        ok(event.connection, event.correlationId);
    }

    private void onConnectionClosed(final long connectionId)
    {
        final ConnectionState connection = connections.remove(connectionId);
        if (connection == null)
        {
            return;
        }
        if (connection.clientId != null)
        {
            connectionsByClientId.remove(connection.clientId, connection);
        }
        blocked.forget(connection);
        extension.onConnectionClosed(connectionId);
        for (final ServerConsumer consumer : new ArrayList<>(connection.consumers.values()))
        {
            closeAndReturnAll(consumer);
        }
        for (final String name : connection.temporaryQueues)
        {
            final ServerQueue queue = destinations.queues.get(name);
            if (queue != null)
            {
                destinations.deleteQueue(queue, scheduled.removeFor(queue));
            }
        }
        for (final String name : connection.temporaryTopics)
        {
            final TopicAddress topic = destinations.topics.get(name);
            if (topic != null)
            {
                for (final ServerQueue subscription : new ArrayList<>(topic.subscriptions))
                {
                    deleteSubscription(subscription);
                }
                destinations.deleteTopic(topic);
            }
        }
    }

    // ---- routing ----------------------------------------------------------------------------------------

    /**
     * @return null if the message can be routed, else why not.
     */
    String checkRoutable(final byte type, final String name)
    {
        return extension.isElsewhere(type, name) ? null : checkLocal(type, name);
    }

    /**
     * @return null if the destination is on this node (or may be made here), else why not; for consumers, who
     * cannot consume another node's temporary destination.
     */
    String checkLocal(final byte type, final String name)
    {
        final String refusal = extension.refusal(name);
        if (refusal != null)
        {
            return refusal;
        }
        switch (type)
        {
            case DestinationType.QUEUE:
            {
                final ServerQueue queue = destinations.queues.get(name);
                if (queue != null && queue.kind == ServerQueue.Kind.TEMPORARY_QUEUE)
                {
                    return "'" + name + "' is a temporary queue, not a queue";
                }
                return queue != null || context.autoCreateDestinations() ? null :
                    "queue '" + name + "' does not exist and auto-create is off";
            }
            case DestinationType.TOPIC:
                return destinations.topics.containsKey(name) || context.autoCreateDestinations() ? null :
                    "topic '" + name + "' does not exist and auto-create is off";
            case DestinationType.TEMPORARY_QUEUE:
            {
                final ServerQueue queue = destinations.queues.get(name);
                return queue != null && queue.kind == ServerQueue.Kind.TEMPORARY_QUEUE ? null :
                    "temporary queue '" + name + "' does not exist (deleted, or its connection closed)";
            }
            case DestinationType.TEMPORARY_TOPIC:
            {
                final TopicAddress topic = destinations.topics.get(name);
                return topic != null && topic.temporary ? null :
                    "temporary topic '" + name + "' does not exist (deleted, or its connection closed)";
            }
            default:
                return "unknown destination type " + type;
        }
    }

    /**
     * @return null if the destination may take another message, else why not: the broker, or one of the
     * address's queues, holds as many waiting messages as its memory limit allows.
     */
    String checkRoom(final byte type, final String name, final boolean canPage)
    {
        return checkRoom(type, name, canPage, context.addressSettings().resolve(name));
    }

    private String checkRoom(final byte type, final String name, final boolean canPage, final AddressSettings settings)
    {
        if (settings.fullPolicy() == AddressSettings.FullPolicy.BLOCK ||
            canPage && paging.isOn() && settings.fullPolicy() == AddressSettings.FullPolicy.PAGE)
        {
            return null;
        }
        return fullReason(type, name, settings);
    }

    /**
     * Under the BLOCK policy, a connection that sent to a full address is told to wait.
     */
    void blockIfFull(final ConnectionState connection, final byte type, final String name)
    {
        blockIfFull(connection, type, name, context.addressSettings().resolve(name));
    }

    private void blockIfFull(final ConnectionState connection, final byte type, final String name,
        final AddressSettings settings)
    {
        if (settings.fullPolicy() == AddressSettings.FullPolicy.BLOCK && fullReason(type, name, settings) != null)
        {
            blocked.block(connection, type, name, writer);
        }
    }

    /**
     * @return null if neither the broker nor a queue of the address is at its memory limit, else which is.
     */
    private String fullReason(final byte type, final String name, final AddressSettings settings)
    {
        final MemoryUsage memory = destinations.memory;
        if (memory.isFull())
        {
            return "the broker is full: its queues hold " + memory.bytes() + " bytes of waiting messages and " +
                "global-max-size is " + memory.limit() + "; consume some, or raise the limit";
        }
        if (settings.maxSizeBytes() < 0)
        {
            return null;
        }
        if (DestinationType.isTopic(type))
        {
            final TopicAddress topic = destinations.topics.get(name);
            for (final ServerQueue subscription : topic == null ? List.<ServerQueue>of() : topic.subscriptions)
            {
                if (settings.isFull(subscription.bytes()))
                {
                    return "address '" + name + "' is full: its subscription '" + subscription.name + "' holds " +
                        subscription.bytes() + " bytes of waiting messages and max-size-bytes is " + settings.maxSizeBytes();
                }
            }
            return null;
        }
        final ServerQueue queue = destinations.queues.get(name);
        return queue == null || !settings.isFull(queue.bytes()) ? null : "address '" + name + "' is full: it holds " +
            queue.bytes() + " bytes of waiting messages and max-size-bytes is " + settings.maxSizeBytes();
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
        return message.deliveryTime() > nowMs && message.deliveryTime() != message.timestamp();
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

    private void onSend(final EngineEvent event)
    {
        final ConnectionState connection = connection(event);
        if (connection == null)
        {
            return;
        }
        final String problem = checkRoutable(event.destinationType, event.destinationName);
        if (problem != null)
        {
            error(event.connection, event.correlationId, ErrorCode.INVALID_DESTINATION, problem);
            return;
        }
        final AddressSettings settings = context.addressSettings().resolve(event.destinationName);
        final String full = checkRoom(event.destinationType, event.destinationName, true, settings);
        if (full != null)
        {
            error(event.connection, event.correlationId, ErrorCode.ADDRESS_FULL, "message not accepted: " + full);
            return;
        }
        final long mark = durability.mark();
        final ServerMessage message = message(event.message, connection);
        routed.clear();
        copies.clear();
        route(connection, event.destinationType, event.destinationName, message, routed, copies);
        if (!copies.isEmpty() && destinations.memory.isFull())
        {
            // Forward queues are not paged (their order is their sequence): a broker at its limit takes no more
            // messages that must cross to another node until the backlog drains, rather than run out of memory.
            error(event.connection, event.correlationId, ErrorCode.ADDRESS_FULL, "message not accepted: the broker is " +
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
            error(event.connection, event.correlationId, ErrorCode.STORAGE, "message not stored: its page file could not be " +
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
            error(event.connection, event.correlationId, ErrorCode.STORAGE, "message not stored: " + ex.getMessage());
            return;
        }
        if (written != null && message.isPersistent())
        {
            durability.pagesWritten(written.stores());
        }
        enqueue(routed);
        enqueue(copies);
        confirm(event.connection, event.correlationId, mark);
        blockIfFull(connection, event.destinationType, event.destinationName, settings);
    }

    /**
     * Answers a command now, or once what it journaled since {@code mark} is forced.
     */
    void confirm(final ConnectionOutput output, final long correlationId, final long mark)
    {
        if (!durability.deferConfirmation(output, correlationId, mark))
        {
            ok(output, correlationId);
        }
    }

    ServerMessage message(final byte[] encoded, final ConnectionState connection)
    {
        return new ServerMessage(encoded, header.wrap(encoded), connection.id());
    }

    /**
     * Applies a transaction as one unit: either every destination is valid and everything happens, or
     * nothing does.
     */
    private void onCommit(final EngineEvent event)
    {
        final ConnectionState connection = connection(event);
        if (connection == null)
        {
            return;
        }
        for (int i = 0; i < event.sendTypes.length; i++)
        {
            final String problem = checkRoutable(event.sendTypes[i], event.sendNames[i]);
            if (problem != null)
            {
                error(event.connection, event.correlationId, ErrorCode.INVALID_DESTINATION,
                    "transaction rolled back: " + problem);
                return;
            }
            final String full = checkRoom(event.sendTypes[i], event.sendNames[i], false);
            if (full != null)
            {
                error(event.connection, event.correlationId, ErrorCode.ADDRESS_FULL, "transaction rolled back: " + full);
                return;
            }
        }
        final long mark = durability.mark();
        final List<ServerMessage> messages = new ArrayList<>(event.sendTypes.length);
        final List<List<MessageReference>> references = new ArrayList<>(event.sendTypes.length);
        for (int i = 0; i < event.sendTypes.length; i++)
        {
            final ServerMessage message = message(event.sendMessages[i], connection);
            final List<MessageReference> into = new ArrayList<>();
            copies.clear();
            route(connection, event.sendTypes[i], event.sendNames[i], message, into, copies);
            messages.add(message);
            references.add(into);
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
            durability.transaction(messages, references, acknowledged);
        }
        catch (final JournalWriteException ex)
        {
            error(event.connection, event.correlationId, ErrorCode.STORAGE, "transaction rolled back: " + ex.getMessage());
            return;
        }
        for (final List<MessageReference> into : references)
        {
            enqueue(into);
        }
        for (int i = 0; i < event.consumerIds.length; i++)
        {
            acknowledge(connection, event.consumerIds[i], event.deliveryIds[i], false);
        }
        confirm(event.connection, event.correlationId, mark);
        for (int i = 0; i < event.sendTypes.length; i++)
        {
            blockIfFull(connection, event.sendTypes[i], event.sendNames[i]);
        }
    }

    // ---- consumers --------------------------------------------------------------------------------------

    private void onCreateConsumer(final EngineEvent event)
    {
        final ConnectionState connection = connection(event);
        if (connection == null)
        {
            return;
        }
        if (connection.consumers.containsKey(event.consumerId))
        {
            error(event.connection, event.correlationId, ErrorCode.ILLEGAL_STATE,
                "consumer id " + event.consumerId + " is already in use on this connection");
            return;
        }
        final String problem = checkLocal(event.destinationType, event.destinationName);
        if (problem != null)
        {
            error(event.connection, event.correlationId, ErrorCode.INVALID_DESTINATION, problem);
            return;
        }
        if (ConsumerFlags.isSet(event.consumerFlags, ConsumerFlags.BROWSER))
        {
            createBrowser(event, connection);
            return;
        }
        final ServerQueue queue = DestinationType.isTopic(event.destinationType) ?
            subscriptionFor(event, connection) : queueFor(event, connection);
        if (queue == null)
        {
            return;
        }
        final Selector queueSelector = queue.kind == ServerQueue.Kind.SUBSCRIPTION ? null : event.selector;
        final ServerConsumer consumer = new ServerConsumer(
            event.consumerId, event.sessionId, connection, queue, queueSelector, null, Math.max(0, event.count),
            event.creditBytes);
        connection.consumers.put(consumer.id, consumer);
        queue.addConsumer(consumer);
        queue.attached++;
        extension.changed(queue);
        ok(event.connection, event.correlationId);
        dispatcher.touch(queue);
    }

    private ServerQueue queueFor(final EngineEvent event, final ConnectionState connection)
    {
        final String name = event.destinationName;
        if (event.destinationType == DestinationType.TEMPORARY_QUEUE)
        {
            final ServerQueue queue = destinations.queues.get(name);
            if (queue.ownerConnectionId != connection.id())
            {
                error(event.connection, event.correlationId, ErrorCode.ILLEGAL_STATE,
                    "only the connection that created temporary queue '" + name + "' may consume from it");
                return null;
            }
            return queue;
        }
        return destinations.queue(name);
    }

    /**
     * Finds or makes the subscription a topic consumer asks for, applying the specification's rules on
     * names, client ids and changed definitions; null (after answering with an error) if refused.
     */
    private ServerQueue subscriptionFor(final EngineEvent event, final ConnectionState connection)
    {
        final String topicName = event.destinationName;
        final TopicAddress topic = destinations.topic(topicName);
        if (topic.temporary && topic.ownerConnectionId != connection.id())
        {
            error(event.connection, event.correlationId, ErrorCode.ILLEGAL_STATE,
                "only the connection that created temporary topic '" + topicName + "' may subscribe to it");
            return null;
        }
        final boolean durable = ConsumerFlags.isSet(event.consumerFlags, ConsumerFlags.DURABLE);
        final boolean shared = ConsumerFlags.isSet(event.consumerFlags, ConsumerFlags.SHARED);
        final boolean noLocal = ConsumerFlags.isSet(event.consumerFlags, ConsumerFlags.NO_LOCAL);
        final SubscriptionSpec spec = new SubscriptionSpec(topicName, durable || shared ? event.subscriptionName : null,
            connection.clientId, event.selector, noLocal, durable, shared);
        if (!durable && !shared)
        {
            return destinations.createSubscription(topic, spec,
                topicName + "#" + connection.id() + "." + event.consumerId, connection.id());
        }
        if (durable && topic.temporary)
        {
            error(event.connection, event.correlationId, ErrorCode.INVALID_DESTINATION,
                "a durable subscription cannot be made on temporary topic '" + topicName + "'");
            return null;
        }
        if (durable && !shared && connection.clientId == null)
        {
            error(event.connection, event.correlationId, ErrorCode.ILLEGAL_STATE,
                "an unshared durable subscription needs the connection to have a client id");
            return null;
        }
        final String what = (durable ? "durable" : "shared") + " subscription '" + spec.name() + "'" +
            (spec.clientId() == null ? "" : " of client id '" + spec.clientId() + "'");
        final ServerQueue existing = (durable ? destinations.durableSubscriptions : destinations.sharedSubscriptions).get(spec.key());
        if (existing != null)
        {
            final SubscriptionSpec current = existing.subscription;
            if (current.shared() != shared)
            {
                error(event.connection, event.correlationId, ErrorCode.GENERIC, what + " already exists as " +
                    (current.shared() ? "a shared" : "an unshared") + " durable subscription");
                return null;
            }
            if (!shared && !existing.consumers.isEmpty())
            {
                error(event.connection, event.correlationId, ErrorCode.ILLEGAL_STATE, what + " already has an active consumer");
                return null;
            }
            if (current.sameDefinition(spec))
            {
                return existing;
            }
            if (!existing.consumers.isEmpty() || !durable)
            {
                error(event.connection, event.correlationId, ErrorCode.GENERIC, what +
                    " is in use with topic '" + current.topic() + "' and selector " + quote(current.selectorText()) +
                    "; it cannot change while it has consumers");
                return null;
            }
            // An inactive durable subscription asked for with another topic, selector or noLocal is replaced.
            deleteSubscription(existing);
        }
        final String queueName = (durable ? "durable:" : "shared:") + (spec.clientId() == null ? "" : spec.clientId()) +
            ":" + spec.name();
        return destinations.createSubscription(topic, spec, queueName, 0);
    }

    private static String quote(final String text)
    {
        return text == null ? "(none)" : "'" + text + "'";
    }

    private void deleteSubscription(final ServerQueue subscription)
    {
        destinations.deleteSubscription(subscription, scheduled.removeFor(subscription));
    }

    private void createBrowser(final EngineEvent event, final ConnectionState connection)
    {
        if (DestinationType.isTopic(event.destinationType))
        {
            error(event.connection, event.correlationId, ErrorCode.INVALID_DESTINATION, "only queues can be browsed");
            return;
        }
        final ServerQueue queue = queueFor(event, connection);
        if (queue == null)
        {
            return;
        }
        final List<ServerMessage> snapshot = new ArrayList<>(queue.size());
        final Selector selector = event.selector;
        queue.forEach(reference ->
        {
            final ServerMessage message = reference.message;
            if (!message.isExpired(nowMs) && (selector == null || message.matches(selector)))
            {
                snapshot.add(message);
            }
        });
        final ServerConsumer browser = new ServerConsumer(
            event.consumerId, event.sessionId, connection, queue, selector, snapshot, Math.max(0, event.count),
            event.creditBytes);
        connection.consumers.put(browser.id, browser);
        ok(event.connection, event.correlationId);
        continueBrowse(browser);
    }

    private void continueBrowse(final ServerConsumer browser)
    {
        final List<ServerMessage> snapshot = browser.browsed;
        while (browser.credit > 0 && browser.browsedSent < snapshot.size())
        {
            final byte[] encoded = snapshot.get(browser.browsedSent++).encoded();
            browser.credit--;
            writer.deliver(browser.connection.output, browser.id, 0, 0, encoded);
        }
        if (browser.browsedSent == snapshot.size() && !browser.closed)
        {
            browser.browsedSent++;
            writer.browseEnd(browser.connection.output, browser.id);
        }
    }

    private void onCredit(final EngineEvent event)
    {
        final ConnectionState connection = connection(event);
        final ServerConsumer consumer = connection == null ? null : connection.consumers.get(event.consumerId);
        if (consumer == null || consumer.closed)
        {
            return;
        }
        consumer.creditReturned(Math.max(0, event.count), Math.max(0, event.creditBytes));
        if (consumer.isBrowser())
        {
            continueBrowse(consumer);
        }
        else
        {
            dispatcher.touch(consumer.queue);
        }
    }

    private void onCloseConsumer(final EngineEvent event)
    {
        final ConnectionState connection = connection(event);
        final ServerConsumer consumer = connection == null ? null : connection.consumers.get(event.consumerId);
        if (consumer == null)
        {
            error(event.connection, event.correlationId, ErrorCode.UNKNOWN_ID,
                "no consumer " + event.consumerId + " on this connection");
            return;
        }
        if (consumer.isBrowser())
        {
            consumer.closed = true;
            connection.consumers.remove(consumer.id);
            ok(event.connection, event.correlationId);
            return;
        }
        consumer.closed = true;
        consumer.queue.removeConsumer(consumer);
        extension.changed(consumer.queue);
        final LongHashSet kept = new LongHashSet();
        for (final long deliveryId : event.deliveryIds)
        {
            kept.add(deliveryId);
        }
        giveBackUnseen(consumer, kept);
        if (consumer.unacknowledged.isEmpty())
        {
            forget(consumer);
        }
        ok(event.connection, event.correlationId);
    }

    /**
     * Gives back every unacknowledged delivery of a consumer not in {@code seen}, as never delivered; the
     * consumer's credit for them is restored.
     */
    private void giveBackUnseen(final ServerConsumer consumer, final LongHashSet seen)
    {
        final LongArrayList unseen = new LongArrayList();
        final Long2ObjectHashMap<MessageReference>.KeyIterator ids = consumer.unacknowledged.keySet().iterator();
        while (ids.hasNext())
        {
            final long deliveryId = ids.nextLong();
            if (!seen.contains(deliveryId))
            {
                unseen.addLong(deliveryId);
            }
        }
        unseen.sort(null);
        for (int i = 0; i < unseen.size(); i++)
        {
            final MessageReference reference = consumer.unacknowledged.remove(unseen.getLong(i));
            final int bytes = reference.message.encoded().length;
            returnToQueue(consumer.queue, reference, false);
            if (!consumer.closed)
            {
                // Its client dropped it unseen: the room it took there is free again.
                consumer.creditReturned(1, bytes);
            }
        }
    }

    /**
     * Puts a delivered message back. One the application never saw does not count as delivered; one it saw
     * counts, and then goes to the dead-letter address over the delivery limit, or waits out the redelivery
     * delay.
     */
    void returnToQueue(final ServerQueue queue, final MessageReference reference, final boolean seen)
    {
        if (queue.deleted)
        {
            durability.referenceGone(reference, false);
            return;
        }
        if (!seen)
        {
            reference.deliveryCount--;
            queue.giveBack(reference);
            dispatcher.touch(queue);
            return;
        }
        final AddressSettings settings = settingsOf(queue);
        if (settings.isOverDeliveryLimit(reference.deliveryCount))
        {
            dispatcher.touchIfAny(deadLetters.overDeliveryLimit(queue, reference, settings));
            return;
        }
        durability.deliveryCounted(reference);
        if (settings.redeliveryDelayMs() > 0)
        {
            scheduled.schedule(nowMs + settings.redeliveryDelayMs(), reference);
            return;
        }
        queue.giveBack(reference);
        dispatcher.touch(queue);
    }

    private AddressSettings settingsOf(final ServerQueue queue)
    {
        return queue.settings(context.addressSettings());
    }

    private void expire(final ServerQueue queue, final MessageReference reference)
    {
        dispatcher.touchIfAny(deadLetters.expire(queue, reference));
    }

    /**
     * Session recover or rollback: everything the session's consumers hold goes back; what the application
     * saw counts as delivered, the rest does not.
     */
    private void onRecover(final EngineEvent event)
    {
        final ConnectionState connection = connection(event);
        if (connection != null)
        {
            final LongHashSet seen = new LongHashSet();
            for (final long deliveryId : event.deliveryIds)
            {
                seen.add(deliveryId);
            }
            for (final ServerConsumer consumer : consumersOfSession(connection, event.sessionId))
            {
                giveBackUnseen(consumer, seen);
                returnAll(consumer);
                if (consumer.closed)
                {
                    forget(consumer);
                }
            }
        }
        ok(event.connection, event.correlationId);
    }

    /**
     * Gives back, counted as delivered, everything a consumer holds, in delivery order.
     */
    private void returnAll(final ServerConsumer consumer)
    {
        final LongArrayList ids = new LongArrayList();
        final Long2ObjectHashMap<MessageReference>.KeyIterator keys = consumer.unacknowledged.keySet().iterator();
        while (keys.hasNext())
        {
            ids.addLong(keys.nextLong());
        }
        ids.sort(null);
        for (int i = 0; i < ids.size(); i++)
        {
            returnToQueue(consumer.queue, consumer.unacknowledged.remove(ids.getLong(i)), true);
        }
    }

    private void onCloseSession(final EngineEvent event)
    {
        final ConnectionState connection = connection(event);
        if (connection != null)
        {
            for (final ServerConsumer consumer : consumersOfSession(connection, event.sessionId))
            {
                closeAndReturnAll(consumer);
            }
        }
        ok(event.connection, event.correlationId);
    }

    /**
     * @return a copy, so the caller may remove consumers while going through it.
     */
    private static List<ServerConsumer> consumersOfSession(final ConnectionState connection, final long sessionId)
    {
        final List<ServerConsumer> ofSession = new ArrayList<>();
        for (final ServerConsumer consumer : connection.consumers.values())
        {
            if (consumer.sessionId == sessionId)
            {
                ofSession.add(consumer);
            }
        }
        return ofSession;
    }

    /**
     * Removes a consumer and gives back everything it held, counted as delivered.
     */
    private void closeAndReturnAll(final ServerConsumer consumer)
    {
        consumer.closed = true;
        if (consumer.isBrowser())
        {
            consumer.connection.consumers.remove(consumer.id);
            return;
        }
        consumer.queue.removeConsumer(consumer);
        extension.changed(consumer.queue);
        returnAll(consumer);
        dispatcher.touch(consumer.queue);
        forget(consumer);
    }

    /**
     * Drops a closed consumer that holds nothing more; a non-durable subscription goes with its last consumer.
     */
    private void forget(final ServerConsumer consumer)
    {
        consumer.connection.consumers.remove(consumer.id);
        final ServerQueue queue = consumer.queue;
        queue.attached--;
        if (queue.kind == ServerQueue.Kind.SUBSCRIPTION && !queue.subscription.durable() && queue.attached == 0)
        {
            deleteSubscription(queue);
        }
    }

    private void onUnsubscribe(final EngineEvent event)
    {
        final ConnectionState connection = connection(event);
        if (connection == null)
        {
            return;
        }
        final SubscriptionSpec probe = new SubscriptionSpec("", event.subscriptionName, connection.clientId,
            null, false, true, false);
        final ServerQueue subscription = destinations.durableSubscriptions.get(probe.key());
        final String what = "durable subscription '" + event.subscriptionName + "'" +
            (connection.clientId == null ? " (no client id)" : " of client id '" + connection.clientId + "'");
        if (subscription == null)
        {
            error(event.connection, event.correlationId, ErrorCode.INVALID_DESTINATION, "there is no " + what);
            return;
        }
        if (!subscription.consumers.isEmpty())
        {
            error(event.connection, event.correlationId, ErrorCode.ILLEGAL_STATE, what + " has an active consumer");
            return;
        }
        if (subscription.attached > 0)
        {
            error(event.connection, event.correlationId, ErrorCode.ILLEGAL_STATE,
                what + " has messages a session consumed and has not acknowledged or committed");
            return;
        }
        if (xa.holdsFrom(subscription))
        {
            error(event.connection, event.correlationId, ErrorCode.ILLEGAL_STATE,
                what + " has messages a prepared XA transaction acknowledged; commit or roll it back first");
            return;
        }
        deleteSubscription(subscription);
        ok(event.connection, event.correlationId);
    }

    // ---- acknowledgement --------------------------------------------------------------------------------

    /**
     * @return false if the consumer or delivery is unknown (already acknowledged, or given back).
     */
    private boolean acknowledge(final ConnectionState connection, final long consumerId, final long deliveryId,
        final boolean journalAck)
    {
        final ServerConsumer consumer = connection == null ? null : connection.consumers.get(consumerId);
        if (consumer == null)
        {
            return false;
        }
        final MessageReference reference = consumer.unacknowledged.remove(deliveryId);
        if (reference == null)
        {
            return false;
        }
        consumer.queue.messagesAcknowledged++;
        durability.referenceGone(reference, journalAck);
        if (consumer.closed && consumer.unacknowledged.isEmpty())
        {
            forget(consumer);
        }
        return true;
    }

    /**
     * @return a delivery a consumer of this connection holds unacknowledged, or null.
     */
    MessageReference delivery(final ConnectionState connection, final long consumerId, final long deliveryId)
    {
        final ServerConsumer consumer = connection.consumers.get(consumerId);
        return consumer == null ? null : consumer.unacknowledged.get(deliveryId);
    }

    /**
     * A prepared XA branch takes a delivery from its consumer: the branch decides its fate from now on.
     */
    void takeDelivery(final ConnectionState connection, final long consumerId, final long deliveryId)
    {
        final ServerConsumer consumer = connection.consumers.get(consumerId);
        if (consumer != null && consumer.unacknowledged.remove(deliveryId) != null && consumer.closed &&
            consumer.unacknowledged.isEmpty())
        {
            forget(consumer);
        }
    }

    /**
     * A committed XA branch acknowledges a delivery it held (the journal has the ack already).
     */
    void acknowledgeHeld(final MessageReference reference)
    {
        reference.queue.messagesAcknowledged++;
        durability.referenceGone(reference, false);
    }

    private void onAckBatch(final EngineEvent event)
    {
        final ConnectionState connection = connection(event);
        final long mark = durability.mark();
        for (int i = 0; i < event.consumerIds.length; i++)
        {
            acknowledge(connection, event.consumerIds[i], event.deliveryIds[i], true);
        }
        confirm(event.connection, event.correlationId, mark);
    }

    private void onRelease(final EngineEvent event)
    {
        final ConnectionState connection = connection(event);
        if (connection != null)
        {
            for (int i = 0; i < event.consumerIds.length; i++)
            {
                final ServerConsumer consumer = connection.consumers.get(event.consumerIds[i]);
                if (consumer == null)
                {
                    continue;
                }
                final MessageReference reference = consumer.unacknowledged.remove(event.deliveryIds[i]);
                if (reference == null)
                {
                    continue;
                }
                returnToQueue(consumer.queue, reference, event.flags[i]);
                if (consumer.closed && consumer.unacknowledged.isEmpty())
                {
                    forget(consumer);
                }
            }
        }
        ok(event.connection, event.correlationId);
    }

    // ---- temporary destinations -------------------------------------------------------------------------

    private void onCreateTemporary(final EngineEvent event)
    {
        final ConnectionState connection = connection(event);
        if (connection == null)
        {
            return;
        }
        final String name = event.destinationName;
        if (destinations.queues.containsKey(name) || destinations.topics.containsKey(name))
        {
            error(event.connection, event.correlationId, ErrorCode.ILLEGAL_STATE, "destination '" + name + "' already exists");
            return;
        }
        if (event.destinationType == DestinationType.TEMPORARY_QUEUE)
        {
            destinations.queues.put(name, new ServerQueue(name, ServerQueue.Kind.TEMPORARY_QUEUE, connection.id(), null,
                destinations.memory));
            connection.temporaryQueues.add(name);
        }
        else if (event.destinationType == DestinationType.TEMPORARY_TOPIC)
        {
            destinations.topics.put(name, new TopicAddress(name, true, connection.id()));
            connection.temporaryTopics.add(name);
        }
        else
        {
            error(event.connection, event.correlationId, ErrorCode.INVALID_DESTINATION,
                "destination type " + event.destinationType + " is not temporary");
            return;
        }
        ok(event.connection, event.correlationId);
    }

    private void onDeleteTemporary(final EngineEvent event)
    {
        final ConnectionState connection = connection(event);
        if (connection == null)
        {
            return;
        }
        final String name = event.destinationName;
        if (event.destinationType == DestinationType.TEMPORARY_QUEUE)
        {
            final ServerQueue queue = destinations.queues.get(name);
            if (queue == null || queue.kind != ServerQueue.Kind.TEMPORARY_QUEUE || queue.ownerConnectionId != connection.id())
            {
                error(event.connection, event.correlationId, ErrorCode.INVALID_DESTINATION,
                    "temporary queue '" + name + "' does not exist on this connection");
                return;
            }
            if (!queue.consumers.isEmpty())
            {
                error(event.connection, event.correlationId, ErrorCode.ILLEGAL_STATE,
                    "temporary queue '" + name + "' still has " + queue.consumers.size() + " consumer(s)");
                return;
            }
            destinations.deleteQueue(queue, scheduled.removeFor(queue));
            connection.temporaryQueues.remove(name);
        }
        else
        {
            final TopicAddress topic = destinations.topics.get(name);
            if (topic == null || !topic.temporary || topic.ownerConnectionId != connection.id())
            {
                error(event.connection, event.correlationId, ErrorCode.INVALID_DESTINATION,
                    "temporary topic '" + name + "' does not exist on this connection");
                return;
            }
            if (!topic.subscriptions.isEmpty())
            {
                error(event.connection, event.correlationId, ErrorCode.ILLEGAL_STATE,
                    "temporary topic '" + name + "' still has " + topic.subscriptions.size() + " subscriber(s)");
                return;
            }
            destinations.deleteTopic(topic);
            connection.temporaryTopics.remove(name);
        }
        ok(event.connection, event.correlationId);
    }

    // ---- management -------------------------------------------------------------------------------------

    private void onAdmin(final EngineEvent event)
    {
        final String verb = event.destinationName;
        final String[] args = event.sendNames;
        final AdminTable result;
        try
        {
            result = admin.run(verb, args);
        }
        catch (final IllegalArgumentException ex)
        {
            error(event.connection, event.correlationId, ErrorCode.INVALID_DESTINATION, ex.getMessage());
            return;
        }
        catch (final IllegalStateException ex)
        {
            error(event.connection, event.correlationId, ErrorCode.ILLEGAL_STATE, ex.getMessage());
            return;
        }
        writer.reply(event.connection, event.correlationId, result::encode);
    }

    // ---- time -------------------------------------------------------------------------------------------

    private void onTick()
    {
        ScheduledDeliveries.Entry due;
        while ((due = scheduled.pollDue(nowMs)) != null)
        {
            final ServerQueue queue = due.queue();
            if (queue.deleted)
            {
                continue;
            }
            final MessageReference reference = due.reference();
            // Never delivered: a message sent with a delay joins the end; a redelivery goes back in its place.
            if (reference.deliveryCount == 0)
            {
                queue.append(reference);
            }
            else
            {
                queue.giveBack(reference);
            }
            dispatcher.touch(queue);
        }
        if (nowMs - lastExpiryScanMs >= EXPIRY_SCAN_INTERVAL_MS)
        {
            lastExpiryScanMs = nowMs;
            for (final ServerQueue queue : destinations.queues.values().toArray(new ServerQueue[0]))
            {
                expireWaiting(queue);
            }
            for (final ServerQueue subscription : destinations.allSubscriptions())
            {
                expireWaiting(subscription);
            }
        }
        extension.onTick(nowMs);
    }

    private void expireWaiting(final ServerQueue queue)
    {
        MessageReference reference = queue.first();
        while (reference != null)
        {
            final MessageReference next = queue.after(reference);
            if (reference.message.isExpired(nowMs))
            {
                queue.remove(reference);
                expire(queue, reference);
            }
            reference = next;
        }
    }

    /**
     * What the extension may do to the processor's state.
     */
    private final class Control implements EngineControl
    {
        @Override
        public long nowMs()
        {
            return nowMs;
        }

        @Override
        public AddressSettings settingsOf(final String address)
        {
            return context.addressSettings().resolve(address);
        }

        @Override
        public AddressSettings settingsOf(final ServerQueue queue)
        {
            return Processor.this.settingsOf(queue);
        }

        @Override
        public ServerQueue queue(final String name)
        {
            return destinations.queue(name);
        }

        @Override
        public ServerQueue existingQueue(final String name)
        {
            return destinations.queues.get(name);
        }

        @Override
        public Collection<ServerQueue> queues()
        {
            return destinations.queues.values();
        }

        @Override
        public TopicAddress topic(final String name)
        {
            return destinations.topic(name);
        }

        @Override
        public TopicAddress existingTopic(final String name)
        {
            return destinations.topics.get(name);
        }

        @Override
        public Collection<TopicAddress> topics()
        {
            return destinations.topics.values();
        }

        @Override
        public int subscriptionCount()
        {
            return destinations.allSubscriptions().size();
        }

        @Override
        public ServerMessage message(final byte[] encoded, final long originConnectionId)
        {
            return new ServerMessage(encoded, header.wrap(encoded), originConnectionId);
        }

        @Override
        public void enqueue(final List<MessageReference> references)
        {
            Processor.this.enqueue(references);
        }

        @Override
        public void touch(final ServerQueue queue)
        {
            dispatcher.touch(queue);
        }

        @Override
        public void stalled(final ServerQueue queue)
        {
            dispatcher.stalled(queue);
        }

        @Override
        public void expire(final ServerQueue queue, final MessageReference reference)
        {
            Processor.this.expire(queue, reference);
        }

        @Override
        public long mark()
        {
            return durability.mark();
        }

        @Override
        public void acknowledge(final MessageReference reference)
        {
            reference.queue.messagesAcknowledged++;
            durability.referenceGone(reference, true);
        }

        @Override
        public void drop(final MessageReference reference)
        {
            durability.referenceGone(reference, true);
        }

        @Override
        public boolean storeReceived(final LinkPosition position, final long sequence, final ServerMessage message,
            final List<MessageReference> references)
        {
            return durability.linkReceived(position, sequence, message, references);
        }

        @Override
        public void move(final List<MessageReference> originals, final List<MessageReference> copies)
        {
            final List<ServerMessage> messages = new ArrayList<>(copies.size());
            final List<List<MessageReference>> references = new ArrayList<>(copies.size());
            for (final MessageReference copy : copies)
            {
                messages.add(copy.message);
                references.add(List.of(copy));
            }
            durability.transaction(messages, references, originals);
            for (final MessageReference original : originals)
            {
                original.queue.remove(original);
                original.queue.messagesAcknowledged++;
                durability.referenceGone(original, false);
            }
            Processor.this.enqueue(copies);
        }

        @Override
        public void write(final ConnectionOutput output, final WireWriter frame)
        {
            writer.write(output, frame);
        }

        @Override
        public void confirm(final ConnectionOutput output, final long correlationId, final long mark)
        {
            Processor.this.confirm(output, correlationId, mark);
        }

        @Override
        public void error(final ConnectionOutput output, final long correlationId, final int code, final String message)
        {
            Processor.this.error(output, correlationId, code, message);
        }

        @Override
        public boolean isOpen(final ConnectionOutput output)
        {
            return connections.containsKey(output.id());
        }
    }

    // ---- replies ----------------------------------------------------------------------------------------

    private void ok(final ConnectionOutput output, final long correlationId)
    {
        writer.ok(output, correlationId);
    }

    void error(final ConnectionOutput output, final long correlationId, final int code, final String message)
    {
        writer.error(output, correlationId, code, message);
    }

    /**
     * Answers with a REPLY frame whose result {@code result} writes.
     */
    void reply(final ConnectionOutput output, final long correlationId, final Consumer<WireWriter> result)
    {
        writer.reply(output, correlationId, result);
    }

    // ---- inspection (tests) -----------------------------------------------------------------------------

    /**
     * @return messages waiting in a queue (not counting those delivered and unacknowledged), or -1.
     */
    public int queueDepth(final String name)
    {
        final ServerQueue queue = destinations.queues.get(name);
        return queue == null ? -1 : queue.size();
    }

    /**
     * @return how many consumers a queue has, or -1.
     */
    public int consumerCount(final String name)
    {
        final ServerQueue queue = destinations.queues.get(name);
        return queue == null ? -1 : queue.consumers.size();
    }

    public int connectionCount()
    {
        return connections.size();
    }
}
