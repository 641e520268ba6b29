package io.meshmq.tck.failover;

import io.meshmq.jms.MeshConnectionFactory;
import jakarta.jms.Connection;
import jakarta.jms.Session;

/**
 * A client process for {@link HalfOpenFailoverTest}: takes one message without acknowledging it (the broker has sent
 * it the rest ahead), says "holding", and waits to be stopped or killed.
 */
public final class HoldingConsumer
{
    private HoldingConsumer()
    {
    }

    public static void main(final String[] args) throws Exception
    {
        try (Connection connection = new MeshConnectionFactory(args[0]).createConnection())
        {
            connection.start();
            final Session session = connection.createSession(false, Session.CLIENT_ACKNOWLEDGE);
            if (session.createConsumer(session.createQueue(args[1])).receive(30_000) == null)
            {
                System.out.println("nothing to hold");
                System.exit(1);
            }
            System.out.println("holding");
            System.out.flush();
            Thread.sleep(120_000);
        }
    }
}
