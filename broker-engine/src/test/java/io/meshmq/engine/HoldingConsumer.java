package io.meshmq.engine;

import io.meshmq.jms.MeshConnectionFactory;
import jakarta.jms.Connection;
import jakarta.jms.MessageConsumer;
import jakarta.jms.Session;

/**
 * A separate JVM that receives messages in CLIENT_ACKNOWLEDGE mode and never acknowledges them, then says
 * READY and waits to be killed: how a test makes a consumer vanish without a goodbye.
 * Arguments: URL QUEUE COUNT.
 */
public final class HoldingConsumer
{
    private HoldingConsumer()
    {
    }

    public static void main(final String[] args) throws Exception
    {
        final Connection connection = new MeshConnectionFactory(args[0]).createConnection();
        final Session session = connection.createSession(false, Session.CLIENT_ACKNOWLEDGE);
        final MessageConsumer consumer = session.createConsumer(session.createQueue(args[1]));
        connection.start();
        final int count = Integer.parseInt(args[2]);
        for (int i = 0; i < count; i++)
        {
            if (consumer.receive(10_000) == null)
            {
                System.out.println("TIMEOUT");
                System.exit(3);
            }
        }
        System.out.println("READY");
        System.out.flush();
        Thread.sleep(120_000);
        System.exit(4);
    }
}
