package io.meshmq.tck.hostile;

import io.meshmq.protocol.FrameDescriptor;
import io.meshmq.protocol.FrameType;

import java.io.IOException;
import java.net.InetSocketAddress;
import java.net.SocketAddress;
import java.nio.ByteBuffer;
import java.nio.channels.SelectionKey;
import java.nio.channels.Selector;
import java.nio.channels.SocketChannel;
import java.nio.charset.StandardCharsets;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;
import java.util.concurrent.atomic.LongAdder;

/**
 * One attacker connection: writes its bytes while reading whatever the broker answers (so the broker never stops
 * reading it for want of a reader), then half-closes and reads until the broker closes or a deadline passes. The
 * answers are parsed as frames: every ERROR's code is counted, and one that says the broker itself failed is kept.
 */
final class RandomFramesConnection
{
    /** What every attacker connection saw, summed. */
    static final class Tally
    {
        final LongAdder connections = new LongAdder();
        final LongAdder bytesSent = new LongAdder();
        final LongAdder framesAnswered = new LongAdder();
        final LongAdder closedByBroker = new LongAdder();
        final LongAdder resets = new LongAdder();
        final LongAdder outlived = new LongAdder();
        final Map<Integer, LongAdder> errorCodes = new ConcurrentHashMap<>();
        final AtomicLong unparsable = new AtomicLong();
        final Map<String, Boolean> brokerFailures = new ConcurrentHashMap<>();

        @Override
        public String toString()
        {
            return connections + " connections, " + bytesSent + " bytes sent, " + framesAnswered + " frames answered, " +
                closedByBroker + " closed by the broker, " + resets + " reset, " + outlived + " still open at their deadline, ERROR codes " + errorCodes;
        }
    }

    private static final String BROKER_FAILURE = "broker fail";
    private static final long LINGER_NS = TimeUnit.SECONDS.toNanos(3);

    private final Tally tally;
    private ByteBuffer answers = ByteBuffer.allocate(64 * 1024).order(FrameDescriptor.BYTE_ORDER);

    private RandomFramesConnection(final Tally tally)
    {
        this.tally = tally;
    }

    static void attack(final String localHost, final SocketAddress broker, final byte[] stream, final Tally tally)
        throws IOException
    {
        new RandomFramesConnection(tally).run(localHost, broker, stream);
    }

    private void run(final String localHost, final SocketAddress broker, final byte[] stream) throws IOException
    {
        tally.connections.increment();
        try (SocketChannel channel = SocketChannel.open(); Selector selector = Selector.open())
        {
            channel.bind(new InetSocketAddress(localHost, 0));
            channel.connect(broker);
            channel.configureBlocking(false);
            final SelectionKey key = channel.register(selector, SelectionKey.OP_READ | SelectionKey.OP_WRITE);
            final ByteBuffer out = ByteBuffer.wrap(stream);
            long deadlineNs = Long.MAX_VALUE;
            while (System.nanoTime() < deadlineNs)
            {
                selector.select(100);
                if (key.isValid() && key.isWritable() && out.hasRemaining())
                {
                    tally.bytesSent.add(channel.write(out));
                    if (!out.hasRemaining())
                    {
                        channel.shutdownOutput();
                        key.interestOps(SelectionKey.OP_READ);
                        deadlineNs = System.nanoTime() + LINGER_NS;
                    }
                }
                if (key.isValid() && key.isReadable() && !read(channel))
                {
                    tally.closedByBroker.increment();
                    return;
                }
                selector.selectedKeys().clear();
            }
            tally.outlived.increment();
        }
        catch (final IOException reset)
        {
            tally.resets.increment();
        }
    }

    /**
     * @return false once the broker closed the connection.
     */
    private boolean read(final SocketChannel channel) throws IOException
    {
        if (!answers.hasRemaining())
        {
            answers = ByteBuffer.allocate(answers.capacity() * 2).order(FrameDescriptor.BYTE_ORDER).put(answers.flip());
        }
        final int read = channel.read(answers);
        if (read < 0)
        {
            return false;
        }
        answers.flip();
        while (answers.remaining() >= FrameDescriptor.LENGTH_FIELD_LENGTH)
        {
            final int length = answers.getInt(answers.position());
            if (length <= 0 || length > FrameDescriptor.DEFAULT_MAX_FRAME_LENGTH)
            {
                tally.unparsable.incrementAndGet();
                answers.clear();
                return false;
            }
            if (answers.remaining() < FrameDescriptor.LENGTH_FIELD_LENGTH + length)
            {
                break;
            }
            final byte[] frame = new byte[length];
            answers.position(answers.position() + FrameDescriptor.LENGTH_FIELD_LENGTH).get(frame);
            answered(frame);
        }
        answers.compact();
        return true;
    }

    private void answered(final byte[] frame)
    {
        tally.framesAnswered.increment();
        // ERROR: type, correlation id (8), code (4), message.
        if (frame[FrameDescriptor.TYPE_OFFSET] != FrameType.ERROR || frame.length < 13)
        {
            return;
        }
        final int code = ByteBuffer.wrap(frame, 9, 4).order(FrameDescriptor.BYTE_ORDER).getInt();
        tally.errorCodes.computeIfAbsent(code, c -> new LongAdder()).increment();
        final String text = new String(frame, 13, frame.length - 13, StandardCharsets.ISO_8859_1);
        if (text.contains(BROKER_FAILURE))
        {
            tally.brokerFailures.putIfAbsent(text.trim(), Boolean.TRUE);
        }
    }
}
