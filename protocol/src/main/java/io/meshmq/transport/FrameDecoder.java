package io.meshmq.transport;

import io.meshmq.protocol.FrameDescriptor;
import io.netty.buffer.ByteBuf;
import io.netty.channel.ChannelHandlerContext;
import io.netty.handler.codec.ByteToMessageDecoder;
import io.netty.handler.codec.CorruptedFrameException;
import io.netty.handler.codec.TooLongFrameException;

import java.util.List;

/**
 * Splits the byte stream into frames at their length field (see {@link FrameDescriptor}) and strips it.
 * A length below 1 or above the current maximum fails the channel before any of the frame is buffered.
 * <p>
 * The maximum can be raised once the peer is known: a broker accepts only a small HELLO from a stranger,
 * so a few bytes of garbage cannot make it reserve a large buffer. Used on one I/O thread only.
 */
public final class FrameDecoder extends ByteToMessageDecoder
{
    /** The largest frame accepted before the handshake. */
    public static final int HANDSHAKE_MAX_FRAME_LENGTH = 64 * 1024;

    private int maxFrameLength;

    public FrameDecoder(final int maxFrameLength)
    {
        this.maxFrameLength = maxFrameLength;
    }

    public void maxFrameLength(final int maxFrameLength)
    {
        this.maxFrameLength = maxFrameLength;
    }

    @Override
    protected void decode(final ChannelHandlerContext ctx, final ByteBuf in, final List<Object> out)
    {
        while (in.readableBytes() >= FrameDescriptor.LENGTH_FIELD_LENGTH)
        {
            final int start = in.readerIndex();
            final int length = in.getIntLE(start);
            if (length < 1)
            {
                in.skipBytes(in.readableBytes());
                throw new CorruptedFrameException("frame length " + length + " is not positive");
            }
            if (length > maxFrameLength)
            {
                in.skipBytes(in.readableBytes());
                throw new TooLongFrameException("frame length " + length + " exceeds the maximum of " + maxFrameLength);
            }
            if (in.readableBytes() < FrameDescriptor.LENGTH_FIELD_LENGTH + length)
            {
                return;
            }
            in.skipBytes(FrameDescriptor.LENGTH_FIELD_LENGTH);
            // Not readRetainedSlice: from a buffer Netty's leak detector sampled (one in 128), every retained slice
            // is tracked on its own, with a stack trace taken per frame (0.5% of the broker's CPU under load, issue
            // 20); a plain slice shares the buffer's tracker, and retain() counts on the buffer just the same.
            out.add(in.readSlice(length).retain());
        }
    }
}
