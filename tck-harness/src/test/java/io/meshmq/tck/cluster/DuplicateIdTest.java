package io.meshmq.tck.cluster;

import io.meshmq.jms.MeshConnectionFactory;
import io.meshmq.tck.crash.BrokerProcess;
import jakarta.jms.Connection;
import jakarta.jms.JMSException;
import jakarta.jms.Message;
import jakarta.jms.MessageConsumer;
import jakarta.jms.MessageProducer;
import jakarta.jms.Session;
import jakarta.jms.TextMessage;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;

import static org.junit.jupiter.api.Assertions.assertEquals;

/**
 * A message an application sends twice with the same duplicate id of its own ({@code JMS_MeshMQ_DuplicateID}, or
 * Artemis's {@code _AMQ_DUPL_ID}) is stored once: by one broker, after that broker's restart, and by two nodes of a
 * mesh when one forwards it to the other.
 */
class DuplicateIdTest
{
    private static final long WAIT_MS = 10_000;

    @TempDir
    Path dir;

    private static void send(final String url, final String queue, final String property, final String duplicateId,
        final String text) throws JMSException
    {
        try (Connection connection = new MeshConnectionFactory(url).createConnection())
        {
            final Session session = connection.createSession(false, Session.AUTO_ACKNOWLEDGE);
            final MessageProducer producer = session.createProducer(session.createQueue(queue));
            final TextMessage message = session.createTextMessage(text);
            if (duplicateId != null)
            {
                message.setStringProperty(property, duplicateId);
            }
            producer.send(message);
        }
    }

    /**
     * @return the texts of every message waiting in the queue, once it has been quiet for a while.
     */
    private static List<String> drain(final String url, final String queue, final int expected) throws JMSException
    {
        final List<String> texts = new ArrayList<>();
        try (Connection connection = new MeshConnectionFactory(url).createConnection())
        {
            connection.start();
            final Session session = connection.createSession(false, Session.AUTO_ACKNOWLEDGE);
            final MessageConsumer consumer = session.createConsumer(session.createQueue(queue));
            for (Message message = consumer.receive(WAIT_MS); message != null;
                message = consumer.receive(texts.size() < expected ? WAIT_MS : 500))
            {
                texts.add(((TextMessage)message).getText());
            }
        }
        return texts;
    }

    @Test
    void shouldStoreOnceWhatIsSentTwiceWithOneIdAlsoAfterARestart() throws Exception
    {
        try (BrokerProcess broker = BrokerProcess.start(dir.resolve("broker")))
        {
            final String url = "tcp://127.0.0.1:" + broker.port();
            send(url, "orders", "JMS_MeshMQ_DuplicateID", "order-1", "first");
            send(url, "orders", "JMS_MeshMQ_DuplicateID", "order-1", "again");
            send(url, "orders", "_AMQ_DUPL_ID", "order-2", "second");
            send(url, "orders", "_AMQ_DUPL_ID", "order-2", "again");
            send(url, "orders", "JMS_MeshMQ_DuplicateID", "order-3", "third, before the restart");
            send(url, "orders", null, null, "no id");
            send(url, "orders", null, null, "no id");
            assertEquals(List.of("first", "second", "third, before the restart", "no id", "no id"),
                drain(url, "orders", 5));
        }
        try (BrokerProcess broker = BrokerProcess.startNode(dir.resolve("broker"), "restarted", 0))
        {
            final String url = "tcp://127.0.0.1:" + broker.port();
            send(url, "orders", "JMS_MeshMQ_DuplicateID", "order-3", "third, after the restart");
            send(url, "orders", "JMS_MeshMQ_DuplicateID", "order-4", "fourth");
            assertEquals(List.of("fourth"), drain(url, "orders", 1), "the id consumed before the restart is remembered");
        }
    }

    @Test
    void shouldStoreOnceWhatIsSentTwiceWithOneIdThroughTwoNodesOfTheMesh() throws Exception
    {
        try (ClusterNodes nodes = ClusterNodes.start(dir, "duplicates", 2))
        {
            nodes.awaitMesh();
            final String n1 = nodes.url(0);
            final String n2 = nodes.url(1);
            try (Connection connection = new MeshConnectionFactory(n2).createConnection())
            {
                connection.start();
                final Session session = connection.createSession(false, Session.AUTO_ACKNOWLEDGE);
                final MessageConsumer consumer = session.createConsumer(session.createQueue("mesh-orders"));
                nodes.awaitRemoteConsumers(0, 1, 1);
                // n1 has no consumer: it forwards to n2, which then holds the id.
                send(n1, "mesh-orders", "JMS_MeshMQ_DuplicateID", "a", "a via n1");
                assertEquals("a via n1", ((TextMessage)consumer.receive(WAIT_MS)).getText());
                send(n2, "mesh-orders", "JMS_MeshMQ_DuplicateID", "a", "a via n2");
                send(n2, "mesh-orders", "JMS_MeshMQ_DuplicateID", "b", "b via n2");
                assertEquals("b via n2", ((TextMessage)consumer.receive(WAIT_MS)).getText());
                send(n1, "mesh-orders", "JMS_MeshMQ_DuplicateID", "b", "b via n1");
                send(n1, "mesh-orders", "JMS_MeshMQ_DuplicateID", "c", "c via n1");
                assertEquals("c via n1", ((TextMessage)consumer.receive(WAIT_MS)).getText(),
                    "what n2 held already was not stored again, whichever way it came");
            }
        }
    }
}
