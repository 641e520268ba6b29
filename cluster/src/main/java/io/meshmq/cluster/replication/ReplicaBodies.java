package io.meshmq.cluster.replication;

import io.meshmq.cluster.wire.ReplicaFrameEncoder;
import io.meshmq.engine.mirror.BodyMirror;
import io.meshmq.engine.ring.DirectOutput;
import io.meshmq.protocol.WireWriter;

import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.util.ArrayDeque;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import java.util.function.Function;

/**
 * Large bodies sent to one backup as REPLICA_WRITE slices on its replication connection, from the thread that forced
 * each body, before the message naming it reaches the processor: the backup writes them ahead of the journal record
 * that names the body, and forces them with the first REPLICA_FORCE after it, so a record it says it stored never
 * names a body it lacks. At most {@value #WINDOW} slices wait to be written to the socket, so a body of gigabytes holds
 * a megabyte of memory, and the journal's own frames queue behind no more than that.
 * <p>
 * A connection lost meanwhile changes nothing here: the record goes on, and its confirmation waits for what the
 * {@link Replication} does about the lost backup. A backup that takes nothing for {@link Replication#STORE_TIMEOUT_MS}
 * is as gone as one that stores nothing: its connection is closed, as the processor would.
 * <p>
 * Thread safe: each body is read and sent on its own thread.
 */
final class ReplicaBodies implements BodyMirror
{
    static final int WINDOW = 4;
    private static final System.Logger LOG = System.getLogger(ReplicaBodies.class.getName());

    private final DirectOutput output;
    private final String backupName;
    /** The body's path as the backup names it: relative to the data directory. */
    private final Function<Path, String> relative;

    /** How long a slice may wait to be written before the backup is taken for gone. */
    private final long timeoutMs;

    ReplicaBodies(final DirectOutput output, final String backupName, final Function<Path, String> relative)
    {
        this(output, backupName, relative, Replication.STORE_TIMEOUT_MS);
    }

    ReplicaBodies(final DirectOutput output, final String backupName, final Function<Path, String> relative,
        final long timeoutMs)
    {
        this.output = output;
        this.backupName = backupName;
        this.relative = relative;
        this.timeoutMs = timeoutMs;
    }

    @Override
    public String copy(final Path body)
    {
        if (output.inIoThread())
        {
            // Only when the body-force threads are all busy is a body forced on an I/O thread: it cannot wait for its
            // own connection's writes.
            return "the broker is too busy to copy it to its replica '" + backupName + "' now; send it again";
        }
        final String path = relative.apply(body);
        final WireWriter out = new WireWriter(ReplicaFeed.SLICE_BYTES + 1024);
        final ByteBuffer slice = ByteBuffer.allocate(ReplicaFeed.SLICE_BYTES);
        final ArrayDeque<Future<?>> unwritten = new ArrayDeque<>();
        try (FileChannel file = FileChannel.open(body, StandardOpenOption.READ))
        {
            long position = 0;
            do
            {
                slice.clear();
                final int read = Math.max(0, file.read(slice, position));
                if (unwritten.size() == WINDOW && !written(unwritten.pollFirst()))
                {
                    return null;
                }
                unwritten.addLast(output.send(ReplicaFrameEncoder.write(out, path, position, slice.flip())));
                position += read;
            }
            while (position < file.size());
        }
        catch (final IOException ex)
        {
            return "cannot read it to copy it to the replica '" + backupName + "': " + ex.getMessage();
        }
        return null;
    }

    /**
     * @return false if the connection is gone (or closed here: the backup took nothing for too long).
     */
    private boolean written(final Future<?> slice)
    {
        try
        {
            slice.get(timeoutMs, TimeUnit.MILLISECONDS);
            return true;
        }
        catch (final ExecutionException lost)
        {
            return false;
        }
        catch (final TimeoutException slow)
        {
            LOG.log(System.Logger.Level.WARNING, "replication: backup '" + backupName + "' took no part of a large " +
                "message body for " + timeoutMs + " ms: its connection is closed");
            output.closeNow();
            return false;
        }
        catch (final InterruptedException ex)
        {
            Thread.currentThread().interrupt();
            output.closeNow();
            return false;
        }
    }
}
