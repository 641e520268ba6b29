package io.meshmq.cluster;

import io.meshmq.engine.BrokerContext;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * Whose journal a member's colocated backup keeps (the next member's, the last member's next being the first), where
 * it serves it once taken over, and what ha = replication refuses before it starts anything.
 */
class ColocatedNodeTest
{
    @TempDir
    Path dir;

    @Test
    void shouldBackUpTheNextMemberAndServeAPortFurther()
    {
        final BrokerContext backup = ColocatedNode.backupOf(member(7919));
        assertEquals("n-backup", backup.name());
        assertEquals("127.0.0.1:7920", backup.haLive());
        assertTrue(backup.haBackup());
        assertEquals("127.0.0.1", backup.host());
        assertEquals(7919 + BrokerContext.DEFAULT_BACKUP_PORT_OFFSET, backup.port());
        assertEquals(dir.resolve(ColocatedNode.COLOCATED), backup.dataDir());
        assertNull(backup.vmId(), "one in-VM broker per process: the node's own");
        assertEquals(dir, member(7919).dataDir(), "the node's own settings stay");

        assertEquals("127.0.0.1:7918", ColocatedNode.backupOf(member(7920)).haLive(), "the last backs up the first");
        final BrokerContext advertised = member(7918).clusterAdvertise("127.0.0.1:7918").haBackupBind("0.0.0.0:9000");
        final BrokerContext bound = ColocatedNode.backupOf(advertised);
        assertEquals("0.0.0.0", bound.host());
        assertEquals(9000, bound.port());
        assertEquals("127.0.0.1:9000", bound.clusterAdvertise(), "advertised on the node's advertised host");
    }

    @Test
    void shouldKeepASpareOfNoLiveThatServesTwoHundredPortsFurther()
    {
        final BrokerContext spare = ColocatedNode.spareOf(member(7919), ColocatedNode.backupOf(member(7919)));
        assertEquals("n-spare", spare.name());
        assertNull(spare.haLive(), "it adopts a journal without a replica when one has none");
        assertTrue(spare.haBackup());
        assertEquals(7919 + BrokerContext.DEFAULT_SPARE_PORT_OFFSET, spare.port());
        assertEquals(dir.resolve(ColocatedNode.SPARE), spare.dataDir());
        assertNull(spare.vmId());

        final BrokerContext bound = member(7918).clusterAdvertise("127.0.0.1:7918").haSpareBind("0.0.0.0:9100");
        final BrokerContext spareBound = ColocatedNode.spareOf(bound, ColocatedNode.backupOf(bound));
        assertEquals(9100, spareBound.port());
        assertEquals("127.0.0.1:9100", spareBound.clusterAdvertise());

        final BrokerContext clash = member(7918).haSpareBind("127.0.0.1:" + (7918 +
            BrokerContext.DEFAULT_BACKUP_PORT_OFFSET));
        final IllegalArgumentException refused = assertThrows(IllegalArgumentException.class,
            () -> ColocatedNode.spareOf(clash, ColocatedNode.backupOf(clash)));
        assertEquals("ha.spare-bind 127.0.0.1:8018 is where this node's backup serves; it needs a port of its own",
            refused.getMessage());
    }

    @Test
    void shouldRefuseSettingsItCannotServeWithAndSayWhich() throws Exception
    {
        assertRefused(member(7921), "needs this node's address 127.0.0.1:7921 among cluster.members");
        assertRefused(member(7918).haBackupBind("127.0.0.1:7918"), "needs a port of its own");
        assertRefused(member(65500), "past 65535: set ha.backup-bind");
        final BrokerContext alone = new BrokerContext().dataDir(dir).name("n").clusterName("c").port(7918)
            .clusterMember("127.0.0.1:7918");
        assertRefused(alone, "needs at least two cluster.members");

        assertStartRefused(member(7918).haWitness(true), "not with ha.role = witness");
        final BrokerContext noQuorum = member(7918);
        noQuorum.haQuorum().clear();
        assertStartRefused(noQuorum, "ha = replication needs ha.quorum");
        assertStartRefused(member(7918).haQuorumBind(null), "needs ha.quorum-bind");
        assertFalse(Files.exists(dir.resolve(ColocatedNode.COLOCATED)), "nothing was made");
        assertFalse(Files.exists(dir.resolve(ColocatedNode.SPARE)), "nothing was made");
    }

    private BrokerContext member(final int port)
    {
        final BrokerContext context = new BrokerContext().dataDir(dir).name("n").clusterName("c").port(port)
            .haReplication(true).haQuorumBind("127.0.0.1:1")
            .clusterMember("127.0.0.1:7920").clusterMember("127.0.0.1:7918").clusterMember("127.0.0.1:7919");
        if (port == 65500)
        {
            context.clusterMember("127.0.0.1:65500");
        }
        context.haQuorum().addAll(List.of("127.0.0.1:1", "127.0.0.1:2", "127.0.0.1:3"));
        return context;
    }

    private static void assertRefused(final BrokerContext context, final String why)
    {
        final IllegalArgumentException refused = assertThrows(IllegalArgumentException.class,
            () -> ColocatedNode.backupOf(context));
        assertTrue(refused.getMessage().contains(why), refused.getMessage());
    }

    private static void assertStartRefused(final BrokerContext context, final String why)
    {
        final IllegalArgumentException refused = assertThrows(IllegalArgumentException.class,
            () -> ColocatedNode.start(context, null));
        assertTrue(refused.getMessage().contains(why), refused.getMessage());
    }
}
