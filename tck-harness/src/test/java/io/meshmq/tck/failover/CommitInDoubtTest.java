package io.meshmq.tck.failover;

import io.meshmq.admin.MeshAdmin;
import io.meshmq.jms.MeshConnectionFactory;
import io.meshmq.protocol.FrameDescriptor;
import io.meshmq.protocol.FrameType;
import io.meshmq.tck.crash.BrokerProcess;
import jakarta.jms.Connection;
import jakarta.jms.JMSException;
import jakarta.jms.Message;
import jakarta.jms.MessageConsumer;
import jakarta.jms.MessageProducer;
import jakarta.jms.Session;
import jakarta.jms.TransactionRolledBackException;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.io.DataInputStream;
import java.io.IOException;
import java.io.OutputStream;
import java.net.InetAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.nio.ByteBuffer;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * A commit whose answer a lost connection took, from a transaction that only consumed (so no message id can say
 * whether it was applied): the client reconnects, asks the broker by the commit's own id, and reports what happened:
 * it returns if the commit was applied (the messages do not come again), throws TransactionRolledBackException if it
 * was not (they do), instead of an outcome it cannot know. A proxy between client and broker cuts the connection
 * once, as the commit passes, after or instead of passing it on.
 */
class CommitInDoubtTest
{
    @TempDir
    Path dir;

    private BrokerProcess broker;
    private ServerSocket proxy;
    private Thread proxying;
    /** What the proxy does with the next COMMIT: pass it on and then cut, or cut instead; null: pass everything. */
    private volatile Boolean cutAfterPassing;
    private final AtomicBoolean cut = new AtomicBoolean();
    /** Done by the proxy once it cut, before it passes anything more; null for nothing. */
    private volatile Step afterCut;

    private interface Step
    {
        void run() throws Exception;
    }

    @BeforeEach
    void start() throws Exception
    {
        broker = BrokerProcess.start(dir.resolve("broker"));
        proxy = new ServerSocket(0, 8, InetAddress.getLoopbackAddress());
        proxying = new Thread(this::acceptAll, "cutting-proxy");
        proxying.setDaemon(true);
        proxying.start();
    }

    @AfterEach
    void stop() throws Exception
    {
        proxy.close();
        broker.close();
    }

    @Test
    void shouldReturnFromACommitThatWasAppliedThoughItsAnswerWasLost() throws Exception
    {
        final List<String> consumed = consumeThreeAndCommit(true);
        assertEquals(List.of(), consumed, "applied: nothing comes again");
    }

    /**
     * The broker applied the commit and was killed (kill -9) before the client asked: the restarted broker finds the
     * commit's id in its journal.
     */
    @Test
    void shouldFindACommitAppliedBeforeTheBrokerWasKilledInItsJournal() throws Exception
    {
        afterCut = () ->
        {
            final long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(10);
            while (acknowledged() != 3)
            {
                if (System.nanoTime() > deadline)
                {
                    throw new IllegalStateException("the broker did not apply the commit within 10 s");
                }
                Thread.sleep(20);
            }
            // Confirmed once forced with everything journaled before it: the commit's record too.
            try (Connection direct = new MeshConnectionFactory(broker.url()).createConnection())
            {
                final Session session = direct.createSession(false, Session.AUTO_ACKNOWLEDGE);
                session.createProducer(session.createQueue("marker")).send(session.createTextMessage("forced"));
            }
            final int port = broker.port();
            broker.kill();
            broker = BrokerProcess.startNode(dir.resolve("broker"), "restarted", port);
        };
        final List<String> consumed = consumeThreeAndCommit(true);
        assertEquals(List.of(), consumed, "applied before the kill: nothing comes again");
    }

    @Test
    void shouldSayACommitThatNeverReachedTheBrokerWasRolledBack() throws Exception
    {
        final List<String> consumed = consumeThreeAndCommit(false);
        assertEquals(List.of("m0", "m1", "m2"), consumed, "rolled back: every message comes again");
    }

    /**
     * Sends three messages, consumes them in a transaction, commits with the proxy set to cut.
     *
     * @return what a new consumer receives afterwards.
     */
    private List<String> consumeThreeAndCommit(final boolean applied) throws Exception
    {
        final String url = "tcp://127.0.0.1:" + proxy.getLocalPort() + "?reconnectAttempts=-1&retryInterval=20" +
            "&failoverTimeout=30000";
        try (Connection connection = new MeshConnectionFactory(url).createConnection())
        {
            final Session plain = connection.createSession(false, Session.AUTO_ACKNOWLEDGE);
            final MessageProducer producer = plain.createProducer(plain.createQueue("orders"));
            for (int i = 0; i < 3; i++)
            {
                producer.send(plain.createTextMessage("m" + i));
            }
            final Session transacted = connection.createSession(true, Session.SESSION_TRANSACTED);
            final MessageConsumer consumer = transacted.createConsumer(transacted.createQueue("orders"));
            connection.start();
            for (int i = 0; i < 3; i++)
            {
                assertNotNull(consumer.receive(10_000), "message " + i);
            }
            cutAfterPassing = applied;
            if (applied)
            {
                transacted.commit();
            }
            else
            {
                final JMSException rolledBack = assertThrows(TransactionRolledBackException.class, transacted::commit);
                assertTrue(rolledBack.getMessage().contains("rolled back"), rolledBack.getMessage());
            }
            assertTrue(cut.get(), "the proxy cut the connection at the commit");
            consumer.close();
        }
        final List<String> again = new ArrayList<>();
        try (Connection connection = new MeshConnectionFactory(broker.url()).createConnection())
        {
            final Session session = connection.createSession(false, Session.AUTO_ACKNOWLEDGE);
            final MessageConsumer consumer = session.createConsumer(session.createQueue("orders"));
            connection.start();
            for (Message message = consumer.receive(2_000); message != null; message = consumer.receive(500))
            {
                again.add(message.getBody(String.class));
            }
            assertNull(consumer.receiveNoWait());
        }
        return again;
    }

    private long acknowledged() throws Exception
    {
        try (MeshAdmin admin = MeshAdmin.connect(broker.url(), null, null))
        {
            final MeshAdmin.QueueInfo info = admin.queue("orders");
            return info == null ? -1 : info.acknowledged();
        }
    }

    private void acceptAll()
    {
        while (!proxy.isClosed())
        {
            final Socket client;
            try
            {
                client = proxy.accept();
            }
            catch (final IOException closed)
            {
                return;
            }
            try
            {
                final Socket server = new Socket("127.0.0.1", broker.port());
                final Thread back = new Thread(() -> pump(server, client, false), "cutting-proxy-back");
                back.setDaemon(true);
                back.start();
                final Thread forth = new Thread(() -> pump(client, server, true), "cutting-proxy-forth");
                forth.setDaemon(true);
                forth.start();
            }
            catch (final IOException down)
            {
                // The broker is not there (being restarted): the client tries again.
                closeQuietly(client);
            }
        }
    }

    /**
     * Copies frames from one side to the other; client to broker, it cuts the client off at the first COMMIT once
     * told to (the broker's side is only shut for writing, so it still reads what was passed on, and its answer goes
     * nowhere).
     */
    private void pump(final Socket from, final Socket to, final boolean fromClient)
    {
        try
        {
            final DataInputStream in = new DataInputStream(from.getInputStream());
            final OutputStream out = to.getOutputStream();
            final byte[] lengthField = new byte[FrameDescriptor.LENGTH_FIELD_LENGTH];
            while (true)
            {
                in.readFully(lengthField);
                final int length = ByteBuffer.wrap(lengthField).order(FrameDescriptor.BYTE_ORDER).getInt();
                final byte[] frame = new byte[length];
                in.readFully(frame);
                final Boolean cutting = cutAfterPassing;
                final boolean cutHere = fromClient && cutting != null && frame[0] == FrameType.COMMIT &&
                    cut.compareAndSet(false, true);
                if (!cutHere || cutting)
                {
                    out.write(lengthField);
                    out.write(frame);
                    out.flush();
                }
                if (cutHere)
                {
                    from.close();
                    to.shutdownOutput();
                    final Step step = afterCut;
                    if (step != null)
                    {
                        step.run();
                    }
                    return;
                }
            }
        }
        catch (final Exception closed)
        {
            // One side went away (or the step after the cut failed, which the test then sees): so does the other.
            closeQuietly(from);
            closeQuietly(to);
        }
    }

    private static void closeQuietly(final Socket socket)
    {
        try
        {
            socket.close();
        }
        catch (final IOException ignored)
        {
            // Closing is all that was left to do.
        }
    }
}
