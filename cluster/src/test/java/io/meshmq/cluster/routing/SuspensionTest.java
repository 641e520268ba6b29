package io.meshmq.cluster.routing;

import io.meshmq.cluster.ClusterCommand;
import io.meshmq.cluster.routing.ClusterHarness.FakeConnection;
import io.meshmq.engine.processor.AddressSettingsMatcher;
import io.meshmq.protocol.AdminTable;
import io.meshmq.protocol.AdminVerbs;
import io.meshmq.protocol.DestinationType;
import io.meshmq.protocol.ErrorCode;
import io.meshmq.protocol.FrameType;
import io.meshmq.protocol.WireReader;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.nio.file.Path;
import java.util.List;

import static io.meshmq.cluster.routing.ClusterHarness.queueOfB;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * {@code cluster suspend|resume|force-remove} (issue 23, IBM MQ's SUSPEND and RESET CLUSTER): a suspended node gets no
 * new work while another node can take it, and moves its clients away; it says so to the nodes linked to it; a node
 * that will never return is forgotten, saying what it held.
 */
class SuspensionTest
{
    @TempDir
    Path dir;

    private ClusterHarness node()
    {
        return new ClusterHarness(dir, new AddressSettingsMatcher());
    }

    @Test
    void shouldRouteNothingToASuspendedNodeWhileAnotherCanTakeIt()
    {
        final ClusterHarness a = node();
        final FakeConnection link = a.linkUp(queueOfB("orders", 1));
        a.command(null, new ClusterCommand.Clients(ClusterHarness.OTHER, 3, true, false));
        assertEquals(true, a.statusOfB("suspended"));
        a.send(DestinationType.QUEUE, "orders");
        assertEquals(List.of(), link.forwards(), "b has the only consumer, but is suspended: it waits here");
        assertEquals(1, a.processor.queueDepth("orders"));
        assertEquals(List.of("127.0.0.1:1"), a.cluster.clientTopology(), "clients are not sent to b");

        a.command(null, new ClusterCommand.Clients(ClusterHarness.OTHER, 3, false, false));
        a.send(DestinationType.QUEUE, "orders@b");
        a.send(DestinationType.QUEUE, "orders");
        assertEquals(2, link.forwards().size(), "resumed: b takes messages again");
    }

    @Test
    void shouldStillSendToASuspendedNodeWhatOnlyItCanTake()
    {
        final ClusterHarness a = node();
        final FakeConnection link = a.linkUp(queueOfB("orders", 1));
        a.command(null, new ClusterCommand.Clients(ClusterHarness.OTHER, 0, true, false));
        a.send(DestinationType.QUEUE, "orders@b");
        assertEquals(1, link.forwards().size(), "a name that says its node is obeyed");
    }

    @Test
    void shouldSendItsWorkElsewhereAndItsClientsAwayOnceSuspended()
    {
        final ClusterHarness a = node();
        final FakeConnection link = a.linkUp(queueOfB("orders", 1));
        final FakeConnection consumer = a.open(true);
        a.consume(consumer, 1, "orders", 10);
        final AdminTable answer = a.cluster.admin(AdminVerbs.CLUSTER_SUSPEND, new String[] {"a"});
        assertEquals("suspended; 1 clients sent to other nodes", answer.value(0, "state"));
        assertTrue(consumer.closed, "a client that fails over is sent away");
        assertFalse(a.client.closed, "one that cannot fail over stays");
        assertEquals(ErrorCode.SHUTTING_DOWN, errorCode(consumer));

        final FakeConnection producer = a.open();
        a.run(io.meshmq.engine.ring.EngineEvent.SEND, producer, e ->
        {
            e.destinationType = DestinationType.QUEUE;
            e.destinationName = "orders";
            e.message = ClusterHarness.message("ID:late", DestinationType.QUEUE, "orders");
        });
        assertEquals(1, link.forwards().size(), "a send here goes to b, which is not suspended");
        assertEquals(List.of("127.0.0.1:2"), a.cluster.clientTopology(), "clients are sent to b only");
        assertEquals(true, statusOfThisNode(a, "suspended"));

        a.cluster.admin(AdminVerbs.CLUSTER_RESUME, new String[] {"a"});
        assertEquals(false, statusOfThisNode(a, "suspended"));
        assertEquals(List.of("127.0.0.1:1", "127.0.0.1:2"), a.cluster.clientTopology());
    }

    /**
     * A suspended node leaves itself out of the members it tells clients of, so that none moves to it; with HA it
     * still says which journal it serves, or a client that fails over to it would take it for the first one listed.
     */
    @Test
    void shouldTellClientsTheJournalItServesWhileLeavingItselfOutOfTheMembersWhenSuspended()
    {
        final ClusterHarness a = ClusterHarness.withJournalsMoving(dir);
        a.linkUp(queueOfB("orders", 1));
        a.cluster.admin(AdminVerbs.CLUSTER_SUSPEND, new String[] {"a"});
        final FakeConnection client = a.open(true);
        client.flush();
        final List<ClusterHarness.Frame> told = client.frames(FrameType.TOPOLOGY);
        assertEquals(1, told.size());
        final WireReader topology = told.get(0).reader();
        assertEquals(1, topology.readInt());
        assertEquals("127.0.0.1:2", topology.readString(), "only b takes new clients");
        assertEquals(1, topology.readInt());
        assertEquals(ClusterHarness.OTHER, topology.readString());
        assertEquals("node-a", topology.readString(), "the journal a serves");
    }

    @Test
    void shouldAskAnotherNodeToSuspendItselfOverItsLink()
    {
        final ClusterHarness a = node();
        final FakeConnection link = a.linkUp(queueOfB("orders", 1));
        final AdminTable answer = a.cluster.admin(AdminVerbs.CLUSTER_SUSPEND, new String[] {"b"});
        assertEquals("asked", answer.value(0, "state"));
        link.flush();
        final List<ClusterHarness.Frame> asked = link.frames(FrameType.CLUSTER_SUSPEND);
        assertEquals(1, asked.size());
        assertTrue(asked.get(0).reader().readBoolean());

        final IllegalArgumentException unknown = assertThrows(IllegalArgumentException.class,
            () -> a.cluster.admin(AdminVerbs.CLUSTER_SUSPEND, new String[] {"z"}));
        assertTrue(unknown.getMessage().contains("no node 'z' in cluster 'test' (nodes: a, b)"), unknown.getMessage());
        a.command(null, new ClusterCommand.LinkDown(ClusterHarness.OTHER, "gone"));
        final IllegalArgumentException down = assertThrows(IllegalArgumentException.class,
            () -> a.cluster.admin(AdminVerbs.CLUSTER_RESUME, new String[] {"b"}));
        assertTrue(down.getMessage().contains("node 'b' is not reachable"), down.getMessage());
    }

    @Test
    void shouldSuspendItselfWhenALinkedNodeAsksAndRefuseAStranger()
    {
        final ClusterHarness a = node();
        final FakeConnection stranger = a.open();
        a.command(stranger, new ClusterCommand.Suspend(true));
        assertEquals(1, stranger.frames(FrameType.ERROR).size());
        assertEquals(false, statusOfThisNode(a, "suspended"));
    }

    @Test
    void shouldForgetANodeThatIsGoneSayingWhatItHeldAndRefuseOneThatIsUp()
    {
        final ClusterHarness a = node();
        a.linkUp(queueOfB("orders", 1), queueOfB("invoices", 0));
        final IllegalArgumentException up = assertThrows(IllegalArgumentException.class,
            () -> a.cluster.admin(AdminVerbs.CLUSTER_FORCE_REMOVE, new String[] {"b"}));
        assertTrue(up.getMessage().contains("node 'b' is up"), up.getMessage());

        a.send(DestinationType.QUEUE, "orders@b");
        a.command(null, new ClusterCommand.LinkDown(ClusterHarness.OTHER, "gone"));
        final AdminTable removed = a.cluster.admin(AdminVerbs.CLUSTER_FORCE_REMOVE, new String[] {"b"});
        assertEquals("b", removed.value(0, "node"));
        assertEquals("invoices, orders", removed.value(0, "queues"));
        assertEquals(1L, removed.value(0, "waiting-here"));
        assertTrue(String.valueOf(removed.value(0, "state")).startsWith("removed"), removed.rows().toString());
        assertTrue(String.valueOf(a.statusOfB("state")).startsWith("removed"));
        assertEquals(0L, a.statusOfB("bindings"));
        assertFalse(a.cluster.routes(DestinationType.QUEUE, "invoices"), "nothing routed to b any more");
    }

    private static int errorCode(final FakeConnection connection)
    {
        final WireReader r = connection.frames(FrameType.ERROR).get(0).reader();
        r.readLong();
        return r.readInt();
    }

    private static Object statusOfThisNode(final ClusterHarness a, final String column)
    {
        return a.cluster.admin(AdminVerbs.CLUSTER_STATUS, new String[0]).value(0, column);
    }
}
