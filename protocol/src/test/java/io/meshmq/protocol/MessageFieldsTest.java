package io.meshmq.protocol;

import org.junit.jupiter.api.Test;

import java.util.Map;

import static org.junit.jupiter.api.Assertions.assertDoesNotThrow;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

class MessageFieldsTest
{
    @Test
    void shouldEncodeABodylessMessageThatReadsBackAsAValidMessage()
    {
        final byte[] encoded = MessageFields.encodeBodyless("ID:signal-1", true, 1234, DestinationType.QUEUE,
            "$mesh.groups", Map.of("kind", "MOVE", "move", 7L));
        assertDoesNotThrow(() -> MessageValidator.validate(encoded));
        final MessageHeaderFlyweight header = new MessageHeaderFlyweight().wrap(encoded);
        assertTrue(header.isPersistent());
        assertEquals(MessageDescriptor.BODY_MESSAGE, header.bodyType());
        assertEquals(1234, header.timestamp());
        assertEquals(0, header.expiration());
        assertEquals(new MessageFields.Address("ID:signal-1", DestinationType.QUEUE, "$mesh.groups"),
            MessageFields.addressOf(encoded));
        final MessageFields fields = MessageFields.decode(encoded);
        assertEquals(Map.of("kind", "MOVE", "move", 7L), fields.properties());
        assertEquals(encoded.length, fields.bodyOffset(), "no body");
    }
}
