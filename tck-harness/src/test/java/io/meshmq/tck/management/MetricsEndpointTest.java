package io.meshmq.tck.management;

import io.meshmq.jms.MeshConnectionFactory;
import io.meshmq.tck.FreePorts;
import io.meshmq.tck.crash.BrokerProcess;
import jakarta.jms.Connection;
import jakarta.jms.DeliveryMode;
import jakarta.jms.MessageConsumer;
import jakarta.jms.MessageProducer;
import jakarta.jms.Session;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.net.ServerSocket;
import java.nio.file.Path;

import static io.meshmq.tck.PrometheusScrape.scrape;
import static io.meshmq.tck.PrometheusScrape.value;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * The broker's Prometheus endpoint (issue 22), scraped as Prometheus does: a queue's counts follow what clients did,
 * the journal's forces are counted in a histogram, the JVM's metrics are there; a port already taken stops the
 * start-up naming metrics.bind.
 */
class MetricsEndpointTest
{
    @TempDir
    Path dir;

    @Test
    void shouldServeQueueJournalAndJvmMetricsForPrometheus() throws Exception
    {
        final int port = FreePorts.next();
        try (BrokerProcess broker = BrokerProcess.start(dir, "metrics.bind = 127.0.0.1:" + port))
        {
            assertTrue(broker.recentOutput().contains("metrics at http://127.0.0.1:" + port + "/metrics"),
                broker.recentOutput());
            try (Connection connection = new MeshConnectionFactory(broker.url()).createConnection())
            {
                final Session session = connection.createSession(false, Session.AUTO_ACKNOWLEDGE);
                final MessageProducer producer = session.createProducer(session.createQueue("metered"));
                producer.setDeliveryMode(DeliveryMode.PERSISTENT);
                for (int i = 0; i < 5; i++)
                {
                    producer.send(session.createTextMessage("m" + i));
                }
                final MessageConsumer consumer = session.createConsumer(session.createQueue("metered"));
                connection.start();
                assertNotNull(consumer.receive(10_000));
                assertNotNull(consumer.receive(10_000));
                consumer.close();
            }

            final String metrics = scrape(port);
            assertEquals(3.0, value(metrics, "meshmq_queue_messages{queue=\"metered\"}"), metrics);
            assertEquals(5.0, value(metrics, "meshmq_queue_added_total{queue=\"metered\"}"), metrics);
            assertEquals(2.0, value(metrics, "meshmq_queue_acknowledged_total{queue=\"metered\"}"), metrics);
            assertEquals(0.0, value(metrics, "meshmq_queue_consumers{queue=\"metered\"}"), metrics);
            assertEquals(0.0, value(metrics, "meshmq_queue_producer_holds_total{queue=\"metered\"}"), metrics);
            assertTrue(value(metrics, "meshmq_journal_force_seconds_count") >= 1, "persistent sends were forced");
            assertTrue(value(metrics, "jvm_memory_used_bytes{area=\"heap\"}") > 0, "the JVM's metrics");
        }
    }

    @Test
    void shouldRefuseToStartOnAPortAlreadyTaken() throws Exception
    {
        try (ServerSocket taken = new ServerSocket(0, 1, java.net.InetAddress.getLoopbackAddress()))
        {
            final String output = BrokerProcess.startExpectingFailure(dir,
                "metrics.bind = 127.0.0.1:" + taken.getLocalPort());
            assertTrue(output.contains("metrics.bind = 127.0.0.1:" + taken.getLocalPort() + ": cannot listen there"),
                output);
        }
    }
}
