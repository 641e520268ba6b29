package io.meshmq.cluster.routing;

import io.meshmq.cluster.ClusterCommand;
import io.meshmq.cluster.GroupingSettings;
import io.meshmq.cluster.ResentMessage;
import io.meshmq.cluster.routing.ClusterHarness.FakeConnection;
import io.meshmq.cluster.routing.ClusterHarness.Forward;
import io.meshmq.engine.journal.Journal;
import io.meshmq.engine.processor.AddressSettingsMatcher;
import io.meshmq.engine.ring.EngineEvent;
import io.meshmq.protocol.DestinationType;
import io.meshmq.protocol.FrameType;
import io.meshmq.protocol.TemporaryNames;
import io.meshmq.protocol.WireReader;
import io.meshmq.selector.Selector;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;

import static io.meshmq.cluster.routing.ClusterHarness.queueOfB;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * The cluster's routing, forwarding, receiving and redistribution on one node, deterministically: a real processor
 * on the test thread, a fake clock, and the test playing the other node.
 */
class ClusterRoutingTest
{
    @TempDir
    Path dir;

    private ClusterHarness node(final String pattern, final String key, final String value)
    {
        final AddressSettingsMatcher settings = new AddressSettingsMatcher();
        if (pattern != null)
        {
            settings.set(pattern, key, value);
        }
        return new ClusterHarness(dir, settings);
    }

    /**
     * @return a node that stores persistent messages in the journal, whose forces the test ends.
     */
    private ClusterHarness journaled(final Journal journal)
    {
        return new ClusterHarness(dir, new AddressSettingsMatcher(), GroupingSettings.NONE, journal);
    }

    @Test
    void shouldSayWhenAnotherNodeHasThisNodesName()
    {
        final ClusterHarness a = node(null, null, null);
        a.command(null, new ClusterCommand.LinkUp(ClusterHarness.OTHER, "a", "127.0.0.1:2",
            new FakeConnection(99), false));
        assertEquals("up; named 'a' as this node is: give each node its own name", a.statusOfB("state"));
    }

    @Test
    void shouldSendAMessageToTheNodeWithAConsumerWhenNoneIsHere()
    {
        final ClusterHarness a = node(null, null, null);
        final FakeConnection link = a.linkUp(queueOfB("orders", 1));
        final String id = a.send(DestinationType.QUEUE, "orders");

        final List<Forward> forwards = link.forwards();
        assertEquals(1, forwards.size());
        assertEquals(id, forwards.get(0).messageId());
        assertEquals(List.of("orders"), forwards.get(0).queues());
        assertEquals(0, a.processor.queueDepth("orders"));
        assertEquals(1L, a.statusOfB("backlog"), "in flight until b confirms");

        a.forwarded(forwards.get(0).sequence(), null);
        assertEquals(0L, a.statusOfB("backlog"));
        assertEquals(1L, a.statusOfB("forwarded"));
    }

    /**
     * A forward that left before its message was safe here could be stored on the other node while this one dies
     * with the message unforced (or not yet on its replica): the producer, never answered, sends it again to whoever
     * serves this journal next, which has no record of it, and the message is stored twice over there.
     */
    @Test
    void shouldForwardAPersistentMessageOnlyOnceItIsForcedHere() throws Exception
    {
        try (Journal journal = Journal.open(dir.resolve("journal"), Journal.MIN_SEGMENT_SIZE, false))
        {
            final ClusterHarness a = journaled(journal);
            final FakeConnection link = a.linkUp(queueOfB("orders", 1));
            final long first = a.sendPersistent(DestinationType.QUEUE, "orders");
            assertEquals(List.of(), link.forwards(), "sent before it was forced here");
            assertEquals(null, a.answer(first));

            a.forced(null);
            assertEquals(1, link.forwards().size());
            assertEquals("OK", a.answer(first));

            // A force that fails holds its forward back, paused, until a force of it succeeds.
            final long second = a.sendPersistent(DestinationType.QUEUE, "orders");
            a.forced("disk gone");
            a.nowMs.addAndGet(Bridge.PAUSE_AFTER_REFUSAL_MS);
            a.tick();
            assertEquals(1, link.forwards().size(), "sent though its force failed");
            // The journal writes what it failed to force again after a while (real time), and forces it.
            final long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(10);
            while (a.forces.isEmpty() && System.nanoTime() < deadline)
            {
                a.tick();
                Thread.onSpinWait();
            }
            assertEquals(1, link.forwards().size(), "sent before it was forced again");
            a.forced(null);
            assertEquals(2, link.forwards().size());
            assertEquals(List.of(1L, 2L), link.forwards().stream().map(f -> f.sequence() & 0xFF_FFFF).toList());
            assertTrue(a.answer(second).contains("could not force"), a.answer(second));
        }
    }

    @Test
    void shouldForwardAtOnceWhatWasForcedWhileTheLinkWasBackedUp() throws Exception
    {
        try (Journal journal = Journal.open(dir.resolve("journal"), Journal.MIN_SEGMENT_SIZE, false))
        {
            final ClusterHarness a = journaled(journal);
            final FakeConnection link = a.linkUp(queueOfB("orders", 1));
            link.writable = false;
            final long sent = a.sendPersistent(DestinationType.QUEUE, "orders");
            a.forced(null);
            assertEquals("OK", a.answer(sent));

            link.writable = true;
            a.tick();
            assertEquals(1, link.forwards().size(), "safe already, it waits for nothing");
        }
    }

    /**
     * A large message waits for its body, which crosses ahead of it on a connection of its own: the forwards other
     * connections send after it go meanwhile (1 KiB replies do not wait behind a 64 MiB body), those its own
     * connection sends after it wait behind it on its lane (one session's messages keep their order).
     */
    @Test
    void shouldLetOtherConnectionsForwardsOvertakeALargeOneWhoseBodyIsCrossingButNotItsOwnConnections()
    {
        final ClusterHarness a = ClusterHarness.withLargeBodies(dir);
        final FakeConnection link = a.linkUp(queueOfB("orders", 1));
        final FakeConnection other = a.open();
        final String large = a.sendLarge(a.client, "orders", 77, 64 << 20);
        final String behindIt = a.sendFrom(a.client, "orders");
        final String overtaking = a.sendFrom(other, "orders");
        assertEquals(List.of(77L), a.staged, "its body crosses ahead of it");
        assertEquals(List.of(overtaking), link.forwards().stream().map(Forward::messageId).toList());

        a.command(null, new ClusterCommand.LargeStaged(ClusterHarness.OTHER, 77, null));
        final List<Forward> forwards = link.forwards();
        assertEquals(List.of(overtaking, large, behindIt), forwards.stream().map(Forward::messageId).toList());
        assertEquals(List.of(false, true, true), forwards.stream().map(Forward::largeLane).toList());

        // Once what the connection put on the large lane is confirmed, its next forwards take the other lane again.
        a.forwarded(forwards.get(1).sequence(), null);
        assertTrue(a.forwardedLastOn(link, a.sendFrom(a.client, "orders")).largeLane(), "ahead of one confirmed");
        a.forwarded(forwards.get(2).sequence(), null);
        a.forwarded(link.forwards().get(3).sequence(), null);
        assertFalse(a.forwardedLastOn(link, a.sendFrom(a.client, "orders")).largeLane());
    }

    /**
     * Each lane of a node's forwards is in sequence order, not the two together: a forward of the large lane below the
     * highest stored of the other lane is new, and a resend on either lane is still told by its sequence.
     */
    @Test
    void shouldTellResendsOnEachLaneOfANodesForwardsApart()
    {
        final ClusterHarness a = node(null, null, null);
        final FakeConnection peer = a.joinedByB();
        a.command(peer, new ClusterCommand.Receive(2, DestinationType.QUEUE, false, false, "orders",
            new String[] {"orders"}, ClusterHarness.message("ID:two", DestinationType.QUEUE, "orders")));
        a.command(peer, new ClusterCommand.Receive(1, DestinationType.QUEUE, false, true, "orders",
            new String[] {"orders"}, ClusterHarness.message("ID:one", DestinationType.QUEUE, "orders")));
        assertEquals(2, a.processor.queueDepth("orders"), "the large lane's forward 1 overtaken by forward 2");

        // Sent again (their confirmations lost): other ids, so that only their sequences can tell.
        a.command(peer, new ClusterCommand.Receive(2, DestinationType.QUEUE, false, false, "orders",
            new String[] {"orders"}, ClusterHarness.message("ID:two-again", DestinationType.QUEUE, "orders")));
        a.command(peer, new ClusterCommand.Receive(1, DestinationType.QUEUE, false, true, "orders",
            new String[] {"orders"}, ClusterHarness.message("ID:one-again", DestinationType.QUEUE, "orders")));
        assertEquals(2, a.processor.queueDepth("orders"));
        assertEquals(List.of(2L, 1L, 2L, 1L), peer.frames(FrameType.OK).stream().map(f -> f.reader().readLong())
            .toList(), "all confirmed");
    }

    @Test
    void shouldKeepAMessageHereWhileALocalConsumerKeepsUp()
    {
        final ClusterHarness a = node(null, null, null);
        final FakeConnection link = a.linkUp(queueOfB("orders", 1));
        a.consume(a.client, 1, "orders", 100);
        for (int i = 0; i < 5; i++)
        {
            a.send(DestinationType.QUEUE, "orders");
        }
        assertEquals(5, a.client.deliveries());
        assertEquals(List.of(), link.forwards());
    }

    @Test
    void shouldKeepEveryMessageHereWithLoadBalancingOff()
    {
        final ClusterHarness a = node("orders", AddressSettingsMatcher.LOAD_BALANCING, "OFF");
        final FakeConnection link = a.linkUp(queueOfB("orders", 3));
        for (int i = 0; i < 4; i++)
        {
            a.send(DestinationType.QUEUE, "orders");
        }
        assertEquals(4, a.processor.queueDepth("orders"));
        assertEquals(List.of(), link.forwards());
    }

    @Test
    void shouldAlternateBetweenNodesWithStrictLoadBalancingWhateverTheConsumers()
    {
        final ClusterHarness a = node("orders", AddressSettingsMatcher.LOAD_BALANCING, "STRICT");
        final FakeConnection link = a.linkUp(queueOfB("orders", 0));
        for (int i = 0; i < 6; i++)
        {
            a.send(DestinationType.QUEUE, "orders");
        }
        assertEquals(3, link.forwards().size());
        assertEquals(3, a.processor.queueDepth("orders"));
    }

    @Test
    void shouldShareByWeightWithStrictLoadBalancingInterleaved()
    {
        final ClusterHarness a = node("orders", AddressSettingsMatcher.LOAD_BALANCING, "STRICT");
        final FakeConnection link = a.linkUp(queueOfB("orders", 0, 2, 1));
        final StringBuilder order = new StringBuilder();
        for (int i = 0; i < 30; i++)
        {
            final int before = link.forwards().size();
            a.send(DestinationType.QUEUE, "orders");
            order.append(link.forwards().size() > before ? 'b' : 'a');
        }
        assertEquals(20, link.forwards().size(), "b has weight 2, a weight 1: " + order);
        assertEquals(10, a.processor.queueDepth("orders"));
        assertEquals("bab".repeat(10), order.toString(), "b's two shares interleaved with a's, not back to back");
    }

    @Test
    void shouldSendOnlyToTheBestRankWhileItCanBeReachedAndHereWhenNot()
    {
        final AddressSettingsMatcher standby = new AddressSettingsMatcher().nodeDefault(
            AddressSettingsMatcher.CLUSTER_RANK, "2");
        final ClusterHarness a = new ClusterHarness(dir, standby);
        final FakeConnection link = a.linkUp(queueOfB("orders", 1, 1, 1));
        a.consume(a.client, 1, "orders", 100);
        for (int i = 0; i < 5; i++)
        {
            a.send(DestinationType.QUEUE, "orders");
        }
        assertEquals(5, link.forwards().size(), "a local consumer that keeps up, but a is of rank 2");
        assertEquals(0, a.client.deliveries());

        a.command(null, new ClusterCommand.LinkDown(ClusterHarness.OTHER, "test"));
        for (int i = 0; i < 5; i++)
        {
            a.send(DestinationType.QUEUE, "orders");
        }
        assertEquals(5, a.client.deliveries(), "no rank-1 node can be reached: rank 2 takes everything");
        assertEquals(5, link.forwards().size());
    }

    @Test
    void shouldSendToABetterRankedNodeToWaitThereWhenNoNodeHasAConsumer()
    {
        final ClusterHarness a = node("orders", AddressSettingsMatcher.CLUSTER_RANK, "2");
        final FakeConnection link = a.linkUp(queueOfB("orders", 0, 1, 1));
        for (int i = 0; i < 3; i++)
        {
            a.send(DestinationType.QUEUE, "orders");
        }
        assertEquals(3, link.forwards().size());
        assertEquals(0, a.processor.queueDepth("orders"));
    }

    @Test
    void shouldBalanceByWeightAmongConsumersWhenTheAddressDoesNotPreferLocal()
    {
        final ClusterHarness a = node("orders", AddressSettingsMatcher.PREFER_LOCAL, "false");
        final FakeConnection link = a.linkUp(queueOfB("orders", 1, 3, 1));
        a.consume(a.client, 1, "orders", 100);
        for (int i = 0; i < 8; i++)
        {
            a.send(DestinationType.QUEUE, "orders");
        }
        assertEquals(6, link.forwards().size(), "b has weight 3, a weight 1");
        assertEquals(2, a.client.deliveries());
    }

    @Test
    void shouldSendAgainInOrderWhatALostLinkDidNotConfirm()
    {
        final ClusterHarness a = node(null, null, null);
        final FakeConnection first = a.linkUp(queueOfB("orders", 1));
        final List<String> ids = new ArrayList<>();
        for (int i = 0; i < 4; i++)
        {
            ids.add(a.send(DestinationType.QUEUE, "orders"));
        }
        final List<Forward> sent = first.forwards();
        assertEquals(4, sent.size());
        a.forwarded(sent.get(0).sequence(), null);

        a.command(null, new ClusterCommand.LinkDown(ClusterHarness.OTHER, "test"));
        assertEquals(3L, a.statusOfB("backlog"), "unconfirmed forwards wait for the next link");
        final FakeConnection second = a.linkUp(queueOfB("orders", 1));

        final List<Forward> again = second.forwards();
        assertEquals(ids.subList(1, 4), again.stream().map(Forward::messageId).toList());
        assertEquals(sent.subList(1, 4).stream().map(Forward::sequence).toList(),
            again.stream().map(Forward::sequence).toList(), "the same sequences, so b recognises what it stored");
    }

    @Test
    void shouldPauseALinkAfterARefusalAndSendAgainOnlyOnceThePauseIsOver()
    {
        final ClusterHarness a = node(null, null, null);
        final FakeConnection link = a.linkUp(queueOfB("orders", 1));
        final String id = a.send(DestinationType.QUEUE, "orders");
        a.forwarded(link.forwards().get(0).sequence(), "disk full");
        a.tick();
        assertEquals(1, link.forwards().size(), "paused");

        a.nowMs.addAndGet(1_000);
        a.tick();
        final List<Forward> forwards = link.forwards();
        assertEquals(2, forwards.size());
        assertEquals(id, forwards.get(1).messageId());
        assertEquals(forwards.get(0).sequence(), forwards.get(1).sequence());
    }

    @Test
    void shouldStopAtTheWindowOfUnconfirmedForwardsAndGoOnAsTheyAreConfirmed()
    {
        final ClusterHarness a = node(null, null, null);
        final FakeConnection link = a.linkUp(queueOfB("orders", 1));
        for (int i = 0; i < 1_005; i++)
        {
            a.send(DestinationType.QUEUE, "orders");
        }
        assertEquals(1_000, link.forwards().size());
        assertEquals(1_005L, a.statusOfB("backlog"));
        for (int i = 0; i < 3; i++)
        {
            a.forwarded(link.forwards().get(i).sequence(), null);
        }
        assertEquals(1_003, link.forwards().size());
        assertEquals(1_002L, a.statusOfB("backlog"));
    }

    @Test
    void shouldWaitForABackedUpLinkToDrain()
    {
        final ClusterHarness a = node(null, null, null);
        final FakeConnection link = a.linkUp(queueOfB("orders", 1));
        link.writable = false;
        a.send(DestinationType.QUEUE, "orders");
        assertEquals(List.of(), link.forwards());

        link.writable = true;
        a.run(EngineEvent.WRITABLE, null, e -> { });
        assertEquals(1, link.forwards().size());
    }

    @Test
    void shouldMoveStrandedMessagesToAnotherNodesConsumersAfterTheRedistributionDelay()
    {
        final ClusterHarness a = node(null, null, null);
        final FakeConnection link = a.linkUp(queueOfB("orders", 0));
        a.consume(a.client, 1, "orders", 0);
        a.send(DestinationType.QUEUE, "orders");
        a.send(DestinationType.QUEUE, "orders");
        a.run(EngineEvent.CLOSE_CONSUMER, a.client, e -> e.consumerId = 1);
        assertEquals(2, a.processor.queueDepth("orders"));

        a.command(null, queueOfB("orders", 1));
        a.nowMs.addAndGet(200);
        a.tick();
        assertEquals(List.of(), link.forwards(), "the delay (1000 ms) has not passed");

        a.nowMs.addAndGet(1_000);
        a.tick();
        assertEquals(2, link.forwards().size());
        assertEquals(0, a.processor.queueDepth("orders"));
    }

    @Test
    void shouldStoreAForwardOnceHoweverOftenItIsSent()
    {
        final ClusterHarness a = node(null, null, null);
        final FakeConnection peer = a.open();
        a.command(peer, new ClusterCommand.Join(7, "test", ClusterHarness.OTHER, "b", "127.0.0.1:2", false));
        assertEquals(1, peer.frames(FrameType.REPLY).size(), "joined");

        final byte[] message = ClusterHarness.message("ID:from-b", DestinationType.QUEUE, "orders");
        final ClusterCommand.Receive receive = new ClusterCommand.Receive(41, DestinationType.QUEUE, false, "orders",
            new String[] {"orders"}, message);
        a.command(peer, receive);
        a.command(peer, receive);

        assertEquals(1, a.processor.queueDepth("orders"));
        final List<Long> confirmed = peer.frames(FrameType.OK).stream().map(f -> f.reader().readLong()).toList();
        assertEquals(List.of(41L, 41L), confirmed, "the resend is confirmed, not stored again");
    }

    @Test
    void shouldNotStoreAForwardedMessageWhoseIdItHoldsUnlessTheMessageWasMovedHere()
    {
        final ClusterHarness a = node(null, null, null);
        final FakeConnection peer = a.open();
        a.command(peer, new ClusterCommand.Join(7, "test", ClusterHarness.OTHER, "b", "127.0.0.1:2", false));
        final byte[] message = ClusterHarness.message("ID:sent-twice", DestinationType.QUEUE, "orders");

        a.command(peer, new ClusterCommand.Receive(1, DestinationType.QUEUE, false, "orders", new String[] {"orders"},
            message));
        a.command(peer, new ClusterCommand.Receive(2, DestinationType.QUEUE, false, "orders", new String[] {"orders"},
            message));
        assertEquals(1, a.processor.queueDepth("orders"), "a message sent twice with one id is stored once");
        assertEquals(List.of(1L, 2L), peer.frames(FrameType.OK).stream().map(f -> f.reader().readLong()).toList(),
            "both confirmed");

        a.command(peer, new ClusterCommand.Receive(3, DestinationType.QUEUE, true, "orders", new String[] {"orders"},
            message));
        assertEquals(2, a.processor.queueDepth("orders"), "a message redistributed here is taken whatever its id");
    }

    @Test
    void shouldTellTheNodeAClientLeftOfWhatItSentAgainBeforeForwardingAndNotStoreThatNodesCopy()
    {
        final ClusterHarness a = node(null, null, null);
        final String id = a.send(DestinationType.QUEUE, "orders", ClusterHarness.OTHER + ".3");
        final FakeConnection link = a.linkUp();
        assertEquals(FrameType.CLUSTER_RESENT, link.sent.get(0).type(), "told first, before anything crosses");
        final WireReader told = link.frames(FrameType.CLUSTER_RESENT).get(0).reader();
        assertEquals(1, told.readInt());
        assertEquals(DestinationType.QUEUE, told.readByte());
        assertEquals("orders", told.readString());
        assertEquals(id, told.readString());

        final FakeConnection peer = a.open();
        a.command(peer, new ClusterCommand.Join(7, "test", ClusterHarness.OTHER, "b", "127.0.0.1:2", false));
        a.command(peer, new ClusterCommand.Receive(1, DestinationType.QUEUE, true, "orders", new String[] {"orders"},
            ClusterHarness.message(id, DestinationType.QUEUE, "orders")));
        assertEquals(1, a.processor.queueDepth("orders"), "b's copy, forwarded before b heard, is not stored");
        assertEquals(1, peer.frames(FrameType.OK).size(), "but confirmed");
    }

    @Test
    void shouldTakeAMessageOfAResentIdFromTheNodeItLeftOnceThatNodeHadTimeToDropItsCopy()
    {
        final ClusterHarness a = node(null, null, null);
        final String id = a.send(DestinationType.QUEUE, "orders", ClusterHarness.OTHER + ".3");
        a.linkUp();
        a.nowMs.addAndGet(Resends.FIRST_COPY_WINDOW_MS + 1);
        final FakeConnection peer = a.open();
        a.command(peer, new ClusterCommand.Join(7, "test", ClusterHarness.OTHER, "b", "127.0.0.1:2", false));
        // The message kept here went on to b (redistributed) and comes back: it is no copy any more.
        a.command(peer, new ClusterCommand.Receive(1, DestinationType.QUEUE, true, "orders", new String[] {"orders"},
            ClusterHarness.message(id, DestinationType.QUEUE, "orders")));
        assertEquals(2, a.processor.queueDepth("orders"));
    }

    @Test
    void shouldDropItsCopiesOfWhatClientsThatLeftItSentAnotherNodeAgain()
    {
        final ClusterHarness a = node(null, null, null);
        final String kept = a.send(DestinationType.QUEUE, "orders");
        final String resentElsewhere = a.send(DestinationType.QUEUE, "orders");
        final FakeConnection peer = a.open();
        a.command(peer, new ClusterCommand.Join(7, "test", ClusterHarness.OTHER, "b", "127.0.0.1:2", false));
        a.command(peer, new ClusterCommand.Resent(List.of(
            new ResentMessage(DestinationType.QUEUE, "orders", resentElsewhere),
            new ResentMessage(DestinationType.QUEUE, "elsewhere", kept))));
        assertEquals(1, a.processor.queueDepth("orders"), "only the copy of the message sent again is dropped");
    }

    @Test
    void shouldRefuseAForwardFromAConnectionThatNeverJoined()
    {
        final ClusterHarness a = node(null, null, null);
        final FakeConnection stranger = a.open();
        a.command(stranger, new ClusterCommand.Receive(1, DestinationType.QUEUE, false, "orders", new String[] {"orders"},
            ClusterHarness.message("ID:x", DestinationType.QUEUE, "orders")));
        assertEquals(1, stranger.frames(FrameType.ERROR).size());
        assertEquals(-1, a.processor.queueDepth("orders"));
    }

    @Test
    void shouldSendToATemporaryQueueOfAnotherNodeWithoutAnyBinding()
    {
        final ClusterHarness a = node(null, null, null);
        final FakeConnection link = a.linkUp();
        final String name = TemporaryNames.name(DestinationType.TEMPORARY_QUEUE, ClusterHarness.OTHER + ".3", 1, 1);
        assertNotNull(name);
        a.send(DestinationType.TEMPORARY_QUEUE, name);
        final List<Forward> forwards = link.forwards();
        assertEquals(1, forwards.size());
        assertEquals(DestinationType.TEMPORARY_QUEUE, forwards.get(0).kind());
        assertEquals(name, forwards.get(0).address());
        assertTrue(a.client.frames(FrameType.ERROR).isEmpty());
    }

    @Test
    void shouldSendToATemporaryQueueWhereItWasMadeAgainAfterAFailover()
    {
        final ClusterHarness a = node(null, null, null);
        // Named for a node that died; its connection failed over to b and made it again there.
        final String name = TemporaryNames.name(DestinationType.TEMPORARY_QUEUE, "node-gone.2", 1, 1);
        final FakeConnection link = a.linkUp(queueOfB(name, 1));
        a.send(DestinationType.TEMPORARY_QUEUE, name);
        final List<Forward> forwards = link.forwards();
        assertEquals(1, forwards.size(), "sent to b, which announced it");
        assertEquals(name, forwards.get(0).address());
    }

    @Test
    void shouldCopyATopicMessageToEverySubscriptionWithOneForwardPerNode()
    {
        final ClusterHarness a = node(null, null, null);
        final FakeConnection link = a.linkUp(subscriptionOfB("news", "news#5.1"), subscriptionOfB("news", "news#5.2"));
        subscribe(a, "news", null);
        final String id = a.send(DestinationType.TOPIC, "news");

        assertEquals(1, a.client.deliveries(), "this node's subscriber has its copy");
        final List<Forward> forwards = link.forwards();
        assertEquals(1, forwards.size(), "one forward carries it to both of b's subscriptions");
        assertEquals(id, forwards.get(0).messageId());
        assertEquals(List.of("news#5.1", "news#5.2"), forwards.get(0).queues());
    }

    @Test
    void shouldNotTakeAForwardedTopicMessageIntoASubscriptionWhoseSelectorItDoesNotMatch() throws Exception
    {
        // b chose the subscription by the selector it knew of; the subscription of that name here may have been
        // made again with another selector since (an inactive durable subscription asked for with a new one).
        final ClusterHarness a = node(null, null, null);
        subscribe(a, "news", Selector.parse("JMSType = 'new'"));
        final FakeConnection peer = a.open();
        a.command(peer, new ClusterCommand.Join(7, "test", ClusterHarness.OTHER, "b", "127.0.0.1:2", false));
        final String subscription = "news#" + a.client.id + ".1";
        a.command(peer, new ClusterCommand.Receive(1, DestinationType.TOPIC, false, "news", new String[] {subscription},
            ClusterHarness.message("ID:untyped", DestinationType.TOPIC, "news")));

        assertEquals(0, a.client.deliveries(), "the selector JMSType = 'new' does not take an untyped message");
        assertEquals(List.of(1L), peer.frames(FrameType.OK).stream().map(f -> f.reader().readLong()).toList(),
            "confirmed all the same: nothing here wants it");
    }

    @Test
    void shouldNotWaitForANonDurableSubscriptionOfANodeThatIsDown()
    {
        final ClusterHarness a = node(null, null, null);
        a.linkUp(subscriptionOfB("news", "news#5.1"));
        a.command(null, new ClusterCommand.LinkDown(ClusterHarness.OTHER, "test"));
        a.send(DestinationType.TOPIC, "news");
        assertEquals(0L, a.statusOfB("backlog"), "it dies with its node: nothing waits for it");
    }

    /**
     * Subscribes the node's test client (consumer 1) to the topic, with ten messages of credit.
     */
    private static void subscribe(final ClusterHarness node, final String topic, final Selector selector)
    {
        node.run(EngineEvent.CREATE_CONSUMER, node.client, e ->
        {
            e.correlationId = 101;
            e.consumerId = 1;
            e.sessionId = 1;
            e.destinationType = DestinationType.TOPIC;
            e.destinationName = topic;
            e.selector = selector;
            e.count = 10;
        });
    }

    private static ClusterCommand.Binding subscriptionOfB(final String topic, final String queue)
    {
        return new ClusterCommand.Binding(ClusterHarness.OTHER, DestinationType.TOPIC, topic, queue, true, false, null, 1,
            new Selector[] {null}, 1, 1, "");
    }
}
