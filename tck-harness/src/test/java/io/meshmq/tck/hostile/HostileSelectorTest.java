package io.meshmq.tck.hostile;

import io.meshmq.jms.MeshConnectionFactory;
import io.meshmq.tck.crash.BrokerProcess;
import jakarta.jms.Connection;
import jakarta.jms.InvalidSelectorException;
import jakarta.jms.Message;
import jakarta.jms.MessageConsumer;
import jakarta.jms.MessageProducer;
import jakarta.jms.Queue;
import jakarta.jms.Session;
import jakarta.jms.TextMessage;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.nio.file.Path;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * One client's selectors must not stop the broker for everyone (issue 17, items 1 and 2): a LIKE that a backtracking
 * regular expression takes for ever, and selectors too long or too deep to evaluate, against a real broker process
 * while a bystander keeps sending and receiving.
 */
class HostileSelectorTest
{
    @TempDir
    Path workDir;

    @Test
    void shouldKeepServingOthersWhileMatchingABacktrackingLikePattern() throws Exception
    {
        try (BrokerProcess broker = BrokerProcess.start(workDir.resolve("data"));
            Connection attacker = new MeshConnectionFactory(broker.url()).createConnection();
            Connection bystander = new MeshConnectionFactory(broker.url()).createConnection())
        {
            attacker.start();
            bystander.start();
            final Session hostile = attacker.createSession(false, Session.AUTO_ACKNOWLEDGE);
            final Queue victim = hostile.createQueue("victim");
            // As a regular expression this pattern takes exponential time on a run of 'a's.
            final MessageConsumer trap = hostile.createConsumer(victim, "p LIKE '%a%a%a%a%a%a%a%a%a%a%a%a%ab'");
            final MessageProducer bait = hostile.createProducer(victim);
            for (int i = 0; i < 20; i++)
            {
                final Message message = hostile.createMessage();
                message.setStringProperty("p", "a".repeat(400 + i));
                bait.send(message);
            }

            final Session session = bystander.createSession(false, Session.AUTO_ACKNOWLEDGE);
            final Queue own = session.createQueue("bystander");
            final MessageConsumer consumer = session.createConsumer(own);
            final MessageProducer producer = session.createProducer(own);
            for (int i = 0; i < 10; i++)
            {
                producer.send(session.createTextMessage("ping " + i));
                final TextMessage received = (TextMessage)consumer.receive(Bystander.RECEIVE_MS);
                assertNotNull(received, "the bystander waited more than " + Bystander.RECEIVE_MS + " ms for message " + i);
                assertEquals("ping " + i, received.getText());
            }
            assertNull(trap.receiveNoWait(), "no message matches the pattern");
            final Message matching = hostile.createMessage();
            matching.setStringProperty("p", "a".repeat(30) + "b");
            bait.send(matching);
            assertNotNull(trap.receive(Bystander.RECEIVE_MS), "a message that matches is delivered");
        }
    }

    @Test
    void shouldRefuseSelectorsTooLongOrTooDeepWithAClearException() throws Exception
    {
        try (BrokerProcess broker = BrokerProcess.start(workDir.resolve("data"));
            Connection connection = new MeshConnectionFactory(broker.url()).createConnection())
        {
            final Session session = connection.createSession(false, Session.AUTO_ACKNOWLEDGE);
            final Queue queue = session.createQueue("q");
            final InvalidSelectorException tooLong = assertThrows(InvalidSelectorException.class,
                () -> session.createConsumer(queue, "x = 1" + " AND x = 1".repeat(50_000)));
            assertTrue(tooLong.getMessage().contains("at most 65536"), tooLong.getMessage());
            final InvalidSelectorException tooDeep = assertThrows(InvalidSelectorException.class,
                () -> session.createConsumer(queue, "(".repeat(5_000) + "x = 1" + ")".repeat(5_000)));
            assertTrue(tooDeep.getMessage().contains("nests more than"), tooDeep.getMessage());

            // A long chain within the limits works, and is evaluated for every message without running out of stack.
            final MessageConsumer chained = session.createConsumer(queue, "x = 1" + " AND x = 1".repeat(6_000));
            connection.start();
            final MessageProducer producer = session.createProducer(queue);
            final Message message = session.createMessage();
            message.setIntProperty("x", 1);
            producer.send(message);
            assertNotNull(chained.receive(Bystander.RECEIVE_MS));
        }
    }
}
