package io.meshmq.cluster.routing;

import io.meshmq.cluster.ClusterCommand;
import io.meshmq.cluster.routing.ClusterHarness.FakeConnection;
import io.meshmq.cluster.wire.ClusterFrameDecoder;
import io.meshmq.engine.processor.AddressSettingsMatcher;
import io.meshmq.engine.ring.EngineEvent;
import io.meshmq.protocol.AdminTable;
import io.meshmq.protocol.AdminVerbs;
import io.meshmq.protocol.DestinationType;
import io.meshmq.protocol.FrameType;
import io.meshmq.selector.Selector;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * Full and partial repositories inside the processor: a partial node parks the first message to a name until a full
 * repository answers, then routes it to the node it was told of and wants a link to that node; closes that link once
 * idle without counting the node down; takes a node it could not reach for unreachable until told of it again; and
 * keeps a message no repository answered for. A full repository links back to a partial node, answers its lookups and
 * tells it of later changes while it is joined.
 */
class RepositoryRoutingTest
{
    private static final String C = "node-c";
    private static final String C_URL = "127.0.0.1:3";
    private static final long IDLE_MS = 60_000;

    @TempDir
    Path dir;

    @Test
    void shouldParkTheFirstSendUntilARepositoryAnswersThenRouteItToTheNodeItToldOf()
    {
        final ClusterHarness a = ClusterHarness.partial(dir, IDLE_MS);
        final FakeConnection b = a.linkUp();
        a.send(DestinationType.QUEUE, "orders");
        assertEquals(List.of("orders"), lookups(b), "the full repository is asked");
        assertEquals("", status(a, C, "backlog"), "c is not known yet");

        tellOfC(a, 1);
        a.command(null, new ClusterCommand.LookupAnswered(ClusterHarness.OTHER, "orders"));
        assertEquals(1L, status(a, C, "backlog"), "the parked message went to c, whose queue has a consumer");
        assertEquals("repository b", status(a, C, "found"));
        assertEquals(Map.of(C_URL, C), a.linksWanted(), "a message waits for c: a link to it is wanted");

        a.send(DestinationType.QUEUE, "orders");
        assertEquals(2L, status(a, C, "backlog"));
        assertEquals(List.of("orders"), lookups(b), "a name answered is not asked again");
    }

    @Test
    void shouldCloseAnIdleLinkWithoutTakingTheNodeForDownAndLinkAgainWhenSentSomething()
    {
        final ClusterHarness a = sentToC();

        final FakeConnection c = new FakeConnection(50);
        a.command(null, new ClusterCommand.LinkUp(C, "c", C_URL, c, true));
        a.command(null, queueOfC(1));
        a.command(null, ClusterCommand.Binding.snapshotEnd(C));
        for (final ClusterHarness.Forward forward : c.forwards())
        {
            a.command(null, new ClusterCommand.Forwarded(C, forward.sequence(), null));
        }
        assertEquals(0L, status(a, C, "backlog"));
        a.tick();
        a.nowMs.addAndGet(IDLE_MS - 2_000);
        a.tick();
        assertEquals(Map.of(C_URL, C), a.linksWanted(), "not idle for the timeout yet");
        a.nowMs.addAndGet(3_000);
        a.tick();
        assertEquals(Map.of(), a.linksWanted(), "idle for the timeout: the link is closed");

        a.command(null, new ClusterCommand.LinkDown(C, "the connection was closed"));
        assertTrue(String.valueOf(status(a, C, "state")).startsWith("idle"), String.valueOf(status(a, C, "state")));
        assertEquals(1L, status(a, C, "consumers"), "its consumers still count");
        a.send(DestinationType.QUEUE, "orders");
        assertEquals(1L, status(a, C, "backlog"), "sent to c, which is reachable on demand");
        assertEquals(Map.of(C_URL, C), a.linksWanted(), "and linked again");
    }

    @Test
    void shouldNotTakeANodeWhoseLinkWentDownForReachableWhenTheLinkTimesOut()
    {
        final ClusterHarness a = ClusterHarness.partial(dir, IDLE_MS);
        a.linkUp();
        a.send(DestinationType.TOPIC, "news");
        a.command(null, new ClusterCommand.Known(ClusterHarness.OTHER, C, "c", C_URL, subscriptionOfC()));
        a.command(null, new ClusterCommand.LookupAnswered(ClusterHarness.OTHER, "news"));
        assertEquals(1L, status(a, C, "backlog"), "published to c's subscriber");

        final FakeConnection c = new FakeConnection(50);
        a.command(null, new ClusterCommand.LinkUp(C, "c", C_URL, c, true));
        a.command(null, subscriptionOfC());
        a.command(null, ClusterCommand.Binding.snapshotEnd(C));
        for (final ClusterHarness.Forward forward : c.forwards())
        {
            a.command(null, new ClusterCommand.Forwarded(C, forward.sequence(), null));
        }
        a.tick();
        a.command(null, new ClusterCommand.LinkDown(C, "nothing came from c for 3000 ms"));
        a.nowMs.addAndGet(IDLE_MS + 1_000);
        a.tick();
        assertEquals(Map.of(), a.linksWanted(), "nothing waits for c: no link wanted");
        a.send(DestinationType.TOPIC, "news");
        assertEquals(0L, status(a, C, "backlog"), "c went down: its subscriber is gone until c is told of again");
    }

    @Test
    void shouldSendNothingToANodeItCouldNotReachUntilARepositoryTellsOfItAgain()
    {
        final ClusterHarness a = sentToC();
        assertEquals(1L, status(a, C, "backlog"));

        a.command(null, new ClusterCommand.Unreachable(C, "connection refused"));
        assertEquals("down: connection refused", status(a, C, "state"));
        a.send(DestinationType.QUEUE, "orders");
        assertEquals(1L, status(a, C, "backlog"), "kept here, not sent to a node it cannot reach");

        tellOfC(a, 2);
        a.send(DestinationType.QUEUE, "orders");
        assertEquals(2L, status(a, C, "backlog"), "reachable again once a repository tells of it");
    }

    @Test
    void shouldRefuseANodesNameItHasNotLearnedYetAndAskTheRepositories()
    {
        final ClusterHarness a = ClusterHarness.partial(dir, IDLE_MS);
        final FakeConnection b = a.linkUp();
        final String refusal = a.answer(a.sendAndAwait(DestinationType.QUEUE, "orders@c"));
        assertTrue(refusal.startsWith("no node 'c' in cluster 'test'") && refusal.contains("this partial node has " +
            "not learned of queue 'orders' from a full repository yet: it asks them now"), refusal);
        assertEquals(List.of("orders"), lookups(b));

        tellOfC(a, 0);
        a.command(null, new ClusterCommand.LookupAnswered(ClusterHarness.OTHER, "orders"));
        final long send = a.sendAndAwait(DestinationType.QUEUE, "orders@c");
        assertEquals(1L, status(a, C, "backlog"), "to c, though its queue has no consumer: the name says c");
        assertEquals(null, a.answer(send), "answered once c stored it (unreachable-node = fail for such names)");
        assertEquals(Map.of(C_URL, C), a.linksWanted());
    }

    @Test
    void shouldKeepAMessageNoRepositoryAnsweredFor()
    {
        final ClusterHarness a = ClusterHarness.partial(dir, IDLE_MS);
        a.consume(a.client, 1, "orders", 10);
        a.send(DestinationType.QUEUE, "orders");
        assertEquals(0, a.client.deliveries(), "waits for an answer");
        a.nowMs.addAndGet(Lookups.ANSWER_WAIT_MS);
        a.tick();
        assertEquals(1, a.client.deliveries(), "no answer in time: routed with what this node knows");
        a.send(DestinationType.QUEUE, "orders");
        assertEquals(2, a.client.deliveries(), "later messages do not wait");
    }

    @Test
    void shouldAnswerAPartialNodesLookupsAndTellItOfChangesWhileItIsJoined()
    {
        final ClusterHarness a = new ClusterHarness(dir, new AddressSettingsMatcher());
        a.command(null, new ClusterCommand.LinkUp(C, "c", C_URL, new FakeConnection(50), true));
        a.command(null, queueOfC(1));
        a.command(null, ClusterCommand.Binding.snapshotEnd(C));

        final FakeConnection b = a.open();
        a.command(b, new ClusterCommand.Join(7, "test", ClusterHarness.OTHER, "b", "127.0.0.1:2", true));
        assertEquals(Map.of("127.0.0.1:2", ClusterHarness.OTHER), a.linksWanted(), "a full repository links back");
        a.command(b, new ClusterCommand.Lookup("orders"));
        final List<ClusterCommand> told = known(b);
        assertEquals(2, told.size(), told.toString());
        final ClusterCommand.Known orders = (ClusterCommand.Known)told.get(0);
        assertEquals(List.of(C, "c", C_URL, "orders", 1), List.of(orders.nodeId(), orders.nodeName(), orders.url(),
            orders.binding().queue(), orders.binding().consumers()));
        assertEquals(new ClusterCommand.LookupAnswered("node-a", "orders"), told.get(1));

        a.command(null, queueOfC(3));
        assertEquals(3, ((ClusterCommand.Known)known(b).get(2)).binding().consumers(), "a change is told");
        // c's link comes up again, and its snapshot no longer names orders: b hears it is gone.
        a.command(null, new ClusterCommand.LinkUp(C, "c", C_URL, new FakeConnection(51), true));
        a.command(null, ClusterCommand.Binding.snapshotEnd(C));
        final ClusterCommand.Known gone = (ClusterCommand.Known)known(b).get(3);
        assertEquals(List.of("orders", false), List.of(gone.binding().queue(), gone.binding().exists()));
        a.run(EngineEvent.CONNECTION_CLOSED, b, e -> { });
        assertEquals(Map.of(), a.linksWanted(), "b left: no link back");
        a.command(null, queueOfC(0));
        assertEquals(4, known(b).size(), "nothing more is told");
    }

    /**
     * @return a partial node that sent a first message to orders, answered by b: c has it, with a consumer.
     */
    private ClusterHarness sentToC()
    {
        final ClusterHarness a = ClusterHarness.partial(dir, IDLE_MS);
        a.linkUp();
        a.send(DestinationType.QUEUE, "orders");
        tellOfC(a, 1);
        a.command(null, new ClusterCommand.LookupAnswered(ClusterHarness.OTHER, "orders"));
        return a;
    }

    private static void tellOfC(final ClusterHarness a, final int consumers)
    {
        a.command(null, new ClusterCommand.Known(ClusterHarness.OTHER, C, "c", C_URL, queueOfC(consumers)));
    }

    /**
     * @return c's non-durable subscription of topic news, with a consumer.
     */
    private static ClusterCommand.Binding subscriptionOfC()
    {
        return new ClusterCommand.Binding(C, DestinationType.TOPIC, "news", "sub", true, false, null, 1,
            new Selector[] {null}, 1, 1, "");
    }

    private static ClusterCommand.Binding queueOfC(final int consumers)
    {
        return new ClusterCommand.Binding(C, DestinationType.QUEUE, "orders", "orders", true, true, null, consumers,
            consumers == 0 ? new Selector[0] : new Selector[] {null}, 1, 1, "");
    }

    private static List<String> lookups(final FakeConnection link)
    {
        final List<String> names = new ArrayList<>();
        for (final ClusterHarness.Frame frame : link.frames(FrameType.CLUSTER_LOOKUP))
        {
            names.add(frame.reader().readString());
        }
        return names;
    }

    private static List<ClusterCommand> known(final FakeConnection peer)
    {
        final List<ClusterCommand> told = new ArrayList<>();
        for (final ClusterHarness.Frame frame : peer.frames(FrameType.CLUSTER_KNOWN))
        {
            told.add(ClusterFrameDecoder.known(frame.reader(), "node-a"));
        }
        return told;
    }

    /**
     * @return a column of node {@code nodeId}'s status row, "" if it has none.
     */
    private static Object status(final ClusterHarness a, final String nodeId, final String column)
    {
        final AdminTable status = a.cluster.admin(AdminVerbs.CLUSTER_STATUS, new String[0]);
        for (int r = 0; r < status.rows().size(); r++)
        {
            if (nodeId.equals(status.value(r, "id")))
            {
                return status.value(r, column);
            }
        }
        return "";
    }
}
