package io.meshmq.engine;

import io.meshmq.jms.MeshConnectionFactory;
import jakarta.jms.BytesMessage;
import jakarta.jms.Connection;
import jakarta.jms.ConnectionFactory;
import jakarta.jms.DeliveryMode;
import jakarta.jms.JMSConsumer;
import jakarta.jms.JMSContext;
import jakarta.jms.MapMessage;
import jakarta.jms.Message;
import jakarta.jms.MessageConsumer;
import jakarta.jms.MessageProducer;
import jakarta.jms.ObjectMessage;
import jakarta.jms.Queue;
import jakarta.jms.QueueConnection;
import jakarta.jms.QueueReceiver;
import jakarta.jms.QueueSender;
import jakarta.jms.QueueSession;
import jakarta.jms.Session;
import jakarta.jms.StreamMessage;
import jakarta.jms.TemporaryQueue;
import jakarta.jms.TextMessage;
import jakarta.jms.Topic;
import jakarta.jms.TopicConnection;
import jakarta.jms.TopicPublisher;
import jakarta.jms.TopicSession;
import jakarta.jms.TopicSubscriber;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * The behaviours a plain JMS application relies on, over a real broker, each over TCP and in-VM; only
 * {@code jakarta.jms} interfaces are used past the factory.
 */
class MessagingTest
{
    private static TestBroker broker;

    @BeforeAll
    static void startBroker() throws Exception
    {
        broker = TestBroker.start();
    }

    @AfterAll
    static void stopBroker()
    {
        broker.close();
    }

    private static ConnectionFactory factory(final String transport)
    {
        return new MeshConnectionFactory("tcp".equals(transport) ? broker.tcpUrl() : broker.vmUrl());
    }

    private static String unique(final String prefix)
    {
        return prefix + "-" + UUID.randomUUID();
    }

    @ParameterizedTest
    @ValueSource(strings = {"tcp", "vm"})
    void shouldDeliverQueueMessagesInProducerOrder(final String transport) throws Exception
    {
        try (Connection connection = factory(transport).createConnection())
        {
            final Session session = connection.createSession(false, Session.AUTO_ACKNOWLEDGE);
            final Queue queue = session.createQueue(unique("order"));
            final MessageProducer producer = session.createProducer(queue);
            producer.setDeliveryMode(DeliveryMode.NON_PERSISTENT);
            for (int i = 0; i < 500; i++)
            {
                final TextMessage m = session.createTextMessage("m" + i);
                m.setIntProperty("i", i);
                producer.send(m);
            }
            final MessageConsumer consumer = session.createConsumer(queue);
            connection.start();
            for (int i = 0; i < 500; i++)
            {
                final Message m = consumer.receive(5000);
                assertNotNull(m, "message " + i);
                assertEquals(i, m.getIntProperty("i"));
                assertFalse(m.getJMSRedelivered());
                assertEquals(1, m.getIntProperty("JMSXDeliveryCount"));
            }
            assertNull(consumer.receiveNoWait());
        }
    }

    @ParameterizedTest
    @ValueSource(strings = {"tcp", "vm"})
    void shouldSendLargeMessagesAheadOnlyAsFarAsTheByteWindow(final String transport) throws Exception
    {
        final int size = 64 * 1024;
        final int window = io.meshmq.client.ConnectionUrl.DEFAULT_CONSUMER_WINDOW_BYTES;
        try (Connection connection = factory(transport).createConnection();
            io.meshmq.admin.MeshAdmin admin = io.meshmq.admin.MeshAdmin.connect(broker.tcpUrl(), null, null))
        {
            final Session session = connection.createSession(false, Session.AUTO_ACKNOWLEDGE);
            final Queue queue = session.createQueue(unique("large"));
            final MessageProducer producer = session.createProducer(queue);
            for (int i = 0; i < 100; i++)
            {
                final BytesMessage m = session.createBytesMessage();
                m.writeBytes(new byte[size]);
                m.setIntProperty("i", i);
                producer.send(m);
            }
            final MessageConsumer consumer = session.createConsumer(queue);
            connection.start();
            assertEquals(0, consumer.receive(5000).getIntProperty("i"));
            final long deadline = System.nanoTime() + 5_000_000_000L;
            // About window / size in all were sent, the first of them received and acknowledged.
            while (admin.queue(queue.getQueueName()).delivering() < window / size - 2 && System.nanoTime() < deadline)
            {
                Thread.sleep(5);
            }
            final long ahead = admin.queue(queue.getQueueName()).delivering();
            assertTrue(ahead >= window / size - 2 && ahead <= window / size + 1,
                ahead + " messages of 64 KiB sent ahead; the window is 1 MiB, and one message may overshoot it");
            for (int i = 1; i < 100; i++)
            {
                final Message m = consumer.receive(5000);
                assertNotNull(m, "message " + i);
                assertEquals(i, m.getIntProperty("i"));
            }
        }
    }

    @ParameterizedTest
    @ValueSource(strings = {"tcp", "vm"})
    void shouldShareQueueMessagesRoundRobinBetweenCompetingConsumers(final String transport) throws Exception
    {
        try (Connection connection = factory(transport).createConnection())
        {
            final Session session = connection.createSession(false, Session.AUTO_ACKNOWLEDGE);
            final Queue queue = session.createQueue(unique("compete"));
            final MessageConsumer a = connection.createSession(false, Session.AUTO_ACKNOWLEDGE).createConsumer(queue);
            final MessageConsumer b = connection.createSession(false, Session.AUTO_ACKNOWLEDGE).createConsumer(queue);
            final MessageProducer producer = session.createProducer(queue);
            for (int i = 0; i < 100; i++)
            {
                producer.send(session.createTextMessage("m" + i));
            }
            connection.start();
            final List<String> fromA = drain(a);
            final List<String> fromB = drain(b);
            assertEquals(50, fromA.size());
            assertEquals(50, fromB.size());
            for (int i = 0; i < 50; i++)
            {
                assertEquals("m" + (2 * i), fromA.get(i));
                assertEquals("m" + (2 * i + 1), fromB.get(i));
            }
        }
    }

    private static List<String> drain(final MessageConsumer consumer) throws Exception
    {
        final List<String> bodies = new ArrayList<>();
        Message m;
        while ((m = consumer.receive(500)) != null)
        {
            bodies.add(((TextMessage)m).getText());
        }
        return bodies;
    }

    @ParameterizedTest
    @ValueSource(strings = {"tcp", "vm"})
    void shouldGiveEveryTopicSubscriberEveryMessagePublishedAfterItSubscribed(final String transport) throws Exception
    {
        try (TopicConnection connection = ((MeshConnectionFactory)factory(transport)).createTopicConnection())
        {
            final TopicSession session = connection.createTopicSession(false, Session.AUTO_ACKNOWLEDGE);
            final Topic topic = session.createTopic(unique("news"));
            final TopicPublisher publisher = session.createPublisher(topic);
            publisher.publish(session.createTextMessage("before anyone subscribed"));
            final List<TopicSubscriber> subscribers = new ArrayList<>();
            for (int s = 0; s < 3; s++)
            {
                subscribers.add(connection.createTopicSession(false, Session.AUTO_ACKNOWLEDGE).createSubscriber(topic));
            }
            connection.start();
            for (int i = 0; i < 20; i++)
            {
                publisher.publish(session.createTextMessage("n" + i));
            }
            for (final TopicSubscriber subscriber : subscribers)
            {
                for (int i = 0; i < 20; i++)
                {
                    assertEquals("n" + i, ((TextMessage)subscriber.receive(5000)).getText());
                }
                assertNull(subscriber.receive(100));
            }
        }
    }

    @ParameterizedTest
    @ValueSource(strings = {"tcp", "vm"})
    void shouldCarryEveryMessageTypeHeadersAndProperties(final String transport) throws Exception
    {
        try (Connection connection = factory(transport).createConnection())
        {
            final Session session = connection.createSession(false, Session.AUTO_ACKNOWLEDGE);
            final Queue queue = session.createQueue(unique("types"));
            final Queue replyTo = session.createQueue("replies");
            final MessageProducer producer = session.createProducer(queue);
            final MessageConsumer consumer = session.createConsumer(queue);
            connection.start();

            final TextMessage text = session.createTextMessage("héllo ✓");
            text.setJMSCorrelationID("corr-1");
            text.setJMSType("greeting");
            text.setJMSReplyTo(replyTo);
            text.setBooleanProperty("b", true);
            text.setByteProperty("y", (byte)7);
            text.setShortProperty("s", (short)300);
            text.setIntProperty("i", 70000);
            text.setLongProperty("l", 1L << 40);
            text.setFloatProperty("f", 1.5f);
            text.setDoubleProperty("d", 2.25);
            text.setStringProperty("str", "value");
            text.setStringProperty("JMSXGroupID", "group-1");
            producer.send(text, DeliveryMode.PERSISTENT, 7, 60_000);
            final TextMessage t = (TextMessage)consumer.receive(5000);
            assertEquals("héllo ✓", t.getText());
            assertEquals(text.getJMSMessageID(), t.getJMSMessageID());
            assertTrue(t.getJMSMessageID().startsWith("ID:"));
            assertEquals("corr-1", t.getJMSCorrelationID());
            assertEquals("greeting", t.getJMSType());
            assertEquals(replyTo, t.getJMSReplyTo());
            assertEquals(queue, t.getJMSDestination());
            assertEquals(DeliveryMode.PERSISTENT, t.getJMSDeliveryMode());
            assertEquals(7, t.getJMSPriority());
            assertTrue(t.getJMSExpiration() > System.currentTimeMillis());
            assertEquals(text.getJMSTimestamp(), t.getJMSTimestamp());
            assertTrue(t.getBooleanProperty("b"));
            assertEquals(7, t.getByteProperty("y"));
            assertEquals(300, t.getShortProperty("s"));
            assertEquals(70000, t.getIntProperty("i"));
            assertEquals(1L << 40, t.getLongProperty("l"));
            assertEquals(1.5f, t.getFloatProperty("f"));
            assertEquals(2.25, t.getDoubleProperty("d"));
            assertEquals("value", t.getStringProperty("str"));
            assertEquals("group-1", t.getStringProperty("JMSXGroupID"));
            assertEquals("70000", t.getStringProperty("i"));

            final BytesMessage bytes = session.createBytesMessage();
            bytes.writeInt(42);
            bytes.writeUTF("utf");
            bytes.writeBytes(new byte[] {1, 2, 3});
            producer.send(bytes);
            final BytesMessage by = (BytesMessage)consumer.receive(5000);
            assertEquals(4 + 2 + 3 + 3, by.getBodyLength());
            assertEquals(42, by.readInt());
            assertEquals("utf", by.readUTF());
            final byte[] three = new byte[3];
            assertEquals(3, by.readBytes(three));
            assertArrayEquals(new byte[] {1, 2, 3}, three);

            final MapMessage map = session.createMapMessage();
            map.setInt("n", 5);
            map.setString("s", "x");
            map.setBytes("raw", new byte[] {9});
            map.setChar("c", 'z');
            producer.send(map);
            final MapMessage mm = (MapMessage)consumer.receive(5000);
            assertEquals(5, mm.getInt("n"));
            assertEquals("5", mm.getString("n"));
            assertEquals("x", mm.getString("s"));
            assertArrayEquals(new byte[] {9}, mm.getBytes("raw"));
            assertEquals('z', mm.getChar("c"));

            final StreamMessage stream = session.createStreamMessage();
            stream.writeLong(11);
            stream.writeString("22");
            stream.writeBoolean(true);
            producer.send(stream);
            final StreamMessage sm = (StreamMessage)consumer.receive(5000);
            assertEquals(11, sm.readLong());
            assertEquals(22, sm.readInt());
            assertTrue(sm.readBoolean());

            final HashMap<String, Integer> payload = new HashMap<>(Map.of("k", 1));
            producer.send(session.createObjectMessage(payload));
            final ObjectMessage om = (ObjectMessage)consumer.receive(5000);
            assertEquals(payload, om.getObject());

            producer.send(session.createMessage());
            final Message plain = consumer.receive(5000);
            assertNotNull(plain);
            assertTrue(plain.isBodyAssignableTo(Object.class));
        }
    }

    @ParameterizedTest
    @ValueSource(strings = {"tcp", "vm"})
    void shouldDeliverToMessageListenersOneAtATimePerSession(final String transport) throws Exception
    {
        try (Connection connection = factory(transport).createConnection())
        {
            final Session session = connection.createSession(false, Session.AUTO_ACKNOWLEDGE);
            final Queue queue = session.createQueue(unique("listener"));
            final MessageConsumer consumer = session.createConsumer(queue);
            final CountDownLatch done = new CountDownLatch(200);
            final AtomicInteger concurrent = new AtomicInteger();
            final AtomicInteger maxConcurrent = new AtomicInteger();
            final List<Integer> seen = new CopyOnWriteArrayList<>();
            consumer.setMessageListener(message ->
            {
                maxConcurrent.accumulateAndGet(concurrent.incrementAndGet(), Math::max);
                try
                {
                    seen.add(message.getIntProperty("i"));
                }
                catch (final Exception ex)
                {
                    throw new RuntimeException(ex);
                }
                concurrent.decrementAndGet();
                done.countDown();
            });
            final Session producerSession = connection.createSession(false, Session.AUTO_ACKNOWLEDGE);
            final MessageProducer producer = producerSession.createProducer(queue);
            for (int i = 0; i < 200; i++)
            {
                final Message m = producerSession.createMessage();
                m.setIntProperty("i", i);
                producer.send(m);
            }
            assertEquals(200, done.getCount(), "nothing is delivered before start()");
            connection.start();
            assertTrue(done.await(10, TimeUnit.SECONDS));
            assertEquals(1, maxConcurrent.get());
            for (int i = 0; i < 200; i++)
            {
                assertEquals(i, seen.get(i));
            }
        }
    }

    @ParameterizedTest
    @ValueSource(strings = {"tcp", "vm"})
    void shouldHoldDeliveryWhileConnectionIsStopped(final String transport) throws Exception
    {
        try (Connection connection = factory(transport).createConnection())
        {
            final Session session = connection.createSession(false, Session.AUTO_ACKNOWLEDGE);
            final Queue queue = session.createQueue(unique("stop"));
            final MessageConsumer consumer = session.createConsumer(queue);
            session.createProducer(queue).send(session.createTextMessage("x"));
            assertNull(consumer.receive(200), "a stopped connection delivers nothing");
            connection.start();
            assertNotNull(consumer.receive(5000));
            connection.stop();
            session.createProducer(queue).send(session.createTextMessage("y"));
            assertNull(consumer.receive(200));
            connection.start();
            assertEquals("y", ((TextMessage)consumer.receive(5000)).getText());
        }
    }

    @ParameterizedTest
    @ValueSource(strings = {"tcp", "vm"})
    void shouldRedeliverOnRecoverInClientAcknowledgeMode(final String transport) throws Exception
    {
        try (Connection connection = factory(transport).createConnection())
        {
            final Session session = connection.createSession(false, Session.CLIENT_ACKNOWLEDGE);
            final Queue queue = session.createQueue(unique("client-ack"));
            final MessageProducer producer = session.createProducer(queue);
            for (int i = 0; i < 3; i++)
            {
                producer.send(session.createTextMessage("m" + i));
            }
            final MessageConsumer consumer = session.createConsumer(queue);
            connection.start();
            assertEquals("m0", ((TextMessage)consumer.receive(5000)).getText());
            assertEquals("m1", ((TextMessage)consumer.receive(5000)).getText());
            session.recover();
            final Message again = consumer.receive(5000);
            assertEquals("m0", ((TextMessage)again).getText());
            assertTrue(again.getJMSRedelivered());
            assertEquals(2, again.getIntProperty("JMSXDeliveryCount"));
            assertEquals("m1", ((TextMessage)consumer.receive(5000)).getText());
            final Message third = consumer.receive(5000);
            assertEquals("m2", ((TextMessage)third).getText());
            assertFalse(third.getJMSRedelivered());
            third.acknowledge();
            session.recover();
            assertNull(consumer.receive(200), "acknowledge() acknowledged everything the session consumed");
        }
    }

    @ParameterizedTest
    @ValueSource(strings = {"tcp", "vm"})
    void shouldReturnUnacknowledgedMessagesWhenSessionCloses(final String transport) throws Exception
    {
        final ConnectionFactory factory = factory(transport);
        final String name = unique("session-close");
        try (Connection connection = factory.createConnection())
        {
            final Session session = connection.createSession(false, Session.CLIENT_ACKNOWLEDGE);
            final Queue queue = session.createQueue(name);
            session.createProducer(queue).send(session.createTextMessage("kept"));
            final MessageConsumer consumer = session.createConsumer(queue);
            connection.start();
            assertNotNull(consumer.receive(5000));
            session.close();
            final Session other = connection.createSession(false, Session.AUTO_ACKNOWLEDGE);
            final Message again = other.createConsumer(queue).receive(5000);
            assertEquals("kept", ((TextMessage)again).getText());
            assertTrue(again.getJMSRedelivered());
        }
    }

    @ParameterizedTest
    @ValueSource(strings = {"tcp", "vm"})
    void shouldCommitAndRollBackTransactedSessions(final String transport) throws Exception
    {
        try (Connection connection = factory(transport).createConnection())
        {
            final Session tx = connection.createSession(true, Session.SESSION_TRANSACTED);
            final Queue queue = tx.createQueue(unique("tx"));
            final MessageProducer producer = tx.createProducer(queue);
            producer.send(tx.createTextMessage("a"));
            final Session plain = connection.createSession(false, Session.AUTO_ACKNOWLEDGE);
            final MessageConsumer observer = plain.createConsumer(queue);
            connection.start();
            assertNull(observer.receive(200), "uncommitted sends are invisible");
            tx.rollback();
            producer.send(tx.createTextMessage("b"));
            tx.commit();
            assertEquals("b", ((TextMessage)observer.receive(5000)).getText());
            observer.close();

            producer.send(tx.createTextMessage("c"));
            tx.commit();
            final MessageConsumer txConsumer = tx.createConsumer(queue);
            assertEquals("c", ((TextMessage)txConsumer.receive(5000)).getText());
            tx.rollback();
            final Message again = txConsumer.receive(5000);
            assertEquals("c", ((TextMessage)again).getText());
            assertTrue(again.getJMSRedelivered());
            tx.commit();
            txConsumer.close();
            assertNull(plain.createConsumer(queue).receive(200));
        }
    }

    @ParameterizedTest
    @ValueSource(strings = {"tcp", "vm"})
    void shouldWorkThroughTheSimplifiedApi(final String transport) throws Exception
    {
        try (JMSContext context = factory(transport).createContext())
        {
            final Queue queue = context.createQueue(unique("simple"));
            final JMSConsumer consumer = context.createConsumer(queue);
            context.createProducer().setProperty("p", 3).setJMSCorrelationID("c").send(queue, "body");
            assertEquals("body", consumer.receiveBody(String.class, 5000));
            context.createProducer().send(queue, new byte[] {1, 2});
            assertArrayEquals(new byte[] {1, 2}, consumer.receiveBody(byte[].class, 5000));
            context.createProducer().send(queue, Map.of("k", "v"));
            assertEquals("v", consumer.receiveBody(Map.class, 5000).get("k"));

            final TemporaryQueue replies = context.createTemporaryQueue();
            try (JMSContext second = context.createContext(JMSContext.AUTO_ACKNOWLEDGE))
            {
                second.createProducer().send(replies, "reply");
            }
            assertEquals("reply", context.createConsumer(replies).receiveBody(String.class, 5000));
        }
    }

    @ParameterizedTest
    @ValueSource(strings = {"tcp", "vm"})
    void shouldServeManyConnectionsAndSessionsAtOnce(final String transport) throws Exception
    {
        final ConnectionFactory factory = factory(transport);
        final String name = unique("many");
        final int connections = 20;
        final int perConnection = 50;
        final List<Connection> open = new ArrayList<>();
        final ConcurrentLinkedQueue<String> received = new ConcurrentLinkedQueue<>();
        try
        {
            final Connection consumerConnection = factory.createConnection();
            open.add(consumerConnection);
            for (int s = 0; s < 4; s++)
            {
                final Session session = consumerConnection.createSession(false, Session.AUTO_ACKNOWLEDGE);
                session.createConsumer(session.createQueue(name)).setMessageListener(m ->
                {
                    try
                    {
                        received.add(((TextMessage)m).getText());
                    }
                    catch (final Exception ex)
                    {
                        throw new RuntimeException(ex);
                    }
                });
            }
            consumerConnection.start();
            final List<Thread> producers = new ArrayList<>();
            for (int c = 0; c < connections; c++)
            {
                final Connection connection = factory.createConnection();
                open.add(connection);
                final int id = c;
                final Thread t = new Thread(() ->
                {
                    try
                    {
                        final Session session = connection.createSession(false, Session.AUTO_ACKNOWLEDGE);
                        final MessageProducer producer = session.createProducer(session.createQueue(name));
                        for (int i = 0; i < perConnection; i++)
                        {
                            producer.send(session.createTextMessage(id + ":" + i));
                        }
                    }
                    catch (final Exception ex)
                    {
                        throw new RuntimeException(ex);
                    }
                });
                producers.add(t);
                t.start();
            }
            for (final Thread t : producers)
            {
                t.join(30_000);
            }
            Poll.until("every message", 20_000, () -> received.size() >= connections * perConnection);
            assertEquals(connections * perConnection, received.size());
            assertEquals(connections * perConnection, new java.util.HashSet<>(received).size());
        }
        finally
        {
            for (final Connection c : open)
            {
                c.close();
            }
        }
    }

    @ParameterizedTest
    @ValueSource(strings = {"tcp", "vm"})
    void shouldOfferClassicQueueInterfaces(final String transport) throws Exception
    {
        try (QueueConnection connection = ((MeshConnectionFactory)factory(transport)).createQueueConnection())
        {
            final QueueSession session = connection.createQueueSession(false, Session.DUPS_OK_ACKNOWLEDGE);
            final Queue queue = session.createQueue(unique("classic"));
            final QueueSender sender = session.createSender(queue);
            final QueueReceiver receiver = session.createReceiver(queue);
            connection.start();
            sender.send(session.createTextMessage("q"));
            assertEquals("q", ((TextMessage)receiver.receive(5000)).getText());
            assertEquals(queue, receiver.getQueue());
            assertInstanceOf(Queue.class, sender.getQueue());
        }
    }
}
