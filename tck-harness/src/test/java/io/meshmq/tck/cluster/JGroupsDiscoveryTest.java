package io.meshmq.tck.cluster;

import io.meshmq.tck.FreePorts;
import jakarta.jms.Connection;
import jakarta.jms.MessageConsumer;
import jakarta.jms.Session;
import jakarta.jms.TextMessage;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.stream.Collectors;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotNull;

/**
 * Members that find each other over a JGroups channel instead of UDP multicast (issue 21), as where multicast is not
 * allowed: a TCP stack bound to 127.0.0.1 whose TCPPING lists the three nodes' JGroups ports, no member listed in the
 * broker configuration. They link, a message crosses, and a node killed is dropped after the refresh timeout; a
 * client given {@code jgroups://CHANNEL?file=...} connects to a broker it heard there.
 */
class JGroupsDiscoveryTest
{
    private static final int REFRESH_TIMEOUT_MS = 2_000;

    @TempDir
    Path dir;

    @Test
    void shouldLinkNodesFoundOnAJGroupsChannelAndDropOneKilled() throws Exception
    {
        final int[] ports = {FreePorts.next(), FreePorts.next(), FreePorts.next()};
        final String[][] perNode = new String[3][];
        for (int i = 0; i < 3; i++)
        {
            perNode[i] = new String[] {"discovery.jgroups-file = " + stack(i, ports)};
        }
        try (ClusterNodes nodes = ClusterNodes.startEach(dir, "jgroups", perNode, false,
            "discovery.jgroups-channel = meshmq-test", "discovery.broadcast-period = 200",
            "discovery.refresh-timeout = " + REFRESH_TIMEOUT_MS))
        {
            nodes.awaitMesh();
            try (Connection consumerConnection = nodes.factory(2).createConnection();
                 Connection producerConnection = nodes.factory(0).createConnection())
            {
                final Session consumerSession = consumerConnection.createSession(false, Session.AUTO_ACKNOWLEDGE);
                final MessageConsumer consumer = consumerSession.createConsumer(consumerSession.createQueue("jg"));
                consumerConnection.start();
                nodes.awaitRemoteConsumers(0, 2, 1);
                final Session session = producerConnection.createSession(false, Session.AUTO_ACKNOWLEDGE);
                session.createProducer(session.createQueue("jg")).send(session.createTextMessage("over JGroups"));
                final TextMessage received = (TextMessage)consumer.receive(30_000);
                assertNotNull(received, "the message sent on n1 never reached n3's consumer");
                assertEquals("over JGroups", received.getText());
            }

            final String client = "jgroups://meshmq-test?file=" + stack(3, ports) + "&initialWaitTimeout=20000";
            try (Connection connection = new io.meshmq.jms.MeshConnectionFactory(client).createConnection())
            {
                final Session session = connection.createSession(false, Session.AUTO_ACKNOWLEDGE);
                session.createProducer(session.createQueue("jg")).send(session.createTextMessage("from a client"));
            }

            nodes.kill(2);
            ClusterNodes.poll("n1 to drop n3 once it is not heard for " + REFRESH_TIMEOUT_MS + " ms", 30_000,
                () -> nodes.process(0).linesContaining("discovery: node 'n3'").stream()
                    .anyMatch(line -> line.contains("dropped from the mesh")));
            ClusterNodes.poll("n3 gone from n1's members", 30_000, () -> nodes.linkState(0, nodes.member(2)).isEmpty());
            assertEquals("up", nodes.linkState(0, nodes.member(1)).substring(0, 2), "n2 is still heard");
        }
    }

    /**
     * @return a TCP stack for member {@code i} of the channel: its own port, TCPPING listing the three nodes'.
     */
    private Path stack(final int i, final int[] ports) throws IOException
    {
        final int port = i < ports.length ? ports[i] : FreePorts.next();
        final String hosts = Arrays.stream(ports).mapToObj(p -> "127.0.0.1[" + p + "]")
            .collect(Collectors.joining(","));
        final Path file = dir.resolve("jgroups-" + i + ".xml");
        Files.writeString(file, """
            <config xmlns="urn:org:jgroups">
                <TCP bind_addr="127.0.0.1" bind_port="%d" port_range="0" diag.enabled="false"/>
                <TCPPING initial_hosts="%s" port_range="0"/>
                <MERGE3 min_interval="1000" max_interval="3000"/>
                <FD_ALL3 timeout="3000" interval="1000"/>
                <VERIFY_SUSPECT timeout="500"/>
                <pbcast.NAKACK2 use_mcast_xmit="false"/>
                <UNICAST3/>
                <pbcast.STABLE/>
                <pbcast.GMS print_local_addr="false" join_timeout="1000"/>
                <FRAG4 frag_size="60000"/>
            </config>
            """.formatted(port, hosts));
        return file;
    }
}
