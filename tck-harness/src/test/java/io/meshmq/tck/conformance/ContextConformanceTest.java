package io.meshmq.tck.conformance;

import jakarta.jms.IllegalStateRuntimeException;
import jakarta.jms.InvalidDestinationRuntimeException;
import jakarta.jms.JMSConsumer;
import jakarta.jms.JMSContext;
import jakarta.jms.MessageFormatRuntimeException;
import jakarta.jms.Queue;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * Specification 2.8 and 6.2.5: the simplified API.
 */
class ContextConformanceTest
{
    @EachTransport
    void shouldStartOnFirstConsumerAndCarryProducerOptions(final Conformance env) throws Exception
    {
        try (JMSContext context = env.consumerFactory().createContext())
        {
            final Queue queue = context.createQueue(env.name("context"));
            try (JMSContext producing = env.producerFactory().createContext())
            {
                producing.createProducer().setProperty("color", "red").setJMSType("t").setPriority(6)
                    .setJMSCorrelationID("c").send(queue, "hello");
            }
            final JMSConsumer consumer = context.createConsumer(queue, "color = 'red'");
            final jakarta.jms.Message message = consumer.receive(5000);
            assertEquals("hello", message.getBody(String.class));
            assertEquals("t", message.getJMSType());
            assertEquals(6, message.getJMSPriority());
            assertEquals("c", message.getJMSCorrelationID());
            consumer.close();
            final JMSConsumer any = context.createConsumer(queue);
            context.createProducer().send(queue, 42);
            assertEquals(42, any.receiveBody(Integer.class, 5000));
            context.createProducer().send(queue, "not a number");
            assertThrows(MessageFormatRuntimeException.class, () -> any.receiveBody(Integer.class, 5000));
            assertEquals("not a number", any.receiveBody(String.class, 5000),
                "a body that could not be converted is delivered again (AUTO_ACKNOWLEDGE)");
        }
    }

    @EachTransport
    void shouldReceiveBodiesAndShareTheConnectionBetweenContexts(final Conformance env) throws Exception
    {
        try (JMSContext context = env.consumerFactory().createContext(JMSContext.CLIENT_ACKNOWLEDGE))
        {
            final JMSContext transacted = context.createContext(JMSContext.SESSION_TRANSACTED);
            assertTrue(transacted.getTransacted());
            final Queue queue = context.createQueue(env.name("bodies"));
            transacted.createProducer().send(queue, "one");
            final JMSConsumer consumer = context.createConsumer(queue);
            assertNull(consumer.receiveBodyNoWait(String.class));
            transacted.commit();
            assertEquals("one", consumer.receiveBody(String.class, 5000));
            context.acknowledge();
            transacted.close();
            assertTrue(context.getAutoStart());
        }
    }

    @EachTransport
    void shouldThrowTheRuntimeTwinsOfTheCheckedExceptions(final Conformance env) throws Exception
    {
        try (JMSContext context = env.consumerFactory().createContext())
        {
            assertThrows(InvalidDestinationRuntimeException.class, () -> context.createConsumer(null));
            assertThrows(IllegalStateRuntimeException.class, context::commit);
            context.close();
            assertThrows(IllegalStateRuntimeException.class, () -> context.createQueue("q"));
        }
    }
}
