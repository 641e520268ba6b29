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

import java.nio.file.Path;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotNull;
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
