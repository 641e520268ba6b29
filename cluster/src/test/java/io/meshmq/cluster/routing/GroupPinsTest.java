package io.meshmq.cluster.routing;

import io.meshmq.cluster.ClusterCommand;
import io.meshmq.cluster.GroupingSettings;
import io.meshmq.cluster.routing.ClusterHarness.FakeConnection;
import io.meshmq.cluster.routing.ClusterHarness.Forward;
import io.meshmq.engine.processor.AddressSettingsMatcher;
import io.meshmq.protocol.DestinationType;
import io.meshmq.protocol.FrameType;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.nio.file.Path;
import java.util.List;

import static io.meshmq.cluster.routing.ClusterHarness.queueOfB;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * Message groups kept on one node cluster-wide (issue 21, grouping handlers): the local handler pins each group where
 * it first goes and keeps it there; remote nodes ask it and are answered once it stored the message, or told why not;
 * a node with no consumer left asks it to move a group and moves the group's waiting messages, all, to one node, and
 * what the handler parked meanwhile goes after them.
 */
class GroupPinsTest
{
    private static final GroupingSettings LOCAL = new GroupingSettings("local", 5_000, -1, 30_000);
    private static final GroupingSettings REMOTE = new GroupingSettings("remote", 5_000, -1, 30_000);

    @TempDir
    Path dir;

    private ClusterHarness node(final GroupingSettings grouping)
    {
        return new ClusterHarness(dir, new AddressSettingsMatcher(), grouping);
    }

    @Test
    void shouldKeepAGroupOnTheNodeItFirstWentToWhateverTheBalancingSaysLater()
    {
        final ClusterHarness a = node(LOCAL);
        final FakeConnection link = a.linkUp(queueOfB("orders", 1));
        a.sendGrouped("orders", "g1", 1);
        assertEquals(1, link.forwards().size(), "only b has a consumer: the group goes there");

        a.consume(a.client, 1, "orders", 100);
        a.sendGrouped("orders", "g1", 2);
        a.sendGrouped("orders", "g2", 1);
        a.send(DestinationType.QUEUE, "orders");
        assertEquals(2, link.forwards().size(), "g1 stays with b although a consumer here keeps up");
        assertEquals(2, a.client.deliveries(), "a new group and an ungrouped message stay here");

        a.sendGrouped("orders", "g1", -1);
        assertEquals(3, link.forwards().size(), "the message that ends g1 goes with it");
        a.sendGrouped("orders", "g1", 1);
        assertEquals(3, link.forwards().size(), "g1 ended: begun anew, it is decided anew");
        assertEquals(3, a.client.deliveries());
    }

    @Test
    void shouldAskTheHandlerAndAnswerTheSenderOnceTheHandlerStoredIt()
    {
        final ClusterHarness a = node(REMOTE);
        final FakeConnection link = a.linkUp(queueOfB("orders", 0));
        a.command(null, new ClusterCommand.Clients(ClusterHarness.OTHER, 0, false, true));
        a.consume(a.client, 1, "orders", 100);
        final long send = a.sendGrouped("orders", "g1", 1);
        final List<Forward> forwards = link.forwards();
        assertEquals(1, forwards.size(), "to the handler, though a consumer here would take it");
        assertEquals(List.of(), forwards.get(0).queues(), "naming no queue: the handler routes it");
        assertNull(a.answer(send));
        a.forwarded(forwards.get(0).sequence(), null);
        assertEquals("OK", a.answer(send));

        a.send(DestinationType.QUEUE, "orders");
        assertEquals(1, a.client.deliveries(), "a message in no group is routed here as ever");
    }

    @Test
    void shouldFailAGroupedSendTheHandlerDoesNotDecideInTime()
    {
        final ClusterHarness a = node(REMOTE);
        a.linkUp(queueOfB("orders", 0));
        a.command(null, new ClusterCommand.Clients(ClusterHarness.OTHER, 0, false, true));
        final long send = a.sendGrouped("orders", "g1", 1);
        a.nowMs.addAndGet(5_000);
        a.tick();
        final String failed = a.answer(send);
        assertTrue(failed.contains("node 'b' did not confirm it stored the message within 5000 ms (grouping.timeout)"),
            failed);
        assertTrue(failed.contains("it was sent and may yet be stored there"), failed);

        a.command(null, new ClusterCommand.LinkDown(ClusterHarness.OTHER, "gone"));
        final String down = a.answer(a.sendGrouped("orders", "g2", 1));
        assertTrue(down.contains("node 'b' is not reachable"), down);
    }

    @Test
    void shouldRefuseAGroupedSendWhileNoHandlerIsKnown()
    {
        final ClusterHarness a = node(REMOTE);
        a.linkUp(queueOfB("orders", 1));
        final String refused = a.answer(a.sendGrouped("orders", "g1", 1));
        assertTrue(refused.contains("message group 'g1' of 'orders' cannot be kept on one node: no node of this " +
            "cluster is its grouping handler"), refused);
        assertEquals(0, a.processor.queueDepth("orders"), "nothing stored");
    }

    @Test
    void shouldDecideTheGroupsOtherNodesAskAboutAndKeepThem()
    {
        final ClusterHarness a = node(LOCAL);
        final FakeConnection link = a.linkUp(queueOfB("orders", 1));
        final FakeConnection peer = a.joinedByB();
        a.groupedFromB(peer, 1, "orders", "g1", 1, true);
        assertEquals(List.of("orders"), link.forwards().get(0).queues(), "decided: b, which has the consumer");
        assertEquals("ID:b1", link.forwards().get(0).messageId());

        a.consume(a.client, 1, "orders", 100);
        a.groupedFromB(peer, 2, "orders", "g1", 2, true);
        assertEquals(2, link.forwards().size(), "kept with b");
        assertEquals(0, a.client.deliveries());
        assertEquals(List.of(1L, 2L), peer.frames(FrameType.OK).stream().map(f -> f.reader().readLong()).toList(),
            "b is told each is stored: as the copy for b in this node's forward queue");
    }

    @Test
    void shouldAskTheHandlerToMoveAStrandedGroupAndSendItWholeThenSayItArrived()
    {
        final ClusterHarness a = node(REMOTE);
        final FakeConnection link = a.linkUp(queueOfB("orders", 0));
        a.command(null, new ClusterCommand.Clients(ClusterHarness.OTHER, 0, false, true));
        final FakeConnection peer = a.joinedByB();
        for (int i = 1; i <= 3; i++)
        {
            a.groupedFromB(peer, i, "orders", "g1", i, false);
        }
        a.send(DestinationType.QUEUE, "orders");
        assertEquals(4, a.processor.queueDepth("orders"), "pinned here by the handler: they wait here");

        a.command(null, queueOfB("orders", 2));
        a.nowMs.addAndGet(200);
        a.tick();
        a.nowMs.addAndGet(1_000);
        a.tick();
        final List<Forward> asked = link.forwards();
        assertEquals(2, asked.size(), "the group is asked about; the message in no group moved");
        assertEquals(GroupSignal.ADDRESS, asked.get(0).address());
        assertEquals("ASK", asked.get(0).properties().get("JMS_MeshMQ_GroupSignal"));
        assertEquals("g1", asked.get(0).properties().get("JMS_MeshMQ_Group"));
        assertEquals(List.of("orders"), asked.get(1).queues());
        assertEquals(3, a.processor.queueDepth("orders"), "the group's messages wait for the handler's word");
        a.nowMs.addAndGet(1_000);
        a.tick();
        assertEquals(2, link.forwards().size(), "asked once, not at every check");

        a.signalFromB(peer, 4, new GroupSignal(GroupSignal.Kind.MOVE, "orders", "g1", "node-a", ClusterHarness.OTHER,
            9));
        final List<Forward> moved = link.forwards().subList(2, link.forwards().size());
        assertEquals(List.of("ID:b1", "ID:b2", "ID:b3"), moved.subList(0, 3).stream().map(Forward::messageId).toList(),
            "the group's messages, all, in order");
        assertEquals("ARRIVED", moved.get(3).properties().get("JMS_MeshMQ_GroupSignal"), "then word that they did");
        assertEquals(9L, ((Number)moved.get(3).properties().get("JMS_MeshMQ_GroupMove")).longValue());
        assertEquals(0, a.processor.queueDepth("orders"));
    }

    @Test
    void shouldAnswerThatAGroupStaysWhenItsQueueHasAConsumerAgain()
    {
        final ClusterHarness a = node(REMOTE);
        final FakeConnection link = a.linkUp(queueOfB("orders", 2));
        a.command(null, new ClusterCommand.Clients(ClusterHarness.OTHER, 0, false, true));
        final FakeConnection peer = a.joinedByB();
        a.groupedFromB(peer, 1, "orders", "g1", 1, false);
        a.consume(a.client, 1, "orders", 0);
        a.signalFromB(peer, 2, new GroupSignal(GroupSignal.Kind.MOVE, "orders", "g1", "node-a", ClusterHarness.OTHER,
            5));
        assertEquals(List.of("STAYED"), link.forwards().stream()
            .map(f -> f.properties().get("JMS_MeshMQ_GroupSignal")).toList());
        assertEquals(1, a.processor.queueDepth("orders"), "kept here, for the consumer here");
    }

    @Test
    void shouldMoveAGroupOfItsOwnQueueAtOnceWhenTheHandlersConsumerLeft()
    {
        final ClusterHarness a = node(LOCAL);
        final FakeConnection link = a.linkUp(queueOfB("orders", 0));
        for (int i = 1; i <= 3; i++)
        {
            a.sendGrouped("orders", "g1", i);
        }
        assertEquals(3, a.processor.queueDepth("orders"), "no consumer anywhere: pinned here");

        a.command(null, queueOfB("orders", 1));
        a.nowMs.addAndGet(200);
        a.tick();
        a.nowMs.addAndGet(1_000);
        a.tick();
        assertEquals(List.of("ID:g1", "ID:g2", "ID:g3"), link.forwards().stream().map(Forward::messageId).toList(),
            "moved to b, in order, with no signal: all this node's to decide");
        assertEquals(0, a.processor.queueDepth("orders"));
        a.consume(a.client, 1, "orders", 100);
        a.sendGrouped("orders", "g1", 4);
        assertEquals(4, link.forwards().size(), "pinned to b now, though a consumer here would take it");
        assertEquals(0, a.client.deliveries());
    }

    @Test
    void shouldParkAMovingGroupsMessagesUntilTheOldNodeSaysItsOwnArrived()
    {
        final ClusterHarness a = node(LOCAL);
        final FakeConnection link = a.linkUp(queueOfB("orders", 1));
        final FakeConnection peer = a.joinedByB();
        a.sendGrouped("orders", "g1", 1);
        assertEquals(1, link.forwards().size(), "pinned to b, which has the consumer");
        a.consume(a.client, 1, "orders", 100);
        a.command(null, queueOfB("orders", 0));

        a.signalFromB(peer, 1, new GroupSignal(GroupSignal.Kind.ASK, "orders", "g1", ClusterHarness.OTHER, "", 0));
        final List<Forward> told = link.forwards();
        assertEquals(2, told.size());
        assertEquals("MOVE", told.get(1).properties().get("JMS_MeshMQ_GroupSignal"), "b is told to move the group");
        assertEquals("node-a", told.get(1).properties().get("JMS_MeshMQ_GroupTo"), "here, where the consumer is");
        final long moveId = ((Number)told.get(1).properties().get("JMS_MeshMQ_GroupMove")).longValue();

        final long second = a.sendGrouped("orders", "g1", 2);
        a.groupedFromB(peer, 2, "orders", "g1", 3, true);
        assertEquals("OK", a.answer(second), "parked: stored, so confirmed");
        assertEquals(0, a.client.deliveries(), "parked until b's messages of it are here");
        assertEquals(2, link.forwards().size());

        a.groupedFromB(peer, 3, "orders", "g1", 1, false);
        a.signalFromB(peer, 4, new GroupSignal(GroupSignal.Kind.ARRIVED, "orders", "g1", ClusterHarness.OTHER,
            "node-a", moveId));
        assertEquals(List.of(1, 2, 3), a.client.groupSequences(), "b's first, then the parked ones, in order");
        a.sendGrouped("orders", "g1", 4);
        assertEquals(4, a.client.deliveries(), "pinned here now");
        assertEquals(2, link.forwards().size());
    }

    @Test
    void shouldLeaveAGroupWhereItWasSentWhileNoNodeHasAConsumer()
    {
        final ClusterHarness a = node(LOCAL);
        final FakeConnection link = a.linkUp(queueOfB("orders", 0));
        final FakeConnection peer = a.joinedByB();
        a.groupedFromB(peer, 1, "orders", "g1", 1, true);
        assertEquals(List.of("orders"), link.forwards().get(0).queues(), "back to b, where it was sent");
        a.sendGrouped("orders", "g2", 1);
        assertEquals(1, a.processor.queueDepth("orders"), "one sent here stays here");

        a.consume(a.client, 1, "orders", 100);
        a.groupedFromB(peer, 2, "orders", "g1", 2, true);
        assertEquals(2, link.forwards().size(), "g1 stays with b");
        assertEquals(1, a.client.deliveries(), "g2's message, here");
    }

    @Test
    void shouldForgetAGroupNoMessageUsedForTheGroupTimeout()
    {
        final ClusterHarness a = new ClusterHarness(dir, new AddressSettingsMatcher(),
            new GroupingSettings("local", 5_000, 60_000, 1_000));
        final FakeConnection link = a.linkUp(queueOfB("orders", 1));
        a.sendGrouped("orders", "idle", 1);
        a.sendGrouped("orders", "busy", 1);
        assertEquals(2, link.forwards().size());
        a.consume(a.client, 1, "orders", 100);
        for (int i = 0; i < 7; i++)
        {
            a.nowMs.addAndGet(10_000);
            a.tick();
            a.sendGrouped("orders", "busy", 2 + i);
        }
        a.sendGrouped("orders", "idle", 2);
        assertEquals(9, link.forwards().size(), "busy stayed with b");
        assertEquals(1, a.client.deliveries(), "idle, unused for 70 s, was forgotten and decided anew: here");
    }

    @Test
    void shouldKeepAtMostItsLimitOfPinsDroppingTheOneUnusedLongest()
    {
        final ClusterHarness a = node(LOCAL);
        final FakeConnection link = a.linkUp(queueOfB("orders", 1));
        a.sendGrouped("orders", "first", 1);
        assertEquals(1, link.forwards().size(), "pinned to b");
        a.consume(a.client, 1, "orders", Integer.MAX_VALUE / 2);
        for (int i = 0; i < GroupPins.MAX_PINS; i++)
        {
            a.sendGrouped("orders", "g" + i, 1);
        }
        a.sendGrouped("orders", "first", 2);
        assertEquals(1, link.forwards().size(), "its pin, unused longest, was dropped: decided anew, here");
        a.sendGrouped("orders", "g" + (GroupPins.MAX_PINS - 1), 2);
        assertEquals(GroupPins.MAX_PINS + 2, a.client.deliveries());
    }

    @Test
    void shouldKeepAGroupWithTheNodeItWasSentToBeforeThatNodeToldOfTheQueue()
    {
        final ClusterHarness a = node(LOCAL);
        final FakeConnection link = a.linkUp();
        final FakeConnection peer = a.joinedByB();
        a.groupedFromB(peer, 1, "orders", "g1", 1, true);
        assertEquals(1, link.forwards().size(), "no consumer anywhere: back to b, which has no such queue yet");
        a.consume(a.client, 1, "orders", 100);
        a.groupedFromB(peer, 2, "orders", "g1", 2, true);
        assertEquals(2, link.forwards().size(), "still b's: it has not told of the queue yet, it did not delete it");
        assertEquals(0, a.client.deliveries());
    }

    @Test
    void shouldPinAGroupAnewWhenItsNodeNoLongerHasTheQueue()
    {
        final ClusterHarness a = node(LOCAL);
        final FakeConnection link = a.linkUp(queueOfB("orders", 1));
        a.sendGrouped("orders", "g1", 1);
        assertEquals(1, link.forwards().size());
        a.command(null, new ClusterCommand.Binding(ClusterHarness.OTHER, DestinationType.QUEUE, "orders", "orders",
            false, true, null, 0, new io.meshmq.selector.Selector[0], 1, 1, ""));
        a.consume(a.client, 1, "orders", 100);
        a.sendGrouped("orders", "g1", 2);
        assertEquals(1, link.forwards().size(), "b deleted the queue: g1 is pinned here now");
        assertEquals(1, a.client.deliveries());
    }
}
