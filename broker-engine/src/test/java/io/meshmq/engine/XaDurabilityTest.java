package io.meshmq.engine;

import io.meshmq.admin.MeshAdmin;
import io.meshmq.engine.journal.Journal;
import io.meshmq.jms.MeshConnectionFactory;
import io.meshmq.protocol.AdminVerbs;
import io.meshmq.protocol.WireXid;
import jakarta.jms.BytesMessage;
import jakarta.jms.Connection;
import jakarta.jms.Message;
import jakarta.jms.MessageConsumer;
import jakarta.jms.MessageProducer;
import jakarta.jms.Queue;
import jakarta.jms.Session;
import jakarta.jms.TextMessage;
import jakarta.jms.XAConnection;
import jakarta.jms.XASession;
import org.junit.jupiter.api.Test;

import javax.transaction.xa.XAException;
import javax.transaction.xa.XAResource;
import javax.transaction.xa.Xid;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.List;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * Prepared XA branches across clean restarts: what they send, what they hold, and how they end.
 */
class XaDurabilityTest
{
    private static Xid xid(final String name)
    {
        return WireXid.of(7, name.getBytes(StandardCharsets.UTF_8), new byte[] {2});
    }

    private static XAConnection xaConnect(final TestBroker broker) throws Exception
    {
        return new MeshConnectionFactory(broker.tcpUrl()).createXAConnection();
    }

    private static Connection connect(final TestBroker broker) throws Exception
    {
        return new MeshConnectionFactory(broker.tcpUrl()).createConnection();
    }

    private static void send(final TestBroker broker, final String queue, final String... texts) throws Exception
    {
        try (Connection connection = connect(broker))
        {
            final Session session = connection.createSession(false, Session.AUTO_ACKNOWLEDGE);
            final MessageProducer producer = session.createProducer(session.createQueue(queue));
            for (final String text : texts)
            {
                producer.send(session.createTextMessage(text));
            }
        }
    }

    /**
     * Prepares a branch that consumes one message of {@code from} and sends {@code text} to {@code to}.
     */
    private static void prepareBranch(final TestBroker broker, final Xid xid, final String from, final String to,
        final String text) throws Exception
    {
        try (XAConnection connection = xaConnect(broker))
        {
            connection.start();
            final XASession session = connection.createXASession();
            final XAResource resource = session.getXAResource();
            resource.start(xid, XAResource.TMNOFLAGS);
            assertNotNull(session.createConsumer(session.createQueue(from)).receive(5000));
            session.createProducer(session.createQueue(to)).send(session.createTextMessage(text));
            resource.end(xid, XAResource.TMSUCCESS);
            assertEquals(XAResource.XA_OK, resource.prepare(xid));
        }
    }

    private static List<WireXid> inDoubt(final XAResource resource) throws XAException
    {
        return Arrays.stream(resource.recover(XAResource.TMSTARTRSCAN)).map(WireXid::of).toList();
    }

    @Test
    void shouldKeepPreparedBranchesAcrossRestartsUntilTheyEnd() throws Exception
    {
        try (TestBroker broker = TestBroker.start())
        {
            send(broker, "in", "first", "second");
            final Xid committed = xid("committed");
            final Xid rolledBack = xid("rolled-back");
            prepareBranch(broker, committed, "in", "out", "from committed");
            prepareBranch(broker, rolledBack, "in", "out", "from rolled back");
            broker.restart();
            try (XAConnection manager = xaConnect(broker); Connection connection = connect(broker))
            {
                connection.start();
                final Session session = connection.createSession(false, Session.CLIENT_ACKNOWLEDGE);
                final MessageConsumer in = session.createConsumer(session.createQueue("in"));
                final Queue out = session.createQueue("out");
                assertNull(in.receive(200), "both messages of 'in' are held by the prepared branches");
                assertFalse(session.createBrowser(out).getEnumeration().hasMoreElements(), "nothing sent before commit");

                final XAResource resource = manager.createXASession().getXAResource();
                assertEquals(List.of(WireXid.of(committed), WireXid.of(rolledBack)), inDoubt(resource));
                resource.commit(committed, false);
                resource.rollback(rolledBack);
                final Message back = in.receive(5000);
                assertEquals("second", ((TextMessage)back).getText(), "the rolled-back branch's receive comes back");
                assertTrue(back.getJMSRedelivered());
                assertEquals(2, back.getIntProperty("JMSXDeliveryCount"), "its delivery before the restart counts");
                back.acknowledge();
                final List<?> sent = java.util.Collections.list(session.createBrowser(out).getEnumeration());
                assertEquals(1, sent.size(), "only the committed branch sent");
            }
            broker.restart();
            try (XAConnection manager = xaConnect(broker); Connection connection = connect(broker))
            {
                connection.start();
                assertTrue(inDoubt(manager.createXASession().getXAResource()).isEmpty(), "both ends were journaled");
                final Session session = connection.createSession(false, Session.AUTO_ACKNOWLEDGE);
                final MessageConsumer out = session.createConsumer(session.createQueue("out"));
                assertEquals("from committed", ((TextMessage)out.receive(5000)).getText());
                assertNull(out.receive(100));
                final MessageConsumer in = session.createConsumer(session.createQueue("in"));
                assertNull(in.receive(100), "'first' was acknowledged by the committed branch, 'second' by hand");
            }
        }
    }

    @Test
    void shouldMovePreparedBranchesOutOfMostlyDeadSegments() throws Exception
    {
        try (TestBroker broker = TestBroker.start(context -> context.journalSegmentSize(Journal.MIN_SEGMENT_SIZE)))
        {
            final Path journal = broker.dataDir().resolve(Journal.DIRECTORY);
            send(broker, "in", "held");
            final Xid xid = xid("long-lived");
            prepareBranch(broker, xid, "in", "out", "after the traffic");
            try (Connection connection = connect(broker))
            {
                connection.start();
                final Session session = connection.createSession(false, Session.AUTO_ACKNOWLEDGE);
                final Queue busy = session.createQueue("busy");
                final MessageProducer producer = session.createProducer(busy);
                final MessageConsumer consumer = session.createConsumer(busy);
                final byte[] body = new byte[1024];
                for (int i = 0; i < 3000; i++)
                {
                    final BytesMessage message = session.createBytesMessage();
                    message.writeBytes(body);
                    producer.send(message);
                    assertNotNull(consumer.receive(5000));
                }
                Poll.until("the branch's first segment compacted away", 10_000,
                    () -> !Files.exists(journal.resolve("segment-0000000000000001.mjl")));
            }
            broker.restart();
            try (XAConnection manager = xaConnect(broker); Connection connection = connect(broker))
            {
                final XAResource resource = manager.createXASession().getXAResource();
                assertEquals(List.of(WireXid.of(xid)), inDoubt(resource));
                resource.commit(xid, false);
                connection.start();
                final Session session = connection.createSession(false, Session.AUTO_ACKNOWLEDGE);
                assertEquals("after the traffic",
                    ((TextMessage)session.createConsumer(session.createQueue("out")).receive(5000)).getText());
                assertNull(session.createConsumer(session.createQueue("in")).receive(100));
            }
        }
    }

    @Test
    void shouldReportAHeuristicOutcomeAcrossRestartsUntilForgotten() throws Exception
    {
        try (TestBroker broker = TestBroker.start())
        {
            send(broker, "in", "job");
            final Xid xid = xid("operator");
            prepareBranch(broker, xid, "in", "out", "result");
            try (MeshAdmin admin = MeshAdmin.connect(broker.tcpUrl(), null, null))
            {
                admin.call(AdminVerbs.XA_ROLLBACK, WireXid.of(xid).toString());
                assertThrows(jakarta.jms.IllegalStateException.class,
                    () -> admin.call(AdminVerbs.XA_COMMIT, WireXid.of(xid).toString()), "already rolled back");
            }
            broker.restart();
            try (XAConnection manager = xaConnect(broker); Connection connection = connect(broker))
            {
                final XAResource resource = manager.createXASession().getXAResource();
                assertEquals(List.of(WireXid.of(xid)), inDoubt(resource), "kept for the manager to hear of");
                final XAException heuristic = assertThrows(XAException.class, () -> resource.commit(xid, false));
                assertEquals(XAException.XA_HEURRB, heuristic.errorCode);
                connection.start();
                final Session session = connection.createSession(false, Session.AUTO_ACKNOWLEDGE);
                assertEquals("job", ((TextMessage)session.createConsumer(session.createQueue("in")).receive(5000)).getText());
                assertNull(session.createConsumer(session.createQueue("out")).receive(100));
                resource.forget(xid);
            }
            broker.restart();
            try (XAConnection manager = xaConnect(broker))
            {
                assertFalse(inDoubt(manager.createXASession().getXAResource()).contains(WireXid.of(xid)), "forgotten for good");
            }
        }
    }
}
