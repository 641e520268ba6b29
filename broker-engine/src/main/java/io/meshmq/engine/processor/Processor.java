package io.meshmq.engine.processor;

import com.lmax.disruptor.EventHandler;
import io.meshmq.protocol.DestinationType;
import io.meshmq.protocol.ErrorCode;
import io.meshmq.protocol.FrameType;
import io.meshmq.protocol.MessageHeaderFlyweight;
import io.meshmq.protocol.WireWriter;
import org.agrona.collections.Long2ObjectHashMap;
import org.agrona.collections.LongArrayList;
import org.agrona.collections.LongHashSet;
import org.agrona.concurrent.EpochClock;

import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;

/**
 * The single writer of all queue state: takes commands off the ring in order, routes messages, dispatches
 * them to consumers within their credit, and writes replies and deliveries to connections, flushing each
 * connection once at the end of a ring batch.
 * <p>
 * Not thread safe: called only on the processor thread (or a test's thread, which then plays that role).
 */
public final class Processor implements EventHandler<EngineEvent>
{
    private static final System.Logger LOG = System.getLogger(Processor.class.getName());

    private final ProcessorContext context;
    private final EpochClock clock;
    private final WireWriter out = new WireWriter(64 * 1024);
    private final MessageHeaderFlyweight header = new MessageHeaderFlyweight();
    private final Map<String, ServerQueue> queues = new HashMap<>();
    private final Map<String, TopicAddress> topics = new HashMap<>();
    private final Long2ObjectHashMap<ConnectionState> connections = new Long2ObjectHashMap<>();
    private final List<ConnectionOutput> dirty = new ArrayList<>();
    private final List<ServerQueue> touched = new ArrayList<>();
    private long nextDeliveryId;
    private long nowMs;

    public Processor(final ProcessorContext context, final EpochClock clock)
    {
        this.context = context;
        this.clock = clock;
        for (final String name : context.queues())
        {
            queues.put(name, new ServerQueue(name, ServerQueue.Kind.QUEUE, 0, false));
        }
        for (final String name : context.topics())
        {
            topics.put(name, new TopicAddress(name, false, 0));
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
        dispatchTouched();
        if (endOfBatch)
        {
            flush();
        }
    }

    /**
     * Sends what this batch wrote. Public so tests driving the processor directly can end a batch.
     */
    public void flush()
    {
        for (int i = 0; i < dirty.size(); i++)
        {
            dirty.get(i).flush();
        }
        dirty.clear();
    }

    private void handle(final EngineEvent event)
    {
        switch (event.type)
        {
            case EngineEvent.CONNECTION_OPENED:
                connections.put(event.connection.id(), new ConnectionState(event.connection));
                break;
            case EngineEvent.CONNECTION_CLOSED:
                onConnectionClosed(event.connection.id());
                break;
            case EngineEvent.GOODBYE:
                onConnectionClosed(event.connection.id());
                ok(event.connection, event.correlationId);
                break;
            case EngineEvent.CREATE_CONSUMER:
                onCreateConsumer(event);
                break;
            case EngineEvent.CLOSE_CONSUMER:
                onCloseConsumer(event);
                break;
            case EngineEvent.CLOSE_SESSION:
                onCloseSession(event);
                break;
            case EngineEvent.CREDIT:
                onCredit(event);
                break;
            case EngineEvent.ACK:
                acknowledge(connection(event), event.consumerId, event.deliveryId);
                break;
            case EngineEvent.ACK_BATCH:
                onAckBatch(event);
                break;
            case EngineEvent.RELEASE:
                onRelease(event);
                break;
            case EngineEvent.RECOVER:
                onRecover(event);
                break;
            case EngineEvent.SEND:
                onSend(event);
                break;
            case EngineEvent.COMMIT:
                onCommit(event);
                break;
            case EngineEvent.CREATE_TEMP:
                onCreateTemporary(event);
                break;
            case EngineEvent.DELETE_TEMP:
                onDeleteTemporary(event);
                break;
            default:
                throw new IllegalStateException("unknown engine event " + event.type);
        }
    }

    private ConnectionState connection(final EngineEvent event)
    {
        return connections.get(event.connection.id());
    }

    // ---- routing ----------------------------------------------------------------------------------------

    /**
     * @return null if the message can be routed, else why not.
     */
    private String checkRoutable(final ConnectionState connection, final byte type, final String name)
    {
        switch (type)
        {
            case DestinationType.QUEUE:
                return queues.containsKey(name) || context.autoCreateDestinations() ? null :
                    "queue '" + name + "' does not exist and auto-create is off";
            case DestinationType.TOPIC:
                return topics.containsKey(name) || context.autoCreateDestinations() ? null :
                    "topic '" + name + "' does not exist and auto-create is off";
            case DestinationType.TEMPORARY_QUEUE:
            {
                final ServerQueue queue = queues.get(name);
                return queue != null && queue.kind == ServerQueue.Kind.TEMPORARY_QUEUE ? null :
                    "temporary queue '" + name + "' does not exist (deleted, or its connection closed)";
            }
            case DestinationType.TEMPORARY_TOPIC:
            {
                final TopicAddress topic = topics.get(name);
                return topic != null && topic.temporary ? null :
                    "temporary topic '" + name + "' does not exist (deleted, or its connection closed)";
            }
            default:
                return "unknown destination type " + type;
        }
    }

    private void route(final ConnectionState connection, final byte type, final String name, final ServerMessage message)
    {
        if (DestinationType.isTopic(type))
        {
            final TopicAddress topic = topics.computeIfAbsent(name, n -> new TopicAddress(n, false, 0));
            topic.messagesPublished++;
            for (final ServerQueue subscription : topic.subscriptions)
            {
                if (subscription.noLocal && message.originConnectionId() == connection.id())
                {
                    continue;
                }
                subscription.add(message);
                touch(subscription);
            }
        }
        else
        {
            final ServerQueue queue = queues.computeIfAbsent(name, n -> new ServerQueue(n, ServerQueue.Kind.QUEUE, 0, false));
            queue.add(message);
            touch(queue);
        }
    }

    private void onSend(final EngineEvent event)
    {
        final ConnectionState connection = connection(event);
        if (connection == null)
        {
            return;
        }
        final String problem = checkRoutable(connection, event.destinationType, event.destinationName);
        if (problem != null)
        {
            error(event.connection, event.correlationId, ErrorCode.INVALID_DESTINATION, problem);
            return;
        }
        route(connection, event.destinationType, event.destinationName, message(event.message, connection));
        ok(event.connection, event.correlationId);
    }

    private ServerMessage message(final byte[] encoded, final ConnectionState connection)
    {
        header.wrap(encoded);
        return new ServerMessage(encoded, header.priority(), header.expiration(), header.isPersistent(), connection.id());
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
            final String problem = checkRoutable(connection, event.sendTypes[i], event.sendNames[i]);
            if (problem != null)
            {
                error(event.connection, event.correlationId, ErrorCode.INVALID_DESTINATION,
                    "transaction rolled back: " + problem);
                return;
            }
        }
        for (int i = 0; i < event.sendTypes.length; i++)
        {
            route(connection, event.sendTypes[i], event.sendNames[i], message(event.sendMessages[i], connection));
        }
        for (int i = 0; i < event.consumerIds.length; i++)
        {
            acknowledge(connection, event.consumerIds[i], event.deliveryIds[i]);
        }
        ok(event.connection, event.correlationId);
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
        if (event.selector != null)
        {
            error(event.connection, event.correlationId, ErrorCode.INVALID_SELECTOR,
                "message selectors are not supported by this broker version yet");
            return;
        }
        final String name = event.destinationName;
        final String problem = checkRoutable(connection, event.destinationType, name);
        if (problem != null)
        {
            error(event.connection, event.correlationId, ErrorCode.INVALID_DESTINATION, problem);
            return;
        }
        final ServerQueue queue;
        final boolean ownsQueue;
        switch (event.destinationType)
        {
            case DestinationType.QUEUE:
                queue = queues.computeIfAbsent(name, n -> new ServerQueue(n, ServerQueue.Kind.QUEUE, 0, false));
                ownsQueue = false;
                break;
            case DestinationType.TEMPORARY_QUEUE:
                queue = queues.get(name);
                if (queue.ownerConnectionId != connection.id())
                {
                    error(event.connection, event.correlationId, ErrorCode.ILLEGAL_STATE,
                        "only the connection that created temporary queue '" + name + "' may consume from it");
                    return;
                }
                ownsQueue = false;
                break;
            default:
            {
                final TopicAddress topic = topics.computeIfAbsent(name, n -> new TopicAddress(n, false, 0));
                if (topic.temporary && topic.ownerConnectionId != connection.id())
                {
                    error(event.connection, event.correlationId, ErrorCode.ILLEGAL_STATE,
                        "only the connection that created temporary topic '" + name + "' may subscribe to it");
                    return;
                }
                queue = new ServerQueue(name + "#" + connection.id() + "." + event.consumerId,
                    ServerQueue.Kind.SUBSCRIPTION, connection.id(), event.flag);
                topic.subscriptions.add(queue);
                ownsQueue = true;
                break;
            }
        }
        final ServerConsumer consumer = new ServerConsumer(
            event.consumerId, event.sessionId, connection, queue, ownsQueue, Math.max(0, event.count));
        connection.consumers.put(consumer.id, consumer);
        queue.consumers.add(consumer);
        ok(event.connection, event.correlationId);
        touch(queue);
    }

    private void onCredit(final EngineEvent event)
    {
        final ConnectionState connection = connection(event);
        final ServerConsumer consumer = connection == null ? null : connection.consumers.get(event.consumerId);
        if (consumer == null || consumer.closed)
        {
            return;
        }
        consumer.credit = (int)Math.min(Integer.MAX_VALUE, (long)consumer.credit + Math.max(0, event.count));
        touch(consumer.queue);
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
        consumer.closed = true;
        consumer.queue.consumers.remove(consumer);
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
            reference.deliveryCount--;
            consumer.queue.giveBack(reference);
            if (!consumer.closed)
            {
                consumer.credit++;
            }
        }
        if (!unseen.isEmpty())
        {
            touch(consumer.queue);
        }
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
                for (final MessageReference reference : new ArrayList<>(consumer.unacknowledged.values()))
                {
                    consumer.queue.giveBack(reference);
                }
                consumer.unacknowledged.clear();
                touch(consumer.queue);
                if (consumer.closed)
                {
                    forget(consumer);
                }
            }
        }
        ok(event.connection, event.correlationId);
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
        consumer.queue.consumers.remove(consumer);
        final List<MessageReference> held = new ArrayList<>(consumer.unacknowledged.values());
        consumer.unacknowledged.clear();
        for (final MessageReference reference : held)
        {
            consumer.queue.giveBack(reference);
        }
        touch(consumer.queue);
        forget(consumer);
    }

    private void forget(final ServerConsumer consumer)
    {
        consumer.connection.consumers.remove(consumer.id);
        if (consumer.ownsQueue)
        {
            deleteSubscription(consumer.queue);
        }
    }

    private void deleteSubscription(final ServerQueue subscription)
    {
        subscription.clear();
        final String topicName = subscription.name.substring(0, subscription.name.lastIndexOf('#'));
        final TopicAddress topic = topics.get(topicName);
        if (topic != null)
        {
            topic.subscriptions.remove(subscription);
        }
    }

    private void onConnectionClosed(final long connectionId)
    {
        final ConnectionState connection = connections.remove(connectionId);
        if (connection == null)
        {
            return;
        }
        for (final ServerConsumer consumer : new ArrayList<>(connection.consumers.values()))
        {
            closeAndReturnAll(consumer);
        }
        for (final String name : connection.temporaryQueues)
        {
            final ServerQueue queue = queues.remove(name);
            if (queue != null)
            {
                queue.clear();
            }
        }
        for (final String name : connection.temporaryTopics)
        {
            topics.remove(name);
        }
    }

    // ---- acknowledgement --------------------------------------------------------------------------------

    /**
     * @return false if the consumer or delivery is unknown (already acknowledged, or given back).
     */
    private boolean acknowledge(final ConnectionState connection, final long consumerId, final long deliveryId)
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
        if (consumer.closed && consumer.unacknowledged.isEmpty())
        {
            forget(consumer);
        }
        return true;
    }

    private void onAckBatch(final EngineEvent event)
    {
        final ConnectionState connection = connection(event);
        for (int i = 0; i < event.consumerIds.length; i++)
        {
            acknowledge(connection, event.consumerIds[i], event.deliveryIds[i]);
        }
        ok(event.connection, event.correlationId);
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
                if (!event.flags[i])
                {
                    // Never seen by the application: this delivery does not count.
                    reference.deliveryCount--;
                }
                consumer.queue.giveBack(reference);
                touch(consumer.queue);
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
        if (queues.containsKey(name) || topics.containsKey(name))
        {
            error(event.connection, event.correlationId, ErrorCode.ILLEGAL_STATE, "destination '" + name + "' already exists");
            return;
        }
        if (event.destinationType == DestinationType.TEMPORARY_QUEUE)
        {
            queues.put(name, new ServerQueue(name, ServerQueue.Kind.TEMPORARY_QUEUE, connection.id(), false));
            connection.temporaryQueues.add(name);
        }
        else if (event.destinationType == DestinationType.TEMPORARY_TOPIC)
        {
            topics.put(name, new TopicAddress(name, true, connection.id()));
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
            final ServerQueue queue = queues.get(name);
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
            queues.remove(name);
            queue.clear();
            connection.temporaryQueues.remove(name);
        }
        else
        {
            final TopicAddress topic = topics.get(name);
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
            topics.remove(name);
            connection.temporaryTopics.remove(name);
        }
        ok(event.connection, event.correlationId);
    }

    // ---- dispatch ---------------------------------------------------------------------------------------

    private void touch(final ServerQueue queue)
    {
        if (!touched.contains(queue))
        {
            touched.add(queue);
        }
    }

    private void dispatchTouched()
    {
        for (int i = 0; i < touched.size(); i++)
        {
            dispatch(touched.get(i));
        }
        touched.clear();
    }

    private void dispatch(final ServerQueue queue)
    {
        while (queue.size() > 0 && !queue.consumers.isEmpty())
        {
            final ServerConsumer consumer = queue.nextConsumerWithCredit();
            if (consumer == null)
            {
                return;
            }
            final MessageReference reference = queue.poll();
            if (reference.message.isExpired(nowMs))
            {
                queue.messagesExpired++;
                continue;
            }
            reference.deliveryCount++;
            consumer.credit--;
            final long deliveryId = ++nextDeliveryId;
            consumer.unacknowledged.put(deliveryId, reference);
            final byte[] encoded = reference.message.encoded();
            out.reset().beginFrame(FrameType.DELIVER)
                .writeLong(consumer.id)
                .writeLong(deliveryId)
                .writeInt(reference.deliveryCount)
                .writeRaw(encoded, 0, encoded.length)
                .endFrame();
            write(consumer.connection.output);
        }
    }

    // ---- replies ----------------------------------------------------------------------------------------

    private void ok(final ConnectionOutput output, final long correlationId)
    {
        if (correlationId == 0)
        {
            return;
        }
        out.reset().beginFrame(FrameType.OK).writeLong(correlationId).endFrame();
        write(output);
    }

    private void error(final ConnectionOutput output, final long correlationId, final int code, final String message)
    {
        if (correlationId == 0)
        {
            // Nobody waits for an answer: the failure is a fire-and-forget send the client cannot be told of
            // individually, so it is told at connection level and the connection stays up.
            LOG.log(System.Logger.Level.WARNING, "connection " + output.remoteAddress() + ": " + message);
        }
        out.reset().beginFrame(FrameType.ERROR).writeLong(correlationId).writeInt(code).writeString(message).endFrame();
        write(output);
    }

    private void write(final ConnectionOutput output)
    {
        if (output.write(out))
        {
            dirty.add(output);
        }
    }

    // ---- inspection (tests, management) -----------------------------------------------------------------

    /**
     * @return messages waiting in a queue (not counting those delivered and unacknowledged), or -1.
     */
    public int queueDepth(final String name)
    {
        final ServerQueue queue = queues.get(name);
        return queue == null ? -1 : queue.size();
    }

    /**
     * @return how many consumers a queue has, or -1.
     */
    public int consumerCount(final String name)
    {
        final ServerQueue queue = queues.get(name);
        return queue == null ? -1 : queue.consumers.size();
    }

    public int connectionCount()
    {
        return connections.size();
    }
}
