package io.meshmq.engine.net;

import com.lmax.disruptor.RingBuffer;
import io.meshmq.engine.large.LargeStore;
import io.meshmq.engine.ring.EngineEvent;
import io.meshmq.engine.security.UserStore;
import io.meshmq.protocol.BrokerCommandEncoder;
import io.meshmq.protocol.DestinationType;
import io.meshmq.protocol.FrameDescriptor;
import io.meshmq.protocol.LargeBodyDescriptor;
import io.meshmq.protocol.MessageDescriptor;
import io.meshmq.protocol.WireWriter;
import io.meshmq.transport.FrameDecoder;
import io.meshmq.transport.NettyFrames;
import io.netty.buffer.ByteBuf;
import io.netty.buffer.Unpooled;
import io.netty.channel.embedded.EmbeddedChannel;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Queue;
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.concurrent.atomic.AtomicLong;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * A persistent large message's body is forced off the I/O thread (issue 23: a body's force held up every other
 * connection of that thread for its whole length): meanwhile its connection is read no more and the commands read
 * after it wait, then go on in order — the large message first, naming the stored body. The test runs the forces
 * itself, on its own thread ({@link #forces}): the embedded channel's loop is the test's thread and takes no task from
 * another.
 */
class LargeBodyForcedAsideTest
{
    private static final int BODY = 300_000;

    @TempDir
    Path dir;
    private final RingBuffer<EngineEvent> ring = RingBuffer.createMultiProducer(EngineEvent::new, 1024);
    private final EmbeddedChannel channel = new EmbeddedChannel();
    private final WireWriter out = new WireWriter(BODY + 1024);
    /** The forces the connection asked for, run by the test when it waits. */
    private final Queue<Runnable> forces = new ConcurrentLinkedQueue<>();
    private LargeStore store;

    @AfterEach
    void close()
    {
        channel.finishAndReleaseAll();
    }

    @Test
    void shouldForceTheBodyAsideAndTakeWhatCameAfterItInOrder() throws Exception
    {
        // One read: the body, the persistent message naming it, a small message, then another body's first chunk.
        final long opened = openAndRead(chunk(7, new byte[BODY]), send(1, large(7, BODY)), send(2, small()),
            chunk(8, new byte[1000]));

        assertEquals(opened, ring.getCursor(), "nothing goes on before the body is on disk");
        assertFalse(channel.config().isAutoRead(), "the connection is read no more meanwhile");

        final List<EngineEvent> sends = awaitEvents(opened, 2);
        assertEquals(1, sends.get(0).correlationId, "the large message first");
        assertEquals(2, sends.get(1).correlationId, "then what came after it");
        final long stored = LargeBodyDescriptor.bodyId(sends.get(0).message);
        assertNotEquals(7, stored, "the message names the stored body, not the client's upload");
        assertEquals(BODY, Files.size(store.path(stored)));
        assertTrue(channel.config().isAutoRead(), "read again once everything held went on");

        channel.writeInbound(Unpooled.wrappedBuffer(send(3, large(8, 1000))));
        final List<EngineEvent> third = awaitEvents(opened + 2, 1);
        assertEquals(3, third.get(0).correlationId, "a chunk held while the first was forced was kept");
    }

    @Test
    void shouldForceATransactionsBodiesAsideBeforeItsCommitGoesOn() throws Exception
    {
        final long opened = openAndRead(chunk(7, new byte[BODY]), commit(4, large(7, BODY)), send(5, small()));
        assertEquals(opened, ring.getCursor(), "the commit waits for its body");
        assertFalse(channel.config().isAutoRead());

        awaitCursor(opened + 2);
        final EngineEvent commit = ring.get(opened + 1);
        assertEquals(EngineEvent.COMMIT, commit.type);
        assertEquals(4, commit.correlationId);
        assertEquals(BODY, Files.size(store.path(LargeBodyDescriptor.bodyId(commit.sendMessages[0]))),
            "its message names the stored body");
        assertEquals(EngineEvent.SEND, ring.get(opened + 2).type);
        assertEquals(5, ring.get(opened + 2).correlationId, "then what came after it");
    }

    @Test
    void shouldDeleteTheBodyWhenTheConnectionClosesWhileItIsForced() throws Exception
    {
        final long opened = openAndRead(chunk(7, new byte[BODY]), send(1, large(7, BODY)));
        channel.close();

        runForces();
        assertTrue(store.stored().isEmpty(), "the body of a message that never went on was kept: " + store.stored());
        for (long seq = opened + 1; seq <= ring.getCursor(); seq++)
        {
            assertNotEquals(EngineEvent.SEND, ring.get(seq).type, "no message went on from a closed connection");
        }
    }

    /**
     * Opens the connection, then sends {@code frames} in one read.
     *
     * @return the ring's cursor once the connection was open.
     */
    private long openAndRead(final byte[]... frames)
    {
        store = new LargeStore(dir.resolve("large"), 100 * 1024);
        NettyFrames.addFrameDecoder(channel.pipeline(), FrameDecoder.HANDSHAKE_MAX_FRAME_LENGTH);
        channel.pipeline().addLast(new ClientCommandAdapter(ring, new AtomicLong(), 1 << 20, new UserStore(), null,
            new ConnectionLimits(-1, -1), 10_000).largeStore(store).bodyForcing(forces::add));
        channel.writeInbound(Unpooled.wrappedBuffer(
            BrokerCommandEncoder.hello(new WireWriter(), FrameDescriptor.ROLE_CLIENT, null, null, null).toByteArray()));
        final long opened = ring.getCursor();
        final ByteBuf read = Unpooled.buffer();
        for (final byte[] frame : frames)
        {
            read.writeBytes(frame);
        }
        channel.writeInbound(read);
        return opened;
    }

    /**
     * @return the SENDs the connection put in the ring after {@code after}, once there are {@code count}.
     */
    private List<EngineEvent> awaitEvents(final long after, final int count)
    {
        awaitCursor(after + count);
        final List<EngineEvent> events = new ArrayList<>();
        for (long seq = after + 1; seq <= after + count; seq++)
        {
            assertEquals(EngineEvent.SEND, ring.get(seq).type);
            events.add(ring.get(seq));
        }
        return events;
    }

    /**
     * Runs the forces asked for and the channel's tasks (where a forced body's message comes back to) until the ring
     * holds up to {@code cursor}.
     */
    private void awaitCursor(final long cursor)
    {
        runForces();
        assertTrue(ring.getCursor() >= cursor, "the ring holds up to " + ring.getCursor() + ", not " + cursor);
    }

    /**
     * Runs the forces asked for, and what each leaves for the connection, until none is left.
     */
    private void runForces()
    {
        for (Runnable force = forces.poll(); force != null; force = forces.poll())
        {
            force.run();
            channel.runPendingTasks();
        }
        channel.runPendingTasks();
    }

    private byte[] commit(final long correlationId, final byte[] message)
    {
        final WireWriter commit = BrokerCommandEncoder.beginCommit(new WireWriter(), correlationId);
        BrokerCommandEncoder.sends(commit, 1);
        BrokerCommandEncoder.send(commit, DestinationType.QUEUE, "orders", message);
        BrokerCommandEncoder.acks(commit, 0);
        return commit.endFrame().toByteArray();
    }

    private byte[] chunk(final long uploadId, final byte[] bytes)
    {
        return BrokerCommandEncoder.largeChunk(out, uploadId, bytes, 0, bytes.length).toByteArray();
    }

    private byte[] send(final long correlationId, final byte[] message)
    {
        final WireWriter send = BrokerCommandEncoder.beginSend(new WireWriter(), correlationId, DestinationType.QUEUE,
            "orders");
        send.writeRaw(message, 0, message.length);
        return send.endFrame().toByteArray();
    }

    private static byte[] large(final long uploadId, final long length)
    {
        return LargeBodyDescriptor.write(headers(MessageDescriptor.BODY_BYTES, MessageDescriptor.PERSISTENT,
            MessageDescriptor.FLAG_LARGE_BODY), uploadId, length, LargeBodyDescriptor.FORM_RAW).toByteArray();
    }

    private static byte[] small()
    {
        return headers(MessageDescriptor.BODY_MESSAGE, MessageDescriptor.NON_PERSISTENT, (byte)0).toByteArray();
    }

    private static WireWriter headers(final byte bodyType, final byte deliveryMode, final byte flags)
    {
        return new WireWriter().writeByte(bodyType).writeByte(deliveryMode).writeByte((byte)4).writeByte(flags)
            .writeLong(0).writeLong(0).writeLong(0).writeString("ID:test:" + bodyType).writeByte(
                MessageDescriptor.CORRELATION_NONE).writeString(null).writeByte(DestinationType.NONE)
            .writeByte(DestinationType.NONE).writeInt(0);
    }
}
