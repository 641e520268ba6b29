package io.meshmq.tck.management;

import io.meshmq.tck.FreePorts;
import io.meshmq.tck.crash.BrokerProcess;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.nio.file.Path;
import java.util.List;
import java.util.function.Supplier;
import javax.management.MBeanServerConnection;
import javax.management.ObjectName;
import javax.management.remote.JMXConnector;
import javax.management.remote.JMXConnectorFactory;
import javax.management.remote.JMXServiceURL;

import static io.meshmq.tck.PrometheusScrape.scrape;
import static io.meshmq.tck.PrometheusScrape.value;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assertions.fail;

/**
 * What a cluster shows its operators (issue 22): a node with a peer and a backup replicating it reports, through
 * Prometheus and JMX, its link to the peer (state, backlog, the last ping's round trip) and its replica's lag; a
 * queue that pages reports the messages and bytes in its page files; the web console draws the backup.
 */
class ClusterMetricsTest
{
    private static final long DEADLINE_MS = 30_000;

    @TempDir
    Path dir;

    @Test
    void shouldShowLinksReplicaLagAndPagingThroughPrometheusAndJmx() throws Exception
    {
        final int n1 = FreePorts.next();
        final int n2 = FreePorts.next();
        final int metricsPort = FreePorts.next();
        final int jmxPort = FreePorts.next();
        final int consolePort = FreePorts.next();
        final String members = "cluster.members = 127.0.0.1:" + n1 + ",127.0.0.1:" + n2;
        try (BrokerProcess first = BrokerProcess.startNodeWithJvmOptions(dir.resolve("n1"), "n1", n1, List.of(
                 "-Xmx256m", "-Dcom.sun.management.jmxremote.port=" + jmxPort,
                 "-Dcom.sun.management.jmxremote.rmi.port=" + jmxPort, "-Dcom.sun.management.jmxremote.authenticate=false",
                 "-Dcom.sun.management.jmxremote.ssl=false", "-Dcom.sun.management.jmxremote.host=127.0.0.1",
                 "-Djava.rmi.server.hostname=127.0.0.1"),
                 "cluster = watched", members, "metrics.bind = 127.0.0.1:" + metricsPort,
                 "address.paged.max-size-bytes = 4096", "console.bind = 127.0.0.1:" + consolePort);
             BrokerProcess second = BrokerProcess.startNode(dir.resolve("n2"), "n2", n2, "cluster = watched", members);
             BrokerProcess backup = BrokerProcess.startNode(dir.resolve("backup"), "backup", 0, "cluster = watched",
                 "ha.role = backup", "ha.live = 127.0.0.1:" + n1))
        {
            try (jakarta.jms.JMSContext context = new io.meshmq.jms.MeshConnectionFactory(first.url()).createContext())
            {
                final jakarta.jms.JMSProducer producer = context.createProducer();
                for (int i = 0; i < 40; i++)
                {
                    producer.send(context.createQueue("paged"), new byte[1024]);
                }
            }
            final String[] metrics = new String[1];
            await(() ->
            {
                metrics[0] = scrape(metricsPort);
                return metrics[0].contains("meshmq_cluster_link_round_trip_seconds{node=\"n2\"}") &&
                    metrics[0].contains("meshmq_replication_lag_seconds ");
            }, () -> "the link's round trip and the replica's lag:\n" + metrics[0] + "\n" + backup.recentOutput());
            final double roundTrip = value(metrics[0], "meshmq_cluster_link_round_trip_seconds{node=\"n2\"}");
            assertTrue(roundTrip > 0 && roundTrip < 1, "a loopback round trip: " + roundTrip);
            assertTrue(value(metrics[0], "meshmq_replication_lag_seconds") >= 0, metrics[0]);
            assertEquals(0.0, value(metrics[0], "meshmq_cluster_link_backlog{node=\"n2\"}"), metrics[0]);
            assertTrue(value(metrics[0], "meshmq_queue_paged{queue=\"paged\"}") > 0, metrics[0]);
            assertTrue(value(metrics[0], "meshmq_queue_paged_bytes{queue=\"paged\"}") >= 20 * 1024, metrics[0]);

            // the console's topology draws the backup beside n1 (security is off: no login)
            final String topology = java.net.http.HttpClient.newHttpClient().send(java.net.http.HttpRequest.newBuilder(
                java.net.URI.create("http://127.0.0.1:" + consolePort + "/")).build(),
                java.net.http.HttpResponse.BodyHandlers.ofString()).body();
            assertTrue(topology.contains("<g class=\"replica\" data-node=\"backup\">") &&
                topology.contains("backup of n1") && topology.contains("data-node=\"n2\""), topology);

            try (JMXConnector jmx = JMXConnectorFactory.connect(
                new JMXServiceURL("service:jmx:rmi:///jndi/rmi://127.0.0.1:" + jmxPort + "/jmxrmi")))
            {
                final MBeanServerConnection beans = jmx.getMBeanServerConnection();
                final ObjectName link = new ObjectName("io.meshmq:broker=\"n1\",component=cluster-links,node=\"n2\"");
                await(() -> beans.isRegistered(link), () -> "the MBean of n1's link to n2");
                assertTrue(String.valueOf(beans.getAttribute(link, "state")).startsWith("up"),
                    String.valueOf(beans.getAttribute(link, "state")));
                assertEquals(0L, beans.getAttribute(link, "backlog"));
                assertTrue((Long)beans.getAttribute(link, "round-trip-us") > 0);
            }
        }
    }

    private interface Condition
    {
        boolean holds() throws Exception;
    }

    private static void await(final Condition condition, final Supplier<String> message) throws Exception
    {
        final long deadline = System.currentTimeMillis() + DEADLINE_MS;
        while (!condition.holds())
        {
            if (System.currentTimeMillis() > deadline)
            {
                fail(message.get());
            }
            Thread.sleep(100);
        }
    }
}
