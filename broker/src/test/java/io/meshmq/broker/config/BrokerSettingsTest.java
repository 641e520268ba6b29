package io.meshmq.broker.config;

import io.meshmq.broker.cli.RunCommand;
import io.meshmq.broker.cli.UsageException;
import io.meshmq.engine.BrokerContext;
import io.meshmq.engine.net.Acceptor;
import io.meshmq.engine.processor.AddressSettings;
import io.meshmq.engine.processor.AddressSettingsMatcher;
import io.meshmq.engine.security.PasswordHash;
import io.meshmq.engine.security.Permission;
import io.meshmq.transport.TlsSettings;
import io.netty.handler.ssl.ClientAuth;
import io.netty.handler.ssl.SslProvider;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import java.util.Set;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

class BrokerSettingsTest
{
    @TempDir
    Path dir;

    @Test
    void shouldReadTheFileAndLetFlagsOverrideIt() throws Exception
    {
        final Path file = dir.resolve("broker.conf");
        Files.writeString(file, "# a broker\nname = n1\nbind = 127.0.0.1:9000  # comment\n\nqueues = a, b\nvm-id = none\n");
        final BrokerContext context = RunCommand.context(new String[] {"run", "--config", file.toString(), "--bind", "0.0.0.0:9100"});
        assertEquals("n1", context.name());
        assertEquals("0.0.0.0", context.host());
        assertEquals(9100, context.port());
        assertEquals(List.of("a", "b"), context.queues());
        assertNull(context.vmId());
    }

    @Test
    void shouldReadConnectionLimitsWithHalfTheLimitPerAddressByDefault() throws Exception
    {
        final Path file = dir.resolve("limits.conf");
        Files.writeString(file, "handshake-timeout = 500\nmax-connections = 100\n");
        final BrokerContext context = new BrokerContext();
        BrokerSettings.applyFile(file, context);
        assertEquals(500, context.handshakeTimeoutMs());
        assertEquals(100, context.maxConnections());
        assertEquals(50, context.maxConnectionsPerAddress());

        Files.writeString(file, "max-connections = -1\nmax-connections-per-address = 3\n");
        final BrokerContext unlimited = new BrokerContext();
        BrokerSettings.applyFile(file, unlimited);
        assertEquals(-1, unlimited.maxConnections());
        assertEquals(3, unlimited.maxConnectionsPerAddress());

        Files.writeString(file, "max-connections = 0\n");
        final ConfigException zero = assertThrows(ConfigException.class, () -> BrokerSettings.applyFile(file, new BrokerContext()));
        assertTrue(zero.getMessage().startsWith(file + ":1: max-connections"), zero.getMessage());
        assertTrue(zero.getMessage().contains("or -1 for no limit"), zero.getMessage());
    }

    @Test
    void shouldNameFileLineAndKeyOfABadSetting() throws Exception
    {
        final Path file = dir.resolve("bad.conf");
        Files.writeString(file, "name = ok\nring-size = 1000\n");
        final ConfigException ex = assertThrows(ConfigException.class, () -> BrokerSettings.applyFile(file, new BrokerContext()));
        assertTrue(ex.getMessage().startsWith(file + ":2: ring-size"), ex.getMessage());
        assertTrue(ex.getMessage().contains("power of two"), ex.getMessage());

        Files.writeString(file, "colour = red\n");
        final ConfigException unknown = assertThrows(ConfigException.class, () -> BrokerSettings.applyFile(file, new BrokerContext()));
        assertTrue(unknown.getMessage().contains(":1: unknown key 'colour'"), unknown.getMessage());

        Files.writeString(file, "just words\n");
        assertTrue(assertThrows(ConfigException.class, () -> BrokerSettings.applyFile(file, new BrokerContext()))
            .getMessage().contains("expected 'key = value'"));

        // Found by ConfigFuzzTest: a path the file system cannot take escaped as InvalidPathException.
        final ConfigException badPath = assertThrows(ConfigException.class,
            () -> BrokerSettings.applyLines("x.conf", List.of("data = a\u0000b"), new BrokerContext()));
        assertTrue(badPath.getMessage().startsWith("x.conf:1: data: 'a"), badPath.getMessage());

        Files.writeString(file, "name = a\nname = b\n");
        assertTrue(assertThrows(ConfigException.class, () -> BrokerSettings.applyFile(file, new BrokerContext()))
            .getMessage().contains("already set on line 1"));

        assertTrue(assertThrows(ConfigException.class,
            () -> BrokerSettings.applyFile(dir.resolve("missing.conf"), new BrokerContext())).getMessage().contains("does not exist"));
    }

    @Test
    void shouldReadPermissionsKeepingThePatternsCase() throws Exception
    {
        final Path file = dir.resolve("security.conf");
        Files.writeString(file, "user.app = " + PasswordHash.hash("s") + "\nuser.app.roles = app\n" +
            "Security.Orders.*.SEND = app, ops\nsecurity.*.manage = ops\n");
        final BrokerContext context = new BrokerContext();
        BrokerSettings.applyFile(file, context);
        assertEquals(Set.of("app", "ops"), context.security().rolesFor("Orders.new", Permission.SEND));
        assertEquals(Set.of(), context.security().rolesFor("orders.new", Permission.SEND), "patterns keep their case");
        assertEquals(Set.of("ops"), context.security().rolesFor("anything", Permission.MANAGE));
        assertTrue(context.describeSecurity().contains("2 address patterns"), context.describeSecurity());

        Files.writeString(file, "name = x\nsecurity.orders.write = app\n");
        final ConfigException unknown = assertThrows(ConfigException.class, () -> BrokerSettings.applyFile(file, new BrokerContext()));
        assertTrue(unknown.getMessage().startsWith(file + ":2: security.orders.write"), unknown.getMessage());
        assertTrue(unknown.getMessage().contains("unknown permission 'write'"), unknown.getMessage());

        Files.writeString(file, "security.send = app\n");
        final ConfigException noPattern = assertThrows(ConfigException.class, () -> BrokerSettings.applyFile(file, new BrokerContext()));
        assertTrue(noPattern.getMessage().contains("expected security.PATTERN.PERMISSION"), noPattern.getMessage());

        Files.writeString(file, "security.a*b.send = app\n");
        final ConfigException badPattern = assertThrows(ConfigException.class, () -> BrokerSettings.applyFile(file, new BrokerContext()));
        assertTrue(badPattern.getMessage().contains("may only end in '*'"), badPattern.getMessage());
    }

    @Test
    void shouldReadTheNodesWeightAndRankUnderWhatAnAddressPatternSets() throws Exception
    {
        final BrokerContext context = new BrokerContext();
        BrokerSettings.applyLines("w.conf", List.of("cluster.weight = 3", "cluster.rank = 2",
            "address.orders.*.cluster-weight = 5", "address.orders.*.prefer-local = false"), context);
        final AddressSettings orders = context.addressSettings().resolve("orders.new");
        assertEquals(5, orders.clusterWeight());
        assertEquals(2, orders.clusterRank());
        assertFalse(orders.preferLocal());
        final AddressSettings other = context.addressSettings().resolve("invoices");
        assertEquals(3, other.clusterWeight());
        assertTrue(other.preferLocal());

        final ConfigException zero = assertThrows(ConfigException.class,
            () -> BrokerSettings.applyLines("w.conf", List.of("name = a", "cluster.weight = 0"), new BrokerContext()));
        assertTrue(zero.getMessage().startsWith("w.conf:2: cluster.weight") &&
            zero.getMessage().contains("cluster-weight 0 must be 1 to 1000"), zero.getMessage());
        final ConfigException rank = assertThrows(ConfigException.class,
            () -> BrokerSettings.applyLines("w.conf", List.of("address.a.cluster-rank = 10"), new BrokerContext()));
        assertTrue(rank.getMessage().contains("cluster-rank 10 must be 1 (first choice) to 9"), rank.getMessage());
        final ConfigException huge = assertThrows(ConfigException.class,
            () -> BrokerSettings.applyLines("w.conf", List.of("cluster.weight = 4294967297"), new BrokerContext()));
        assertTrue(huge.getMessage().contains("out of range"), huge.getMessage());
        final ConfigException local = assertThrows(ConfigException.class,
            () -> BrokerSettings.applyLines("w.conf", List.of("address.a.prefer-local = maybe"), new BrokerContext()));
        assertTrue(local.getMessage().contains("prefer-local 'maybe' must be true or false"), local.getMessage());

        final BrokerContext fast = new BrokerContext();
        BrokerSettings.applyLines("w.conf", List.of("processor.wait = Yield"), fast);
        assertEquals(io.meshmq.engine.ProcessorWait.YIELD, fast.processorWait());
        final ConfigException wait = assertThrows(ConfigException.class,
            () -> BrokerSettings.applyLines("w.conf", List.of("processor.wait = nap"), new BrokerContext()));
        assertTrue(wait.getMessage().contains("expected block (the default), yield or spin"), wait.getMessage());
    }

    @Test
    void shouldReadTlsAndAcceptors() throws Exception
    {
        final BrokerContext context = new BrokerContext();
        BrokerSettings.applyLines("tls.conf", List.of("tls.keystore = b.p12", "tls.keystore-password = kp",
            "tls.truststore = ca.jks", "tls.truststore-password = tp", "tls.truststore-type = JKS", "tls.client-auth = need",
            "tls.provider = openssl", "tls = true", "acceptor.secure.tls = true", "acceptor.secure.bind = 127.0.0.1:7919"),
            context);
        assertEquals(new TlsSettings("b.p12", "kp", null, "ca.jks", "tp", "JKS", ClientAuth.REQUIRE, true,
            SslProvider.OPENSSL), context.tls());
        assertTrue(context.defaultAcceptorTls());
        assertEquals(List.of(new Acceptor("secure", "127.0.0.1", 7919, true)), context.acceptors());

        final ConfigException unknown = assertThrows(ConfigException.class,
            () -> BrokerSettings.applyLines("x.conf", List.of("tls.colour = red"), new BrokerContext()));
        assertTrue(unknown.getMessage().startsWith("x.conf:1: tls.colour: unknown TLS setting"), unknown.getMessage());
        final ConfigException unset = assertThrows(ConfigException.class, () -> BrokerSettings.applyLines("x.conf",
            List.of("tls.keystore-password = env:MESHMQ_NO_SUCH_VARIABLE_SET"), new BrokerContext()));
        assertTrue(unset.getMessage().contains("MESHMQ_NO_SUCH_VARIABLE_SET, which is not set"), unset.getMessage());
        final ConfigException provider = assertThrows(ConfigException.class,
            () -> BrokerSettings.applyLines("x.conf", List.of("", "tls.provider = gnutls"), new BrokerContext()));
        assertTrue(provider.getMessage().startsWith("x.conf:2: tls.provider = gnutls: expected JDK or OPENSSL"),
            provider.getMessage());
    }

    @Test
    void shouldReadTheHaSettings() throws Exception
    {
        final BrokerContext context = new BrokerContext();
        BrokerSettings.applyLines("ha.conf", List.of("ha.role = backup", "ha.live = live.example.com:7918"), context);
        assertTrue(context.haBackup());
        assertEquals("live.example.com:7918", context.haLive());
        final ConfigException role = assertThrows(ConfigException.class,
            () -> BrokerSettings.applyLines("x.conf", List.of("ha.role = spare"), new BrokerContext()));
        assertTrue(role.getMessage().startsWith("x.conf:1: ha.role = 'spare': expected live, backup or witness"),
            role.getMessage());
        final ConfigException live = assertThrows(ConfigException.class,
            () -> BrokerSettings.applyLines("x.conf", List.of("ha.live = nowhere"), new BrokerContext()));
        assertTrue(live.getMessage().contains("ha.live = 'nowhere': expected HOST:PORT"), live.getMessage());

        final BrokerContext voter = new BrokerContext();
        BrokerSettings.applyLines("q.conf", List.of("ha.role = witness", "ha.quorum = h1:7928, h2:7928,h3:7928",
            "ha.quorum-bind = h3:7928", "ha.lease = 2500"), voter);
        assertTrue(voter.haWitness());
        assertEquals(List.of("h1:7928", "h2:7928", "h3:7928"), voter.haQuorum());
        assertEquals("h3:7928", voter.haQuorumBind());
        assertEquals(2500, voter.haLeaseMs());
        final ConfigException two = assertThrows(ConfigException.class,
            () -> BrokerSettings.applyLines("q.conf", List.of("ha.quorum = h1:1,h2:1"), new BrokerContext()));
        assertTrue(two.getMessage().startsWith("q.conf:1: ha.quorum = 'h1:1,h2:1': a quorum needs at least three"),
            two.getMessage());
        final ConfigException anyPort = assertThrows(ConfigException.class,
            () -> BrokerSettings.applyLines("q.conf", List.of("ha.quorum-bind = h1:0"), new BrokerContext()));
        assertTrue(anyPort.getMessage().contains("needs a fixed port"), anyPort.getMessage());
        final ConfigException lease = assertThrows(ConfigException.class,
            () -> BrokerSettings.applyLines("q.conf", List.of("ha.lease = 5"), new BrokerContext()));
        assertTrue(lease.getMessage().startsWith("q.conf:1: ha.lease"), lease.getMessage());

        final BrokerContext flags = RunCommand.context(new String[] {"run", "--cluster", "c", "--quorum",
            "h1:1,h2:1,h3:1", "--quorum-bind", "h3:1", "--witness"});
        assertTrue(flags.haWitness());
        assertEquals(List.of("h1:1", "h2:1", "h3:1"), flags.haQuorum());
        assertEquals("h3:1", flags.haQuorumBind());
        final ConfigException alone = assertThrows(ConfigException.class,
            () -> RunCommand.run(new String[] {"run", "--witness"}, System.out));
        assertTrue(alone.getMessage().contains("witness needs ha.quorum"), alone.getMessage());
    }

    @Test
    void shouldReadBridgesAndNameTheLineOfABridgeThatIsWrong() throws Exception
    {
        final BrokerContext context = new BrokerContext();
        BrokerSettings.applyLines("b.conf", List.of("bridge.Out.source-queue = orders",
            "bridge.Out.target-url = tcp://h:7918", "bridge.Out.filter = region = 'eu'"), context);
        assertEquals(Map.of("source-queue", "orders", "target-url", "tcp://h:7918", "filter", "region = 'eu'"),
            context.bridgeSettings().get("Out"), "the bridge's name keeps its case");

        final ConfigException key = assertThrows(ConfigException.class, () -> BrokerSettings.applyLines("b.conf",
            List.of("bridge.out.target = x"), new BrokerContext()));
        assertTrue(key.getMessage().startsWith("b.conf:1: bridge.out.target: expected bridge.NAME.KEY"),
            key.getMessage());
        final ConfigException missing = assertThrows(ConfigException.class, () -> BrokerSettings.applyLines("b.conf",
            List.of("name = a", "bridge.out.target-url = tcp://h:1"), new BrokerContext()));
        assertEquals("b.conf:2: bridge 'out': source-queue is missing", missing.getMessage());
    }

    @Test
    void shouldReadJGroupsDiscoveryAndRefuseHalfOfItOrBothKinds() throws Exception
    {
        final Path stack = dir.resolve("stack.xml");
        Files.writeString(stack, "<config/>");
        final BrokerContext context = new BrokerContext();
        BrokerSettings.applyLines("j.conf", List.of("discovery.jgroups-file = " + stack,
            "discovery.jgroups-channel = meshmq"), context);
        assertEquals(stack.toString(), context.discoveryJGroupsFile());
        assertEquals("meshmq", context.discoveryJGroupsChannel());
        assertTrue(context.discovers());
        BrokerSettings.applyLines("j.conf", List.of("discovery.jgroups-file = tcp.xml",
            "discovery.jgroups-channel = meshmq"), new BrokerContext());

        final ConfigException missing = assertThrows(ConfigException.class, () -> BrokerSettings.applyLines("j.conf",
            List.of("discovery.jgroups-file = " + dir.resolve("none.xml")), new BrokerContext()));
        assertTrue(missing.getMessage().startsWith("j.conf:1: discovery.jgroups-file") &&
            missing.getMessage().contains("no such file"), missing.getMessage());
        final ConfigException half = assertThrows(ConfigException.class, () -> BrokerSettings.applyLines("j.conf",
            List.of("name = a", "discovery.jgroups-channel = meshmq"), new BrokerContext()));
        assertTrue(half.getMessage().startsWith("j.conf:2: discovery over JGroups needs both"), half.getMessage());
        final ConfigException both = assertThrows(ConfigException.class, () -> BrokerSettings.applyLines("j.conf",
            List.of("discovery.jgroups-file = tcp.xml", "discovery.jgroups-channel = meshmq",
                "discovery.group-address = 239.7.9.18", "discovery.group-port = 9876"), new BrokerContext()));
        assertTrue(both.getMessage().startsWith("j.conf:3: discovery.group-address (line 3) and " +
            "discovery.jgroups-channel (line 2) both set"), both.getMessage());
    }

    @Test
    void shouldReadDiscoveryAndNameWhatIsWrong() throws Exception
    {
        final BrokerContext context = new BrokerContext();
        BrokerSettings.applyLines("d.conf", List.of("discovery.group-port = 9876",
            "discovery.group-address = 239.7.9.18", "discovery.local-bind-address = 127.0.0.1",
            "discovery.broadcast-period = 500", "discovery.refresh-timeout = 5000"), context);
        assertEquals("239.7.9.18:9876", context.discoveryGroup());
        assertEquals("127.0.0.1", context.discoveryLocalBind());
        assertEquals(500, context.discoveryBroadcastPeriodMs());
        assertEquals(5000, context.discoveryRefreshTimeoutMs());
        assertEquals("239.7.9.18:9876", context.copy().discoveryGroup(), "a colocated backup announces itself too");
        final ConfigException unicast = assertThrows(ConfigException.class,
            () -> BrokerSettings.applyLines("d.conf", List.of("discovery.group-address = 10.0.0.1"),
                new BrokerContext()));
        assertTrue(unicast.getMessage().startsWith("d.conf:1: discovery.group-address = '10.0.0.1': not a multicast"),
            unicast.getMessage());
        final ConfigException port = assertThrows(ConfigException.class,
            () -> BrokerSettings.applyLines("d.conf", List.of("", "discovery.group-port = 70000"),
                new BrokerContext()));
        assertTrue(port.getMessage().startsWith("d.conf:2: discovery.group-port"), port.getMessage());
        final ConfigException period = assertThrows(ConfigException.class,
            () -> BrokerSettings.applyLines("d.conf", List.of("discovery.broadcast-period = 0"), new BrokerContext()));
        assertTrue(period.getMessage().startsWith("d.conf:1: discovery.broadcast-period"), period.getMessage());
    }

    @Test
    void shouldReadReplicationAmongMembers() throws Exception
    {
        final BrokerContext context = new BrokerContext();
        assertFalse(context.haFailback());
        BrokerSettings.applyLines("r.conf", List.of("ha = Replication", "ha.backup-bind = 127.0.0.1:8018",
            "ha.failback = TRUE"), context);
        assertTrue(context.haReplication());
        assertEquals("127.0.0.1:8018", context.haBackupBind());
        assertTrue(context.haFailback());
        assertTrue(context.copy().haFailback(), "a colocated backup's context keeps it");
        final ConfigException failback = assertThrows(ConfigException.class,
            () -> BrokerSettings.applyLines("r.conf", List.of("ha.failback = yes"), new BrokerContext()));
        assertTrue(failback.getMessage().startsWith("r.conf:1: ha.failback = 'yes': expected true or false"),
            failback.getMessage());
        final ConfigException other = assertThrows(ConfigException.class,
            () -> BrokerSettings.applyLines("r.conf", List.of("ha = shared-store"), new BrokerContext()));
        assertTrue(other.getMessage().startsWith("r.conf:1: ha = 'shared-store': expected replication or none"),
            other.getMessage());
        final ConfigException anyPort = assertThrows(ConfigException.class,
            () -> BrokerSettings.applyLines("r.conf", List.of("", "ha.backup-bind = h:0"), new BrokerContext()));
        assertTrue(anyPort.getMessage().startsWith("r.conf:2: ha.backup-bind = 'h:0': needs a fixed port"),
            anyPort.getMessage());

        assertEquals(BrokerContext.DEFAULT_HA_RE_REPLICATE_AFTER_MS, new BrokerContext().haReReplicateAfterMs());
        final BrokerContext spare = new BrokerContext();
        BrokerSettings.applyLines("r.conf", List.of("ha.spare-bind = 127.0.0.1:8118", "ha.re-replicate-after = 5000"),
            spare);
        assertEquals("127.0.0.1:8118", spare.haSpareBind());
        assertEquals(5000, spare.copy().haReReplicateAfterMs(), "a colocated node's context keeps it");
        BrokerSettings.applyLines("r.conf", List.of("ha.re-replicate-after = Never"), spare);
        assertEquals(-1, spare.haReReplicateAfterMs());
        final ConfigException spareAnyPort = assertThrows(ConfigException.class,
            () -> BrokerSettings.applyLines("r.conf", List.of("ha.spare-bind = h:0"), new BrokerContext()));
        assertTrue(spareAnyPort.getMessage().startsWith("r.conf:1: ha.spare-bind = 'h:0': needs a fixed port"),
            spareAnyPort.getMessage());
        final ConfigException after = assertThrows(ConfigException.class,
            () -> BrokerSettings.applyLines("r.conf", List.of("ha.re-replicate-after = soon"), new BrokerContext()));
        assertTrue(after.getMessage().startsWith("r.conf:1: ha.re-replicate-after = 'soon': expected ms without a " +
            "replica before a spare adopts a journal (0-86400000), or never"), after.getMessage());

        assertTrue(RunCommand.context(new String[] {"run", "--ha", "replication"}).haReplication());
        assertTrue(RunCommand.context(new String[] {"run", "--cluster", "c", "--members", "127.0.0.1:7918",
            "--repository", "partial"}).clusterPartial());
        final ConfigException alone = assertThrows(ConfigException.class, () -> RunCommand.context(new String[] {"run",
            "--cluster", "c", "--repository", "partial"}));
        assertTrue(alone.getMessage().contains("needs --members (cluster.members) naming the full repositories"),
            alone.getMessage());
        final ConfigException noQuorum = assertThrows(ConfigException.class,
            () -> RunCommand.run(new String[] {"run", "--ha", "replication"}, System.out));
        assertTrue(noQuorum.getMessage().contains("ha = replication needs ha.quorum"), noQuorum.getMessage());
    }

    @Test
    void shouldReadTheClusterSettings() throws Exception
    {
        final Path file = dir.resolve("cluster.conf");
        Files.writeString(file, "cluster = prod\ncluster.members = 127.0.0.1:7918, 127.0.0.1:7919\n" +
            "cluster.advertise = mq1.example.com:7918\n");
        final BrokerContext context = new BrokerContext();
        BrokerSettings.applyFile(file, context);
        assertEquals("prod", context.clusterName());
        assertEquals(List.of("127.0.0.1:7918", "127.0.0.1:7919"), context.clusterMembers());
        assertEquals("mq1.example.com:7918", context.clusterAdvertise());

        assertEquals(BrokerContext.DEFAULT_CLUSTER_SEND_TIMEOUT_MS, context.clusterSendTimeoutMs());
        BrokerSettings.applyLines("c.conf", List.of("cluster.send-timeout = 2500",
            "address.orders.unreachable-node = HOLD", "address.logs.unreachable-node = fail"), context);
        assertEquals(2500, context.clusterSendTimeoutMs());
        final AddressSettingsMatcher addresses = context.addressSettings();
        assertEquals(AddressSettings.UnreachableNode.HOLD, addresses.resolve("orders").unreachableNode(true));
        assertEquals(AddressSettings.UnreachableNode.FAIL, addresses.resolve("logs").unreachableNode(false));
        assertEquals(AddressSettings.UnreachableNode.FAIL, addresses.resolve("x").unreachableNode(true),
            "a name that says its node fails by default");
        assertEquals(AddressSettings.UnreachableNode.HOLD, addresses.resolve("x").unreachableNode(false),
            "a plain name holds by default");
        final ConfigException unreachable = assertThrows(ConfigException.class, () -> BrokerSettings.applyLines(
            "c.conf", List.of("name = a", "address.x.unreachable-node = wait"), new BrokerContext()));
        assertTrue(unreachable.getMessage().startsWith("c.conf:2: address.x.unreachable-node") &&
            unreachable.getMessage().contains("unreachable-node 'wait' must be fail or hold"),
            unreachable.getMessage());
        final ConfigException timeout = assertThrows(ConfigException.class, () -> BrokerSettings.applyLines(
            "c.conf", List.of("cluster.send-timeout = 0"), new BrokerContext()));
        assertTrue(timeout.getMessage().startsWith("c.conf:1: cluster.send-timeout"), timeout.getMessage());

        assertFalse(context.clusterPartial());
        assertEquals(BrokerContext.DEFAULT_CLUSTER_IDLE_LINK_TIMEOUT_MS, context.clusterIdleLinkTimeoutMs());
        final BrokerContext partial = new BrokerContext();
        BrokerSettings.applyLines("p.conf", List.of("cluster = c", "cluster.members = 127.0.0.1:7918",
            "cluster.repository = Partial", "cluster.idle-link-timeout = 5000"), partial);
        assertTrue(partial.clusterPartial());
        assertEquals(5000, partial.clusterIdleLinkTimeoutMs());
        final ConfigException repository = assertThrows(ConfigException.class, () -> BrokerSettings.applyLines(
            "p.conf", List.of("cluster.repository = half"), new BrokerContext()));
        assertTrue(repository.getMessage().startsWith("p.conf:1: cluster.repository = 'half': expected full"),
            repository.getMessage());
        final ConfigException noMembers = assertThrows(ConfigException.class, () -> BrokerSettings.applyLines(
            "p.conf", List.of("cluster = c", "cluster.repository = partial"), new BrokerContext()));
        assertTrue(noMembers.getMessage().startsWith("p.conf:2: cluster.repository = partial needs cluster.members") &&
            noMembers.getMessage().endsWith("or discovery to find them"), noMembers.getMessage());
        final BrokerContext discovers = new BrokerContext();
        BrokerSettings.applyLines("p.conf", List.of("cluster = c", "cluster.repository = partial",
            "discovery.group-address = 231.7.7.7", "discovery.group-port = 9876"), discovers);
        assertTrue(discovers.clusterPartial(), "discovery finds the full repositories");
        final ConfigException idle = assertThrows(ConfigException.class, () -> BrokerSettings.applyLines(
            "p.conf", List.of("cluster.idle-link-timeout = 10"), new BrokerContext()));
        assertTrue(idle.getMessage().startsWith("p.conf:1: cluster.idle-link-timeout"), idle.getMessage());

        assertEquals("none", context.groupingType());
        BrokerSettings.applyLines("g.conf", List.of("grouping.type = LOCAL", "grouping.timeout = 2000",
            "grouping.group-timeout = 60000", "grouping.reaper-period = 1000"), context);
        assertEquals("local", context.groupingType());
        assertEquals(2000, context.groupingTimeoutMs());
        assertEquals(60000, context.groupingGroupTimeoutMs());
        assertEquals(1000, context.groupingReaperPeriodMs());
        final ConfigException type = assertThrows(ConfigException.class, () -> BrokerSettings.applyLines("g.conf",
            List.of("grouping.type = central"), new BrokerContext()));
        assertTrue(type.getMessage().startsWith("g.conf:1: grouping.type") && type.getMessage().contains(
            "expected local (the node that decides where each group goes), remote"), type.getMessage());
        final ConfigException never = assertThrows(ConfigException.class, () -> BrokerSettings.applyLines("g.conf",
            List.of("grouping.group-timeout = 0"), new BrokerContext()));
        assertTrue(never.getMessage().contains("-1 (never forget a group)"), never.getMessage());

        Files.writeString(file, "cluster = prod\ncluster.advertise = mq1.example.com\n");
        final ConfigException ex = assertThrows(ConfigException.class, () -> BrokerSettings.applyFile(file, new BrokerContext()));
        assertTrue(ex.getMessage().startsWith(file + ":2: cluster.advertise"), ex.getMessage());
    }

    @Test
    void shouldRejectBadFlags()
    {
        assertTrue(assertThrows(UsageException.class, () -> RunCommand.context(new String[] {"run", "--colour", "x"}))
            .getMessage().contains("unknown argument '--colour'"));
        assertTrue(assertThrows(UsageException.class, () -> RunCommand.context(new String[] {"run", "--bind"}))
            .getMessage().contains("needs a value"));
        assertTrue(assertThrows(ConfigException.class, () -> RunCommand.context(new String[] {"run", "--bind", "h:70000"}))
            .getMessage().contains("--bind: bind port"));
    }
}
