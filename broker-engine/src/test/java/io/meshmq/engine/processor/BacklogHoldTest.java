package io.meshmq.engine.processor;

import io.meshmq.jms.message.MeshBytesMessage;
import io.meshmq.protocol.MessageHeaderFlyweight;
import io.meshmq.protocol.WireWriter;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

import java.util.ArrayDeque;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * When a queue's producers are held for its consumers to catch up, and when they go on: only with consumers, over the
 * level, for as long as the consumers take fast, until the queue is down to half.
 */
class BacklogHoldTest
{
    private static final int LEVEL_IN_MESSAGES = 10;

    private final BacklogHold hold = new BacklogHold();
    private final ServerQueue queue = new ServerQueue("orders", ServerQueue.Kind.QUEUE, 0, null,
        MemoryUsage.unlimited());
    private final ArrayDeque<MessageReference> waiting = new ArrayDeque<>();
    private long messageBytes;
    private AddressSettings settings;

    @BeforeEach
    void levelOfTenMessages() throws Exception
    {
        messageBytes = MemoryUsage.sizeOf(message());
        settings = withLevel(LEVEL_IN_MESSAGES * messageBytes);
    }

    @Test
    void shouldHoldOnlyAQueueWithConsumersOverItsLevel() throws Exception
    {
        add(LEVEL_IN_MESSAGES);
        queue.addConsumer(consumer());
        assertFalse(hold.holds(queue, settings, 1_000), "at the level, not over it");
        assertEquals(Long.MAX_VALUE, hold.nextDueMs());

        final ServerConsumer consumer = queue.consumers.remove(0);
        add(1);
        assertFalse(hold.holds(queue, settings, 1_000), "over the level but nobody takes from it: it pages as before");

        queue.addConsumer(consumer);
        add(1);
        assertTrue(hold.holds(queue, settings, 1_000), "over the level with a consumer");
        assertEquals(1_000 + BacklogHold.STRETCH_MS, hold.nextDueMs());
        take(6);
        assertTrue(hold.holds(queue, settings, 1_010), "held until down to half, not just under the level");
        assertEquals(1, queue.producerHolds, "one hold, however many sends it answered");
    }

    @Test
    void shouldLetGoOnceDownToHalf() throws Exception
    {
        queue.addConsumer(consumer());
        add(LEVEL_IN_MESSAGES + 1);
        assertTrue(hold.holds(queue, settings, 1_000));

        take(LEVEL_IN_MESSAGES / 2);
        hold.review(q -> settings, 1_001);
        assertTrue(isHeld(), "six waiting: over half");
        take(1);
        hold.review(q -> settings, 1_002);
        assertFalse(isHeld(), "five waiting: half");
        assertEquals(Long.MAX_VALUE, hold.nextDueMs());

        add(LEVEL_IN_MESSAGES - 5);
        assertFalse(hold.holds(queue, settings, 1_003), "at the level again");
        add(1);
        assertTrue(hold.holds(queue, settings, 1_003), "over it again: the level did not move");
    }

    @Test
    void shouldHoldOnWhileConsumersTakeHalfTheLevelInEveryStretch() throws Exception
    {
        queue.addConsumer(consumer());
        add(3 * LEVEL_IN_MESSAGES);
        assertTrue(hold.holds(queue, settings, 1_000));

        for (int stretch = 1; stretch <= 3; stretch++)
        {
            // Producers' messages already on their way keep arriving while the consumers take.
            take(LEVEL_IN_MESSAGES / 2);
            add(LEVEL_IN_MESSAGES / 2);
            hold.review(q -> settings, 1_000 + stretch * BacklogHold.STRETCH_MS);
            assertTrue(isHeld(), "stretch " + stretch + ": the consumers took half the level");
            assertEquals(1_000 + (stretch + 1) * BacklogHold.STRETCH_MS, hold.nextDueMs(), "a new stretch");
        }
    }

    @Test
    void shouldLetGoWhenConsumersTakeSlowlyAndHoldAgainOnlyALevelHigher() throws Exception
    {
        queue.addConsumer(consumer());
        add(2 * LEVEL_IN_MESSAGES);
        assertTrue(hold.holds(queue, settings, 1_000));

        take(LEVEL_IN_MESSAGES / 2 - 1);
        hold.review(q -> settings, 1_000 + BacklogHold.STRETCH_MS - 1);
        assertTrue(isHeld(), "the stretch is not over");
        hold.review(q -> settings, 1_000 + BacklogHold.STRETCH_MS);
        assertFalse(isHeld(), "four taken in a stretch: less than half the level, holding them gains nothing");

        final int waitingAtRelease = waiting.size();
        add(LEVEL_IN_MESSAGES);
        assertFalse(hold.holds(queue, settings, 1_100), "not held again before the queue grew by a level more");
        add(1);
        assertTrue(hold.holds(queue, settings, 1_100), waitingAtRelease + LEVEL_IN_MESSAGES + 1 + " waiting");

        take(waiting.size() - LEVEL_IN_MESSAGES / 2);
        hold.review(q -> settings, 1_101);
        add(LEVEL_IN_MESSAGES + 1);
        assertTrue(hold.holds(queue, settings, 1_102), "down to half: back to the configured level");
    }

    @Test
    void shouldLetGoAQueueThatLostItsConsumersOrWasDeleted() throws Exception
    {
        queue.addConsumer(consumer());
        add(LEVEL_IN_MESSAGES + 1);
        assertTrue(hold.holds(queue, settings, 1_000));
        queue.consumers.get(0).closed = true;
        hold.review(q -> settings, 1_001);
        assertFalse(isHeld(), "no open consumer");

        queue.consumers.get(0).closed = false;
        add(1);
        assertTrue(hold.holds(queue, settings, 1_002));
        queue.deleted = true;
        hold.review(q -> settings, 1_003);
        assertFalse(isHeld());
    }

    @Test
    void shouldNeverHoldWhenTurnedOff() throws Exception
    {
        final AddressSettings off = withLevel(-1);
        queue.addConsumer(consumer());
        add(100 * LEVEL_IN_MESSAGES);
        assertFalse(hold.holds(queue, off, 1_000));
        assertEquals(Long.MAX_VALUE, hold.nextDueMs());
    }

    private boolean isHeld()
    {
        return queue.holdingSinceMs != 0;
    }

    private void add(final int count) throws Exception
    {
        for (int i = 0; i < count; i++)
        {
            final MessageReference reference = queue.reference(message());
            queue.append(reference);
            waiting.add(reference);
        }
    }

    private void take(final int count)
    {
        for (int i = 0; i < count; i++)
        {
            queue.remove(waiting.poll());
        }
    }

    private ServerConsumer consumer()
    {
        return new ServerConsumer(1, 1, null, queue, null, null, 10, 0);
    }

    private static AddressSettings withLevel(final long bytes)
    {
        return new AddressSettingsMatcher().set("orders", AddressSettingsMatcher.PRODUCER_HOLD_BYTES,
            String.valueOf(bytes)).resolve("orders");
    }

    private static ServerMessage message() throws Exception
    {
        final MeshBytesMessage message = new MeshBytesMessage();
        message.writeBytes(new byte[1024]);
        final WireWriter writer = new WireWriter();
        message.encode(writer);
        final byte[] encoded = writer.toByteArray();
        return new ServerMessage(encoded, new MessageHeaderFlyweight().wrap(encoded), 0);
    }
}
