package io.meshmq.tck.conformance;

import jakarta.jms.Connection;
import jakarta.jms.IllegalStateException;
import jakarta.jms.Message;
import jakarta.jms.MessageConsumer;
import jakarta.jms.MessageProducer;
import jakarta.jms.Queue;
import jakarta.jms.Session;
import jakarta.jms.TextMessage;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * Specification 6.2.9: local transactions.
 */
class TransactionConformanceTest
{
    @EachTransport
    void shouldMakeSendsVisibleOnlyOnCommit(final Conformance env) throws Exception
    {
        final Connection producerConnection = env.producerConnection();
        final Session transacted = producerConnection.createSession(true, Session.SESSION_TRANSACTED);
        final Queue queue = transacted.createQueue(env.name("tx-send"));
        final MessageProducer producer = transacted.createProducer(queue);
        producer.send(transacted.createTextMessage("rolled back"));
        transacted.rollback();
        producer.send(transacted.createTextMessage("committed"));

        final Connection consumerConnection = env.consumerConnection();
        final Session session = consumerConnection.createSession(false, Session.AUTO_ACKNOWLEDGE);
        consumerConnection.start();
        final MessageConsumer consumer = session.createConsumer(queue);
        assertNull(consumer.receive(100), "nothing is visible before commit");
        transacted.commit();
        assertEquals("committed", ((TextMessage)consumer.receive(5000)).getText());
        assertNull(consumer.receiveNoWait());
    }

    @EachTransport
    void shouldRedeliverReceivesOnRollbackAndRemoveThemOnCommit(final Conformance env) throws Exception
    {
        final Connection connection = env.consumerConnection();
        final Session session = connection.createSession(true, Session.SESSION_TRANSACTED);
        final Queue queue = session.createQueue(env.name("tx-receive"));
        final Session producing = env.producerConnection().createSession(true, Session.SESSION_TRANSACTED);
        final MessageProducer producer = producing.createProducer(queue);
        producer.send(producing.createTextMessage("a"));
        producer.send(producing.createTextMessage("b"));
        producing.commit();
        connection.start();
        final MessageConsumer consumer = session.createConsumer(queue);
        assertEquals("a", ((TextMessage)consumer.receive(5000)).getText());
        assertEquals("b", ((TextMessage)consumer.receive(5000)).getText());
        session.rollback();
        final Message again = consumer.receive(5000);
        assertEquals("a", ((TextMessage)again).getText());
        assertTrue(again.getJMSRedelivered());
        assertEquals(2, again.getIntProperty("JMSXDeliveryCount"));
        assertEquals("b", ((TextMessage)consumer.receive(5000)).getText());
        session.commit();
        consumer.close();
        final Session check = connection.createSession(false, Session.AUTO_ACKNOWLEDGE);
        final io.meshmq.admin.MeshAdmin admin = env.admin();
        Conformance.await("both committed", () ->
        {
            try
            {
                return admin.queue(queue.getQueueName()).acknowledged() == 2;
            }
            catch (final Exception ex)
            {
                throw new AssertionError(ex);
            }
        });
        assertNull(check.createConsumer(queue).receiveNoWait());
    }

    @EachTransport
    void shouldRefuseTransactionCallsOnANonTransactedSession(final Conformance env) throws Exception
    {
        final Session session = env.consumerConnection().createSession(false, Session.AUTO_ACKNOWLEDGE);
        assertThrows(IllegalStateException.class, session::commit);
        assertThrows(IllegalStateException.class, session::rollback);
        final Session transacted = env.consumerConnection().createSession(true, Session.SESSION_TRANSACTED);
        assertThrows(IllegalStateException.class, transacted::recover);
        assertTrue(transacted.getTransacted());
        assertEquals(Session.SESSION_TRANSACTED, transacted.getAcknowledgeMode());
    }

    @EachTransport
    void shouldRollBackAnOpenTransactionOnClose(final Conformance env) throws Exception
    {
        final Queue queue;
        try (Connection connection = env.consumerFactory().createConnection())
        {
            final Session session = connection.createSession(true, Session.SESSION_TRANSACTED);
            queue = session.createQueue(env.name("tx-close"));
            session.createProducer(queue).send(session.createTextMessage("kept"));
            session.commit();
            connection.start();
            assertNotNull(session.createConsumer(queue).receive(5000));
            session.createProducer(queue).send(session.createTextMessage("never committed"));
        }
        final Connection connection = env.consumerConnection();
        final Session session = connection.createSession(false, Session.AUTO_ACKNOWLEDGE);
        connection.start();
        final MessageConsumer consumer = session.createConsumer(queue);
        final Message message = consumer.receive(5000);
        assertEquals("kept", ((TextMessage)message).getText());
        assertTrue(message.getJMSRedelivered());
        assertNull(consumer.receiveNoWait());
    }
}
