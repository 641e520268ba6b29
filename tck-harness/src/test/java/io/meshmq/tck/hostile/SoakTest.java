package io.meshmq.tck.hostile;

import io.meshmq.jms.MeshConnectionFactory;
import io.meshmq.protocol.BrokerCommandEncoder;
import io.meshmq.protocol.DestinationType;
import io.meshmq.protocol.FrameDescriptor;
import io.meshmq.protocol.MessageDescriptor;
import io.meshmq.protocol.WireWriter;
import io.meshmq.tck.crash.BrokerProcess;
import io.meshmq.tck.failover.ClientThreads;
import jakarta.jms.Connection;
import jakarta.jms.DeliveryMode;
import jakarta.jms.InvalidSelectorException;
import jakarta.jms.Message;
import jakarta.jms.MessageConsumer;
import jakarta.jms.MessageProducer;
import jakarta.jms.Session;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.Socket;
import java.net.SocketTimeoutException;
import java.net.URI;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicLong;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * Well-behaved clients (persistent producers and acknowledging consumers, and a bystander that connects, sends and
 * receives) work for a bounded time ({@code -Dmeshmq.soak.seconds}, 150 by default, as in CI) while a hostile client
 * cycles through the attacks of the robustness issue: a backtracking LIKE selector, selectors too long, a flood of
 * PINGs it never reads the answers to, sockets that never say HELLO, a message whose fields are broken. Nothing
 * well-behaved is lost, and none of it waits more than a few seconds.
 */
class SoakTest
{
    private static final long SECONDS = Long.getLong("meshmq.soak.seconds", 150);
    private static final long STALL_MS = 5_000;
    private static final String ATTACKER = "127.0.0.2";

    @TempDir
    Path workDir;

    private final ClientThreads clients = new ClientThreads();
    private final AtomicBoolean running = new AtomicBoolean(true);
    private final AtomicInteger attacks = new AtomicInteger();
    private final AtomicLong bystanderRounds = new AtomicLong();

    @Test
    void shouldServeWellBehavedClientsThroughoutACycleOfAttacks() throws Exception
    {
        try (BrokerProcess broker = BrokerProcess.start(workDir.resolve("broker"), "handshake-timeout = 1000",
            "max-connections-per-address = 200"))
        {
            final String url = broker.url();
            final Map<String, Set<Integer>> confirmed = new ConcurrentHashMap<>();
            final Map<String, Set<Integer>> received = new ConcurrentHashMap<>();
            for (final String queue : List.of("soak-a", "soak-b"))
            {
                confirmed.put(queue, ConcurrentHashMap.newKeySet());
                received.put(queue, ConcurrentHashMap.newKeySet());
                clients.start("producer-" + queue, () -> produce(url, queue, confirmed.get(queue)));
                clients.start("consumer-" + queue, () -> consume(url, queue, confirmed.get(queue), received.get(queue)));
            }
            clients.start("bystander", () -> bystand(url));
            clients.start("attacker", () -> attack(url));
            final long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(SECONDS);
            while (System.nanoTime() < deadline && !clients.anyFailed())
            {
                Thread.sleep(100);
            }
            running.set(false);
            final long drained = System.nanoTime() + TimeUnit.SECONDS.toNanos(30);
            while (System.nanoTime() < drained && !clients.anyFailed() &&
                !(received.get("soak-a").containsAll(confirmed.get("soak-a")) &&
                received.get("soak-b").containsAll(confirmed.get("soak-b"))))
            {
                Thread.sleep(20);
            }
            clients.stop();
            clients.assertNoneFailed();
            assertTrue(broker.isAlive(), broker.recentOutput());
            for (final String queue : confirmed.keySet())
            {
                final Set<Integer> missing = new java.util.TreeSet<>(confirmed.get(queue));
                missing.removeAll(received.get(queue));
                assertTrue(missing.isEmpty(), queue + ": confirmed and never received: " + missing);
            }
            assertTrue(attacks.get() >= 5, "the attacker got through its cycle at least once: " + attacks);
            System.out.printf("soak of %d s: %d attacks, %d bystander rounds, %d and %d messages each way%n", SECONDS,
                attacks.get(), bystanderRounds.get(), confirmed.get("soak-a").size(), confirmed.get("soak-b").size());
        }
    }

    // ---- the well-behaved ---------------------------------------------------------------------------------

    private void produce(final String url, final String queue, final Set<Integer> confirmed) throws Exception
    {
        try (Connection connection = new MeshConnectionFactory(url).createConnection())
        {
            final Session session = connection.createSession(false, Session.AUTO_ACKNOWLEDGE);
            final MessageProducer producer = session.createProducer(session.createQueue(queue));
            producer.setDeliveryMode(DeliveryMode.PERSISTENT);
            for (int i = 0; running.get(); i++)
            {
                final Message message = session.createTextMessage("soak " + i);
                message.setIntProperty("id", i);
                final long started = System.nanoTime();
                producer.send(message);
                confirmed.add(i);
                stalledIf("a send to " + queue, started);
                // Paced, not flat out: the point is latency under attack, not filling the disk.
                Thread.sleep(2);
            }
        }
    }

    private void consume(final String url, final String queue, final Set<Integer> confirmed,
        final Set<Integer> received) throws Exception
    {
        try (Connection connection = new MeshConnectionFactory(url).createConnection())
        {
            connection.start();
            final Session session = connection.createSession(false, Session.CLIENT_ACKNOWLEDGE);
            final MessageConsumer consumer = session.createConsumer(session.createQueue(queue));
            int expected = 0;
            while (running.get() || received.size() < confirmed.size())
            {
                final Message message = consumer.receive(STALL_MS);
                if (message == null)
                {
                    if (confirmed.size() > received.size() && running.get())
                    {
                        throw new AssertionError(queue + ": nothing came for " + STALL_MS + " ms while " +
                            (confirmed.size() - received.size()) + " confirmed messages waited");
                    }
                    if (!running.get())
                    {
                        return;
                    }
                    continue;
                }
                final int id = message.getIntProperty("id");
                assertEquals(expected, id, queue + ": in order, once");
                expected++;
                received.add(id);
                if (id % 10 == 9)
                {
                    message.acknowledge();
                }
            }
        }
    }

    private void bystand(final String url) throws Exception
    {
        while (running.get())
        {
            final long started = System.nanoTime();
            Bystander.assertWorks(url);
            stalledIf("the bystander's round", started);
            bystanderRounds.incrementAndGet();
            Thread.sleep(200);
        }
    }

    private static void stalledIf(final String what, final long startedNs)
    {
        final long tookMs = TimeUnit.NANOSECONDS.toMillis(System.nanoTime() - startedNs);
        if (tookMs > STALL_MS)
        {
            throw new AssertionError(what + " took " + tookMs + " ms");
        }
    }

    // ---- the attacker -------------------------------------------------------------------------------------

    private void attack(final String url) throws Exception
    {
        final URI uri = URI.create(url);
        while (running.get())
        {
            backtrackingSelector(url);
            attacks.incrementAndGet();
            tooLongSelectors(url);
            attacks.incrementAndGet();
            pingsNeverRead(uri);
            attacks.incrementAndGet();
            silentSockets(uri);
            attacks.incrementAndGet();
            brokenMessage(uri);
            attacks.incrementAndGet();
        }
    }

    private static void backtrackingSelector(final String url) throws Exception
    {
        try (Connection connection = new MeshConnectionFactory(url).createConnection())
        {
            connection.start();
            final Session session = connection.createSession(false, Session.AUTO_ACKNOWLEDGE);
            final jakarta.jms.Queue victim = session.createQueue("victim");
            session.createConsumer(victim, "p LIKE '%a%a%a%a%a%a%a%a%a%a%a%a%ab'");
            final MessageProducer bait = session.createProducer(victim);
            bait.setDeliveryMode(DeliveryMode.NON_PERSISTENT);
            bait.setTimeToLive(10_000);
            for (int i = 0; i < 10; i++)
            {
                final Message message = session.createMessage();
                message.setStringProperty("p", "a".repeat(400 + i));
                bait.send(message);
            }
        }
    }

    private static void tooLongSelectors(final String url) throws Exception
    {
        try (Connection connection = new MeshConnectionFactory(url).createConnection())
        {
            final Session session = connection.createSession(false, Session.AUTO_ACKNOWLEDGE);
            try
            {
                session.createConsumer(session.createQueue("victim"), "x = 1" + " AND x = 1".repeat(50_000));
                throw new AssertionError("a selector of 50,000 terms was taken");
            }
            catch (final InvalidSelectorException expected)
            {
                // refused, as it must be
            }
        }
    }

    private void pingsNeverRead(final URI uri) throws IOException
    {
        try (Socket socket = RawSockets.connectFrom(ATTACKER, uri, 10_000))
        {
            socket.setReceiveBufferSize(4096);
            final OutputStream out = socket.getOutputStream();
            out.write(BrokerCommandEncoder.hello(new WireWriter(), FrameDescriptor.ROLE_CLIENT, null, null, null)
                .toByteArray());
            final byte[] ping = BrokerCommandEncoder.ping(new WireWriter(), 1).toByteArray();
            final byte[] burst = new byte[ping.length * 1024];
            for (int i = 0; i < 1024; i++)
            {
                System.arraycopy(ping, 0, burst, i * ping.length, ping.length);
            }
            socket.setSoTimeout(2_000);
            // Bounded: at most 64 MiB, and the broker stops reading long before (the write then blocks and the
            // socket is closed when this one gives up, or the broker closes it).
            final long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(3);
            for (long sent = 0; sent < 64L * 1024 * 1024 && System.nanoTime() < deadline && running.get();
                sent += burst.length)
            {
                writeWithin(socket, burst, deadline);
            }
        }
        catch (final IOException closedByTheBroker)
        {
            // what a broker may do to such a client
        }
    }

    /**
     * Writes on a thread of its own so that a write the broker stopped reading cannot hold the attacker past the
     * deadline: the socket is closed then.
     */
    private static void writeWithin(final Socket socket, final byte[] bytes, final long deadlineNs) throws IOException
    {
        final Thread closer = new Thread(() ->
        {
            try
            {
                Thread.sleep(Math.max(1, TimeUnit.NANOSECONDS.toMillis(deadlineNs - System.nanoTime())));
                socket.close();
            }
            catch (final InterruptedException | IOException ex)
            {
                // the write finished first
            }
        });
        closer.setDaemon(true);
        closer.start();
        try
        {
            socket.getOutputStream().write(bytes);
        }
        finally
        {
            closer.interrupt();
        }
    }

    private void silentSockets(final URI uri) throws IOException
    {
        final List<Socket> silent = new ArrayList<>();
        try
        {
            for (int i = 0; i < 150 && running.get(); i++)
            {
                silent.add(RawSockets.connectFrom(ATTACKER, uri, 10_000));
            }
            // The broker closes each within its handshake timeout (1 s here): read until it has.
            for (final Socket socket : silent)
            {
                readUntilClosed(socket);
            }
        }
        finally
        {
            for (final Socket socket : silent)
            {
                socket.close();
            }
        }
    }

    private static void brokenMessage(final URI uri) throws IOException
    {
        try (Socket socket = RawSockets.connectFrom(ATTACKER, uri, 10_000))
        {
            final OutputStream out = socket.getOutputStream();
            out.write(BrokerCommandEncoder.hello(new WireWriter(), FrameDescriptor.ROLE_CLIENT, null, null, null)
                .toByteArray());
            // A valid fixed header, then a message id whose length runs past the message.
            final WireWriter message = new WireWriter().writeByte(MessageDescriptor.BODY_TEXT)
                .writeByte(MessageDescriptor.PERSISTENT).writeByte((byte)4).writeByte((byte)0).writeLong(0).writeLong(0)
                .writeLong(0).writeInt(1_000_000);
            final WireWriter send = BrokerCommandEncoder.beginSend(new WireWriter(), 1, DestinationType.QUEUE, "victim");
            send.writeRaw(message.toByteArray(), 0, message.position());
            out.write(send.endFrame().toByteArray());
            // The broker answers with an error (and may close); whatever it says, the attacker leaves after 2 s.
            socket.setSoTimeout(2_000);
            final byte[] buffer = new byte[4096];
            while (socket.getInputStream().read(buffer) >= 0)
            {
                // read what it says
            }
        }
        catch (final IOException saidItAndClosedOrWentQuiet)
        {
            // either is an answer
        }
    }

    private static void readUntilClosed(final Socket socket) throws IOException
    {
        final InputStream in = socket.getInputStream();
        final byte[] buffer = new byte[4096];
        try
        {
            while (in.read(buffer) >= 0)
            {
                // what the broker says before it closes does not matter here
            }
        }
        catch (final SocketTimeoutException ex)
        {
            throw new AssertionError("the broker kept a socket open 10 s", ex);
        }
    }
}
