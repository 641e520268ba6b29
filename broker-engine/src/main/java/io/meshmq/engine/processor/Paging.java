package io.meshmq.engine.processor;

import io.meshmq.engine.journal.JournalWriteException;
import io.meshmq.engine.mirror.DataMirror;
import io.meshmq.engine.paging.PageStore;
import io.meshmq.protocol.MessageHeaderFlyweight;
import io.meshmq.protocol.ProtocolException;
import io.meshmq.protocol.WireReader;
import io.meshmq.protocol.WireWriter;
import org.agrona.concurrent.UnsafeBuffer;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.function.Consumer;
import java.util.stream.Stream;

/**
 * Queues beyond their memory limit (or with the broker beyond its own) under the PAGE policy: their new
 * messages go to page files in arrival order, and come back into memory, oldest first, as consumers make
 * room. A queue pages until its page files are read to the end.
 * <p>
 * A page record is long run epoch, int delivery count, byte[] encoded message. A durable queue's pages are in
 * {@code DATA/paging/q-JOURNALID}, and the journal keeps how far they were read ({@link PagePosition}); other
 * queues' pages ({@code t-N}) are deleted at start-up. Non-persistent messages paged before a restart are
 * dropped when read back, as they would have been from memory.
 * <p>
 * Not thread safe: processor thread only (and the starting thread for recovery).
 */
final class Paging
{
    static final int PAGE_SIZE = 4 * 1024 * 1024;
    /** Bytes read back per queue per processor batch, so reading never holds the processor up for long. */
    static final int DEPAGE_BYTES_PER_BATCH = 1024 * 1024;
    private static final String DURABLE_PREFIX = "q-";
    private static final String TRANSIENT_PREFIX = "t-";
    private static final System.Logger LOG = System.getLogger(Paging.class.getName());

    /**
     * Appends taken back if what they belong to fails.
     */
    record Written(List<PageStore> stores, List<PageStore.Tail> tails)
    {
    }

    /**
     * What one read back gave: the references, and how many records it took (skipped ones too).
     */
    record ReadBack(List<MessageReference> references, int records)
    {
    }

    private final Path directory;
    private final DataMirror mirror;
    private final long epoch;
    private final Durability durability;
    private final MemoryUsage memory;
    private final AddressSettingsMatcher addressSettings;
    /** Puts a reference read back in its queue (or among the scheduled ones) and has it dispatched. */
    private final Consumer<MessageReference> restorer;
    private final List<MessageReference> paged = new ArrayList<>();
    private final List<ServerQueue> paging = new ArrayList<>();
    private final WireWriter record = new WireWriter(4096);
    private final WireReader reader = new WireReader();
    private final UnsafeBuffer view = new UnsafeBuffer(0, 0);
    private final MessageHeaderFlyweight header = new MessageHeaderFlyweight();
    private long transientIds;

    /**
     * @param directory where page files go; null for none (queues beyond their limit then refuse sends).
     * @param epoch     this run of the broker, distinct from every earlier one.
     */
    Paging(final Path directory, final long epoch, final Durability durability, final MemoryUsage memory,
        final AddressSettingsMatcher settings, final Consumer<MessageReference> restorer, final DataMirror mirror)
    {
        this.directory = directory;
        this.mirror = mirror;
        this.epoch = epoch;
        this.durability = durability;
        this.memory = memory;
        this.addressSettings = settings;
        this.restorer = restorer;
    }

    boolean isOn()
    {
        return directory != null;
    }

    /**
     * @return the queues paging now (do not change the list).
     */
    List<ServerQueue> pagingQueues()
    {
        return paging;
    }

    /**
     * @return true if a new message for this queue must go to its pages: it pages already (order is kept), or
     * it or the broker is at its limit (unless it may overdraw) and its address pages when full.
     */
    private boolean shouldPage(final ServerQueue queue, final AddressSettings settings)
    {
        return directory != null && settings.fullPolicy() == AddressSettings.FullPolicy.PAGE &&
            (queue.pages != null || settings.isFull(queue.bytes()) || memory.isFull() && !mayOverdraw(queue));
    }

    /**
     * @return true if the queue may keep messages in memory although other queues filled the broker's: its
     * consumers take what it has and it holds little (under 1/32 of the limit), and the broker is within 1/8 over its
     * limit. So one queue nobody consumes does not page every other, while memory stays bounded.
     */
    private boolean mayOverdraw(final ServerQueue queue)
    {
        return queue.openConsumers() > 0 && queue.bytes() < smallBacklog() && memory.bytes() < overdraftLimit();
    }

    private long smallBacklog()
    {
        return memory.limit() / 32;
    }

    private long overdraftLimit()
    {
        return memory.limit() + memory.limit() / 8;
    }

    /**
     * Takes out of {@code references} (a routed message's) those whose queues page, and writes them to their
     * pages (not forced).
     *
     * @return what was written, null if nothing.
     * @throws IOException after taking back what it wrote.
     */
    Written pageOut(final List<MessageReference> references) throws IOException
    {
        if (directory == null)
        {
            return null;
        }
        paged.clear();
        for (int i = references.size() - 1; i >= 0; i--)
        {
            final MessageReference reference = references.get(i);
            if (shouldPage(reference.queue, reference.queue.settings(addressSettings)))
            {
                paged.add(0, reference);
                references.remove(i);
            }
        }
        return paged.isEmpty() ? null : write(paged);
    }

    private Written write(final List<MessageReference> references) throws IOException
    {
        final Written written = new Written(new ArrayList<>(), new ArrayList<>());
        try
        {
            for (final MessageReference reference : references)
            {
                final PageStore store = storeFor(reference.queue);
                if (!written.stores().contains(store))
                {
                    written.stores().add(store);
                    written.tails().add(store.tail());
                }
                final byte[] encoded = reference.message.encoded();
                record.reset().writeLong(epoch).writeInt(reference.deliveryCount).writeBytes(encoded);
                store.append(record.array(), record.position());
            }
            return written;
        }
        catch (final IOException ex)
        {
            takeBack(written);
            throw ex;
        }
    }

    /**
     * Undoes {@link #write}: the journal refused the rest of the send.
     */
    void takeBack(final Written written)
    {
        for (int i = 0; i < written.stores().size(); i++)
        {
            try
            {
                written.stores().get(i).truncate(written.tails().get(i));
            }
            catch (final IOException ex)
            {
                LOG.log(System.Logger.Level.ERROR, "paging: cannot take back a refused send from " +
                    written.stores().get(i).directory() + ": " + ex.getMessage() + "; it may be delivered after all");
            }
        }
    }

    private PageStore storeFor(final ServerQueue queue) throws IOException
    {
        if (queue.pages == null)
        {
            final boolean durable = queue.isDurable() && queue.journalId() != 0;
            final String key = durable ? DURABLE_PREFIX + queue.journalId() : TRANSIENT_PREFIX + ++transientIds;
            // A replica keeps what would survive a restart here: a transient queue's pages do not.
            final DataMirror pagesMirror = durable ? mirror : DataMirror.NONE;
            final Path path = directory.resolve(key);
            if (Files.exists(path))
            {
                // Left by an earlier run that the journal no longer knows of (its position died with its data).
                deleteDirectory(path, pagesMirror);
            }
            queue.pages = PageStore.open(path, PAGE_SIZE, null, pagesMirror);
            paging.add(queue);
            LOG.log(System.Logger.Level.INFO, "paging: '" + queue.name + "' is at its memory limit; new messages " +
                "go to " + path + " until it drains");
        }
        return queue.pages;
    }

    /**
     * Reads back the oldest paged messages of a queue, up to {@code maxBytes} of them.
     *
     * @return their references, not linked yet; non-persistent ones from before a restart are skipped.
     */
    private ReadBack readBack(final ServerQueue queue, final long maxBytes) throws IOException
    {
        final List<MessageReference> references = new ArrayList<>();
        long bytes = 0;
        int records = 0;
        while (bytes < maxBytes)
        {
            final byte[] payload = queue.pages.next();
            if (payload == null)
            {
                break;
            }
            records++;
            bytes += payload.length;
            view.wrap(payload);
            final WireReader in = reader.wrap(view, 0, payload.length);
            final long writtenIn = in.readLong();
            final int deliveryCount = in.readInt();
            final byte[] encoded = in.readBytes();
            final ServerMessage message;
            try
            {
                message = new ServerMessage(encoded, header.wrap(encoded), 0);
            }
            catch (final ProtocolException ex)
            {
                LOG.log(System.Logger.Level.ERROR, "paging: dropped a message of '" + queue.name + "' whose encoding is broken: " +
                    ex.getMessage());
                memory.large().release(encoded);
                continue;
            }
            if (writtenIn != epoch && !message.isPersistent())
            {
                memory.large().release(encoded);
                continue;
            }
            final MessageReference reference = queue.reference(message);
            memory.large().depaged(message);
            reference.deliveryCount = deliveryCount;
            references.add(reference);
        }
        return new ReadBack(references, records);
    }

    /**
     * Reads paged messages back into the queues that have room for them again, oldest first. For a durable
     * queue the journal takes them (with how far its pages were read) before they are delivered, and the page
     * files they came from go only once that is forced.
     */
    void readBackWhereRoom()
    {
        final List<ServerQueue> queues = paging;
        for (int i = queues.size() - 1; i >= 0; i--)
        {
            final ServerQueue queue = queues.get(i);
            final long room = roomFor(queue);
            if (room <= 0 || queue.deleted)
            {
                continue;
            }
            final PageStore store = queue.pages;
            final PageStore.Cursor before = store.cursor();
            final Paging.ReadBack read;
            try
            {
                read = readBack(queue, Math.min(room, Paging.DEPAGE_BYTES_PER_BATCH));
            }
            catch (final IOException ex)
            {
                store.rewind(before, 0);
                LOG.log(System.Logger.Level.ERROR, "paging: cannot read back the pages of '" + queue.name + "': " + ex.getMessage());
                continue;
            }
            final PageStore.Cursor after = store.cursor();
            try
            {
                durability.depaged(queue, after, read.references());
            }
            catch (final JournalWriteException ex)
            {
                // Read them again once the journal takes records: they are still in the pages.
                store.rewind(before, read.records());
                continue;
            }
            for (final MessageReference reference : read.references())
            {
                restorer.accept(reference);
            }
            final boolean journaled = queue.pagePosition != null;
            final Runnable cleanUp = () ->
            {
                if (queue.deleted || queue.pages != store)
                {
                    return;
                }
                if (store.records() == 0 && store.cursor().equals(after))
                {
                    finished(queue);
                    durability.pagingEnded(queue);
                }
                else
                {
                    deleteReadPages(store, after);
                }
            };
            if (journaled)
            {
                durability.afterForce(cleanUp);
            }
            else
            {
                cleanUp.run();
            }
        }
    }

    private static void deleteReadPages(final PageStore store, final PageStore.Cursor upTo)
    {
        try
        {
            store.deleteBefore(upTo);
        }
        catch (final IOException ex)
        {
            LOG.log(System.Logger.Level.WARNING, "paging: cannot delete read pages in " + store.directory() + ": " + ex.getMessage());
        }
    }

    /**
     * @return bytes of paged messages the queue may take back into memory now: up to three quarters of its
     * limit and of the broker's, so it does not start paging again at once.
     */
    private long roomFor(final ServerQueue queue)
    {
        final AddressSettings settings = queue.settings(addressSettings);
        long room = Long.MAX_VALUE;
        if (settings.maxSizeBytes() >= 0)
        {
            room = settings.maxSizeBytes() / 4 * 3 - queue.bytes();
        }
        if (memory.limit() >= 0)
        {
            long broker = memory.limit() / 4 * 3 - memory.bytes();
            if (broker <= 0 && queue.openConsumers() > 0)
            {
                // Other queues fill the broker: one whose consumers take its messages still reads a small backlog
                // back, within the overdraft.
                broker = Math.min(smallBacklog() - queue.bytes(), overdraftLimit() - memory.bytes());
            }
            room = Math.min(room, broker);
        }
        return room;
    }

    /**
     * The queue's pages are read to the end (and what was read is safe elsewhere): it stops paging.
     */
    void finished(final ServerQueue queue)
    {
        paging.remove(queue);
        final PageStore store = queue.pages;
        queue.pages = null;
        if (store != null)
        {
            try
            {
                store.deleteAll();
            }
            catch (final IOException ex)
            {
                LOG.log(System.Logger.Level.WARNING, "paging: cannot delete " + store.directory() + ": " + ex.getMessage());
            }
        }
    }

    /**
     * The queue is deleted or purged: its paged messages go with it.
     *
     * @return how many there were.
     */
    long drop(final ServerQueue queue)
    {
        final long dropped = queue.pages == null ? 0 : queue.pages.records();
        if (dropped > 0)
        {
            forEachUnread(queue.pages, memory.large()::release);
        }
        finished(queue);
        return dropped;
    }

    /**
     * Hands each unread paged message of a store to {@code action}, then leaves the store where it was.
     */
    private void forEachUnread(final PageStore store, final Consumer<byte[]> action)
    {
        final PageStore.Cursor from = store.cursor();
        long read = 0;
        try
        {
            for (byte[] payload = store.next(); payload != null; payload = store.next())
            {
                read++;
                view.wrap(payload);
                final WireReader in = reader.wrap(view, 0, payload.length);
                in.readLong();
                in.readInt();
                action.accept(in.readBytes());
            }
        }
        catch (final IOException | ProtocolException ex)
        {
            LOG.log(System.Logger.Level.WARNING, "paging: cannot read the pages in " + store.directory() + " to count " +
                "the large message bodies they name: " + ex.getMessage() + "; bodies not counted are kept until the " +
                "next start");
        }
        finally
        {
            store.rewind(from, read);
        }
    }

    // ---- recovery -----------------------------------------------------------------------------------------

    /**
     * Finds the durable queues' pages and reads on where the journal says; positions of queues that no longer
     * page are dropped.
     */
    void recover(final Destinations destinations, final List<PagePosition> positions) throws IOException
    {
        final Map<Long, ServerQueue> durableById = new HashMap<>();
        for (final ServerQueue queue : destinations.queues.values())
        {
            if (queue.isDurable() && queue.journalId() != 0)
            {
                durableById.put(queue.journalId(), queue);
            }
        }
        for (final ServerQueue subscription : destinations.allSubscriptions())
        {
            if (subscription.isDurable() && subscription.journalId() != 0)
            {
                durableById.put(subscription.journalId(), subscription);
            }
        }
        final Map<Long, PagePosition> byQueue = new HashMap<>();
        for (final PagePosition position : positions)
        {
            position.queue.pagePosition = position;
            byQueue.put(position.queue.journalId(), position);
        }
        recoverStores(durableById, byQueue);
        for (final PagePosition position : positions)
        {
            if (position.queue.pages == null)
            {
                durability.pagingEnded(position.queue);
            }
        }
    }

    /**
     * Finds the pages of the durable queues and reads on from where the journal says reading stopped; deletes
     * pages of queues that are gone and of non-durable ones.
     *
     * @throws IOException if a page file holds a bad record before its end.
     */
    private void recoverStores(final Map<Long, ServerQueue> durableQueuesById, final Map<Long, PagePosition> positions)
        throws IOException
    {
        if (directory == null || !Files.isDirectory(directory))
        {
            return;
        }
        final List<Path> found = new ArrayList<>();
        try (Stream<Path> entries = Files.list(directory))
        {
            entries.forEach(found::add);
        }
        for (final Path path : found)
        {
            final String name = path.getFileName().toString();
            final ServerQueue queue = name.startsWith(DURABLE_PREFIX) ? queueOf(name, durableQueuesById) : null;
            if (queue == null)
            {
                deleteDirectory(path, name.startsWith(DURABLE_PREFIX) ? mirror : DataMirror.NONE);
                continue;
            }
            final PagePosition position = positions.get(queue.journalId());
            final PageStore store = PageStore.open(path, PAGE_SIZE, position == null ? null : position.cursor, mirror);
            if (store.records() == 0)
            {
                store.deleteAll();
                continue;
            }
            queue.pages = store;
            paging.add(queue);
            forEachUnread(store, memory.large()::need);
            LOG.log(System.Logger.Level.INFO, "paging: '" + queue.name + "' has " + store.records() + " paged messages");
        }
    }

    private static ServerQueue queueOf(final String name, final Map<Long, ServerQueue> byId)
    {
        try
        {
            return byId.get(Long.parseLong(name.substring(DURABLE_PREFIX.length())));
        }
        catch (final NumberFormatException ex)
        {
            return null;
        }
    }

    private static void deleteDirectory(final Path path, final DataMirror mirror) throws IOException
    {
        if (Files.isDirectory(path))
        {
            try (Stream<Path> files = Files.list(path))
            {
                for (final Path file : (Iterable<Path>)files::iterator)
                {
                    Files.deleteIfExists(file);
                    mirror.deleted(file);
                }
            }
        }
        Files.deleteIfExists(path);
        mirror.deleted(path);
    }
}
