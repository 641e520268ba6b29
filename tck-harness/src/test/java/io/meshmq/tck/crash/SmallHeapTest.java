package io.meshmq.tck.crash;

import io.meshmq.jms.MeshConnectionFactory;
import jakarta.jms.BytesMessage;
import jakarta.jms.Connection;
import jakarta.jms.Message;
import jakarta.jms.MessageConsumer;
import jakarta.jms.MessageProducer;
import jakarta.jms.ResourceAllocationException;
import jakarta.jms.Session;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.nio.file.Path;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * A broker with a 64 MiB heap offered twice its heap in messages: it refuses sends at its global limit (half
 * the heap by default) instead of running out of memory, keeps serving, and takes messages again as they
 * drain.
 */
class SmallHeapTest
{
    private static final int BODY = 64 * 1024;
    private static final int BATCH = 16;
    /** 128 MiB: twice the heap. */
    private static final int OFFERED = 2048;

    @TempDir
    Path workDir;

    @Test
    void shouldRefuseSendsAtItsLimitInsteadOfRunningOutOfMemory() throws Exception
    {
        try (BrokerProcess broker = BrokerProcess.startWithHeap(workDir.resolve("data"), "64m");
            Connection connection = new MeshConnectionFactory(broker.url()).createConnection())
        {
            final Session transacted = connection.createSession(true, Session.SESSION_TRANSACTED);
            final MessageProducer producer = transacted.createProducer(transacted.createQueue("backlog"));
            int accepted = 0;
            String refusal = null;
            while (accepted < OFFERED && refusal == null)
            {
                for (int i = 0; i < BATCH; i++)
                {
                    final BytesMessage message = transacted.createBytesMessage();
                    message.writeBytes(new byte[BODY]);
                    message.setIntProperty("n", accepted + i);
                    producer.send(message);
                }
                try
                {
                    transacted.commit();
                    accepted += BATCH;
                }
                catch (final ResourceAllocationException full)
                {
                    refusal = full.getMessage();
                }
            }
            assertNotNull(refusal, "the broker took " + accepted + " messages of 64 KiB without refusing");
            assertTrue(refusal.contains("global-max-size"), refusal);
            final long acceptedBytes = (long)accepted * BODY;
            assertTrue(acceptedBytes > 16L << 20 && acceptedBytes <= 40L << 20,
                "refused at about half of the 64 MiB heap, not after " + (acceptedBytes >> 20) + " MiB");

            connection.start();
            final Session session = connection.createSession(false, Session.AUTO_ACKNOWLEDGE);
            final MessageConsumer consumer = session.createConsumer(session.createQueue("backlog"));
            for (int i = 0; i < accepted; i++)
            {
                final Message message = consumer.receive(10_000);
                assertNotNull(message, "message " + i + " of " + accepted);
                assertEquals(i, message.getIntProperty("n"), "in order");
            }
            assertNull(consumer.receive(100));
            final BytesMessage again = session.createBytesMessage();
            again.writeBytes(new byte[BODY]);
            session.createProducer(session.createQueue("backlog")).send(again);
            assertNotNull(consumer.receive(10_000), "drained, it takes messages again");
        }
    }
}
