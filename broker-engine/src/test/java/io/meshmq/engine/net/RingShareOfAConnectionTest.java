package io.meshmq.engine.net;

import com.lmax.disruptor.RingBuffer;
import io.meshmq.engine.ring.EngineEvent;
import io.meshmq.engine.security.UserStore;
import io.meshmq.protocol.BrokerCommandEncoder;
import io.meshmq.protocol.DestinationType;
import io.meshmq.protocol.FrameDescriptor;
import io.meshmq.protocol.MessageDescriptor;
import io.meshmq.protocol.WireWriter;
import io.meshmq.transport.FrameDecoder;
import io.meshmq.transport.NettyFrames;
import io.netty.buffer.Unpooled;
import io.netty.channel.embedded.EmbeddedChannel;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

import java.util.concurrent.atomic.AtomicLong;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * A connection sending faster than the processor handles its commands is read no more once its share of the ring
 * waits, and read again once the processor caught up with half of it (issue 20: a flooding producer left a consumer's
 * acknowledgements a whole ring to wait behind).
 */
class RingShareOfAConnectionTest
{
    private static final int SHARE = 16;

    /** Nothing gates it: the test plays the processor, so publishing never blocks. */
    private final RingBuffer<EngineEvent> ring = RingBuffer.createMultiProducer(EngineEvent::new, 1024);
    private final EmbeddedChannel channel = new EmbeddedChannel();
    private long handledUpTo = -1;

    @AfterEach
    void close()
    {
        channel.finishAndReleaseAll();
    }

    @Test
    void shouldStopReadingAFloodingConnectionUntilTheProcessorCatchesUp()
    {
        NettyFrames.addFrameDecoder(channel.pipeline(), FrameDecoder.HANDSHAKE_MAX_FRAME_LENGTH);
        channel.pipeline().addLast(new ClientCommandAdapter(ring, new AtomicLong(), 1 << 20, new UserStore(), null,
            new ConnectionLimits(-1, -1), 10_000).ringShare(SHARE));
        channel.writeInbound(Unpooled.wrappedBuffer(
            BrokerCommandEncoder.hello(new WireWriter(), FrameDescriptor.ROLE_CLIENT, null, null, null).toByteArray()));
        assertTrue(channel.config().isAutoRead());

        for (int i = 0; i < SHARE - 2; i++)
        {
            send(i);
        }
        assertTrue(channel.config().isAutoRead(), "the opening and " + (SHARE - 2) + " sends are within its share");
        send(SHARE);
        assertFalse(channel.config().isAutoRead(), "its share of the ring waits: read no more");

        handle(SHARE / 2 - 1);
        channel.runPendingTasks();
        assertFalse(channel.config().isAutoRead(), "more than half of its share still waits");
        handle(1);
        channel.runPendingTasks();
        assertTrue(channel.config().isAutoRead(), "half handled: read again, on the connection's own thread");
        assertEquals(SHARE, ring.getCursor() + 1, "every command read was put in the ring, none lost");
    }

    private void send(final int n)
    {
        final WireWriter message = new WireWriter().writeByte(MessageDescriptor.BODY_MESSAGE)
            .writeByte(MessageDescriptor.NON_PERSISTENT).writeByte((byte)4).writeByte((byte)0).writeLong(0).writeLong(0)
            .writeLong(0).writeString("ID:test:" + n).writeByte(MessageDescriptor.CORRELATION_NONE).writeString(null)
            .writeByte(DestinationType.NONE).writeByte(DestinationType.NONE).writeInt(0);
        final WireWriter send =
            BrokerCommandEncoder.beginSend(new WireWriter(), n + 1, DestinationType.QUEUE, "orders");
        send.writeRaw(message.toByteArray(), 0, message.position());
        channel.writeInbound(Unpooled.wrappedBuffer(send.endFrame().toByteArray()));
    }

    /** Does what the processor does when it is done with a command. */
    private void handle(final int commands)
    {
        for (int i = 0; i < commands; i++)
        {
            final EngineEvent event = ring.get(++handledUpTo);
            event.share.handled();
            event.clear();
        }
    }
}
