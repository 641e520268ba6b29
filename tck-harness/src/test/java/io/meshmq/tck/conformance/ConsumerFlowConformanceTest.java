package io.meshmq.tck.conformance;

import jakarta.jms.Connection;
import jakarta.jms.DeliveryMode;
import jakarta.jms.Message;
import jakarta.jms.MessageConsumer;
import jakarta.jms.MessageProducer;
import jakarta.jms.Queue;
import jakarta.jms.Session;
import jakarta.jms.TextMessage;

import java.util.ArrayList;
import java.util.List;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotNull;

/**
 * Messages go only to consumers that can take them (specification 6.1.5, 8.6, and what users of a shared queue
 * expect): a consumer on a stopped connection takes none, and gives back in order what was sent ahead of it when its
 * connection stops; a synchronous consumer left idle does not hold messages another consumer waits for;
 * {@code receiveNoWait} on a new consumer finds a message that waits on the broker (issue 16, items 1 to 3).
 */
class ConsumerFlowConformanceTest
{
    private static final long WAIT_MS = 10_000;

    private static List<String> send(final Conformance env, final Queue queue, final int count) throws Exception
    {
        final Session session = env.producerConnection().createSession(false, Session.AUTO_ACKNOWLEDGE);
        final MessageProducer producer = session.createProducer(queue);
        producer.setDeliveryMode(DeliveryMode.PERSISTENT);
        final List<String> sent = new ArrayList<>();
        for (int i = 0; i < count; i++)
        {
            producer.send(session.createTextMessage("m" + i));
            sent.add("m" + i);
        }
        return sent;
    }

    private static List<String> receive(final MessageConsumer consumer, final int count) throws Exception
    {
        final List<String> received = new ArrayList<>();
        for (int i = 0; i < count; i++)
        {
            final Message message = consumer.receive(WAIT_MS);
            assertNotNull(message, "message " + i + " of " + count + " (received so far: " + received + ")");
            received.add(((TextMessage)message).getText());
        }
        return received;
    }

    @EachTransport
    void shouldSendNothingToAConsumerOnAConnectionNeverStarted(final Conformance env) throws Exception
    {
        final Connection stopped = env.consumerConnection();
        final Queue queue = stopped.createSession(false, Session.AUTO_ACKNOWLEDGE).createQueue(env.name("never-started"));
        stopped.createSession(false, Session.AUTO_ACKNOWLEDGE).createConsumer(queue);
        final Connection started = env.consumerConnection();
        final MessageConsumer consumer = started.createSession(false, Session.AUTO_ACKNOWLEDGE).createConsumer(queue);
        started.start();
        env.awaitConsumers(queue, 2);
        final List<String> sent = send(env, queue, 4);
        assertEquals(sent, receive(consumer, 4), "the started consumer takes every message");
    }

    @EachTransport
    void shouldGiveBackInOrderWhatWasSentAheadWhenItsConnectionStops(final Conformance env) throws Exception
    {
        final Connection first = env.consumerConnection();
        final Session firstSession = first.createSession(false, Session.AUTO_ACKNOWLEDGE);
        final Queue queue = firstSession.createQueue(env.name("stopped-later"));
        final MessageConsumer early = firstSession.createConsumer(queue);
        first.start();
        env.awaitConsumers(queue, 1);
        final List<String> sent = send(env, queue, 10);
        assertEquals(sent.subList(0, 1), receive(early, 1));
        first.stop();

        final Connection second = env.consumerConnection();
        final MessageConsumer late = second.createSession(false, Session.AUTO_ACKNOWLEDGE).createConsumer(queue);
        second.start();
        assertEquals(sent.subList(1, 10), receive(late, 9), "what the stopped connection held, in order");
    }

    @EachTransport
    void shouldNotLetAnIdleSynchronousConsumerHoldWhatAnotherWaitsFor(final Conformance env) throws Exception
    {
        final Connection connection = env.consumerConnection();
        final Session idleSession = connection.createSession(false, Session.AUTO_ACKNOWLEDGE);
        final Queue queue = idleSession.createQueue(env.name("idle-receiver"));
        final MessageConsumer idle = idleSession.createConsumer(queue);
        connection.start();
        env.awaitConsumers(queue, 1);
        final List<String> sent = send(env, queue, 10);
        assertEquals(sent.subList(0, 1), receive(idle, 1), "used once, then left idle (as a cached consumer is)");

        final Connection other = env.consumerConnection();
        final MessageConsumer waiting = other.createSession(false, Session.AUTO_ACKNOWLEDGE).createConsumer(queue);
        other.start();
        assertEquals(sent.subList(1, 10), receive(waiting, 9), "the idle consumer gave back what it was sent ahead");
        final Message late = idle.receive(WAIT_MS / 10);
        assertEquals(null, late, "nothing is left for the idle consumer");
    }

    @EachTransport
    @OneNode("a message waiting on another node is not available on the consumer's broker until it moves there")
    void shouldFindAWaitingMessageWithReceiveNoWaitOnANewConsumer(final Conformance env) throws Exception
    {
        final Connection connection = env.consumerConnection();
        connection.start();
        final Session session = connection.createSession(false, Session.AUTO_ACKNOWLEDGE);
        final Queue queue = session.createQueue(env.name("no-wait"));
        for (int i = 0; i < 20; i++)
        {
            final List<String> sent = send(env, queue, 1);
            try (MessageConsumer consumer = session.createConsumer(queue))
            {
                final Message message = i % 2 == 0 ? consumer.receiveNoWait() : consumer.receive(1);
                assertNotNull(message, "try " + i + ": a message waits on the broker");
                assertEquals(sent.get(0), ((TextMessage)message).getText());
            }
        }
    }
}
