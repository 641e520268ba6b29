package io.meshmq.jmh.shaped;

import org.HdrHistogram.Histogram;

import java.io.DataInputStream;
import java.io.IOException;
import java.io.OutputStream;
import java.net.InetAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.concurrent.TimeUnit;

/**
 * What this machine's kernel and hypervisor cost A6's shape with no broker and no messaging: the same topology and
 * pace as {@link PacedRequestReply}, a requester and a responder thread in this JVM, each with its own TCP connection
 * to a relay in another JVM (where the broker would be), 1 KiB requests at a fixed rate, every thread blocking in
 * {@code read} between them. A round trip crosses four sockets and wakes four sleeping threads (relay, responder,
 * relay, requester), the least any broker between two clients can do; its p50 is the floor A6 is measured against.
 * <p>
 * {@code java -cp benchmarks.jar io.meshmq.jmh.shaped.LoopbackFloor ROUNDS [RATE [SECONDS]]}: RATE 0 is a closed
 * loop (the next request as soon as the reply came: threads hardly ever sleep long), default 2,000/s as A6.
 */
public final class LoopbackFloor
{
    private static final int SIZE = 1024;
    private static final long HIGHEST_NS = TimeUnit.SECONDS.toNanos(10);

    private LoopbackFloor()
    {
    }

    public static void main(final String[] args) throws Exception
    {
        if (args.length == 1 && args[0].equals("relay"))
        {
            relay();
            return;
        }
        final int rounds = Integer.parseInt(args[0]);
        final int rate = args.length > 1 ? Integer.parseInt(args[1]) : 2_000;
        final int seconds = args.length > 2 ? Integer.parseInt(args[2]) : 15;
        for (int round = 1; round <= rounds; round++)
        {
            final Histogram histogram = measure(rate, seconds);
            System.out.printf("round %d loopback floor, %s: p50 %,5d  p99 %,6d  p99.9 %,6d us (%,d round trips)%n",
                round, rate == 0 ? "closed loop" : rate + "/s", histogram.getValueAtPercentile(50) / 1000,
                histogram.getValueAtPercentile(99) / 1000, histogram.getValueAtPercentile(99.9) / 1000,
                histogram.getTotalCount());
        }
    }

    /**
     * @return the measured round trips (after a warm-up of a third as long), in nanoseconds.
     */
    static Histogram measure(final int rate, final int seconds) throws Exception
    {
        final Process relay = new ProcessBuilder(Path.of(System.getProperty("java.home"), "bin", "java").toString(),
            "-cp", System.getProperty("java.class.path"), LoopbackFloor.class.getName(), "relay")
            .redirectError(ProcessBuilder.Redirect.INHERIT).start();
        try
        {
            final int port = Integer.parseInt(new String(relay.getInputStream().readNBytes(5), StandardCharsets.US_ASCII)
                .trim());
            try (Socket requesting = connect(port); Socket responding = connect(port))
            {
                final Thread responder = new Thread(() -> echo(responding), "responder");
                responder.setDaemon(true);
                responder.start();
                final OutputStream out = requesting.getOutputStream();
                final DataInputStream in = new DataInputStream(requesting.getInputStream());
                final byte[] request = new byte[SIZE];
                final byte[] reply = new byte[SIZE];
                final Histogram histogram = new Histogram(HIGHEST_NS, 3);
                for (final int phaseSeconds : new int[] {Math.max(1, seconds / 3), seconds})
                {
                    // Made when its phase starts: a pace counts from its creation.
                    final Pace pace = new Pace(rate == 0 ? 20_000 : rate, phaseSeconds);
                    final boolean measured = phaseSeconds == seconds;
                    final long endNs = System.nanoTime() + TimeUnit.SECONDS.toNanos(phaseSeconds) * 2;
                    for (long i = 0; i < pace.count() && System.nanoTime() < endNs; i++)
                    {
                        if (rate != 0)
                        {
                            pace.awaitTurn(i);
                        }
                        final long sentAt = System.nanoTime();
                        out.write(request);
                        in.readFully(reply);
                        if (measured)
                        {
                            histogram.recordValue(Math.min(System.nanoTime() - sentAt, HIGHEST_NS));
                        }
                    }
                }
                return histogram;
            }
        }
        finally
        {
            relay.destroyForcibly().waitFor(10, TimeUnit.SECONDS);
        }
    }

    private static Socket connect(final int port) throws IOException
    {
        final Socket socket = new Socket(InetAddress.getLoopbackAddress(), port);
        socket.setTcpNoDelay(true);
        return socket;
    }

    private static void echo(final Socket socket)
    {
        copy(socket, socket);
    }

    /** Reads 1 KiB frames from one socket and writes each to the other, until either closes. */
    private static void copy(final Socket from, final Socket to)
    {
        final byte[] frame = new byte[SIZE];
        try
        {
            final DataInputStream in = new DataInputStream(from.getInputStream());
            final OutputStream out = to.getOutputStream();
            while (true)
            {
                in.readFully(frame);
                out.write(frame);
            }
        }
        catch (final IOException closed)
        {
            // The run ended.
        }
    }

    /** The broker's place: prints its port, takes the requester's then the responder's connection, relays both ways. */
    private static void relay() throws IOException
    {
        try (ServerSocket server = new ServerSocket(0, 2, InetAddress.getLoopbackAddress()))
        {
            System.out.printf("%5d", server.getLocalPort());
            System.out.flush();
            final Socket requester = server.accept();
            final Socket responder = server.accept();
            requester.setTcpNoDelay(true);
            responder.setTcpNoDelay(true);
            final Thread back = new Thread(() -> copy(responder, requester), "relay-back");
            back.start();
            copy(requester, responder);
        }
    }
}
