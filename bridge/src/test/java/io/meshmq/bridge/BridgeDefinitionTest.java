package io.meshmq.bridge;

import org.junit.jupiter.api.Test;

import java.util.Map;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

class BridgeDefinitionTest
{
    @Test
    void shouldTakeDefaultsAndATopicTarget()
    {
        final BridgeDefinition plain = BridgeDefinition.of("b", Map.of("source-queue", "orders",
            "target-url", "tcp://h1:7918,tcp://h2:7918"));
        assertEquals("orders", plain.targetName());
        assertEquals(1_000, plain.retryIntervalMs());
        assertEquals(2.0, plain.retryIntervalMultiplier());
        assertEquals(30_000, plain.maxRetryIntervalMs());
        assertEquals(-1, plain.reconnectAttempts());
        assertEquals(100, plain.confirmationWindow());
        assertNull(plain.filter());

        final BridgeDefinition topic = BridgeDefinition.of("b", Map.of("source-queue", "orders",
            "target-url", "tcp://h1:7918", "target-address", "topic:prices", "filter", "region = 'eu'"));
        assertTrue(topic.targetIsTopic());
        assertEquals("prices", topic.targetName());
    }

    @Test
    void shouldNameWhatIsWrong()
    {
        assertMessage("bridge 'b': source-queue is missing", Map.of("target-url", "tcp://h:1"));
        assertMessage("bridge 'b': unknown key 'target'", Map.of("source-queue", "q", "target", "x"));
        assertMessage("bridge 'b': target-url: broker URL 'tpc://h:1' has scheme 'tpc'",
            Map.of("source-queue", "q", "target-url", "tpc://h:1"));
        assertMessage("bridge 'b': filter 'region =': invalid message selector",
            Map.of("source-queue", "q", "target-url", "tcp://h:1", "filter", "region = "));
        assertMessage("bridge 'b': confirmation-window '0': expected a whole number from 1 to 4096",
            Map.of("source-queue", "q", "target-url", "tcp://h:1", "confirmation-window", "0"));
        assertMessage("bridge 'b': retry-interval-multiplier 'fast'",
            Map.of("source-queue", "q", "target-url", "tcp://h:1", "retry-interval-multiplier", "fast"));
        assertMessage("bridge 'b': a password without its user",
            Map.of("source-queue", "q", "target-url", "tcp://h:1", "password", "p"));
        final IllegalArgumentException name = assertThrows(IllegalArgumentException.class,
            () -> BridgeDefinition.of("a b", Map.of("source-queue", "q", "target-url", "tcp://h:1")));
        assertTrue(name.getMessage().startsWith("bridge name 'a b'"), name.getMessage());
    }

    private static void assertMessage(final String start, final Map<String, String> settings)
    {
        final IllegalArgumentException wrong =
            assertThrows(IllegalArgumentException.class, () -> BridgeDefinition.of("b", settings));
        assertTrue(wrong.getMessage().startsWith(start), wrong.getMessage());
    }
}
