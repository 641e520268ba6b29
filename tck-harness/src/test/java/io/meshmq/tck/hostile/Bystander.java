package io.meshmq.tck.hostile;

import io.meshmq.jms.MeshConnectionFactory;
import jakarta.jms.Connection;
import jakarta.jms.MessageConsumer;
import jakarta.jms.MessageProducer;
import jakarta.jms.Queue;
import jakarta.jms.Session;
import jakarta.jms.TextMessage;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotNull;

/**
 * A well-behaved client beside an attacker: it must still connect, send and receive, within a few seconds.
 */
final class Bystander
{
    /** How long the bystander may wait for its own message: far less than a stopped broker would make it wait. */
    static final long RECEIVE_MS = 5_000;

    private Bystander()
    {
    }

    /**
     * Connects, sends one message to a queue of its own and receives it.
     */
    static void assertWorks(final String url) throws Exception
    {
        try (Connection connection = new MeshConnectionFactory(url).createConnection())
        {
            connection.start();
            final Session session = connection.createSession(false, Session.AUTO_ACKNOWLEDGE);
            final Queue queue = session.createQueue("bystander");
            final MessageProducer producer = session.createProducer(queue);
            final MessageConsumer consumer = session.createConsumer(queue);
            producer.send(session.createTextMessage("still here"));
            final TextMessage received = (TextMessage)consumer.receive(RECEIVE_MS);
            assertNotNull(received, "the bystander waited more than " + RECEIVE_MS + " ms for its message");
            assertEquals("still here", received.getText());
        }
    }
}
