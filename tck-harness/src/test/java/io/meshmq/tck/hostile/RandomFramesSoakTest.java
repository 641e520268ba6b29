package io.meshmq.tck.hostile;

import io.meshmq.jms.MeshConnectionFactory;
import io.meshmq.tck.crash.BrokerProcess;
import jakarta.jms.Connection;
import jakarta.jms.DeliveryMode;
import jakarta.jms.Message;
import jakarta.jms.MessageConsumer;
import jakarta.jms.MessageProducer;
import jakarta.jms.Queue;
import jakarta.jms.Session;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.net.InetSocketAddress;
import java.net.URI;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Random;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * A broker under a stream of random frames from many connections at once keeps serving a bystander, with nothing lost
 * (issue 16, fuzzing). The frames are a real client's, recorded and then changed at random ({@link FrameMutator}), so
 * they reach every command; eight attackers, each from an address of its own, open connection after connection. Beside
 * them a bystander sends persistent messages and receives each one, and a queue filled before the attack must come
 * out whole after it. The broker must never answer that it failed, never send a frame that does not parse, never log
 * a failure of its own, and stay up.
 * <p>
 * Runs for {@code -Dmeshmq.soak.random-frames.seconds} (20 by default; longer locally).
 */
class RandomFramesSoakTest
{
    private static final int ATTACKERS = 8;
    private static final int STOCK = 500;
    private static final long SECONDS = Long.getLong("meshmq.soak.random-frames.seconds", 20);

    @TempDir
    Path workDir;

    @Test
    void shouldKeepServingABystanderUnderRandomFramesFromManyConnections() throws Exception
    {
        try (BrokerProcess broker = BrokerProcess.start(workDir.resolve("broker")))
        {
            final URI uri = URI.create(broker.url());
            final MeshConnectionFactory factory = new MeshConnectionFactory(broker.url());
            fillStock(factory);
            final List<byte[]> frames = RecordedClientFrames.record(uri);
            final long seed = System.nanoTime();
            System.out.println("RandomFramesSoakTest: " + frames.size() + " recorded frames, seed " + seed);

            final RandomFramesConnection.Tally tally = new RandomFramesConnection.Tally();
            final AtomicBoolean attacking = new AtomicBoolean(true);
            final long endNs = System.nanoTime() + TimeUnit.SECONDS.toNanos(SECONDS);
            final ExecutorService attackers = Executors.newFixedThreadPool(ATTACKERS);
            final List<Future<?>> attacks = new ArrayList<>();
            long worstMs = 0;
            int roundTrips = 0;
            try (Connection connection = factory.createConnection())
            {
                for (int i = 0; i < ATTACKERS; i++)
                {
                    final String localHost = "127.0.0." + (2 + i);
                    final FrameMutator mutator = new FrameMutator(new Random(seed + i));
                    attacks.add(attackers.submit(() ->
                    {
                        while (System.nanoTime() < endNs)
                        {
                            RandomFramesConnection.attack(localHost, new InetSocketAddress(uri.getHost(), uri.getPort()),
                                mutator.stream(frames), tally);
                        }
                        return null;
                    }));
                }
                final Future<?> done = attackers.submit(() ->
                {
                    try
                    {
                        for (final Future<?> attack : attacks)
                        {
                            attack.get();
                        }
                    }
                    finally
                    {
                        attacking.set(false);
                    }
                    return null;
                });

                connection.start();
                final Session session = connection.createSession(false, Session.AUTO_ACKNOWLEDGE);
                final Queue queue = session.createQueue("soak.bystander");
                final MessageProducer producer = session.createProducer(queue);
                producer.setDeliveryMode(DeliveryMode.PERSISTENT);
                final MessageConsumer consumer = session.createConsumer(queue);
                try
                {
                    while (attacking.get() || roundTrips < 10)
                    {
                    final long startNs = System.nanoTime();
                    final Message sent = session.createTextMessage("still here");
                    sent.setIntProperty("seq", roundTrips);
                    producer.send(sent);
                    final Message received = consumer.receive(Bystander.RECEIVE_MS);
                    assertNotNull(received, "the bystander's message " + roundTrips + " did not come within " +
                        Bystander.RECEIVE_MS + " ms; attack so far: " + tally + "\n" + broker.recentOutput());
                    assertEquals(roundTrips, received.getIntProperty("seq"), "the bystander's messages out of order");
                    worstMs = Math.max(worstMs, TimeUnit.NANOSECONDS.toMillis(System.nanoTime() - startNs));
                    roundTrips++;
                    }
                }
                catch (final Exception | AssertionError ex)
                {
                    System.out.println("RandomFramesSoakTest: the bystander failed (" + ex + ") after " + roundTrips +
                        " round trips; attack so far: " + tally + "; the broker said:\n" + broker.recentOutput() +
                        "\nits threads:\n" + broker.threadDump());
                    throw ex;
                }
                done.get(60, TimeUnit.SECONDS);
            }
            finally
            {
                attackers.shutdownNow();
            }

            System.out.println("RandomFramesSoakTest: " + SECONDS + " s, " + tally + "; the bystander made " +
                roundTrips + " round trips, the worst " + worstMs + " ms");
            assertTrue(tally.brokerFailures.isEmpty(), "the broker answered that it failed: " + tally.brokerFailures.keySet());
            assertEquals(0, tally.unparsable.get(), "the broker sent a frame with a length that does not parse");
            assertTrue(tally.connections.sum() > ATTACKERS, "the attack made only " + tally.connections + " connections");
            assertTrue(broker.isAlive(), "the broker died");
            for (final String failure : List.of("broker failed", "unexpected failure", "OutOfMemoryError",
                "Exception in thread"))
            {
                assertEquals(List.of(), broker.linesContaining(failure), "the broker logged a failure of its own");
            }
            drainStock(factory);
        }
    }

    private static void fillStock(final MeshConnectionFactory factory) throws Exception
    {
        try (Connection connection = factory.createConnection())
        {
            final Session session = connection.createSession(true, Session.SESSION_TRANSACTED);
            final MessageProducer producer = session.createProducer(session.createQueue("soak.stock"));
            producer.setDeliveryMode(DeliveryMode.PERSISTENT);
            for (int i = 0; i < STOCK; i++)
            {
                final Message message = session.createTextMessage("stock " + i);
                message.setIntProperty("seq", i);
                producer.send(message);
            }
            session.commit();
        }
    }

    private static void drainStock(final MeshConnectionFactory factory) throws Exception
    {
        try (Connection connection = factory.createConnection())
        {
            connection.start();
            final Session session = connection.createSession(false, Session.AUTO_ACKNOWLEDGE);
            final MessageConsumer consumer = session.createConsumer(session.createQueue("soak.stock"));
            for (int i = 0; i < STOCK; i++)
            {
                final Message message = consumer.receive(Bystander.RECEIVE_MS);
                assertNotNull(message, "stock message " + i + " of " + STOCK + " is missing after the attack");
                assertEquals(i, message.getIntProperty("seq"), "the stock came out of order");
            }
            assertNull(consumer.receive(200), "the stock queue holds more than was put in");
        }
    }
}
