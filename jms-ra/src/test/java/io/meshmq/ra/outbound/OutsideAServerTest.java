package io.meshmq.ra.outbound;

import io.meshmq.engine.Broker;
import io.meshmq.engine.BrokerContext;
import io.meshmq.jms.MeshConnectionFactory;
import jakarta.jms.Connection;
import jakarta.jms.ConnectionFactory;
import jakarta.jms.IllegalStateException;
import jakarta.jms.IllegalStateRuntimeException;
import jakarta.jms.JMSConsumer;
import jakarta.jms.JMSContext;
import jakarta.jms.JMSRuntimeException;
import jakarta.jms.MessageConsumer;
import jakarta.jms.Queue;
import jakarta.jms.Session;
import jakarta.jms.TextMessage;
import jakarta.jms.TransactionInProgressException;
import jakarta.jms.TransactionInProgressRuntimeException;
import jakarta.resource.spi.LocalTransaction;
import jakarta.resource.spi.ManagedConnection;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.nio.file.Path;
import java.util.UUID;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * The outbound side as the Connectors specification's non-managed case uses it (no application server: a factory
 * from {@code createConnectionFactory()}), and a pooled connection's local transaction driven as a server drives it,
 * against a real broker over TCP. The adapter in a real server is proven by the conformance harness's Payara test.
 */
class OutsideAServerTest
{
    @TempDir
    static Path dataDir;
    private static Broker broker;

    @BeforeAll
    static void startBroker() throws Exception
    {
        broker = Broker.start(new BrokerContext().port(0).dataDir(dataDir).ioThreads(1)
            .vmId("ra-" + UUID.randomUUID()));
    }

    @AfterAll
    static void stopBroker()
    {
        broker.close();
    }

    private static MeshManagedConnectionFactory factory()
    {
        final MeshManagedConnectionFactory factory = new MeshManagedConnectionFactory();
        factory.setConnectionURL(broker.url());
        return factory;
    }

    @Test
    void shouldSendAndReceiveWithTheRulesOfAContainer() throws Exception
    {
        final ConnectionFactory pooled = (ConnectionFactory)factory().createConnectionFactory();
        try (Connection connection = pooled.createConnection())
        {
            final Session session = connection.createSession(true, Session.SESSION_TRANSACTED);
            assertFalse(session.getTransacted(), "outside a transaction the arguments are ignored: not transacted");
            assertEquals(Session.AUTO_ACKNOWLEDGE, session.getAcknowledgeMode());
            final Queue queue = session.createQueue("ra-plain");
            session.createProducer(queue).send(session.createTextMessage("hello"));
            final MessageConsumer consumer = session.createConsumer(queue);
            assertEquals("hello", ((TextMessage)consumer.receive(10_000)).getText());
            assertThrows(IllegalStateException.class, session::commit);
            assertThrows(IllegalStateException.class, () -> consumer.setMessageListener(message -> { }));
            assertThrows(IllegalStateException.class, () -> session.setMessageListener(message -> { }));
            assertThrows(IllegalStateException.class, connection::stop);
            assertThrows(IllegalStateException.class, () -> connection.setClientID("x"));
            final IllegalStateException second = assertThrows(IllegalStateException.class, connection::createSession);
            assertTrue(second.getMessage().contains("one session"), second.getMessage());
            session.close();
            assertThrows(IllegalStateException.class, () -> consumer.receive(10));
            connection.createSession().close();
        }
    }

    @Test
    void shouldSendOnlyWhatALocalTransactionCommits() throws Exception
    {
        final MeshManagedConnectionFactory factory = factory();
        final ManagedConnection managed = factory.createManagedConnection(null, null);
        try (Connection observer = new MeshConnectionFactory(broker.url()).createConnection())
        {
            final Session watching = observer.createSession();
            final Queue queue = watching.createQueue("ra-local");
            final MessageConsumer watch = watching.createConsumer(queue);
            observer.start();

            final Connection handle = (Connection)managed.getConnection(null, null);
            final Session session = handle.createSession();
            final LocalTransaction transaction = managed.getLocalTransaction();
            transaction.begin();
            assertTrue(session.getTransacted());
            assertThrows(TransactionInProgressException.class, session::commit);
            session.createProducer(queue).send(session.createTextMessage("rolled back"));
            transaction.rollback();
            transaction.begin();
            session.createProducer(queue).send(session.createTextMessage("committed"));
            assertNull(watch.receive(200), "nothing is sent before the commit");
            transaction.commit();
            assertEquals("committed", ((TextMessage)watch.receive(10_000)).getText());
            assertNull(watch.receive(200), "the rolled back message is never sent");
            assertFalse(session.getTransacted());
            handle.close();
        }
        finally
        {
            managed.destroy();
        }
    }

    @Test
    void shouldServeJMSContextsWithTheRulesOfAContainer() throws Exception
    {
        final ConnectionFactory pooled = (ConnectionFactory)factory().createConnectionFactory();
        try (JMSContext context = pooled.createContext(JMSContext.CLIENT_ACKNOWLEDGE))
        {
            assertEquals(JMSContext.AUTO_ACKNOWLEDGE, context.getSessionMode(), "the mode asked for is ignored");
            assertFalse(context.getTransacted());
            final Queue queue = context.createQueue("ra-context");
            context.createProducer().setProperty("n", 7).send(queue, "hello");
            final JMSConsumer consumer = context.createConsumer(queue, "n = 7");
            assertEquals("hello", consumer.receiveBody(String.class, 10_000));
            assertThrows(IllegalStateRuntimeException.class, context::commit);
            assertThrows(IllegalStateRuntimeException.class, () -> consumer.setMessageListener(message -> { }));
            assertThrows(IllegalStateRuntimeException.class, consumer::getMessageListener);
            assertThrows(IllegalStateRuntimeException.class, context::stop);
            assertThrows(IllegalStateRuntimeException.class, () -> context.setClientID("x"));
            assertThrows(IllegalStateRuntimeException.class, () -> context.setExceptionListener(ex -> { }));
            final JMSRuntimeException second = assertThrows(JMSRuntimeException.class,
                () -> context.createContext(JMSContext.AUTO_ACKNOWLEDGE));
            assertTrue(second.getMessage().contains("one session per connection"), second.getMessage());
            context.close();
            assertThrows(IllegalStateRuntimeException.class, () -> consumer.receive(10));
            assertThrows(IllegalStateRuntimeException.class, context::createProducer);
        }
    }

    @Test
    void shouldSendThroughAJMSContextOnlyWhatALocalTransactionCommits() throws Exception
    {
        final MeshManagedConnectionFactory factory = factory();
        final ManagedConnection managed = factory.createManagedConnection(null, null);
        try (JMSContext observer = new MeshConnectionFactory(broker.url()).createContext())
        {
            final Queue queue = observer.createQueue("ra-context-local");
            final JMSConsumer watch = observer.createConsumer(queue);
            final JMSContext context = new ContextHandle((ConnectionHandle)managed.getConnection(null, null));
            final LocalTransaction transaction = managed.getLocalTransaction();
            transaction.begin();
            assertTrue(context.getTransacted());
            assertEquals(JMSContext.SESSION_TRANSACTED, context.getSessionMode());
            assertThrows(TransactionInProgressRuntimeException.class, context::commit);
            context.createProducer().send(queue, "rolled back");
            transaction.rollback();
            transaction.begin();
            context.createProducer().send(queue, "committed");
            assertNull(watch.receive(200), "nothing is sent before the commit");
            transaction.commit();
            assertEquals("committed", watch.receiveBody(String.class, 10_000));
            assertNull(watch.receive(200), "the rolled back message is never sent");
            context.close();
        }
        finally
        {
            managed.destroy();
        }
    }
}
