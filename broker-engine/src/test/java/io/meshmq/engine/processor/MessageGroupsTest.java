package io.meshmq.engine.processor;

import io.meshmq.jms.message.MeshTextMessage;
import io.meshmq.protocol.MessageHeaderFlyweight;
import io.meshmq.protocol.WireWriter;
import org.junit.jupiter.api.Test;

import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * A queue's message groups stay bounded: an application that makes a group per order and never ends them does not
 * grow the queue's map for as long as its consumer lives; the group unused longest is the one forgotten.
 */
class MessageGroupsTest
{
    @Test
    void shouldForgetTheGroupUnusedLongestBeyondTheBound() throws Exception
    {
        final ServerQueue queue = new ServerQueue("grouped", ServerQueue.Kind.QUEUE, 0, null, MemoryUsage.unlimited());
        final ServerConsumer first = new ServerConsumer(1, 1, null, queue, null, null, 10, 0);
        final ServerConsumer second = new ServerConsumer(2, 1, null, queue, null, null, 10, 0);

        assertTrue(queue.groupAllows(first, grouped("oldest")));
        assertTrue(queue.groupAllows(first, grouped("kept")));
        for (int i = 0; i < ServerQueue.MAX_GROUPS - 2; i++)
        {
            assertTrue(queue.groupAllows(first, grouped("order-" + i)));
            if (i % 1_000 == 0)
            {
                assertTrue(queue.groupAllows(first, grouped("kept")), "used again: the most recent");
            }
        }
        assertTrue(queue.groupAllows(first, grouped("one-more")), "one past the bound");
        assertTrue(queue.groupAllows(second, grouped("oldest")), "forgotten: the next consumer may take it");
        assertFalse(queue.groupAllows(second, grouped("order-1")), "only one was forgotten");
        assertFalse(queue.groupAllows(second, grouped("kept")), "used recently: still the first consumer's");
    }

    private static ServerMessage grouped(final String group) throws Exception
    {
        final MeshTextMessage message = new MeshTextMessage();
        message.setStringProperty("JMSXGroupID", group);
        final WireWriter writer = new WireWriter();
        message.encode(writer);
        final byte[] encoded = writer.toByteArray();
        return new ServerMessage(encoded, new MessageHeaderFlyweight().wrap(encoded), 0);
    }
}
