package io.meshmq.jmh.brokers;

import org.apache.activemq.artemis.api.core.TransportConfiguration;
import org.apache.activemq.artemis.core.config.ClusterConnectionConfiguration;
import org.apache.activemq.artemis.core.config.Configuration;
import org.apache.activemq.artemis.core.config.ha.ReplicaPolicyConfiguration;
import org.apache.activemq.artemis.core.config.ha.ReplicatedPolicyConfiguration;
import org.apache.activemq.artemis.core.remoting.impl.netty.NettyConnectorFactory;
import org.apache.activemq.artemis.core.remoting.impl.netty.TransportConstants;
import org.apache.activemq.artemis.core.server.embedded.EmbeddedActiveMQ;

import java.nio.file.Path;
import java.util.List;
import java.util.Map;

/**
 * Half of an Apache ActiveMQ Artemis live/backup pair with its own replication (shared nothing: the backup holds a
 * replica of the live's journal, and the live confirms a persistent send once the backup has it), embedded with
 * Artemis's defaults otherwise, in a process of its own: {@code ArtemisReplicatedMain live|backup DATA_DIR PORT
 * OTHER_PORT}. The live prints "listening on tcp://127.0.0.1:PORT" once it accepts connections; the backup prints
 * "backup in sync" once its initial copy is done (from then on the live replicates every write to it).
 */
public final class ArtemisReplicatedMain
{
    private ArtemisReplicatedMain()
    {
    }

    public static void main(final String[] args) throws Exception
    {
        ArtemisLogging.asItsDistributionDoes();
        final boolean live = args[0].equals("live");
        final Path data = Path.of(args[1]);
        final int port = Integer.parseInt(args[2]);
        final int otherPort = Integer.parseInt(args[3]);
        final Configuration config = clustered(data, port)
            .addConnectorConfiguration("other", connector(otherPort))
            .addClusterConfiguration(new ClusterConnectionConfiguration()
                .setName("bench")
                .setAddress("")
                .setConnectorName("self")
                .setStaticConnectors(List.of("other")))
            .setHAPolicyConfiguration(live ? new ReplicatedPolicyConfiguration().setCheckForActiveServer(false) :
                new ReplicaPolicyConfiguration().setAllowFailBack(false));
        final EmbeddedActiveMQ server = new EmbeddedActiveMQ().setConfiguration(config);
        server.start();
        if (live)
        {
            System.out.println("listening on tcp://127.0.0.1:" + port);
        }
        else
        {
            final long deadline = System.currentTimeMillis() + 60_000;
            while (!server.getActiveMQServer().isReplicaSync())
            {
                if (System.currentTimeMillis() > deadline)
                {
                    System.out.println("backup not in sync after 60 s");
                    System.exit(1);
                }
                Thread.sleep(20);
            }
            System.out.println("backup in sync");
        }
        System.out.flush();
        ArtemisMain.runUntilStopped(server);
    }

    /**
     * @return Artemis's defaults with persistence on, a cluster user, and an acceptor and connector ("self") at port.
     */
    static Configuration clustered(final Path data, final int port) throws Exception
    {
        return ArtemisMain.persistent(data)
            .setClusterUser("bench")
            .setClusterPassword("bench-cluster-password")
            .addAcceptorConfiguration("core", "tcp://127.0.0.1:" + port + "?protocols=CORE")
            .addConnectorConfiguration("self", connector(port));
    }

    static TransportConfiguration connector(final int port)
    {
        return new TransportConfiguration(NettyConnectorFactory.class.getName(), Map.of(TransportConstants.HOST_PROP_NAME,
            "127.0.0.1", TransportConstants.PORT_PROP_NAME, port));
    }
}
