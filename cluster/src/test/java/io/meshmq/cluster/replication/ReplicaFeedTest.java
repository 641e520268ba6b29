package io.meshmq.cluster.replication;

import io.meshmq.engine.extension.EngineControl;
import io.meshmq.engine.mirror.DirectoryMirror;
import io.meshmq.engine.ring.ConnectionOutput;
import io.meshmq.engine.ring.DirectOutput;
import io.meshmq.protocol.FrameDescriptor;
import io.meshmq.protocol.FrameType;
import io.meshmq.protocol.WireReader;
import io.meshmq.protocol.WireWriter;
import org.agrona.concurrent.UnsafeBuffer;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.lang.reflect.Proxy;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.Future;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * The copy a live sends its backup, slice by slice, while its files change in between: a file deleted while it is
 * being copied is not brought back, one moved is copied on under its new name, one replaced whole is not copied in an
 * older state after it, and the end of the copy is said before the force that ends it. The frames are applied, in the
 * order sent, to a directory as the backup does.
 */
class ReplicaFeedTest
{
    private static final int SLICE = ReplicaFeed.SLICE_BYTES;

    @TempDir
    Path dir;

    private final List<byte[]> frames = new ArrayList<>();
    private final List<String> calls = new ArrayList<>();
    private int writableFrames;

    @Test
    void shouldFollowFilesThatChangeWhileTheyAreCopied() throws Exception
    {
        final Path live = Files.createDirectories(dir.resolve("live"));
        final Path copy = dir.resolve("copy");
        Files.createDirectories(live.resolve("journal"));
        Files.write(live.resolve("journal/a"), bytes(3 * SLICE, 'a'));
        Files.write(live.resolve("journal/b"), bytes(2 * SLICE, 'b'));
        Files.write(live.resolve("journal/c"), bytes(SLICE, 'c'));
        Files.write(live.resolve("node.id"), "old\n".getBytes(StandardCharsets.US_ASCII));
        Files.write(live.resolve("broker.lock"), new byte[0]);

        final ReplicaFeed feed = new ReplicaFeed(engine(live), output(), live, "b1");
        feed.start();
        assertEquals(List.of("replicate"), calls);

        writableFrames = 2;
        feed.continueCopy();
        // 'a' is being copied: it is deleted, then made again, as a roll does with a name.
        Files.delete(live.resolve("journal/a"));
        feed.deleted(live.resolve("journal/a"));
        Files.write(live.resolve("journal/a"), bytes(10, 'n'));
        feed.written(live.resolve("journal/a"), 0, ByteBuffer.wrap(bytes(10, 'n')));
        // 'b' waits: it moves, and is copied under its new name.
        Files.move(live.resolve("journal/b"), live.resolve("journal/b2"));
        feed.moved(live.resolve("journal/b"), live.resolve("journal/b2"));
        // 'node.id' is replaced whole before its turn.
        Files.write(live.resolve("node.id"), "new\n".getBytes(StandardCharsets.US_ASCII));
        feed.replaced(live.resolve("node.id"), "new\n".getBytes(StandardCharsets.US_ASCII));
        for (int batch = 0; batch < 20 && feed.isCopying(); batch++)
        {
            writableFrames = 1;
            feed.continueCopy();
        }
        assertFalse(feed.isCopying());
        assertEquals(List.of("replicate", "copied"), calls);

        try (DirectoryMirror mirror = new DirectoryMirror(live, copy))
        {
            final long synced = apply(mirror, live);
            assertTrue(synced > 0, "the copy ended with REPLICA_SYNCED");
        }
        assertArrayEquals(bytes(10, 'n'), Files.readAllBytes(copy.resolve("journal/a")), "a, made again");
        assertArrayEquals(bytes(2 * SLICE, 'b'), Files.readAllBytes(copy.resolve("journal/b2")), "b, moved");
        assertFalse(Files.exists(copy.resolve("journal/b")));
        assertArrayEquals(bytes(SLICE, 'c'), Files.readAllBytes(copy.resolve("journal/c")));
        assertEquals("new\n", Files.readString(copy.resolve("node.id")));
        assertFalse(Files.exists(copy.resolve("broker.lock")), "the lock is the live's own");

        assertTrue(feed.stored(1_000));
        assertEquals("stored 1000 in sync", calls.get(calls.size() - 1));
    }

    @Test
    void shouldCopyAFileMovedHalfWayOnUnderItsNewName() throws Exception
    {
        final Path live = Files.createDirectories(dir.resolve("live"));
        final Path copy = dir.resolve("copy");
        Files.write(live.resolve("spare"), bytes(3 * SLICE, 's'));
        final ReplicaFeed feed = new ReplicaFeed(engine(live), output(), live, "b1");
        feed.start();
        writableFrames = 1;
        feed.continueCopy();
        Files.move(live.resolve("spare"), live.resolve("segment-7"));
        feed.moved(live.resolve("spare"), live.resolve("segment-7"));
        for (int batch = 0; batch < 10 && feed.isCopying(); batch++)
        {
            writableFrames = 1;
            feed.continueCopy();
        }
        try (DirectoryMirror mirror = new DirectoryMirror(live, copy))
        {
            apply(mirror, live);
        }
        assertArrayEquals(bytes(3 * SLICE, 's'), Files.readAllBytes(copy.resolve("segment-7")));
        assertFalse(Files.exists(copy.resolve("spare")));
    }

    /**
     * A large body being uploaded while the copy begins is listed and copied part written; the thread that forces it
     * sends it whole before its message goes on (issue 23), so the backup ends up holding all of it.
     */
    @Test
    void shouldHoldABodyWholeThatTheCopyTookPartWritten() throws Exception
    {
        final Path live = Files.createDirectories(dir.resolve("live"));
        final Path copy = dir.resolve("copy");
        final Path body = Files.createDirectories(live.resolve("large")).resolve("00000000000000a1.body");
        Files.write(body, bytes(SLICE / 2, 'x'));
        final ReplicaFeed feed = new ReplicaFeed(engine(live), output(), live, "b1");
        feed.start();
        for (int batch = 0; batch < 10 && feed.isCopying(); batch++)
        {
            writableFrames = 1;
            feed.continueCopy();
        }
        assertFalse(feed.isCopying());
        Files.write(body, bytes(SLICE, 'y'), StandardOpenOption.APPEND);
        assertEquals(null, feed.bodies().copy(body));
        try (DirectoryMirror mirror = new DirectoryMirror(live, copy))
        {
            apply(mirror, live);
        }
        assertArrayEquals(Files.readAllBytes(body), Files.readAllBytes(copy.resolve("large/00000000000000a1.body")));
    }

    /**
     * Applies the frames sent so far in order, as the backup does.
     *
     * @return the mark REPLICA_SYNCED named, or -1.
     */
    private long apply(final DirectoryMirror mirror, final Path live)
    {
        long synced = -1;
        final WireReader reader = new WireReader();
        for (final byte[] frame : frames)
        {
            reader.wrap(new UnsafeBuffer(frame), FrameDescriptor.LENGTH_FIELD_LENGTH, frame.length -
                FrameDescriptor.LENGTH_FIELD_LENGTH);
            final byte type = reader.readByte();
            switch (type)
            {
                case FrameType.REPLICA_WRITE ->
                {
                    final Path path = live.resolve(reader.readString());
                    final long position = reader.readLong();
                    mirror.written(path, position, ByteBuffer.wrap(reader.readBytes()));
                }
                case FrameType.REPLICA_ZERO -> mirror.zeroed(live.resolve(reader.readString()), reader.readLong(),
                    reader.readLong());
                case FrameType.REPLICA_REPLACE -> mirror.replaced(live.resolve(reader.readString()), reader.readBytes());
                case FrameType.REPLICA_MOVE -> mirror.moved(live.resolve(reader.readString()),
                    live.resolve(reader.readString()));
                case FrameType.REPLICA_DELETE -> mirror.deleted(live.resolve(reader.readString()));
                case FrameType.REPLICA_FORCE -> mirror.forced();
                case FrameType.REPLICA_SYNCED -> synced = reader.readLong();
                default -> throw new AssertionError("unexpected " + FrameType.name(type));
            }
        }
        return synced;
    }

    private EngineControl engine(final Path root)
    {
        return (EngineControl)Proxy.newProxyInstance(getClass().getClassLoader(), new Class<?>[] {EngineControl.class},
            (proxy, method, args) ->
            {
                switch (method.getName())
                {
                    case "write":
                        frames.add(((WireWriter)args[1]).toByteArray());
                        return null;
                    case "nowMs":
                        return 0L;
                    case "dataDirectory":
                        return root;
                    case "replicate":
                        calls.add("replicate");
                        return null;
                    case "replicaCopied":
                        calls.add("copied");
                        return null;
                    case "replicaStored":
                        calls.add("stored " + args[0] + ((Boolean)args[1] ? " in sync" : ""));
                        return null;
                    default:
                        throw new UnsupportedOperationException(method.getName());
                }
            });
    }

    /**
     * A connection that takes {@link #writableFrames} more frames before it is backed up.
     */
    private ConnectionOutput output()
    {
        return new ConnectionOutput()
        {
            @Override
            public long id()
            {
                return 1;
            }

            @Override
            public String remoteAddress()
            {
                return "backup";
            }

            @Override
            public boolean write(final WireWriter frame)
            {
                return true;
            }

            @Override
            public boolean isWritable()
            {
                return writableFrames-- > 0;
            }

            @Override
            public DirectOutput direct()
            {
                return new DirectOutput()
                {
                    @Override
                    public Future<?> send(final WireWriter frame)
                    {
                        frames.add(frame.toByteArray());
                        return CompletableFuture.completedFuture(null);
                    }

                    @Override
                    public boolean inIoThread()
                    {
                        return false;
                    }

                    @Override
                    public void closeNow()
                    {
                    }
                };
            }

            @Override
            public void flush()
            {
            }

            @Override
            public void close()
            {
            }
        };
    }

    private static byte[] bytes(final int length, final char fill)
    {
        final byte[] bytes = new byte[length];
        java.util.Arrays.fill(bytes, (byte)fill);
        return bytes;
    }
}
