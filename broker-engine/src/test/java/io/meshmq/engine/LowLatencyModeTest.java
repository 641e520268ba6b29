package io.meshmq.engine;

import io.meshmq.jms.MeshConnectionFactory;
import jakarta.jms.Connection;
import jakarta.jms.MessageConsumer;
import jakarta.jms.MessageProducer;
import jakarta.jms.Session;
import jakarta.jms.TextMessage;
import org.junit.jupiter.api.Test;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * The opt-in low-latency mode (issue 20) changes how threads wait, never what they get: a yielding or spinning
 * processor and a client whose receive() spins before it sleeps deliver every message, in order, and a receive that
 * finds nothing still ends at its timeout.
 */
class LowLatencyModeTest
{
    @Test
    void shouldDeliverInOrderWithAYieldingProcessorAndSpinningReceives() throws Exception
    {
        for (final ProcessorWait wait : new ProcessorWait[] {ProcessorWait.YIELD, ProcessorWait.SPIN})
        {
            try (TestBroker test = TestBroker.start(context -> context.processorWait(wait));
                 Connection connection = new MeshConnectionFactory(test.broker().url() + "?receiveSpin=100")
                     .createConnection())
            {
                final Session session = connection.createSession(false, Session.AUTO_ACKNOWLEDGE);
                final MessageProducer producer = session.createProducer(session.createQueue("fast"));
                final MessageConsumer consumer = session.createConsumer(session.createQueue("fast"));
                connection.start();
                for (int i = 0; i < 200; i++)
                {
                    producer.send(session.createTextMessage("m" + i));
                    assertEquals("m" + i, ((TextMessage)consumer.receive(5_000)).getText(), wait + " at " + i);
                }
                final long startNs = System.nanoTime();
                assertNull(consumer.receive(50), "nothing waits");
                assertTrue(System.nanoTime() - startNs >= 50_000_000L, "the receive waited its 50 ms");
            }
        }
    }

    @Test
    void shouldRefuseASpinOutOfRange()
    {
        final IllegalArgumentException zero = assertThrows(IllegalArgumentException.class,
            () -> new MeshConnectionFactory("tcp://127.0.0.1:1?receiveSpin=0"));
        assertTrue(zero.getMessage().contains("receiveSpin='0'; expected a whole number 1-1000000"), zero.getMessage());
    }
}
