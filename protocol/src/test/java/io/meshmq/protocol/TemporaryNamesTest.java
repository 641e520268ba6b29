package io.meshmq.protocol;

import org.junit.jupiter.api.Test;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;

class TemporaryNamesTest
{
    private static final String NODE = "5b0c6f7e-1d2a-4c3b-9e8f-0a1b2c3d4e5f";

    @Test
    void shouldNameTheNodeAndIncarnationInAClusterAndTellTheNodeBack()
    {
        final String queue = TemporaryNames.name(DestinationType.TEMPORARY_QUEUE, NODE + ".3", 7, 1);
        assertEquals("temp-queue." + NODE + ".3.7.1", queue);
        assertEquals(NODE, TemporaryNames.nodeOf(queue));
        final String topic = TemporaryNames.name(DestinationType.TEMPORARY_TOPIC, NODE + ".3", 7, 2);
        assertEquals("temp-topic." + NODE + ".3.7.2", topic);
        assertEquals(NODE, TemporaryNames.nodeOf(topic));
        assertEquals(NODE, TemporaryNames.nodeOfScope(NODE + ".3"));
    }

    @Test
    void shouldNameNoNodeOutsideAClusterOrForOtherNames()
    {
        final String queue = TemporaryNames.name(DestinationType.TEMPORARY_QUEUE, null, 7, 1);
        assertEquals("temp-queue.7.1", queue);
        assertNull(TemporaryNames.nodeOf(queue));
        assertNull(TemporaryNames.nodeOf("orders"));
        assertNull(TemporaryNames.nodeOf("temp-queue."));
        assertNull(TemporaryNames.nodeOf("temp-queue.abc"));
        assertNull(TemporaryNames.nodeOf("temp-queue..1"));
        assertNull(TemporaryNames.nodeOfScope(null));
        assertNull(TemporaryNames.nodeOfScope("no-incarnation"));
    }
}
