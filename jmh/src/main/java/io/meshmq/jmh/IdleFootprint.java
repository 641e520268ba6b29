package io.meshmq.jmh;

import io.meshmq.jmh.brokers.BrokerUnderTest;
import jakarta.jms.Connection;
import jakarta.jms.ConnectionFactory;
import jakarta.jms.DeliveryMode;
import jakarta.jms.MessageProducer;
import jakarta.jms.Session;

import java.util.ArrayList;
import java.util.List;

/**
 * Workload 8: a broker's start-up time, its resident memory idle, and its resident memory with many idle queues and
 * idle connections. Each queue is made by sending it one empty non-persistent message, the one way to make a queue
 * that both brokers keep (Artemis deletes an auto-created queue that has no consumer and no message).
 */
final class IdleFootprint
{
    /** What one start measured. */
    record Measured(long startupMs, long idleKb, long loadedKb)
    {
    }

    private IdleFootprint()
    {
    }

    /**
     * @param queues      queues made, then left idle (0 to skip the loaded part).
     * @param connections connections opened and left idle.
     */
    static Measured measure(final String kind, final int queues, final int connections) throws Exception
    {
        final long began = System.nanoTime();
        try (BrokerUnderTest broker = BrokerUnderTest.start(kind))
        {
            final long startupMs = (System.nanoTime() - began) / 1_000_000;
            // Idle means after start-up has settled: a second with no clients.
            Thread.sleep(1000);
            final long idleKb = broker.residentKb();
            if (queues == 0 && connections == 0)
            {
                return new Measured(startupMs, idleKb, -1);
            }
            final ConnectionFactory factory = broker.connectionFactory();
            final List<Connection> open = new ArrayList<>();
            try
            {
                try (Connection connection = factory.createConnection())
                {
                    final Session session = connection.createSession(false, Session.AUTO_ACKNOWLEDGE);
                    final MessageProducer producer = session.createProducer(null);
                    producer.setDeliveryMode(DeliveryMode.NON_PERSISTENT);
                    for (int i = 0; i < queues; i++)
                    {
                        producer.send(session.createQueue("idle." + i), session.createMessage());
                    }
                }
                for (int i = 0; i < connections; i++)
                {
                    final Connection connection = factory.createConnection();
                    open.add(connection);
                    connection.start();
                }
                // Let both brokers settle as they did when idle.
                Thread.sleep(2000);
                return new Measured(startupMs, idleKb, broker.residentKb());
            }
            finally
            {
                for (final Connection connection : open)
                {
                    connection.close();
                }
            }
        }
    }
}
