package io.meshmq.transport;

import io.meshmq.protocol.FrameDescriptor;
import io.meshmq.protocol.ProtocolException;
import io.meshmq.protocol.WireReader;
import io.meshmq.protocol.WireWriter;
import io.netty.buffer.ByteBuf;
import io.netty.buffer.ByteBufAllocator;
import io.netty.channel.ChannelPipeline;
import org.agrona.concurrent.UnsafeBuffer;

/**
 * Glue between Netty and the wire protocol, used by the client and by the broker's acceptor alike.
 */
public final class NettyFrames
{
    public static final String FRAME_DECODER = "frameDecoder";

    private NettyFrames()
    {
    }

    /**
     * @return the largest frame accepted, from {@code -Dmeshmq.maxFrameLength} or the protocol default.
     */
    public static int maxFrameLength()
    {
        return Integer.getInteger("meshmq.maxFrameLength", FrameDescriptor.DEFAULT_MAX_FRAME_LENGTH);
    }

    /**
     * Adds a {@link FrameDecoder} named {@link #FRAME_DECODER}.
     */
    public static void addFrameDecoder(final ChannelPipeline pipeline, final int maxFrameLength)
    {
        pipeline.addLast(FRAME_DECODER, new FrameDecoder(maxFrameLength));
    }

    /**
     * Points {@code view} at the readable bytes of {@code frame} without copying where the buffer allows it.
     * The view is valid only until the frame is released.
     */
    public static void wrap(final UnsafeBuffer view, final ByteBuf frame)
    {
        final int length = frame.readableBytes();
        if (frame.hasMemoryAddress())
        {
            view.wrap(frame.memoryAddress() + frame.readerIndex(), length);
        }
        else if (frame.hasArray())
        {
            view.wrap(frame.array(), frame.arrayOffset() + frame.readerIndex(), length);
        }
        else
        {
            final byte[] copy = new byte[length];
            frame.getBytes(frame.readerIndex(), copy);
            view.wrap(copy);
        }
    }

    /**
     * Opens a received frame for decoding: {@code view} over its bytes (see {@link #wrap}) and {@code reader}
     * over its body.
     *
     * @return the frame type.
     * @throws ProtocolException if the frame is empty.
     */
    public static byte open(final UnsafeBuffer view, final WireReader reader, final ByteBuf frame)
    {
        wrap(view, frame);
        if (view.capacity() < 1)
        {
            throw new ProtocolException("empty frame");
        }
        reader.wrap(view, FrameDescriptor.BODY_OFFSET, view.capacity() - FrameDescriptor.BODY_OFFSET);
        return view.getByte(FrameDescriptor.TYPE_OFFSET);
    }

    /**
     * @return a new buffer from {@code allocator} holding the writer's bytes; the caller owns it.
     */
    public static ByteBuf toByteBuf(final ByteBufAllocator allocator, final WireWriter writer)
    {
        final int length = writer.position();
        final ByteBuf buf = allocator.ioBuffer(length);
        buf.writeBytes(writer.array(), 0, length);
        return buf;
    }
}
