package io.meshmq.cluster.replication;

import io.meshmq.cluster.wire.ReplicaFrameEncoder;
import io.meshmq.engine.extension.EngineControl;
import io.meshmq.engine.mirror.BodyMirror;
import io.meshmq.engine.mirror.DataMirror;
import io.meshmq.engine.ring.ConnectionOutput;
import io.meshmq.engine.ring.DirectOutput;
import io.meshmq.protocol.WireWriter;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.ByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.util.ArrayDeque;
import java.util.List;
import java.util.stream.Stream;

/**
 * What one backup is sent: first a copy of the data directory, a slice at the end of each processor batch while its
 * connection drains; and from the moment it is attached, every durable change the engine makes, as REPLICA_* frames in
 * the order made. Both come from the processor thread into one connection, so the backup applies them in the order
 * this node saw them: a slice shows a file as it was at that point, and the changes after it follow. The copy ends with
 * a force whose mark, once the backup has stored it, puts the backup in sync.
 * <p>
 * Not thread safe: processor thread only.
 */
final class ReplicaFeed implements DataMirror
{
    static final int SLICE_BYTES = 256 * 1024;
    /** Copy slices sent at most per batch (4 MiB), so the copy does not hold up the batch's own work for long. */
    static final int SLICES_PER_BATCH = 16;
    private static final String LOCK_FILE = "broker.lock";
    /** Where Paging keeps the pages of queues that do not survive a restart: not copied, as not mirrored. */
    private static final String TRANSIENT_PAGES = "paging/t-";

    private final EngineControl engine;
    private final ConnectionOutput output;
    private final Path root;
    private final String backupName;
    private final WireWriter out = new WireWriter(SLICE_BYTES + 1024);
    private final ByteBuffer slice = ByteBuffer.allocate(SLICE_BYTES);
    /** Files still to copy, relative to the root; the first is being copied. */
    private final ArrayDeque<String> toCopy = new ArrayDeque<>();
    /** Forces sent and not yet stored: {mark, when sent (ms)}. */
    private final ArrayDeque<long[]> unstored = new ArrayDeque<>();
    private FileChannel copying;
    private long copyPosition;
    private long copiedBytes;
    private long marks;
    private long syncMark = -1;
    private boolean inSync;
    /** Why the backup said it cannot store what it is sent, or null. */
    private String fault;
    /** Large bodies, sent by the threads that force them. */
    private final BodyMirror bodies;

    ReplicaFeed(final EngineControl engine, final ConnectionOutput output, final Path root, final String backupName)
    {
        this.engine = engine;
        this.output = output;
        this.root = root.toAbsolutePath().normalize();
        this.backupName = backupName;
        final DirectOutput direct = output.direct();
        this.bodies = direct != null ? new ReplicaBodies(direct, backupName, this::relative) :
            body -> "the connection of replica '" + backupName + "' cannot take large message bodies";
    }

    ConnectionOutput output()
    {
        return output;
    }

    String backupName()
    {
        return backupName;
    }

    boolean isInSync()
    {
        return inSync;
    }

    String fault()
    {
        return fault;
    }

    void fault(final String reason)
    {
        fault = reason;
    }

    boolean isCopying()
    {
        return syncMark < 0;
    }

    /**
     * Attaches to the engine, then lists what the copy sends: every change from now on reaches the backup after the
     * slices already sent. Attached first, so that a large body written while the list is made, and listed part
     * written, is sent whole by the thread that forces it ({@code LargeStore.mirror}).
     */
    void start() throws IOException
    {
        engine.replicate(this);
        try (Stream<Path> walk = Files.walk(root))
        {
            walk.filter(Files::isRegularFile).map(this::relative).filter(ReplicaFeed::isCopied).sorted()
                .forEach(toCopy::addLast);
        }
        catch (final IOException | UncheckedIOException ex)
        {
            engine.replicaDetached();
            throw ex;
        }
    }

    /**
     * @return false for what the copy leaves out: the lock, files being replaced, and transient queues' pages.
     */
    private static boolean isCopied(final String path)
    {
        return !path.equals(LOCK_FILE) && !path.endsWith(".tmp") && !path.startsWith(TRANSIENT_PAGES);
    }

    /**
     * Sends the next slices of the copy while the connection takes them; once all are sent, the force that ends it.
     */
    void continueCopy()
    {
        for (int slices = 0; slices < SLICES_PER_BATCH && isCopying() && output.isWritable(); slices++)
        {
            sendSlice();
        }
    }

    /**
     * Sends the next slice of the file being copied, or moves on to the next file, or ends the copy.
     *
     * @throws UncheckedIOException if a file cannot be read.
     */
    private void sendSlice()
    {
        final String path = toCopy.peekFirst();
        if (path == null)
        {
            engine.replicaCopied();
            // Said before the force it names, so the backup knows its copy is complete when it stores that force.
            syncMark = marks + 1;
            engine.write(output, ReplicaFrameEncoder.synced(out, syncMark));
            forced();
            return;
        }
        try
        {
            if (copying == null)
            {
                copying = FileChannel.open(root.resolve(path), StandardOpenOption.READ);
                copyPosition = 0;
                // An empty file is copied too.
                engine.write(output, ReplicaFrameEncoder.write(out, path, 0, ByteBuffer.allocate(0)));
            }
            slice.clear();
            final int read = copying.read(slice, copyPosition);
            if (read <= 0)
            {
                nextFile();
                return;
            }
            slice.flip();
            // Preallocated segments are mostly zeros: the backup writes its own.
            engine.write(output, isZeros(slice) ? ReplicaFrameEncoder.zero(out, path, copyPosition, copyPosition + read) :
                ReplicaFrameEncoder.write(out, path, copyPosition, slice));
            copyPosition += read;
            copiedBytes += read;
        }
        catch (final NoSuchFileException gone)
        {
            nextFile();
        }
        catch (final IOException ex)
        {
            throw new UncheckedIOException("replica " + backupName + ": cannot read " + path + " to copy it: " +
                ex.getMessage(), ex);
        }
    }

    private static boolean isZeros(final ByteBuffer bytes)
    {
        final byte[] array = bytes.array();
        for (int i = bytes.position(); i < bytes.limit(); i++)
        {
            if (array[i] != 0)
            {
                return false;
            }
        }
        return true;
    }

    private void nextFile()
    {
        closeCopying();
        toCopy.pollFirst();
    }

    long copiedBytes()
    {
        return copiedBytes;
    }

    /**
     * The backup stored everything up to {@code mark}.
     *
     * @return true if this put it in sync.
     */
    boolean stored(final long mark)
    {
        while (!unstored.isEmpty() && unstored.peekFirst()[0] <= mark)
        {
            unstored.pollFirst();
        }
        final boolean nowInSync = !inSync && syncMark > 0 && mark >= syncMark;
        inSync |= nowInSync;
        engine.replicaStored(mark, nowInSync);
        return nowInSync;
    }

    /**
     * @return since when (ms) the oldest force sent waits to be stored, or -1 if none waits.
     */
    long oldestUnstoredSinceMs()
    {
        return unstored.isEmpty() ? -1 : unstored.peekFirst()[1];
    }

    void close()
    {
        closeCopying();
    }

    private void closeCopying()
    {
        if (copying != null)
        {
            try
            {
                copying.close();
            }
            catch (final IOException ignore)
            {
                // only read
            }
            copying = null;
        }
    }

    // ---- the changes ------------------------------------------------------------------------------------------

    @Override
    public void written(final Path file, final long position, final ByteBuffer bytes)
    {
        engine.write(output, ReplicaFrameEncoder.write(out, relative(file), position, bytes));
    }

    @Override
    public void zeroed(final Path file, final long from, final long to)
    {
        engine.write(output, ReplicaFrameEncoder.zero(out, relative(file), from, to));
    }

    @Override
    public void truncated(final Path file, final long size)
    {
        engine.write(output, ReplicaFrameEncoder.truncate(out, relative(file), size));
    }

    @Override
    public void replaced(final Path file, final byte[] content)
    {
        final String path = relative(file);
        notToCopy(path);
        engine.write(output, ReplicaFrameEncoder.replace(out, path, content));
    }

    @Override
    public void moved(final Path from, final Path to)
    {
        final String origin = relative(from);
        final String destination = relative(to);
        notToCopy(destination);
        if (copying != null && origin.equals(toCopy.peekFirst()))
        {
            // Being copied: the backup moves what it has of it, and the copy goes on under the new name.
            toCopy.pollFirst();
            toCopy.addFirst(destination);
        }
        else if (toCopy.remove(origin))
        {
            // Not copied yet: the backup has nothing to move; what it had under the new name goes, and the file is
            // copied under that name when its turn comes.
            toCopy.addLast(destination);
            engine.write(output, ReplicaFrameEncoder.delete(out, destination));
            return;
        }
        engine.write(output, ReplicaFrameEncoder.move(out, origin, destination));
    }

    @Override
    public void deleted(final Path file)
    {
        final String path = relative(file);
        notToCopy(path);
        engine.write(output, ReplicaFrameEncoder.delete(out, path));
    }

    @Override
    public BodyMirror bodies()
    {
        return bodies;
    }

    @Override
    public long forced()
    {
        final long mark = ++marks;
        unstored.addLast(new long[] {mark, engine.nowMs()});
        engine.write(output, ReplicaFrameEncoder.force(out, mark));
        return mark;
    }

    /**
     * The change describes the whole file from now on (or its end): the copy must not send an older state after it.
     */
    private void notToCopy(final String path)
    {
        if (path.equals(toCopy.peekFirst()))
        {
            nextFile();
        }
        else
        {
            toCopy.remove(path);
        }
    }

    private String relative(final Path file)
    {
        final Path absolute = file.toAbsolutePath().normalize();
        if (!absolute.startsWith(root))
        {
            throw new IllegalArgumentException(file + " is not under the data directory " + root);
        }
        return String.join("/", List.of(root.relativize(absolute).toString().split(java.util.regex.Pattern.quote(
            root.getFileSystem().getSeparator()))));
    }
}
