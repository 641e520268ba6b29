package io.meshmq.tck.conformance;

import io.meshmq.jms.MeshConnectionFactory;
import io.meshmq.protocol.AdminTable;
import io.meshmq.protocol.AdminVerbs;
import jakarta.jms.Connection;
import jakarta.jms.Message;
import jakarta.jms.MessageConsumer;
import jakarta.jms.Queue;
import jakarta.jms.Session;
import jakarta.jms.TextMessage;
import jakarta.jms.TransactionInProgressException;
import jakarta.jms.TransactionInProgressRuntimeException;
import jakarta.jms.XAConnection;
import jakarta.jms.XAJMSContext;
import jakarta.jms.XASession;

import javax.transaction.xa.XAException;
import javax.transaction.xa.XAResource;
import javax.transaction.xa.Xid;
import java.nio.charset.StandardCharsets;
import java.util.Arrays;
import java.util.concurrent.atomic.AtomicInteger;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * Specification 8.? (XA interfaces) and the XAResource contract: MeshMQ as a resource manager driven directly, the way a
 * transaction manager drives it (the Narayana test drives it through a real one).
 */
class XaConformanceTest
{
    private static final AtomicInteger XIDS = new AtomicInteger();

    record TestXid(int formatId, byte[] global, byte[] branch) implements Xid
    {
        @Override
        public int getFormatId()
        {
            return formatId;
        }

        @Override
        public byte[] getGlobalTransactionId()
        {
            return global.clone();
        }

        @Override
        public byte[] getBranchQualifier()
        {
            return branch.clone();
        }
    }

    static Xid newXid()
    {
        return new TestXid(0x4D45, ("gtx-" + System.nanoTime() + "-" + XIDS.incrementAndGet()).getBytes(StandardCharsets.UTF_8),
            new byte[] {1});
    }

    static boolean sameXid(final Xid a, final Xid b)
    {
        return a.getFormatId() == b.getFormatId() && Arrays.equals(a.getGlobalTransactionId(), b.getGlobalTransactionId()) &&
            Arrays.equals(a.getBranchQualifier(), b.getBranchQualifier());
    }

    /**
     * Sends one message in a new branch of the session's resource, ends and prepares it.
     *
     * @return what prepare answered.
     */
    static int sendInPreparedBranch(final XASession session, final Queue queue, final String text, final Xid xid)
        throws Exception
    {
        final XAResource resource = session.getXAResource();
        resource.start(xid, XAResource.TMNOFLAGS);
        session.createProducer(queue).send(session.createTextMessage(text));
        resource.end(xid, XAResource.TMSUCCESS);
        return resource.prepare(xid);
    }

    private static XAConnection xaConnection(final Conformance env) throws Exception
    {
        final MeshConnectionFactory factory = env.consumerFactory();
        return env.track(factory.createXAConnection());
    }

    private static int xaCode(final XAException ex)
    {
        return ex.errorCode;
    }

    private static void send(final Conformance env, final Queue queue, final String... texts) throws Exception
    {
        final Connection connection = env.producerConnection();
        final Session session = connection.createSession(false, Session.AUTO_ACKNOWLEDGE);
        for (final String text : texts)
        {
            session.createProducer(queue).send(session.createTextMessage(text));
        }
        connection.close();
    }

    private static MessageConsumer plainConsumer(final Conformance env, final Queue queue) throws Exception
    {
        final Connection connection = env.consumerConnection();
        connection.start();
        return connection.createSession(false, Session.AUTO_ACKNOWLEDGE).createConsumer(queue);
    }

    @EachTransport
    void shouldSendOnlyWhenThePreparedBranchCommits(final Conformance env) throws Exception
    {
        final XAConnection connection = xaConnection(env);
        final XASession session = connection.createXASession();
        final Queue queue = session.createQueue(env.name("xa-send"));
        final XAResource resource = session.getXAResource();
        final Xid xid = newXid();
        assertEquals(XAResource.XA_OK, sendInPreparedBranch(session, queue, "in branch", xid));

        final MessageConsumer consumer = plainConsumer(env, queue);
        assertNull(consumer.receive(100), "a prepared branch's message is not routed yet");
        resource.commit(xid, false);
        assertEquals("in branch", ((TextMessage)consumer.receive(5000)).getText());
        assertEquals(0, resource.recover(XAResource.TMSTARTRSCAN | XAResource.TMENDRSCAN).length);
    }

    @EachTransport
    void shouldHoldWhatAPreparedBranchConsumedAcrossItsConnectionAndGiveItBackOnRollback(final Conformance env)
        throws Exception
    {
        final Queue queue = env.consumerConnection().createSession(false, Session.AUTO_ACKNOWLEDGE)
            .createQueue(env.name("xa-receive"));
        send(env, queue, "a", "b");
        final XAConnection connection = xaConnection(env);
        final XASession session = connection.createXASession();
        connection.start();
        final XAResource resource = session.getXAResource();
        final Xid xid = newXid();
        resource.start(xid, XAResource.TMNOFLAGS);
        final MessageConsumer consumer = session.createConsumer(queue);
        assertEquals("a", ((TextMessage)consumer.receive(5000)).getText());
        assertEquals("b", ((TextMessage)consumer.receive(5000)).getText());
        resource.end(xid, XAResource.TMSUCCESS);
        assertEquals(XAResource.XA_OK, resource.prepare(xid));
        connection.close();

        final MessageConsumer other = plainConsumer(env, queue);
        assertNull(other.receive(200), "the prepared branch holds both messages though its connection closed");

        final XAConnection manager = xaConnection(env);
        final XAResource recovering = manager.createXASession().getXAResource();
        final Xid[] inDoubt = recovering.recover(XAResource.TMSTARTRSCAN);
        assertTrue(Arrays.stream(inDoubt).anyMatch(x -> sameXid(x, xid)), "recover lists the prepared branch");
        assertEquals(0, recovering.recover(XAResource.TMENDRSCAN).length, "the list comes whole at the start of a scan");
        recovering.rollback(xid);

        final Message again = other.receive(5000);
        assertEquals("a", ((TextMessage)again).getText());
        assertTrue(again.getJMSRedelivered());
        assertEquals(2, again.getIntProperty("JMSXDeliveryCount"));
        assertEquals("b", ((TextMessage)other.receive(5000)).getText());
        final XAException gone = assertThrows(XAException.class, () -> recovering.commit(xid, false));
        assertEquals(XAException.XAER_NOTA, xaCode(gone));
    }

    @EachTransport
    void shouldAcknowledgeWhatACommittedBranchConsumedEvenAfterItsSessionClosed(final Conformance env) throws Exception
    {
        final Queue queue = env.consumerConnection().createSession(false, Session.AUTO_ACKNOWLEDGE)
            .createQueue(env.name("xa-ack"));
        send(env, queue, "a", "b");
        final XAConnection connection = xaConnection(env);
        final XASession session = connection.createXASession();
        connection.start();
        final XAResource resource = session.getXAResource();
        final Xid xid = newXid();
        resource.start(xid, XAResource.TMNOFLAGS);
        assertEquals("a", ((TextMessage)session.createConsumer(queue).receive(5000)).getText());
        resource.end(xid, XAResource.TMSUCCESS);
        session.close();
        assertEquals(XAResource.XA_OK, resource.prepare(xid));
        resource.commit(xid, false);

        final MessageConsumer other = plainConsumer(env, queue);
        assertEquals("b", ((TextMessage)other.receive(5000)).getText(), "a is acknowledged, b was never consumed");
        assertNull(other.receive(200));
    }

    @EachTransport
    void shouldCommitInOnePhaseAndRollBackUnpreparedWork(final Conformance env) throws Exception
    {
        final Queue queue = env.consumerConnection().createSession(false, Session.AUTO_ACKNOWLEDGE)
            .createQueue(env.name("xa-one-phase"));
        send(env, queue, "first");
        final XAConnection connection = xaConnection(env);
        final XASession session = connection.createXASession();
        connection.start();
        final XAResource resource = session.getXAResource();
        final MessageConsumer consumer = session.createConsumer(queue);

        final Xid rolledBack = newXid();
        resource.start(rolledBack, XAResource.TMNOFLAGS);
        assertEquals("first", ((TextMessage)consumer.receive(5000)).getText());
        session.createProducer(queue).send(session.createTextMessage("never"));
        resource.end(rolledBack, XAResource.TMSUCCESS);
        resource.rollback(rolledBack);

        final Xid committed = newXid();
        resource.start(committed, XAResource.TMNOFLAGS);
        final Message again = consumer.receive(5000);
        assertEquals("first", ((TextMessage)again).getText());
        assertTrue(again.getJMSRedelivered());
        session.createProducer(queue).send(session.createTextMessage("second"));
        resource.end(committed, XAResource.TMSUCCESS);
        resource.commit(committed, true);

        assertEquals("second", ((TextMessage)consumer.receive(5000)).getText(), "outside a branch the session acknowledges itself");
        final MessageConsumer other = plainConsumer(env, queue);
        consumer.close();
        assertNull(other.receive(200), "nothing else: 'never' was rolled back, 'first' and 'second' are acknowledged");
    }

    @EachTransport
    void shouldLetSessionsOfOneConnectionJoinSuspendAndResumeABranch(final Conformance env) throws Exception
    {
        final XAConnection connection = xaConnection(env);
        final XASession first = connection.createXASession();
        final XASession second = connection.createXASession();
        final Queue queue = first.createQueue(env.name("xa-join"));
        final XAResource a = first.getXAResource();
        final XAResource b = second.getXAResource();
        assertTrue(a.isSameRM(b), "one connection is one resource manager");
        assertFalse(a.isSameRM(xaConnection(env).createXASession().getXAResource()),
            "another connection is not: its unprepared work lives elsewhere");

        final Xid xid = newXid();
        a.start(xid, XAResource.TMNOFLAGS);
        first.createProducer(queue).send(first.createTextMessage("1"));
        a.end(xid, XAResource.TMSUSPEND);
        b.start(xid, XAResource.TMJOIN);
        second.createProducer(queue).send(second.createTextMessage("2"));
        b.end(xid, XAResource.TMSUCCESS);
        final XAException stillSuspended = assertThrows(XAException.class, () -> a.prepare(xid));
        assertEquals(XAException.XAER_PROTO, xaCode(stillSuspended));
        a.start(xid, XAResource.TMRESUME);
        first.createProducer(queue).send(first.createTextMessage("3"));
        a.end(xid, XAResource.TMSUCCESS);
        assertEquals(XAResource.XA_OK, b.prepare(xid));
        b.commit(xid, false);

        final MessageConsumer consumer = plainConsumer(env, queue);
        for (final String expected : new String[] {"1", "2", "3"})
        {
            assertEquals(expected, ((TextMessage)consumer.receive(5000)).getText());
        }
    }

    @EachTransport
    void shouldAnswerMisuseWithTheXaErrorCodes(final Conformance env) throws Exception
    {
        final XAConnection connection = xaConnection(env);
        final XASession session = connection.createXASession();
        final XAResource resource = session.getXAResource();
        final Xid xid = newXid();
        assertEquals(XAException.XAER_NOTA, xaCode(assertThrows(XAException.class, () -> resource.commit(newXid(), false))));
        assertEquals(XAException.XAER_NOTA, xaCode(assertThrows(XAException.class, () -> resource.rollback(newXid()))));
        assertEquals(XAException.XAER_NOTA, xaCode(assertThrows(XAException.class, () -> resource.forget(newXid()))));
        assertEquals(XAException.XAER_INVAL, xaCode(assertThrows(XAException.class, () -> resource.start(xid, XAResource.TMSUCCESS))));
        assertEquals(XAException.XAER_INVAL, xaCode(assertThrows(XAException.class, () -> resource.recover(XAResource.TMJOIN))));
        assertEquals(XAException.XAER_INVAL, xaCode(assertThrows(XAException.class, () -> resource.setTransactionTimeout(-1))));
        resource.start(xid, XAResource.TMNOFLAGS);
        assertEquals(XAException.XAER_PROTO, xaCode(assertThrows(XAException.class, () -> resource.start(newXid(), XAResource.TMNOFLAGS))));
        assertEquals(XAException.XAER_PROTO, xaCode(assertThrows(XAException.class, () -> resource.prepare(xid))));
        final XAResource other = connection.createXASession().getXAResource();
        assertEquals(XAException.XAER_DUPID, xaCode(assertThrows(XAException.class, () -> other.start(xid, XAResource.TMNOFLAGS))));
        resource.end(xid, XAResource.TMSUCCESS);
        assertEquals(XAException.XAER_PROTO, xaCode(assertThrows(XAException.class, () -> resource.commit(xid, false))),
            "two-phase commit of a branch not prepared");
        assertEquals(XAResource.XA_RDONLY, resource.prepare(xid), "a branch that did nothing is read-only");
        assertEquals(XAException.XAER_NOTA, xaCode(assertThrows(XAException.class, () -> resource.commit(xid, false))),
            "a read-only branch is over after prepare");
    }

    @EachTransport
    void shouldRollBackABranchPastItsTimeout(final Conformance env) throws Exception
    {
        final Queue queue = env.consumerConnection().createSession(false, Session.AUTO_ACKNOWLEDGE)
            .createQueue(env.name("xa-timeout"));
        send(env, queue, "late");
        final XAConnection connection = xaConnection(env);
        final XASession session = connection.createXASession();
        connection.start();
        final XAResource resource = session.getXAResource();
        assertTrue(resource.setTransactionTimeout(1));
        assertEquals(1, resource.getTransactionTimeout());
        final Xid xid = newXid();
        final long started = System.nanoTime();
        resource.start(xid, XAResource.TMNOFLAGS);
        final MessageConsumer consumer = session.createConsumer(queue);
        assertNotNull(consumer.receive(5000));
        Conformance.await("the branch's 1 s timeout to pass", () -> System.nanoTime() - started > 1_100_000_000L);
        final XAException ended = assertThrows(XAException.class, () -> resource.end(xid, XAResource.TMSUCCESS));
        assertEquals(XAException.XA_RBTIMEOUT, xaCode(ended));
        final XAException prepared = assertThrows(XAException.class, () -> resource.prepare(xid));
        assertEquals(XAException.XA_RBTIMEOUT, xaCode(prepared));
        final Message again = consumer.receive(5000);
        assertNotNull(again, "what the timed-out branch consumed comes back");
        assertTrue(again.getJMSRedelivered());
    }

    @EachTransport
    void shouldRollBackABranchWhoseSessionClosedWhileWorkingForIt(final Conformance env) throws Exception
    {
        final Queue queue = env.consumerConnection().createSession(false, Session.AUTO_ACKNOWLEDGE)
            .createQueue(env.name("xa-closed"));
        send(env, queue, "x");
        final XAConnection connection = xaConnection(env);
        final XASession session = connection.createXASession();
        connection.start();
        final XAResource resource = session.getXAResource();
        final Xid xid = newXid();
        resource.start(xid, XAResource.TMNOFLAGS);
        assertNotNull(session.createConsumer(queue).receive(5000));
        session.close();
        final XAException prepared = assertThrows(XAException.class, () -> resource.prepare(xid));
        assertEquals(XAException.XA_RBROLLBACK, xaCode(prepared));
        assertNotNull(plainConsumer(env, queue).receive(5000), "the message is back");
    }

    @EachTransport
    void shouldRefuseLocalTransactionVerbsOnXaSessionsAndContexts(final Conformance env) throws Exception
    {
        final XAConnection connection = xaConnection(env);
        final XASession session = connection.createXASession();
        assertTrue(session.getTransacted());
        assertEquals(Session.SESSION_TRANSACTED, session.getAcknowledgeMode());
        assertTrue(session.getSession() == session);
        assertThrows(TransactionInProgressException.class, session::commit);
        assertThrows(TransactionInProgressException.class, session::rollback);

        final XAJMSContext context = env.track(env.producerFactory().createXAContext());
        assertTrue(context.getTransacted());
        assertThrows(TransactionInProgressRuntimeException.class, context::commit);
        assertThrows(TransactionInProgressRuntimeException.class, context::rollback);
        final Queue queue = context.createQueue(env.name("xa-context"));
        final XAResource resource = context.getXAResource();
        final Xid xid = newXid();
        resource.start(xid, XAResource.TMNOFLAGS);
        context.getContext().createProducer().send(queue, "from a context");
        resource.end(xid, XAResource.TMSUCCESS);
        final MessageConsumer consumer = plainConsumer(env, queue);
        assertNull(consumer.receive(100));
        resource.commit(xid, true);
        assertEquals("from a context", ((TextMessage)consumer.receive(5000)).getText());
    }

    @EachTransport
    void shouldReportABranchAnOperatorCompletedUntilTheManagerForgetsIt(final Conformance env) throws Exception
    {
        final XAConnection connection = xaConnection(env);
        final XASession session = connection.createXASession();
        final Queue queue = session.createQueue(env.name("xa-heuristic"));
        final XAResource resource = session.getXAResource();
        final Xid xid = newXid();
        sendInPreparedBranch(session, queue, "decided by hand", xid);

        final io.meshmq.admin.MeshAdmin admin = env.admin();
        final AdminTable listed = admin.call(AdminVerbs.XA_LIST);
        final String shown = listed.rows().stream().map(row -> (String)row.get(0))
            .filter(text -> io.meshmq.protocol.WireXid.parse(text).equals(io.meshmq.protocol.WireXid.of(xid)))
            .findFirst().orElseThrow(() -> new AssertionError("xa.list does not show the prepared branch"));
        admin.call(AdminVerbs.XA_COMMIT, shown);
        assertEquals("decided by hand", ((TextMessage)plainConsumer(env, queue).receive(5000)).getText());

        final XAException heuristic = assertThrows(XAException.class, () -> resource.commit(xid, false));
        assertEquals(XAException.XA_HEURCOM, xaCode(heuristic));
        assertTrue(Arrays.stream(resource.recover(XAResource.TMSTARTRSCAN)).anyMatch(x -> sameXid(x, xid)));
        resource.forget(xid);
        assertFalse(Arrays.stream(resource.recover(XAResource.TMSTARTRSCAN)).anyMatch(x -> sameXid(x, xid)));
        assertThrows(jakarta.jms.JMSException.class, () -> admin.call(AdminVerbs.XA_COMMIT, "not-an-xid"));
    }

    @EachTransport
    void shouldKeepXidsExactlyAsTheManagerGaveThem(final Conformance env) throws Exception
    {
        final XAConnection connection = xaConnection(env);
        final XASession session = connection.createXASession();
        final Queue queue = session.createQueue(env.name("xa-xid"));
        final XAResource resource = session.getXAResource();
        final byte[] global = new byte[64];
        Arrays.fill(global, (byte)0xFE);
        final Xid xid = new TestXid(-7 + 8, global, new byte[0]);
        sendInPreparedBranch(session, queue, "x", xid);
        final Xid found = Arrays.stream(resource.recover(XAResource.TMSTARTRSCAN)).filter(x -> sameXid(x, xid)).findFirst()
            .orElseThrow(() -> new AssertionError("not recovered"));
        assertArrayEquals(global, found.getGlobalTransactionId());
        assertEquals(0, found.getBranchQualifier().length);
        resource.rollback(found);
        final XAException tooLong = assertThrows(XAException.class,
            () -> resource.start(new TestXid(1, new byte[65], new byte[0]), XAResource.TMNOFLAGS));
        assertEquals(XAException.XAER_INVAL, xaCode(tooLong));
    }
}
