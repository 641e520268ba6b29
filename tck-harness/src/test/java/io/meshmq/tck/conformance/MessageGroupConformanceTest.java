package io.meshmq.tck.conformance;

import jakarta.jms.Connection;
import jakarta.jms.JMSException;
import jakarta.jms.Message;
import jakarta.jms.MessageConsumer;
import jakarta.jms.MessageProducer;
import jakarta.jms.Queue;
import jakarta.jms.Session;
import jakarta.jms.TextMessage;

import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * Message groups (JMSXGroupID, specification 3.5.9's JMS-defined properties; issue 21): the messages of a group go
 * to one consumer of the queue, in order, while it lives; when it closes, the group moves, in order, to another;
 * a message with {@code JMSXGroupSeq = -1} ends the group, so its next message may go elsewhere.
 */
class MessageGroupConformanceTest
{
    private static final int GROUPS = 10;
    private static final int PER_GROUP = 25;

    @EachTransport
    void shouldDeliverEachGroupToOneConsumerInOrder(final Conformance env) throws Exception
    {
        final Connection connection = env.consumerConnection();
        final Queue queue = connection.createSession(false, Session.AUTO_ACKNOWLEDGE).createQueue(env.name("groups"));
        final AtomicInteger received = new AtomicInteger();
        final Map<String, List<String>> byConsumer = listen(connection, queue, received, "consumer 0", "consumer 1",
            "consumer 2");

        final Session producing = env.producerConnection().createSession(false, Session.AUTO_ACKNOWLEDGE);
        final MessageProducer producer = producing.createProducer(queue);
        for (int i = 0; i < PER_GROUP; i++)
        {
            for (int g = 0; g < GROUPS; g++)
            {
                final TextMessage message = producing.createTextMessage("g" + g + ":" + i);
                message.setStringProperty("JMSXGroupID", "g" + g);
                producer.send(message);
            }
        }
        final long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(30);
        while (received.get() < GROUPS * PER_GROUP && System.nanoTime() < deadline)
        {
            Thread.sleep(10);
        }
        assertEquals(GROUPS * PER_GROUP, received.get());
        final Map<String, String> consumerOfGroup = new ConcurrentHashMap<>();
        int consumersUsed = 0;
        for (final Map.Entry<String, List<String>> entry : byConsumer.entrySet())
        {
            consumersUsed += entry.getValue().isEmpty() ? 0 : 1;
            final Map<String, Integer> lastOfGroup = new ConcurrentHashMap<>();
            for (final String text : entry.getValue())
            {
                final String group = text.substring(0, text.indexOf(':'));
                final int sequence = Integer.parseInt(text.substring(text.indexOf(':') + 1));
                final String before = consumerOfGroup.putIfAbsent(group, entry.getKey());
                assertTrue(before == null || before.equals(entry.getKey()), group + " went to " + before + " and " +
                    entry.getKey());
                final Integer last = lastOfGroup.put(group, sequence);
                assertTrue(last == null || last == sequence - 1, group + ": " + sequence + " after " + last + " on " +
                    entry.getKey());
            }
        }
        assertEquals(3, consumersUsed, "groups spread over the consumers: " + consumerOfGroup);
    }

    @EachTransport
    void shouldMoveAGroupInOrderToAnotherConsumerWhenItsConsumerCloses(final Conformance env) throws Exception
    {
        final Connection connection = env.consumerConnection();
        final Session first = connection.createSession(false, Session.CLIENT_ACKNOWLEDGE);
        final Queue queue = first.createQueue(env.name("moving"));
        final MessageConsumer firstConsumer = first.createConsumer(queue);
        connection.start();
        send(env, queue, "moving", 0, 6, false);

        assertEquals("moving:0", text(firstConsumer.receive(10_000)));
        final Message second = firstConsumer.receive(10_000);
        assertEquals("moving:1", text(second));
        second.acknowledge();
        final Session other = connection.createSession(false, Session.AUTO_ACKNOWLEDGE);
        final MessageConsumer otherConsumer = other.createConsumer(queue);
        firstConsumer.close();
        final List<String> moved = new ArrayList<>();
        for (int i = 2; i < 6; i++)
        {
            moved.add(text(otherConsumer.receive(10_000)));
        }
        assertEquals(List.of("moving:2", "moving:3", "moving:4", "moving:5"), moved,
            "the group's unacknowledged and waiting messages, in order, on the consumer it moved to");
    }

    @EachTransport
    void shouldEndAGroupAtSequenceMinusOne(final Conformance env) throws Exception
    {
        final Connection connection = env.consumerConnection();
        final Queue queue = connection.createSession(false, Session.AUTO_ACKNOWLEDGE).createQueue(env.name("ending"));
        final AtomicInteger received = new AtomicInteger();
        final Map<String, List<String>> byConsumer = listen(connection, queue, received, "a", "b");
        send(env, queue, "ending", 0, 3, true);
        send(env, queue, "ending", 3, 3, false);
        final long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(30);
        while (received.get() < 6 && System.nanoTime() < deadline)
        {
            Thread.sleep(10);
        }
        assertEquals(6, received.get());
        final String firstHolder = byConsumer.get("a").contains("ending:0") ? "a" : "b";
        final String otherHolder = firstHolder.equals("a") ? "b" : "a";
        assertEquals(List.of("ending:0", "ending:1", "ending:2"), byConsumer.get(firstHolder));
        assertEquals(List.of("ending:3", "ending:4", "ending:5"), byConsumer.get(otherHolder),
            "the group ended with sequence -1 and began again on the next consumer");
    }

    /**
     * Starts a listener per name, each on a session of its own, and the connection.
     *
     * @return what each listener received, in order, by name.
     */
    private static Map<String, List<String>> listen(final Connection connection, final Queue queue,
        final AtomicInteger received, final String... names) throws JMSException
    {
        final Map<String, List<String>> byConsumer = new ConcurrentHashMap<>();
        for (final String name : names)
        {
            final List<String> got = new CopyOnWriteArrayList<>();
            byConsumer.put(name, got);
            final MessageConsumer consumer = connection.createSession(false, Session.AUTO_ACKNOWLEDGE)
                .createConsumer(queue);
            consumer.setMessageListener(message ->
            {
                got.add(text(message));
                received.incrementAndGet();
            });
        }
        connection.start();
        return byConsumer;
    }

    /**
     * Sends messages of one group named after {@code base}; with {@code end}, the last carries JMSXGroupSeq -1.
     */
    private static void send(final Conformance env, final Queue queue, final String base, final int from,
        final int count, final boolean end) throws JMSException
    {
        final Session producing = env.producerConnection().createSession(false, Session.AUTO_ACKNOWLEDGE);
        final MessageProducer producer = producing.createProducer(queue);
        for (int i = from; i < from + count; i++)
        {
            final TextMessage message = producing.createTextMessage(base + ":" + i);
            message.setStringProperty("JMSXGroupID", base);
            message.setIntProperty("JMSXGroupSeq", end && i == from + count - 1 ? -1 : i + 1);
            producer.send(message);
        }
    }

    private static String text(final Message message)
    {
        assertNotNull(message);
        try
        {
            return ((TextMessage)message).getText();
        }
        catch (final JMSException e)
        {
            throw new IllegalStateException(e);
        }
    }
}
