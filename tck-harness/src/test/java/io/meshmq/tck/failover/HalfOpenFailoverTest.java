package io.meshmq.tck.failover;

import io.meshmq.jms.FailoverEvent;
import io.meshmq.jms.MeshConnection;
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

import java.io.BufferedReader;
import java.io.InputStreamReader;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * A broker that stops answering without closing its sockets (SIGSTOP: a hung machine, a pulled cable) is noticed
 * within the connection TTL, and the client fails over to the next broker of its list.
 */
class HalfOpenFailoverTest
{
    @TempDir
    Path workDir;

    @Test
    void shouldGiveWhatAStoppedClientHeldToAnotherConsumerWithinItsTtl() throws Exception
    {
        try (BrokerProcess broker = BrokerProcess.start(workDir.resolve("broker")))
        {
            final int count = 10;
            try (Connection connection = new MeshConnectionFactory(broker.url()).createConnection())
            {
                final Session session = connection.createSession(false, Session.AUTO_ACKNOWLEDGE);
                final Queue queue = session.createQueue("held");
                final MessageProducer producer = session.createProducer(queue);
                for (int i = 0; i < count; i++)
                {
                    producer.send(session.createTextMessage("m" + i));
                }
                final Process holder = new ProcessBuilder(Path.of(System.getProperty("java.home"), "bin", "java").toString(),
                    "-cp", System.getProperty("java.class.path"), HoldingConsumer.class.getName(),
                    broker.url() + "?heartbeat=200&connectionTTL=600", "held").redirectErrorStream(true).start();
                try
                {
                    final BufferedReader out = new BufferedReader(new InputStreamReader(holder.getInputStream(),
                        StandardCharsets.UTF_8));
                    String line;
                    while ((line = out.readLine()) != null && !line.equals("holding"))
                    {
                        // the client's log lines
                    }
                    assertEquals("holding", line, "the holding client did not take a message");
                    final MessageConsumer other = session.createConsumer(queue);
                    connection.start();
                    assertNull(other.receive(300), "the holding client has every message while it lives");

                    signal(holder, "STOP");
                    final long stoppedAt = System.nanoTime();
                    int received = 0;
                    while (received < count && other.receive(10_000) != null)
                    {
                        received++;
                    }
                    final long tookMs = TimeUnit.NANOSECONDS.toMillis(System.nanoTime() - stoppedAt);
                    System.out.println("a stopped client's " + count + " messages reached another consumer in " + tookMs +
                        " ms (TTL 600 ms)");
                    assertEquals(count, received, "the stopped client's messages go to the other consumer");
                }
                finally
                {
                    signal(holder, "CONT");
                    holder.destroyForcibly().waitFor(30, TimeUnit.SECONDS);
                }
            }
        }
    }

    private static void signal(final Process process, final String name) throws Exception
    {
        assertEquals(0, new ProcessBuilder("kill", "-" + name, Long.toString(process.pid())).start().waitFor());
    }

    @Test
    void shouldFailOverFromAStoppedBrokerWithinTheTtl() throws Exception
    {
        try (BrokerProcess first = BrokerProcess.start(workDir.resolve("first"));
             BrokerProcess second = BrokerProcess.start(workDir.resolve("second")))
        {
            final String url = first.url() + "," + second.url() + "?heartbeat=200&connectionTTL=600";
            try (Connection connection = new MeshConnectionFactory(url).createConnection())
            {
                final CompletableFuture<FailoverEvent> completed = new CompletableFuture<>();
                ((MeshConnection)connection).setFailoverListener(event ->
                {
                    if (event.kind() == FailoverEvent.Kind.COMPLETED)
                    {
                        completed.complete(event);
                    }
                });
                connection.start();
                final Session session = connection.createSession(false, Session.AUTO_ACKNOWLEDGE);
                final Queue queue = session.createQueue("half-open");
                final MessageConsumer consumer = session.createConsumer(queue);
                final MessageProducer producer = session.createProducer(queue);
                producer.setDeliveryMode(DeliveryMode.PERSISTENT);
                producer.send(session.createTextMessage("before"));
                assertNotNull(consumer.receive(5000));

                first.pause();
                final long stoppedAt = System.nanoTime();
                try
                {
                    final FailoverEvent event = completed.get(10, TimeUnit.SECONDS);
                    final long tookMs = TimeUnit.NANOSECONDS.toMillis(System.nanoTime() - stoppedAt);
                    System.out.println("failed over from a stopped broker in " + tookMs + " ms, to " + event.url());
                    assertEquals(second.port(), Integer.parseInt(event.url().replaceAll(".*:([0-9]+).*", "$1")));
                    assertTrue(tookMs < 5000, "noticed after " + tookMs + " ms, TTL 600 ms");

                    producer.send(session.createTextMessage("after"));
                    final Message after = consumer.receive(5000);
                    assertNotNull(after, "the consumer made again on the second broker receives");
                    assertEquals("after", after.getBody(String.class));
                    assertTrue(((MeshConnection)connection).getBrokerUrl().contains(":" + second.port()));
                }
                finally
                {
                    first.resume();
                }
            }
        }
    }
}
