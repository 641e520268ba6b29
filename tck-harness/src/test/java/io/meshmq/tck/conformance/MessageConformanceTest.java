package io.meshmq.tck.conformance;

import jakarta.jms.BytesMessage;
import jakarta.jms.Connection;
import jakarta.jms.MapMessage;
import jakarta.jms.Message;
import jakarta.jms.MessageFormatException;
import jakarta.jms.MessageNotWriteableException;
import jakarta.jms.Queue;
import jakarta.jms.Session;
import jakarta.jms.TextMessage;

import java.util.Map;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * Specification chapter 3: message bodies, properties and headers after a trip through the broker.
 */
class MessageConformanceTest
{
    private static Message roundTrip(final Conformance env, final Session session, final Message message) throws Exception
    {
        final Queue queue = session.createQueue(env.name("message-" + java.util.UUID.randomUUID()));
        try (Connection connection = env.producerFactory().createConnection())
        {
            // A message made by one session, sent by another connection's: the provider's own messages travel.
            connection.createSession(false, Session.AUTO_ACKNOWLEDGE).createProducer(queue).send(message);
        }
        return session.createConsumer(queue).receive(5000);
    }

    @EachTransport
    void shouldMakeReceivedBodiesAndPropertiesReadOnlyUntilCleared(final Conformance env) throws Exception
    {
        final Connection connection = env.consumerConnection();
        connection.start();
        final Session session = connection.createSession(false, Session.AUTO_ACKNOWLEDGE);
        final TextMessage sent = session.createTextMessage("body");
        sent.setStringProperty("JMSXGroupID", "group-1");
        sent.setIntProperty("JMSXGroupSeq", 3);
        sent.setJMSReplyTo(session.createQueue("replies"));
        sent.setJMSCorrelationIDAsBytes(new byte[] {1, 2, 3});
        final TextMessage received = (TextMessage)roundTrip(env, session, sent);
        assertEquals("group-1", received.getStringProperty("JMSXGroupID"));
        assertEquals(3, received.getIntProperty("JMSXGroupSeq"));
        assertEquals(session.createQueue("replies"), received.getJMSReplyTo());
        assertArrayEquals(new byte[] {1, 2, 3}, received.getJMSCorrelationIDAsBytes());
        assertThrows(MessageNotWriteableException.class, () -> received.setText("changed"));
        assertThrows(MessageNotWriteableException.class, () -> received.setStringProperty("p", "v"));
        received.clearBody();
        received.setText("changed");
        received.clearProperties();
        received.setStringProperty("p", "v");
        assertFalse(received.propertyExists("JMSXGroupID"));
    }

    @EachTransport
    void shouldConvertPropertiesAndRefuseBadConversions(final Conformance env) throws Exception
    {
        final Connection connection = env.consumerConnection();
        connection.start();
        final Session session = connection.createSession(false, Session.AUTO_ACKNOWLEDGE);
        final Message sent = session.createMessage();
        sent.setIntProperty("i", 42);
        sent.setStringProperty("s", "7");
        sent.setBooleanProperty("b", true);
        final Message received = roundTrip(env, session, sent);
        assertEquals(42L, received.getLongProperty("i"));
        assertEquals("42", received.getStringProperty("i"));
        assertEquals(7, received.getIntProperty("s"));
        assertThrows(MessageFormatException.class, () -> received.getIntProperty("b"));
        assertThrows(NumberFormatException.class, () -> received.getIntProperty("missing"));
    }

    @EachTransport
    void shouldExposeBodiesThroughGetBody(final Conformance env) throws Exception
    {
        final Connection connection = env.consumerConnection();
        connection.start();
        final Session session = connection.createSession(false, Session.AUTO_ACKNOWLEDGE);
        final MapMessage map = session.createMapMessage();
        map.setInt("n", 1);
        final Message receivedMap = roundTrip(env, session, map);
        assertTrue(receivedMap.isBodyAssignableTo(Map.class));
        assertEquals(Map.of("n", 1), receivedMap.getBody(Map.class));
        assertThrows(MessageFormatException.class, () -> receivedMap.getBody(String.class));

        final BytesMessage bytes = session.createBytesMessage();
        bytes.writeBytes(new byte[] {9, 8});
        final Message receivedBytes = roundTrip(env, session, bytes);
        assertArrayEquals(new byte[] {9, 8}, receivedBytes.getBody(byte[].class));
        assertFalse(receivedBytes.isBodyAssignableTo(String.class));
    }
}
