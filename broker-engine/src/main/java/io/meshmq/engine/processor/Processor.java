package io.meshmq.engine.processor;

import com.lmax.disruptor.EventHandler;
import io.meshmq.engine.extension.ProcessorExtension;
import io.meshmq.engine.journal.JournalCorruptException;
import io.meshmq.engine.ring.EngineEvent;
import io.meshmq.protocol.AdminTable;
import io.meshmq.protocol.ErrorCode;
import org.agrona.concurrent.EpochClock;

import java.io.IOException;
import java.util.ArrayList;
import java.util.List;

/**
 * The single writer of all queue state, as a conductor: takes commands off the ring in order and hands each to the
 * part it concerns ({@link Router} for sends and commits, {@link Consumers}, {@link Connections},
 * {@link TemporaryDestinations}, {@link XaBranches}, {@link Timers}, the extension), then dispatches what they touched
 * and, at the end of a ring batch, reads back pages, releases blocked producers, confirms what the journal forced and
 * flushes each connection written to, once.
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

    private final ProcessorContext context;
    private final DuplicateIds duplicates;
    private final EpochClock clock;
    private final CommandClock now;
    private final ConnectionWriter writer = new ConnectionWriter();
    private final Durability durability;
    private final Destinations destinations;
    private final Paging paging;
    private final Dispatcher dispatcher;
    private final BlockedProducers blocked = new BlockedProducers();
    private final BacklogHold hold = new BacklogHold();
    private final ScheduledDeliveries scheduled = new ScheduledDeliveries();
    /** The processor's one extension (the cluster), or {@link ProcessorExtension#NONE}. */
    private final ProcessorExtension extension;
    private final Connections connections;
    private final Admission admission;
    private final Consumers consumers;
    private final Router router;
    private final TemporaryDestinations temporaries;
    private final XaBranches xa;
    private final Timers timers;
    private final AdminCommands admin;
    private final ProcessorFailures failures;
    private final AccessControl access;
    private final Durability.Confirmer confirmer = writer.confirmer();
    private final LargeBodies large;
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
        this.now = new CommandClock(clock.time());
        this.failures = new ProcessorFailures(clock, writer);
        this.durability = durability;
        this.large = new LargeBodies(context.largeStore(), context.mirror());
        large.durability(durability);
        durability.large = large;
        writer.large = large;
        final MemoryUsage memory = new MemoryUsage(context.globalMaxSize(), large);
        this.paging = new Paging(context.pagingDirectory(), clock.time(), durability, memory, context.addressSettings(),
            this::readBack, context.mirror());
        this.duplicates = new DuplicateIds(context.duplicateIdCacheSize());
        this.destinations = new Destinations(durability, memory, paging, duplicates);
        final DeadLetters deadLetters = new DeadLetters(context.addressSettings(), destinations, durability);
        this.dispatcher = new Dispatcher(writer, deadLetters);
        final ProcessorControl control =
            new ProcessorControl(context, now, destinations, durability, dispatcher, deadLetters, writer, duplicates);
        this.extension = context.extension().apply(control);
        destinations.changes = extension::changed;
        this.connections = new Connections(writer, context.brokerName(), extension, context.authorizer());
        this.access = new AccessControl(context.authorizer(), destinations, extension, writer, now);
        this.admission = new Admission(context, destinations, paging, extension, blocked, writer, hold);
        this.consumers = new Consumers(context, now, connections, admission, destinations, durability, scheduled,
            dispatcher, deadLetters, writer, extension, access, this::heldByPreparedBranch);
        this.router = new Router(context.addressSettings(), now, connections, admission, consumers, destinations, durability, paging, scheduled,
            dispatcher, writer, extension, duplicates);
        this.temporaries = new TemporaryDestinations(connections, destinations, scheduled, consumers, writer);
        this.xa = new XaBranches(admission, router, consumers, writer, durability);
        this.timers = new Timers(clock.time(), destinations, scheduled, dispatcher, deadLetters, extension);
        this.admin = new AdminCommands(destinations, scheduled, durability, paging, xa, consumers::deleteSubscription,
            extension, context.adminHandler(), connections, deadLetters, dispatcher, control);
        control.router = router;
        control.connections = connections;
        nextTickDueMs = clock.time() + EXPIRY_SCAN_INTERVAL_MS;
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
        processor.now.set(clock.time());
        final List<PagePosition> positions = new ArrayList<>();
        durability.recover(processor.destinations, processor.router::restore, processor.xa::restore, positions::add,
            processor.extension::restored, processor.duplicates);
        processor.paging.recover(processor.destinations, positions);
        processor.large.recovered();
        processor.createConfiguredDestinations();
        processor.extension.recovered();
        return processor;
    }

    /**
     * A paged message read back waits in its queue again (or for its delivery time).
     */
    private void readBack(final MessageReference reference)
    {
        router.restore(reference);
        dispatcher.touch(reference.queue);
    }

    private boolean heldByPreparedBranch(final ServerQueue subscription)
    {
        return xa.holdsFrom(subscription);
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
        final long nowMs = clock.time();
        now.set(nowMs);
        try
        {
            handle(event);
        }
        catch (final Throwable ex)
        {
            failures.commandFailed(event, ex);
        }
        finally
        {
            try
            {
                settleLargeBodies(event);
            }
            catch (final Throwable ex)
            {
                failures.workFailed("deleting a large body nothing stored", ex);
            }
            if (event.share != null)
            {
                event.share.handled();
            }
            event.clear();
        }
        try
        {
            dispatcher.dispatchTouched(nowMs);
        }
        catch (final Throwable ex)
        {
            failures.workFailed("dispatch", ex);
        }
        if (endOfBatch)
        {
            try
            {
                endBatch(nowMs);
            }
            catch (final Throwable ex)
            {
                failures.workFailed("the end of a batch", ex);
            }
            finally
            {
                // Whatever failed, what the batch wrote leaves: replies must not wait for the next batch.
                flush();
            }
        }
    }

    private void endBatch(final long nowMs)
    {
        paging.readBackWhereRoom();
        dispatcher.dispatchTouched(nowMs);
        hold.review(queue -> queue.settings(context.addressSettings()), nowMs);
        blocked.releaseWhereRoom(admission::mustWait, writer);
        extension.onEndOfBatch();
        durability.endOfBatch(confirmer);
        // Without a syncer thread the force was made just now, and what waited for it may have touched queues.
        dispatcher.dispatchTouched(nowMs);
        flush();
        nextTickDueMs = Math.min(Math.min(timers.nextDueMs(nowMs), durability.nextForceDueMs()), hold.nextDueMs());
        if (dispatcher.anyStalled())
        {
            // A connection backed up by this batch's own writes may drain without its writability ever
            // changing: look again at the next tick.
            nextTickDueMs = nowMs;
        }
    }

    /**
     * @return true for a throwable after which the processor's state cannot be trusted: the broker must stop.
     */
    public static boolean isFatal(final Throwable ex)
    {
        return ProcessorFailures.isFatal(ex);
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
        // Commands of the broker's own (a TICK, a FORCED) come from no connection.
        if (access.isOn() && event.connection != null && !access.admits(connections.get(event), event))
        {
            return;
        }
        switch (event.type)
        {
            case EngineEvent.CONNECTION_OPENED: connections.onConnectionOpened(event); break;
            case EngineEvent.CONNECTION_CLOSED: onConnectionClosed(event.connection.id()); break;
            case EngineEvent.GOODBYE:
                onConnectionClosed(event.connection.id());
                writer.ok(event.connection, event.correlationId);
                break;
            case EngineEvent.SET_CLIENT_ID: connections.onSetClientId(event); break;
            case EngineEvent.CREATE_CONSUMER: consumers.onCreateConsumer(event); break;
            case EngineEvent.CLOSE_CONSUMER: consumers.onCloseConsumer(event); break;
            case EngineEvent.CLOSE_SESSION: consumers.onCloseSession(event); break;
            case EngineEvent.CREDIT: consumers.onCredit(event); break;
            case EngineEvent.PAUSE: consumers.onPause(event); break;
            case EngineEvent.FORCE_DELIVERY: consumers.onForceDelivery(event); break;
            case EngineEvent.ACK:
                consumers.acknowledge(connections.get(event), event.consumerId, event.deliveryId, true);
                break;
            case EngineEvent.ACK_BATCH: consumers.onAckBatch(event); break;
            case EngineEvent.RELEASE: consumers.onRelease(event); break;
            case EngineEvent.RECOVER: consumers.onRecover(event); break;
            case EngineEvent.SEND: router.onSend(event); break;
            case EngineEvent.COMMIT: router.onCommit(event); break;
            case EngineEvent.DUPLICATE_CHECK: router.onDuplicateCheck(event); break;
            case EngineEvent.COMMIT_CHECK: router.onCommitCheck(event); break;
            case EngineEvent.XA_PREPARE:
            {
                final ConnectionState connection = connections.get(event);
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
            case EngineEvent.CREATE_TEMP: temporaries.onCreateTemporary(event); break;
            case EngineEvent.DELETE_TEMP: temporaries.onDeleteTemporary(event); break;
            case EngineEvent.UNSUBSCRIBE: consumers.onUnsubscribe(event); break;
            case EngineEvent.ADMIN: onAdmin(event); break;
            case EngineEvent.LOCAL_ADMIN: onLocalAdmin(event); break;
            case EngineEvent.TICK:
                dispatcher.resumeStalled();
                timers.onTick(now.nowMs());
                break;
            case EngineEvent.WRITABLE: dispatcher.resumeStalled(); break;
            case EngineEvent.EXTENSION: extension.onCommand(event.connection, event.correlationId, event.command); break;
            case EngineEvent.LARGE_DONE: large.returned(event.connection.id(), event.deliveryId); break;
            case EngineEvent.FORCED:
                durability.onForced(event.forced, event.reason, confirmer);
                break;
            default: throw new IllegalStateException("unknown engine event " + event.type);
        }
    }

    /**
     * A command that brought messages was handled, refused or failed: a large body it stored nowhere goes.
     */
    private void settleLargeBodies(final EngineEvent event)
    {
        if (event.type != EngineEvent.SEND && event.type != EngineEvent.COMMIT && event.type != EngineEvent.XA_PREPARE)
        {
            return;
        }
        large.settled(event.message);
        if (event.sendMessages != null)
        {
            for (final byte[] message : event.sendMessages)
            {
                large.settled(message);
            }
        }
    }

    /**
     * A connection is gone: producers it blocked, its consumers (what they held goes back, counted as delivered) and
     * its temporary destinations go with it.
     */
    private void onConnectionClosed(final long connectionId)
    {
        final ConnectionState connection = connections.remove(connectionId);
        if (connection == null)
        {
            return;
        }
        blocked.forget(connection);
        extension.onConnectionClosed(connectionId);
        large.connectionClosed(connectionId);
        for (final ServerConsumer consumer : new ArrayList<>(connection.consumers.values()))
        {
            consumers.closeAndReturnAll(consumer);
        }
        temporaries.deleteAllOf(connection);
    }

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
            writer.error(event.connection, event.correlationId, ErrorCode.INVALID_DESTINATION, ex.getMessage());
            return;
        }
        catch (final IllegalStateException ex)
        {
            writer.error(event.connection, event.correlationId, ErrorCode.ILLEGAL_STATE, ex.getMessage());
            return;
        }
        writer.reply(event.connection, event.correlationId, result::encode);
    }

    private void onLocalAdmin(final EngineEvent event)
    {
        try
        {
            event.answer.complete(admin.run(event.destinationName, event.sendNames));
        }
        catch (final RuntimeException ex)
        {
            event.answer.completeExceptionally(ex);
        }
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
