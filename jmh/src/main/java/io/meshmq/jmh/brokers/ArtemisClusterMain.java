package io.meshmq.jmh.brokers;

import org.apache.activemq.artemis.core.config.ClusterConnectionConfiguration;
import org.apache.activemq.artemis.core.config.Configuration;
import org.apache.activemq.artemis.core.server.embedded.EmbeddedActiveMQ;

import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;

/**
 * A node of an Apache ActiveMQ Artemis cluster, embedded with its defaults otherwise, in a process of its own, with a
 * cluster connection to every other node listed (static connectors, Artemis's full mesh, ON_DEMAND load balancing):
 * {@code ArtemisClusterMain DATA_DIR PORT OTHER_PORT...}. Prints "listening on tcp://127.0.0.1:PORT" once it accepts
 * connections.
 */
public final class ArtemisClusterMain
{
    private ArtemisClusterMain()
    {
    }

    public static void main(final String[] args) throws Exception
    {
        ArtemisLogging.asItsDistributionDoes();
        final Path data = Path.of(args[0]);
        final int port = Integer.parseInt(args[1]);
        final Configuration config = ArtemisReplicatedMain.clustered(data, port);
        final List<String> others = new ArrayList<>();
        for (int i = 2; i < args.length; i++)
        {
            final int other = Integer.parseInt(args[i]);
            config.addConnectorConfiguration("node" + other, ArtemisReplicatedMain.connector(other));
            others.add("node" + other);
        }
        config.addClusterConfiguration(new ClusterConnectionConfiguration()
            .setName("bench")
            .setAddress("")
            .setConnectorName("self")
            .setStaticConnectors(others));
        final EmbeddedActiveMQ server = new EmbeddedActiveMQ().setConfiguration(config);
        server.start();
        System.out.println("listening on tcp://127.0.0.1:" + port);
        System.out.flush();
        ArtemisMain.runUntilStopped(server);
    }
}
