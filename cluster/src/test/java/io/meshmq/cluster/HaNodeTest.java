package io.meshmq.cluster;

import io.meshmq.engine.BrokerContext;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.net.InetAddress;
import java.net.ServerSocket;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * What a node with ha.quorum refuses before it starts anything, each time saying which setting to fix.
 */
class HaNodeTest
{
    @TempDir
    Path dir;

    @Test
    void shouldRefuseSettingsItCannotServeWithAndSayWhich() throws Exception
    {
        assertRefused(context().clusterName(null), "ha.quorum needs cluster = NAME");
        assertRefused(context().haQuorumBind(null), "needs ha.quorum-bind");
        assertRefused(context().haQuorumBind("127.0.0.1:4"), "ha.quorum-bind = 127.0.0.1:4 is not one of ha.quorum");
        assertRefused(context().port(0), "needs a fixed port");
        assertRefused(context().haBackup(true), "ha.role = backup needs ha.live");

        // A broker's data directory from before ha.quorum: its files are at the top, not under journal/.
        Files.writeString(dir.resolve("node.id"), "0b0e6bd8-0f5b-4b4a-9d3d-4c2d2a1f6a55\n");
        assertRefused(context(), "holds a broker's data at its top");
        assertFalse(Files.exists(dir.resolve(HaNode.JOURNAL)), "nothing was made");
    }

    @Test
    void shouldTellALiveThatIsGoneFromOneThatTakesConnectionsOrCannotBeReached() throws Exception
    {
        final int port;
        try (ServerSocket listening = new ServerSocket(0, 1, InetAddress.getLoopbackAddress()))
        {
            port = listening.getLocalPort();
            assertEquals(HaNode.Reach.LISTENING, HaNode.reach("127.0.0.1:" + port, 1_000));
        }
        assertEquals(HaNode.Reach.GONE, HaNode.reach("127.0.0.1:" + port, 1_000), "nothing listens there any more");
        assertEquals(HaNode.Reach.SILENT, HaNode.reach("not an address", 1_000));
    }

    private BrokerContext context()
    {
        final BrokerContext context = new BrokerContext().dataDir(dir).clusterName("c").port(7918)
            .haQuorumBind("127.0.0.1:1");
        context.haQuorum().addAll(List.of("127.0.0.1:1", "127.0.0.1:2", "127.0.0.1:3"));
        return context;
    }

    private static void assertRefused(final BrokerContext context, final String why)
    {
        final IllegalArgumentException refused = assertThrows(IllegalArgumentException.class,
            () -> HaNode.start(context, null));
        assertTrue(refused.getMessage().contains(why), refused.getMessage());
    }
}
