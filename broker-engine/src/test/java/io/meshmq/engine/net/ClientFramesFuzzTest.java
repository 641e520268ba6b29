package io.meshmq.engine.net;

import com.code_intelligence.jazzer.api.FuzzedDataProvider;
import com.code_intelligence.jazzer.junit.FuzzTest;
import com.lmax.disruptor.RingBuffer;
import io.meshmq.engine.ring.EngineEvent;
import io.meshmq.engine.security.UserStore;
import io.meshmq.protocol.BrokerCommandEncoder;
import io.meshmq.protocol.ErrorCode;
import io.meshmq.protocol.FrameDescriptor;
import io.meshmq.protocol.FrameType;
import io.meshmq.protocol.WireReader;
import io.meshmq.protocol.WireWriter;
import io.meshmq.transport.FrameDecoder;
import io.meshmq.transport.NettyFrames;
import io.netty.buffer.ByteBuf;
import io.netty.buffer.Unpooled;
import io.netty.channel.embedded.EmbeddedChannel;
import org.agrona.concurrent.UnsafeBuffer;

import java.util.concurrent.atomic.AtomicLong;

import static org.junit.jupiter.api.Assertions.assertFalse;

/**
 * Whatever bytes a client sends, the broker's acceptor answers with a protocol error and closes the connection, or takes
 * them as commands: never an exception of its own, which it would report as "broker failure" (issue 16, fuzzing). Half
 * the inputs begin with a valid HELLO, so the fuzzer reaches every command, not only the handshake.
 */
class ClientFramesFuzzTest
{
    /** No processor reads it: with nothing gating it, the ring never blocks a publisher. */
    private static final RingBuffer<EngineEvent> RING = RingBuffer.createMultiProducer(EngineEvent::new, 1024);
    private static final ConnectionLimits LIMITS = new ConnectionLimits(-1, -1);
    private static final UserStore USERS = new UserStore();

    @FuzzTest(maxDuration = "15s")
    void readAnyClientBytes(final FuzzedDataProvider data)
    {
        final EmbeddedChannel channel = new EmbeddedChannel();
        NettyFrames.addFrameDecoder(channel.pipeline(), FrameDecoder.HANDSHAKE_MAX_FRAME_LENGTH);
        channel.pipeline().addLast(new ClientCommandAdapter(RING, new AtomicLong(), 1 << 20, USERS, null, LIMITS, 10_000));
        try
        {
            if (data.consumeBoolean())
            {
                final WireWriter hello = BrokerCommandEncoder.hello(new WireWriter(), FrameDescriptor.ROLE_CLIENT, null, null,
                    null);
                channel.writeInbound(Unpooled.wrappedBuffer(hello.toByteArray()));
            }
            while (data.remainingBytes() > 0 && channel.isOpen())
            {
                try
                {
                    channel.writeInbound(Unpooled.wrappedBuffer(data.consumeBytes(data.consumeInt(1, 512))));
                }
                catch (final RuntimeException ex)
                {
                    // The decoder goes on with the bytes of a read after the acceptor closed the connection; what it
                    // finds then reaches nobody (Netty logs it). Anything escaping an open connection is a finding.
                    if (channel.isOpen())
                    {
                        throw ex;
                    }
                }
            }
            for (Object written = channel.readOutbound(); written != null; written = channel.readOutbound())
            {
                final ByteBuf frame = (ByteBuf)written;
                try
                {
                    assertFalse(isBrokerFailure(frame), "the acceptor failed on its own: " +
                        frame.toString(java.nio.charset.StandardCharsets.ISO_8859_1));
                }
                finally
                {
                    frame.release();
                }
            }
        }
        finally
        {
            channel.finishAndReleaseAll();
        }
    }

    /**
     * @return whether the frame (length, type, body) is an ERROR with code GENERIC: what the acceptor says when
     * something other than a protocol error escaped it.
     */
    private static boolean isBrokerFailure(final ByteBuf frame)
    {
        final byte[] bytes = new byte[frame.readableBytes()];
        frame.getBytes(frame.readerIndex(), bytes);
        if (bytes.length < FrameDescriptor.LENGTH_FIELD_LENGTH + 1 + 12 ||
            bytes[FrameDescriptor.LENGTH_FIELD_LENGTH] != FrameType.ERROR)
        {
            return false;
        }
        final WireReader reader = new WireReader().wrap(new UnsafeBuffer(bytes), FrameDescriptor.LENGTH_FIELD_LENGTH + 1,
            bytes.length - FrameDescriptor.LENGTH_FIELD_LENGTH - 1);
        reader.readLong();
        return reader.readInt() == ErrorCode.GENERIC;
    }
}
