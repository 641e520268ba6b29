package io.meshmq.cluster.routing;

import io.meshmq.cluster.ClusterCommand;
import io.meshmq.cluster.routing.ClusterHarness.FakeConnection;
import io.meshmq.engine.processor.AddressSettingsMatcher;
import io.meshmq.engine.ring.EngineEvent;
import io.meshmq.protocol.DestinationType;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.nio.file.Path;
import java.util.List;

import static io.meshmq.cluster.routing.ClusterHarness.queueOfB;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * Sends whose address says {@code unreachable-node = fail} (the default for names that say their node, issue 23):
 * the sender is answered only once the other node stored the message, and told, naming the node, when that node
 * drops its link, refuses the message or says nothing within {@code cluster.send-timeout}; the copy is then withdrawn
 * so that a failed send is not delivered later. With {@code hold} a send waits in the forward queue instead.
 */
class AwaitedStoresTest
{
    @TempDir
    Path dir;

    private ClusterHarness node(final String pattern, final String value)
    {
        final AddressSettingsMatcher settings = new AddressSettingsMatcher();
        if (pattern != null)
        {
            settings.set(pattern, AddressSettingsMatcher.UNREACHABLE_NODE, value);
        }
        return new ClusterHarness(dir, settings);
    }

    @Test
    void shouldAnswerASendToANamedNodeOnlyOnceThatNodeStoredIt()
    {
        final ClusterHarness a = node(null, null);
        final FakeConnection link = a.linkUp(queueOfB("orders", 1));
        final long send = a.sendAndAwait(DestinationType.QUEUE, "orders@b");
        assertEquals(1, link.forwards().size());
        assertNull(a.answer(send), "not answered before b stored it");

        a.forwarded(link.forwards().get(0).sequence(), null);
        assertEquals("OK", a.answer(send));
        assertEquals(0L, a.statusOfB("backlog"));
    }

    @Test
    void shouldFailASendTheNodeDoesNotConfirmWithinTheSendTimeoutAndNotSendItLater()
    {
        final ClusterHarness a = node(null, null);
        final FakeConnection link = a.linkUp(queueOfB("orders", 1));
        final long inFlight = a.sendAndAwait(DestinationType.QUEUE, "orders@b");
        link.writable = false;
        final long waiting = a.sendAndAwait(DestinationType.QUEUE, "orders@b");
        assertEquals(1, link.forwards().size(), "the second waits for the link to drain");

        a.nowMs.addAndGet(ClusterHarness.SEND_TIMEOUT_MS - 1);
        a.tick();
        assertNull(a.answer(inFlight));
        a.nowMs.addAndGet(1);
        a.tick();
        final String sent = a.answer(inFlight);
        assertTrue(sent.contains("node 'b' did not confirm it stored the message within 30000 ms " +
            "(cluster.send-timeout)"), sent);
        assertTrue(sent.contains("it was sent and may yet be stored there"), sent);
        final String withdrawn = a.answer(waiting);
        assertTrue(withdrawn.contains("node 'b' did not confirm"), withdrawn);
        assertTrue(withdrawn.contains("it was withdrawn"), withdrawn);
        assertEquals(0L, a.statusOfB("backlog"), "both withdrawn from the forward queue");

        link.writable = true;
        a.run(EngineEvent.WRITABLE, null, e -> { });
        a.forwarded(link.forwards().get(0).sequence(), null);
        assertEquals(1, link.forwards().size(), "the withdrawn one is never sent");
        assertEquals(0L, a.statusOfB("forwarded"), "a late confirmation of a withdrawn copy counts nothing");
    }

    @Test
    void shouldFailAWaitingSendAtOnceWhenTheLinkDropsAndNotSendItOnTheNext()
    {
        final ClusterHarness a = node(null, null);
        final FakeConnection first = a.linkUp(queueOfB("orders", 1));
        final long send = a.sendAndAwait(DestinationType.QUEUE, "orders@b");
        a.command(null, new ClusterCommand.LinkDown(ClusterHarness.OTHER, "connection reset"));
        final String failed = a.answer(send);
        assertTrue(failed.contains("node 'b' went down (connection reset) before it confirmed it stored the message"),
            failed);
        assertTrue(failed.contains("it was withdrawn"), failed);

        final FakeConnection second = a.linkUp(queueOfB("orders", 1));
        assertEquals(List.of(), second.forwards());
        assertEquals(1, first.forwards().size());

        // Stored nowhere, so not a duplicate: the same message sent again goes.
        final String id = first.forwards().get(0).messageId();
        final long again = a.resendAndAwait(DestinationType.QUEUE, "orders@b", id);
        assertEquals(List.of(id), second.forwards().stream().map(ClusterHarness.Forward::messageId).toList(),
            "a retry of a failed send is sent, not taken for a duplicate");
        a.forwarded(second.forwards().get(0).sequence(), null);
        assertEquals("OK", a.answer(again));
    }

    @Test
    void shouldFailASendTheNodeRefusesWithItsReasonInsteadOfSendingItAgain()
    {
        final ClusterHarness a = node(null, null);
        final FakeConnection link = a.linkUp(queueOfB("orders", 1));
        final long send = a.sendAndAwait(DestinationType.QUEUE, "orders@b");
        a.forwarded(link.forwards().get(0).sequence(), "address full");
        final String refused = a.answer(send);
        assertTrue(refused.contains("node 'b' refused the message: address full"), refused);

        a.nowMs.addAndGet(Bridge.PAUSE_AFTER_REFUSAL_MS);
        a.tick();
        assertEquals(1, link.forwards().size(), "not sent again");
        assertEquals(0L, a.statusOfB("backlog"));
    }

    @Test
    void shouldHoldASendToANodeThatIsDownWhenTheAddressSaysHold()
    {
        final ClusterHarness a = node("orders", "hold");
        a.linkUp(queueOfB("orders", 1));
        a.command(null, new ClusterCommand.LinkDown(ClusterHarness.OTHER, "gone"));
        final long send = a.sendAndAwait(DestinationType.QUEUE, "orders@b");
        assertEquals("OK", a.answer(send), "stored here, to cross once b is back");
        assertEquals(1L, a.statusOfB("backlog"));

        final FakeConnection back = a.linkUp(queueOfB("orders", 1));
        assertEquals(1, back.forwards().size());
    }

    @Test
    void shouldAnswerAPlainSendOnceStoredHereUnlessTheAddressSaysFail()
    {
        final ClusterHarness held = node(null, null);
        final FakeConnection link = held.linkUp(queueOfB("orders", 1));
        final long send = held.sendAndAwait(DestinationType.QUEUE, "orders");
        assertEquals(1, link.forwards().size());
        assertEquals("OK", held.answer(send), "a plain name holds by default: stored here is enough");
    }

    @Test
    void shouldAnswerAPlainSendToAnotherNodeOnlyOnceStoredThereWhenTheAddressSaysFail()
    {
        final ClusterHarness a = node("orders", "fail");
        final FakeConnection link = a.linkUp(queueOfB("orders", 1));
        final long send = a.sendAndAwait(DestinationType.QUEUE, "orders");
        assertNull(a.answer(send));
        a.forwarded(link.forwards().get(0).sequence(), null);
        assertEquals("OK", a.answer(send));
    }

    @Test
    void shouldRefuseABroadcastWhileANodeWithTheQueueIsDownUnlessTheAddressSaysHold()
    {
        final ClusterHarness a = node(null, null);
        a.linkUp(queueOfB("orders", 1));
        a.command(null, new ClusterCommand.LinkDown(ClusterHarness.OTHER, "gone"));
        final long send = a.sendAndAwait(DestinationType.QUEUE, "orders@all");
        final String refused = a.answer(send);
        assertTrue(refused.contains("node 'b' has queue 'orders' and is not reachable"), refused);
        assertEquals(0L, a.statusOfB("backlog"));

        final ClusterHarness holding = node("orders", "hold");
        holding.linkUp(queueOfB("orders", 1));
        holding.command(null, new ClusterCommand.LinkDown(ClusterHarness.OTHER, "gone"));
        assertEquals("OK", holding.answer(holding.sendAndAwait(DestinationType.QUEUE, "orders@all")));
        assertEquals(1L, holding.statusOfB("backlog"), "b's copy waits for b");
    }

    @Test
    void shouldWaitForEveryNodeOfABroadcastAndNameThoseThatFailed()
    {
        final ClusterHarness a = node(null, null);
        final FakeConnection link = a.linkUp(queueOfB("orders", 1));
        a.consume(a.client, 1, "orders", 10);
        final long send = a.sendAndAwait(DestinationType.QUEUE, "orders@all");
        assertEquals(1, a.client.deliveries(), "the copy here");
        assertNull(a.answer(send));
        a.nowMs.addAndGet(ClusterHarness.SEND_TIMEOUT_MS);
        a.tick();
        final String failed = a.answer(send);
        assertTrue(failed.contains("stored on this node; node 'b' did not confirm"), failed);
        assertEquals(1, link.forwards().size());
    }
}
