package io.meshmq.tck.hostile;

import io.meshmq.protocol.BrokerCommandEncoder;
import io.meshmq.protocol.FrameDescriptor;
import io.meshmq.protocol.WireWriter;
import io.meshmq.tck.crash.BrokerProcess;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.net.InetSocketAddress;
import java.net.URI;
import java.nio.ByteBuffer;
import java.nio.channels.SocketChannel;
import java.nio.file.Path;
import java.util.concurrent.TimeUnit;

import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * A client that writes and never reads must not make the broker queue answers without end (issue 17, item 3): once
 * what waits to be sent to it passes the high-water mark, the broker stops reading from it, so the client's own writes
 * stall, and a bystander keeps working.
 */
class HostileFloodTest
{
    /** Far more than the broker may queue for one connection, far less than its heap. */
    private static final long GIVE_UP_BYTES = 200L * 1024 * 1024;
    private static final long STALL_NS = TimeUnit.SECONDS.toNanos(2);

    @TempDir
    Path workDir;

    @Test
    void shouldStopReadingFromAClientThatSendsPingsAndNeverReadsThePongs() throws Exception
    {
        try (BrokerProcess broker = BrokerProcess.start(workDir.resolve("data"));
            SocketChannel attacker = SocketChannel.open())
        {
            final URI uri = URI.create(broker.url());
            attacker.connect(new InetSocketAddress(uri.getHost(), uri.getPort()));
            attacker.socket().setReceiveBufferSize(4096);
            writeFully(attacker, BrokerCommandEncoder.hello(new WireWriter(), FrameDescriptor.ROLE_CLIENT, null, null,
                null));
            attacker.configureBlocking(false);

            final ByteBuffer pings = ByteBuffer.allocate(64 * 1024);
            final WireWriter ping = new WireWriter();
            while (pings.remaining() >= 64)
            {
                BrokerCommandEncoder.ping(ping, 1);
                pings.put(ping.toByteArray());
            }
            pings.flip();
            long sent = 0;
            long progressAtNs = System.nanoTime();
            boolean stalled = false;
            while (sent < GIVE_UP_BYTES)
            {
                // Whole frames only: a partial write goes on where it stopped.
                final int written = attacker.write(pings);
                if (!pings.hasRemaining())
                {
                    pings.rewind();
                }
                if (written > 0)
                {
                    sent += written;
                    progressAtNs = System.nanoTime();
                }
                else if (System.nanoTime() - progressAtNs > STALL_NS)
                {
                    stalled = true;
                    break;
                }
                else
                {
                    Thread.onSpinWait();
                }
            }
            assertTrue(stalled, "the broker read " + sent + " bytes of PINGs from a client that reads no PONGs; it said: " +
                broker.recentOutput());
            assertTrue(broker.isAlive(), broker.recentOutput());
            Bystander.assertWorks(broker.url());
        }
    }

    private static void writeFully(final SocketChannel channel, final WireWriter frame) throws Exception
    {
        final ByteBuffer buffer = ByteBuffer.wrap(frame.toByteArray());
        while (buffer.hasRemaining())
        {
            channel.write(buffer);
        }
    }
}
