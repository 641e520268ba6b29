package io.meshmq.tck.cluster;

import io.meshmq.jms.message.MeshMessage;
import io.meshmq.tck.large.Bodies;
import jakarta.jms.BytesMessage;
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

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertNull;

/**
 * Large messages between cluster members (issue 23): a body crosses ahead of its forward over a second connection to
 * the other node, in order with the small messages its connection sent around it while other connections' messages
 * overtake it, survives the other node's kill -9 in the middle, and is deleted on each node once it is done with it
 * there.
 */
class ClusterLargeMessageTest
{
    private static final long DEADLINE_MS = 60_000;

    @TempDir
    Path dir;

    @Test
    void shouldCarryLargeBodiesToAConsumerOnAnotherNodeInOrder() throws Exception
    {
        try (ClusterNodes nodes = ClusterNodes.start(dir, "large", 2))
        {
            nodes.awaitMesh();
            try (Connection consuming = nodes.factory(1).createConnection();
                Connection producing = nodes.factory(0).createConnection())
            {
                final Session consumerSession = consuming.createSession(false, Session.CLIENT_ACKNOWLEDGE);
                final MessageConsumer consumer = consumerOnN2(nodes, consuming, consumerSession, "files");

                final Session session = producing.createSession(false, Session.AUTO_ACKNOWLEDGE);
                final MessageProducer producer = session.createProducer(session.createQueue("files"));
                producer.send(session.createTextMessage("before"));
                final BytesMessage streamed = session.createBytesMessage();
                streamed.setObjectProperty(MeshMessage.INPUT_STREAM, Bodies.stream(20_000_000));
                producer.send(streamed);
                final String text = "t".repeat(300_000);
                producer.send(session.createTextMessage(text));
                producer.send(session.createTextMessage("after"));

                assertEquals("before", ((TextMessage)consumer.receive(DEADLINE_MS)).getText());
                final Message big = consumer.receive(DEADLINE_MS);
                assertNotNull(big, "the streamed body crossed");
                final Bodies.Sink sink = new Bodies.Sink();
                big.setObjectProperty(MeshMessage.SAVE_STREAM, sink);
                assertEquals(20_000_000, sink.length());
                assertEquals(Bodies.checksum(20_000_000), sink.checksum());
                assertEquals(text, ((TextMessage)consumer.receive(DEADLINE_MS)).getText());
                assertEquals("after", ((TextMessage)consumer.receive(DEADLINE_MS)).getText());
                assertNull(consumer.receiveNoWait());
                // On the sending node the bodies go once the other node stored their messages.
                Bodies.awaitNone(nodes.dataDir(0));
                big.acknowledge();
                consumerSession.close();
                Bodies.awaitNone(nodes.dataDir(1));
            }
        }
    }

    @Test
    void shouldLetOtherConnectionsMessagesOvertakeALargeOneWhileItsBodyCrosses() throws Exception
    {
        final long length = 200_000_000;
        try (ClusterNodes nodes = ClusterNodes.start(dir, "overtake", 2))
        {
            nodes.awaitMesh();
            try (Connection consuming = nodes.factory(1).createConnection();
                Connection sendingLarge = nodes.factory(0).createConnection();
                Connection sendingSmall = nodes.factory(0).createConnection())
            {
                final MessageConsumer consumer = consumerOnN2(nodes, consuming,
                    consuming.createSession(false, Session.CLIENT_ACKNOWLEDGE), "mixed");

                final Session largeSession = sendingLarge.createSession(false, Session.AUTO_ACKNOWLEDGE);
                final MessageProducer largeProducer = largeSession.createProducer(largeSession.createQueue("mixed"));
                final BytesMessage streamed = largeSession.createBytesMessage();
                streamed.setObjectProperty(MeshMessage.INPUT_STREAM, Bodies.stream(length));
                largeProducer.send(streamed);
                largeProducer.send(largeSession.createTextMessage("behind the large one"));
                final Session smallSession = sendingSmall.createSession(false, Session.AUTO_ACKNOWLEDGE);
                smallSession.createProducer(smallSession.createQueue("mixed"))
                    .send(smallSession.createTextMessage("overtaking"));

                // 200 MB take far longer to cross (read, sent, forced over there) than a small forward.
                assertEquals("overtaking", ((TextMessage)consumer.receive(DEADLINE_MS)).getText(),
                    "another connection's message waited behind the large body");
                final Message big = consumer.receive(DEADLINE_MS);
                assertNotNull(big, "the large message crossed");
                final Bodies.Sink sink = new Bodies.Sink();
                big.setObjectProperty(MeshMessage.SAVE_STREAM, sink);
                assertEquals(length, sink.length());
                assertEquals("behind the large one", ((TextMessage)consumer.receive(DEADLINE_MS)).getText(),
                    "its own connection's next message kept its place");
                big.acknowledge();
            }
        }
    }

    @Test
    void shouldDeliverALargeMessageOnceWhenTheNodeItCrossesToIsKilledWhileItsBodyCrosses() throws Exception
    {
        final long length = 200_000_000;
        try (ClusterNodes nodes = ClusterNodes.start(dir, "large-kill", 2))
        {
            nodes.awaitMesh();
            // A consumer on n2 (it never acknowledges) makes n1 send the queue's messages there.
            final Connection waiting = nodes.factory(1).createConnection();
            final Session waitingSession = waiting.createSession(false, Session.CLIENT_ACKNOWLEDGE);
            waitingSession.createConsumer(waitingSession.createQueue("big"));
            waiting.start();
            nodes.awaitRemoteConsumers(0, 1, 1);
            try (Connection producing = nodes.factory(0).createConnection())
            {
                final Session session = producing.createSession(false, Session.AUTO_ACKNOWLEDGE);
                final BytesMessage message = session.createBytesMessage();
                message.setObjectProperty(MeshMessage.INPUT_STREAM, Bodies.stream(length));
                session.createProducer(session.createQueue("big")).send(message);
            }
            // The body starts crossing to n2 as soon as it is stored on n1: n2 dies while it does (or just after).
            ClusterNodes.poll("the body crossing to n2", DEADLINE_MS, () -> filesOn(nodes, 1) > 0);
            nodes.kill(1);
            try
            {
                waiting.close();
            }
            catch (final JMSException closingAfterTheKill)
            {
                // its broker is gone
            }
            nodes.startNode(1);
            System.out.println("n2 killed while a 200 MB body crossed; at its restart: " +
                nodes.process(1).linesContaining("large message bodies no message names"));
            nodes.awaitMesh();
            try (Connection consuming = nodes.factory(1).createConnection())
            {
                final Session session = consuming.createSession(false, Session.CLIENT_ACKNOWLEDGE);
                final MessageConsumer consumer = session.createConsumer(session.createQueue("big"));
                consuming.start();
                final Message got = consumer.receive(DEADLINE_MS);
                assertNotNull(got, "the large message reached n2 after its restart");
                final Bodies.Sink sink = new Bodies.Sink();
                got.setObjectProperty(MeshMessage.SAVE_STREAM, sink);
                assertEquals(length, sink.length());
                assertEquals(Bodies.checksum(length), sink.checksum());
                got.acknowledge();
                assertNull(consumer.receive(1_000), "once");
            }
            Bodies.awaitNone(nodes.dataDir(0));
            Bodies.awaitNone(nodes.dataDir(1));
        }
    }

    /**
     * @return a consumer of the queue on n2, started, once n1 knows of it (so n1 sends the queue's messages there).
     */
    private static MessageConsumer consumerOnN2(final ClusterNodes nodes, final Connection consuming,
        final Session session, final String queue) throws JMSException, InterruptedException
    {
        final MessageConsumer consumer = session.createConsumer(session.createQueue(queue));
        consuming.start();
        nodes.awaitRemoteConsumers(0, 1, 1);
        return consumer;
    }

    private static long filesOn(final ClusterNodes nodes, final int node)
    {
        try
        {
            return Bodies.files(nodes.dataDir(node));
        }
        catch (final java.io.IOException ex)
        {
            return 0;
        }
    }
}
