package io.meshmq.tck.management;

import io.meshmq.admin.MeshAdmin;
import io.meshmq.jms.MeshConnectionFactory;
import io.meshmq.protocol.AdminTable;
import io.meshmq.protocol.AdminVerbs;
import io.meshmq.tck.crash.BrokerProcess;
import jakarta.jms.Connection;
import jakarta.jms.DeliveryMode;
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
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * Moving messages between queues by hand ({@code queue.move}, the JMX {@code moveMessages} and
 * {@code ./meshmq queue move}): those the selector matches move, in order, each marked with where it came from; paged
 * messages are read back as room is made; the move is journaled, so after kill -9 every message is in one queue, once.
 */
class MoveMessagesTest
{
    private static final int COUNT = 600;

    @TempDir
    Path dir;

    @Test
    void shouldMoveWhatTheSelectorMatchesAndKeepItAcrossACrash() throws Exception
    {
        // a small queue size makes most of the 600 messages page to disk
        final String[] settings = {"address.failed.max-size-bytes = 65536"};
        BrokerProcess broker = BrokerProcess.startNode(dir, "mover", 0, settings);
        try
        {
            try (Connection connection = new MeshConnectionFactory(broker.url()).createConnection())
            {
                final Session session = connection.createSession();
                final MessageProducer producer = session.createProducer(session.createQueue("failed"));
                producer.setDeliveryMode(DeliveryMode.PERSISTENT);
                for (int i = 0; i < COUNT; i++)
                {
                    final TextMessage message = session.createTextMessage("m" + i + "-" + "x".repeat(400));
                    message.setIntProperty("n", i);
                    message.setBooleanProperty("even", i % 2 == 0);
                    producer.send(message);
                }
                session.createConsumer(session.createQueue("retry")).close();
            }
            final long firstMoved;
            try (MeshAdmin admin = MeshAdmin.connect(broker.url(), null, null))
            {
                // With a selector, what does not match stays in memory: once that fills the queue's room, the paged
                // rest cannot be read back, and the answer says how many are still paged.
                final AdminTable some = admin.call(AdminVerbs.QUEUE_MOVE, "failed", "retry", "even = TRUE");
                firstMoved = (Long)some.value(0, "moved");
                assertTrue(firstMoved > 0 && (Long)some.value(0, "still-paged") > 0, some.rows().toString());
                // Without one, room is made as messages move: every paged message moves too.
                final AdminTable rest = admin.call(AdminVerbs.QUEUE_MOVE, "failed", "retry");
                assertEquals(COUNT - firstMoved, rest.value(0, "moved"), rest.rows().toString());
                assertEquals(0L, rest.value(0, "still-paged"), rest.rows().toString());
                final JMSException missing = assertThrows(JMSException.class,
                    () -> admin.call(AdminVerbs.QUEUE_MOVE, "failed", "no.such"));
                assertTrue(missing.getMessage().contains("there is no queue 'no.such'"), missing.getMessage());
                final JMSException badSelector = assertThrows(JMSException.class,
                    () -> admin.call(AdminVerbs.QUEUE_MOVE, "failed", "retry", "even ="));
                assertTrue(badSelector.getMessage().contains("selector 'even ='"), badSelector.getMessage());
            }
            broker.kill();
            broker.close();
            broker = BrokerProcess.startNode(dir, "mover", 0, settings);
            final List<Integer> expected = new ArrayList<>();
            for (int i = 0; i < firstMoved; i++)
            {
                expected.add(2 * i);
            }
            for (int i = 0; i < COUNT; i++)
            {
                if (i % 2 == 1 || i >= 2 * firstMoved)
                {
                    expected.add(i);
                }
            }
            assertEquals(expected, drain(broker, "retry"), "the first move's even ones, then the rest, in order, once");
            assertEquals(List.of(), drain(broker, "failed"));
        }
        finally
        {
            broker.close();
        }
    }

    private static List<Integer> drain(final BrokerProcess broker, final String queue) throws JMSException
    {
        final List<Integer> numbers = new ArrayList<>();
        try (Connection connection = new MeshConnectionFactory(broker.url()).createConnection())
        {
            final Session session = connection.createSession();
            final MessageConsumer consumer = session.createConsumer(session.createQueue(queue));
            connection.start();
            Message message;
            while ((message = consumer.receive(2_000)) != null)
            {
                numbers.add(message.getIntProperty("n"));
                if ("retry".equals(queue))
                {
                    assertEquals("failed", message.getStringProperty("JMS_MeshMQ_OriginalDestination"));
                }
            }
            assertNull(consumer.receiveNoWait());
        }
        return numbers;
    }
}
