package io.meshmq.tck.hostile;

import io.meshmq.protocol.FrameDescriptor;

import java.io.ByteArrayOutputStream;
import java.nio.ByteBuffer;
import java.util.Arrays;
import java.util.List;
import java.util.Random;

/**
 * A client's recorded frames, changed at random the ways a broken or hostile client changes them: frames left out,
 * sent twice, bytes flipped, types swapped, bodies cut short or run long, frames of pure noise, and now and then a
 * length field that makes the rest of the stream garbage. Each connection draws how much of its stream is changed,
 * from none to half of it: a change usually ends the connection (a protocol error), so most connections change
 * little, to get past their handshake and deep into the command set before something is wrong.
 */
final class FrameMutator
{
    /** The share of a connection's frames changed, left out or doubled: one drawn per connection. */
    private static final double[] CHANGE_RATES = {0, 0.01, 0.03, 0.1, 0.5};

    private final Random random;

    FrameMutator(final Random random)
    {
        this.random = random;
    }

    /**
     * @return one connection's bytes: the frames in order, each kept, dropped, changed or doubled.
     */
    byte[] stream(final List<byte[]> frames)
    {
        final double changed = CHANGE_RATES[random.nextInt(CHANGE_RATES.length)];
        final ByteArrayOutputStream out = new ByteArrayOutputStream();
        for (final byte[] frame : frames)
        {
            final double roll = random.nextDouble();
            if (roll >= changed)
            {
                out.writeBytes(frame);
            }
            else if (roll < changed / 8)
            {
                continue;
            }
            else if (roll < changed / 4)
            {
                out.writeBytes(frame);
                out.writeBytes(frame);
            }
            else
            {
                out.writeBytes(mutate(frame));
            }
        }
        return out.toByteArray();
    }

    private byte[] mutate(final byte[] frame)
    {
        final int roll = random.nextInt(100);
        final int bodyStart = FrameDescriptor.LENGTH_FIELD_LENGTH + FrameDescriptor.BODY_OFFSET;
        final byte[] body = Arrays.copyOfRange(frame, bodyStart, frame.length);
        final byte type = frame[FrameDescriptor.LENGTH_FIELD_LENGTH];
        if (roll < 45)
        {
            for (int flips = 1 + random.nextInt(4); flips > 0 && body.length > 0; flips--)
            {
                body[random.nextInt(body.length)] = (byte)random.nextInt(256);
            }
            return frame(type, body);
        }
        if (roll < 60)
        {
            return frame((byte)random.nextInt(256), body);
        }
        if (roll < 75)
        {
            return frame(type, Arrays.copyOf(body, body.length == 0 ? 0 : random.nextInt(body.length)));
        }
        if (roll < 88)
        {
            final byte[] longer = Arrays.copyOf(body, body.length + 1 + random.nextInt(64));
            fill(longer, body.length);
            return frame(type, longer);
        }
        if (roll < 97)
        {
            final byte[] noise = new byte[random.nextInt(257)];
            fill(noise, 0);
            return frame((byte)random.nextInt(256), noise);
        }
        final byte[] garbage = new byte[FrameDescriptor.LENGTH_FIELD_LENGTH + random.nextInt(65)];
        fill(garbage, 0);
        return garbage;
    }

    private void fill(final byte[] bytes, final int from)
    {
        for (int i = from; i < bytes.length; i++)
        {
            bytes[i] = (byte)random.nextInt(256);
        }
    }

    private static byte[] frame(final byte type, final byte[] body)
    {
        return ByteBuffer.allocate(FrameDescriptor.LENGTH_FIELD_LENGTH + FrameDescriptor.BODY_OFFSET + body.length)
            .order(FrameDescriptor.BYTE_ORDER)
            .putInt(FrameDescriptor.BODY_OFFSET + body.length)
            .put(type)
            .put(body)
            .array();
    }
}
