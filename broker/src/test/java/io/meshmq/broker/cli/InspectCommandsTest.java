package io.meshmq.broker.cli;

import io.meshmq.broker.Main;
import io.meshmq.engine.Broker;
import io.meshmq.engine.BrokerContext;
import io.meshmq.jms.MeshConnectionFactory;
import jakarta.jms.Connection;
import jakarta.jms.MessageProducer;
import jakarta.jms.Session;
import jakarta.jms.TextMessage;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.UUID;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * {@code meshmq browse QUEUE} and {@code meshmq stat} against a broker (issue 22): browse shows the waiting messages
 * without taking them; stat shows each queue's counts and, from the second view on, its rates.
 */
class InspectCommandsTest
{
    @TempDir
    Path dir;

    @Test
    void shouldBrowseWithoutTakingAndShowQueuesWithRates() throws Exception
    {
        try (Broker broker = Broker.start(new BrokerContext().port(0).dataDir(dir).ioThreads(1)
            .vmId("cli-" + UUID.randomUUID())))
        {
            try (Connection connection = new MeshConnectionFactory(broker.url()).createConnection())
            {
                final Session session = connection.createSession(false, Session.AUTO_ACKNOWLEDGE);
                final MessageProducer producer = session.createProducer(session.createQueue("inspected"));
                for (int i = 0; i < 3; i++)
                {
                    final TextMessage message = session.createTextMessage("order " + i);
                    message.setStringProperty("region", i == 1 ? "eu" : "us");
                    producer.send(message);
                }
            }

            final String browsed = run("browse", "inspected", "--url", broker.url());
            assertTrue(browsed.contains("region=us") && browsed.contains("text: order 0") &&
                browsed.contains("text: order 2") && browsed.contains("persistent"), browsed);
            assertTrue(browsed.endsWith("3 message(s) shown from queue inspected\n"), browsed);
            final String selected = run("browse", "inspected", "--selector", "region = 'eu'", "--url", broker.url());
            assertTrue(selected.contains("text: order 1") && !selected.contains("text: order 0"), selected);

            final String stat = run("stat", "--url", broker.url(), "--count", "2", "--interval", "100");
            final String[] lines = stat.split("\n");
            assertEquals(2, stat.split("queue +waiting", -1).length - 1, "two views:\n" + stat);
            assertTrue(lines[1].matches("inspected +3 +0 +0 +- +-"), "first view, no rate yet: " + lines[1]);
            assertEquals(1, stat.lines().filter(line -> line.matches("inspected +3 +0 +0 +0 +0")).count(),
                "second view with rates:\n" + stat);

            final String bad = run("stat", "--url", broker.url(), "--interval", "5");
            assertTrue(bad.contains("--interval '5' must be at least 100 ms"), bad);
        }
    }

    @Test
    void shouldListConnectionsAndCloseOne() throws Exception
    {
        try (Broker broker = Broker.start(new BrokerContext().port(0).dataDir(dir).ioThreads(1)
            .vmId("cli-" + UUID.randomUUID()));
             Connection connection = new MeshConnectionFactory(broker.url()).createConnection())
        {
            connection.setClientID("inspected-client");
            connection.createSession(false, Session.AUTO_ACKNOWLEDGE).createConsumer(
                connection.createSession(false, Session.AUTO_ACKNOWLEDGE).createQueue("held"));
            final String listed = run("connection", "list", "--url", broker.url());
            final String line = listed.lines().filter(l -> l.contains("inspected-client")).findFirst()
                .orElseThrow(() -> new AssertionError(listed));
            assertTrue(line.matches("\\d+ +\\S+ +\\S+ +inspected-client +client +1"), line);
            final String id = line.split(" +")[0];

            assertTrue(run("connection", "close", id, "--url", broker.url()).contains("true"));
            final long deadline = System.nanoTime() + 30_000_000_000L;
            while (run("connection", "list", "--url", broker.url()).contains("inspected-client"))
            {
                assertTrue(System.nanoTime() < deadline, "the connection is still listed");
                Thread.sleep(20);
            }
            final String none = run("connection", "close", "999999", "--url", broker.url());
            assertTrue(none.contains("there is no connection 999999"), none);
            final String word = run("connection", "close", "abc", "--url", broker.url());
            assertTrue(word.contains("'abc' is not a connection id"), word);
        }
    }

    private static String run(final String... args)
    {
        final ByteArrayOutputStream out = new ByteArrayOutputStream();
        final ByteArrayOutputStream err = new ByteArrayOutputStream();
        Main.run(args, new PrintStream(out, true, StandardCharsets.UTF_8), new PrintStream(err, true,
            StandardCharsets.UTF_8));
        return out.toString(StandardCharsets.UTF_8) + err.toString(StandardCharsets.UTF_8);
    }
}
