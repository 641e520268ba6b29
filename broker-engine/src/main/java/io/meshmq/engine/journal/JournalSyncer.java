package io.meshmq.engine.journal;

import java.io.IOException;
import java.nio.channels.FileChannel;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.util.ArrayList;
import java.util.Collection;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Set;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.TimeUnit;
import java.util.function.LongConsumer;

/**
 * Forces written journal segments to disk on its own thread, so the processor goes on dispatching while the
 * disk works. Requests that queue up while a force runs are served by the next single force: group commit
 * across batches as well as within one.
 * <p>
 * Thread safe: {@link #request} is called by the processor thread; everything else runs on the syncer thread.
 */
public final class JournalSyncer implements AutoCloseable
{
    /**
     * Told, on the syncer thread, that a request's segments are forced, or why they could not be.
     */
    @FunctionalInterface
    public interface Listener
    {
        void onForced(Request request, IOException failure);
    }

    /**
     * @param attachment what the processor wants back (the confirmations waiting for this force).
     */
    public record Request(JournalLog.ForceBatch batch, Object attachment)
    {
    }

    private static final Request STOP = new Request(null, null);
    private static final System.Logger LOG = System.getLogger(JournalSyncer.class.getName());

    private final Path directory;
    private final Listener listener;
    private final LongConsumer forceNanos;
    private final LinkedBlockingQueue<Request> requests = new LinkedBlockingQueue<>();
    private final Thread thread;

    public JournalSyncer(final Path directory, final Listener listener, final String name)
    {
        this(directory, listener, name, nanos -> { });
    }

    /**
     * @param forceNanos told how long each successful force took (metrics), on the syncer's thread.
     */
    public JournalSyncer(final Path directory, final Listener listener, final String name,
        final LongConsumer forceNanos)
    {
        this.directory = directory;
        this.listener = listener;
        this.forceNanos = forceNanos;
        this.thread = new Thread(this::run, "meshmq-journal-" + name);
        this.thread.setDaemon(true);
    }

    public void start()
    {
        thread.start();
    }

    public void request(final Request request)
    {
        requests.add(request);
    }

    private void run()
    {
        final List<Request> batch = new ArrayList<>();
        while (true)
        {
            try
            {
                batch.add(requests.take());
            }
            catch (final InterruptedException ex)
            {
                return;
            }
            requests.drainTo(batch);
            final boolean stop = batch.remove(STOP);
            IOException failure = null;
            try
            {
                final long startNs = System.nanoTime();
                force(batch);
                forceNanos.accept(System.nanoTime() - startNs);
            }
            catch (final IOException ex)
            {
                failure = ex;
                LOG.log(System.Logger.Level.ERROR, "journal: force failed: " + ex.getMessage());
            }
            for (final Request request : batch)
            {
                listener.onForced(request, failure);
            }
            batch.clear();
            if (stop)
            {
                return;
            }
        }
    }

    private void force(final List<Request> batch) throws IOException
    {
        final Set<JournalSegment> segments = new LinkedHashSet<>();
        for (final Request request : batch)
        {
            segments.addAll(request.batch().segments());
        }
        force(segments, directory, true);
    }

    /**
     * Forces segments (and, for new files, their directory), then closes those that are sealed: nothing
     * more is written to them.
     *
     * @param force false for the sync policy {@code none}: only close.
     */
    public static void force(final Collection<JournalSegment> segments, final Path directory, final boolean force)
        throws IOException
    {
        boolean directoryChanged = false;
        for (final JournalSegment segment : segments)
        {
            if (force && segment.channel.isOpen())
            {
                segment.channel.force(false);
            }
            if (segment.needsDirectorySync)
            {
                segment.needsDirectorySync = false;
                directoryChanged = true;
            }
        }
        if (directoryChanged && force)
        {
            // A new file's name is durable only once its directory is forced.
            try (FileChannel dir = FileChannel.open(directory, StandardOpenOption.READ))
            {
                dir.force(true);
            }
            catch (final IOException ex)
            {
                LOG.log(System.Logger.Level.DEBUG, "journal: cannot force directory " + directory + ": " + ex.getMessage());
            }
        }
        for (final JournalSegment segment : segments)
        {
            if (segment.sealed && segment.channel.isOpen())
            {
                segment.channel.close();
            }
        }
    }

    /**
     * Serves what was requested, then stops the thread.
     */
    @Override
    public void close()
    {
        requests.add(STOP);
        try
        {
            thread.join(TimeUnit.SECONDS.toMillis(10));
        }
        catch (final InterruptedException ex)
        {
            Thread.currentThread().interrupt();
        }
    }
}
