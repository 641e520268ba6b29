package io.meshmq.tck.conformance;

import io.meshmq.admin.MeshAdmin;
import io.meshmq.broker.Main;
import jakarta.jms.Connection;
import jakarta.jms.IllegalStateException;
import jakarta.jms.InvalidDestinationException;
import jakarta.jms.MessageConsumer;
import jakarta.jms.MessageProducer;
import jakarta.jms.Queue;
import jakarta.jms.Session;
import jakarta.jms.Topic;

import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * The management a conformance suite's admin adapter needs, over the wire from Java and from the CLI.
 */
class AdminConformanceTest
{
    @EachTransport
    @OneNode("a queue's depth is per node: with no consumer anywhere, sent messages stay on the sender's node")
    void shouldCreatePurgeAndDeleteQueues(final Conformance env) throws Exception
    {
        final MeshAdmin admin = env.admin();
        final String name = env.name("managed");
        assertTrue(admin.createQueue(name));
        assertFalse(admin.createQueue(name), "creating an existing queue is fine and says so");
        final Connection connection = env.producerConnection();
        final Session session = connection.createSession(false, Session.AUTO_ACKNOWLEDGE);
        final Queue queue = session.createQueue(name);
        final MessageProducer producer = session.createProducer(queue);
        for (int i = 0; i < 3; i++)
        {
            producer.send(session.createMessage());
        }
        assertEquals(3, admin.queue(name).messages());
        assertEquals(3, admin.purgeQueue(name));
        producer.send(session.createMessage());
        final MessageConsumer consumer = session.createConsumer(queue);
        assertThrows(IllegalStateException.class, () -> admin.deleteQueue(name), "a queue with consumers is kept");
        consumer.close();
        assertEquals(1, admin.deleteQueue(name), "deleting drops what waits");
        assertNull(admin.queue(name));
        assertThrows(InvalidDestinationException.class, () -> admin.purgeQueue(name));
    }

    @EachTransport
    void shouldDeleteATopicWithItsDurableSubscriptions(final Conformance env) throws Exception
    {
        final MeshAdmin admin = env.admin();
        final String name = env.name("managed-topic");
        admin.createTopic(name);
        final Connection connection = env.consumerFactory("clientID=" + env.name("admin-client")).createConnection();
        env.track(connection);
        final Session session = connection.createSession(false, Session.AUTO_ACKNOWLEDGE);
        final Topic topic = session.createTopic(name);
        final MessageConsumer durable = session.createDurableConsumer(topic, "kept");
        assertThrows(IllegalStateException.class, () -> admin.deleteTopic(name));
        durable.close();
        admin.deleteTopic(name);
        assertThrows(jakarta.jms.InvalidDestinationException.class, () -> session.unsubscribe("kept"),
            "the durable subscription went with its topic");
    }

    @EachTransport
    void shouldManageQueuesFromTheCommandLine(final Conformance env) throws Exception
    {
        final String name = env.name("cli");
        final String adminUrl = env.adminUrl();
        assertEquals(0, cli("queue", "create", name, "--url", adminUrl).code);
        final Cli list = cli("queue", "list", "--url", adminUrl);
        assertEquals(0, list.code);
        assertTrue(list.out.lines().anyMatch(line -> line.startsWith(name + " ")), list.out);
        assertTrue(list.out.startsWith("name"), "a header line first: " + list.out);
        assertEquals(0, cli("queue", "purge", name, "--url", adminUrl).code);
        assertEquals(0, cli("queue", "delete", name, "--url", adminUrl).code);
        final Cli missing = cli("queue", "delete", name, "--url", adminUrl);
        assertEquals(1, missing.code);
        assertTrue(missing.err.contains("there is no queue '" + name + "'"), missing.err);
        assertEquals(2, cli("queue", "explode", name, "--url", adminUrl).code);
    }

    @EachTransport
    @OneNode("an XA branch lives on the node of its connection, and the command line lists that node's")
    void shouldListAndCompleteXaBranchesFromTheCommandLine(final Conformance env) throws Exception
    {
        final String adminUrl = env.adminUrl();
        final jakarta.jms.XAConnection connection = env.track(env.producerFactory().createXAConnection());
        final jakarta.jms.XASession session = connection.createXASession();
        final javax.transaction.xa.XAResource resource = session.getXAResource();
        final javax.transaction.xa.Xid xid = XaConformanceTest.newXid();
        XaConformanceTest.sendInPreparedBranch(session, session.createQueue(env.name("cli-xa")), "x", xid);
        final String shown = io.meshmq.protocol.WireXid.of(xid).toString();

        final Cli list = cli("xa", "list", "--url", adminUrl);
        assertEquals(0, list.code, list.err);
        assertTrue(list.out.startsWith("xid"), list.out);
        assertTrue(list.out.lines().anyMatch(line -> line.startsWith(shown + " ") && line.contains("prepared")), list.out);
        final Cli rolledBack = cli("xa", "rollback", shown, "--url", adminUrl);
        assertEquals(0, rolledBack.code, rolledBack.err);
        assertTrue(rolledBack.out.contains("heuristically_rolled_back"), rolledBack.out);
        final Cli again = cli("xa", "commit", shown, "--url", adminUrl);
        assertEquals(1, again.code);
        assertTrue(again.err.contains("already heuristically_rolled_back"), again.err);
        final Cli bad = cli("xa", "commit", "nonsense", "--url", adminUrl);
        assertEquals(1, bad.code);
        assertTrue(bad.err.contains("formatId:globalIdHex:branchQualifierHex"), bad.err);
        assertEquals(2, cli("xa", "commit", "--url", adminUrl).code, "the xid is missing");
        resource.forget(xid);
    }

    private record Cli(int code, String out, String err)
    {
    }

    private static Cli cli(final String... args)
    {
        final ByteArrayOutputStream out = new ByteArrayOutputStream();
        final ByteArrayOutputStream err = new ByteArrayOutputStream();
        final int code = Main.run(args, new PrintStream(out, true, StandardCharsets.UTF_8),
            new PrintStream(err, true, StandardCharsets.UTF_8));
        return new Cli(code, out.toString(StandardCharsets.UTF_8), err.toString(StandardCharsets.UTF_8));
    }
}
