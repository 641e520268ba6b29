package io.meshmq.engine.processor;

import io.meshmq.engine.extension.EngineControl;
import io.meshmq.engine.journal.ForcedFile;
import io.meshmq.engine.large.LargeStore;
import io.meshmq.engine.mirror.DataMirror;
import io.meshmq.engine.ring.ConnectionOutput;
import io.meshmq.protocol.MessageHeaderFlyweight;
import io.meshmq.protocol.WireWriter;

import java.io.IOException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Collection;
import java.util.List;

/**
 * What the processor lets its extension do, over the processor's own parts.
 * <p>
 * Not thread safe: processor thread only.
 */
final class ProcessorControl implements EngineControl
{
    private final ProcessorContext context;
    private final CommandClock clock;
    private final Destinations destinations;
    private final Durability durability;
    private final Dispatcher dispatcher;
    private final DeadLetters deadLetters;
    private final ConnectionWriter writer;
    private final DuplicateIds duplicates;
    private final MessageHeaderFlyweight header = new MessageHeaderFlyweight();
    /** Set once the processor's parts are made: the extension is made before the router that depends on it. */
    Router router;
    Connections connections;

    ProcessorControl(final ProcessorContext context, final CommandClock clock, final Destinations destinations,
        final Durability durability, final Dispatcher dispatcher, final DeadLetters deadLetters,
        final ConnectionWriter writer, final DuplicateIds duplicates)
    {
        this.duplicates = duplicates;
        this.context = context;
        this.clock = clock;
        this.destinations = destinations;
        this.durability = durability;
        this.dispatcher = dispatcher;
        this.deadLetters = deadLetters;
        this.writer = writer;
    }

    @Override
    public long nowMs()
    {
        return clock.nowMs();
    }

    @Override
    public AddressSettings settingsOf(final String address)
    {
        return context.addressSettings().resolve(address);
    }

    @Override
    public AddressSettings settingsOf(final ServerQueue queue)
    {
        return queue.settings(context.addressSettings());
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
    public long claimStagedLargeBody(final long uploadId)
    {
        final LargeStore store = durability.large.store();
        return store == null ? 0 : store.claimStaged(uploadId);
    }

    @Override
    public void settleLargeBody(final byte[] encoded)
    {
        durability.large.settled(encoded);
    }

    @Override
    public Path largeBodyFile(final long bodyId)
    {
        final LargeStore store = durability.large.store();
        return store == null ? null : store.path(bodyId);
    }

    @Override
    public void enqueue(final List<MessageReference> references)
    {
        router.enqueue(references);
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
        dispatcher.touchIfAny(deadLetters.expire(queue, reference));
    }

    @Override
    public long mark()
    {
        return durability.mark();
    }

    @Override
    public void afterStored(final Runnable stored, final Runnable failed)
    {
        durability.afterForce(stored, failed);
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
    public void route(final byte type, final String name, final ServerMessage message,
        final String publisherClientId, final long publisherConnectionId, final List<MessageReference> into)
    {
        router.route(publisherClientId, publisherConnectionId, type, name, message, into, into);
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
        router.enqueue(copies);
    }

    @Override
    public void write(final ConnectionOutput output, final WireWriter frame)
    {
        writer.write(output, frame);
    }

    @Override
    public void confirm(final ConnectionOutput output, final long correlationId, final long mark)
    {
        writer.confirm(durability, output, correlationId, mark);
    }

    @Override
    public void error(final ConnectionOutput output, final long correlationId, final int code, final String message)
    {
        writer.error(output, correlationId, code, message);
    }

    @Override
    public boolean isOpen(final ConnectionOutput output)
    {
        return connections.isOpen(output);
    }

    @Override
    public String duplicateId(final byte[] message)
    {
        return duplicates.idOf(header.wrap(message), message);
    }

    @Override
    public boolean isStoredAlready(final byte type, final String address, final String duplicateId)
    {
        return duplicates.isDuplicate(type, address, duplicateId);
    }

    @Override
    public void rememberStored(final byte type, final String address, final String duplicateId)
    {
        duplicates.stored(type, address, duplicateId);
    }

    @Override
    public void forgetStored(final byte type, final String address, final String duplicateId)
    {
        duplicates.withdrawn(type, address, duplicateId);
    }

    @Override
    public int clients()
    {
        return connections.clients();
    }

    @Override
    public int sendClientsAway(final String reason)
    {
        return connections.sendClientsAway(reason);
    }

    @Override
    public void topologyChanged()
    {
        connections.announceTopology();
    }

    @Override
    public Path dataDirectory()
    {
        return durability.dataDirectory();
    }

    @Override
    public void replaceFile(final String name, final String content) throws IOException
    {
        final Path directory = dataDirectory();
        if (directory != null)
        {
            ForcedFile.replace(directory.resolve(name), content, context.mirror());
        }
    }

    @Override
    public void replicate(final DataMirror replica)
    {
        context.mirror().attach(replica);
        durability.replicaAttached();
    }

    @Override
    public void replicaCopied()
    {
        durability.replicaCopied();
    }

    @Override
    public void replicaStored(final long mark, final boolean inSync)
    {
        if (inSync)
        {
            durability.replicaInSync(mark, writer.confirmer());
        }
        else
        {
            durability.replicaStored(mark, writer.confirmer());
        }
    }

    @Override
    public void replicaDetached()
    {
        context.mirror().detach();
    }

    @Override
    public void replicaLost()
    {
        context.mirror().detach();
        durability.replicaLost(writer.confirmer());
    }
}
