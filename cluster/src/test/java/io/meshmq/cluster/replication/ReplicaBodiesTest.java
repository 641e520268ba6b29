package io.meshmq.cluster.replication;

import io.meshmq.engine.ring.DirectOutput;
import io.meshmq.protocol.FrameDescriptor;
import io.meshmq.protocol.FrameType;
import io.meshmq.protocol.WireReader;
import io.meshmq.protocol.WireWriter;
import org.agrona.concurrent.UnsafeBuffer;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.io.ByteArrayOutputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.Future;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * A large body sent to a backup from the thread that forced it (issue 23): as REPLICA_WRITE slices naming the body by
 * its path in the data directory, at most a window of them unwritten at a time; a lost connection ends the sending
 * without refusing the message (what the replication does about the lost backup decides its confirmation), a backup
 * that takes nothing for too long is closed, and an I/O thread, which cannot wait for its own writes, is refused.
 */
class ReplicaBodiesTest
{
    private static final int SLICE = ReplicaFeed.SLICE_BYTES;

    @TempDir
    Path dir;

    private final List<byte[]> frames = new ArrayList<>();
    private final List<CompletableFuture<Void>> written = new ArrayList<>();
    private boolean inIoThread;
    /** Each frame is written to the socket as soon as it is sent; else it waits until the test says. */
    private volatile boolean writesAtOnce;
    private boolean closed;

    @Test
    void shouldSendTheBodyInSlicesThatNameIt() throws Exception
    {
        final byte[] content = new byte[2 * SLICE + 10];
        for (int i = 0; i < content.length; i++)
        {
            content[i] = (byte)(i * 13);
        }
        final Path body = Files.write(dir.resolve("00000000000000b2.body"), content);
        final ReplicaBodies bodies = bodies(60_000);
        writesAtOnce = true;
        assertNull(bodies.copy(body));
        final ByteArrayOutputStream received = new ByteArrayOutputStream();
        final WireReader reader = new WireReader();
        for (final byte[] frame : frames)
        {
            reader.wrap(new UnsafeBuffer(frame), FrameDescriptor.LENGTH_FIELD_LENGTH,
                frame.length - FrameDescriptor.LENGTH_FIELD_LENGTH);
            assertEquals(FrameType.REPLICA_WRITE, reader.readByte());
            assertEquals("large/" + body.getFileName(), reader.readString());
            assertEquals(received.size(), reader.readLong());
            received.write(reader.readBytes());
        }
        assertEquals(3, frames.size());
        assertArrayEquals(content, received.toByteArray());
        assertFalse(closed);
    }

    @Test
    void shouldWaitForTheWindowAndCloseABackupThatTakesNothing() throws Exception
    {
        final Path body = Files.write(dir.resolve("00000000000000b3.body"), bodyOf(ReplicaBodies.WINDOW + 2));
        assertNull(bodies(100).copy(body), "the message goes on: the closed backup's loss decides its confirmation");
        assertEquals(ReplicaBodies.WINDOW, frames.size(), "no more than the window is sent unwritten");
        assertTrue(closed, "a backup that takes nothing is closed");
    }

    @Test
    void shouldStopWithoutRefusingWhenTheConnectionIsLost() throws Exception
    {
        final Path body = Files.write(dir.resolve("00000000000000b4.body"), bodyOf(ReplicaBodies.WINDOW + 2));
        final ReplicaBodies bodies = bodies(60_000);
        final CompletableFuture<String> copying = CompletableFuture.supplyAsync(() -> bodies.copy(body));
        final long deadline = System.nanoTime() + 10_000_000_000L;
        while (sent() < ReplicaBodies.WINDOW)
        {
            assertTrue(System.nanoTime() < deadline, "the window was not sent");
            Thread.onSpinWait();
        }
        synchronized (written)
        {
            written.get(0).completeExceptionally(new java.io.IOException("connection reset"));
        }
        assertNull(copying.get());
        assertEquals(ReplicaBodies.WINDOW, sent());
        assertFalse(closed);
    }

    @Test
    void shouldRefuseOnAnIoThread() throws Exception
    {
        inIoThread = true;
        final String refusal = bodies(60_000).copy(Files.write(dir.resolve("00000000000000b5.body"), new byte[10]));
        assertTrue(refusal != null && refusal.contains("too busy"), refusal);
        assertEquals(0, frames.size());
    }

    private static byte[] bodyOf(final int slices)
    {
        return new byte[slices * SLICE];
    }

    private int sent()
    {
        synchronized (written)
        {
            return written.size();
        }
    }

    private ReplicaBodies bodies(final long timeoutMs)
    {
        final DirectOutput output = new DirectOutput()
        {
            @Override
            public Future<?> send(final WireWriter frame)
            {
                final CompletableFuture<Void> future = new CompletableFuture<>();
                synchronized (written)
                {
                    frames.add(frame.toByteArray());
                    written.add(future);
                    if (writesAtOnce)
                    {
                        future.complete(null);
                    }
                }
                return future;
            }

            @Override
            public boolean inIoThread()
            {
                return inIoThread;
            }

            @Override
            public void closeNow()
            {
                closed = true;
            }
        };
        return new ReplicaBodies(output, "b1", path -> "large/" + path.getFileName(), timeoutMs);
    }
}
