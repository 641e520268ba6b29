package io.meshmq.jmh;

import jakarta.jms.Connection;
import jakarta.jms.DeliveryMode;
import jakarta.jms.JMSException;
import jakarta.jms.Message;
import jakarta.jms.MessageProducer;
import jakarta.jms.Queue;
import jakarta.jms.Session;

import java.util.Enumeration;

/**
 * The answering side of workload 5, on its own connection: each request gets an empty non-persistent reply on its
 * JMSReplyTo, carrying the request's properties back (the fixed-rate requester puts its send time there).
 */
final class Responder
{
    private Responder()
    {
    }

    /**
     * Starts answering on a new queue of {@code connection} and starts the connection.
     *
     * @return the queue to send requests to.
     */
    static Queue start(final Connection connection) throws JMSException
    {
        final Session session = connection.createSession(false, Session.AUTO_ACKNOWLEDGE);
        final Queue queue = session.createQueue("bench.requests." + System.nanoTime());
        final MessageProducer answers = session.createProducer(null);
        answers.setDeliveryMode(DeliveryMode.NON_PERSISTENT);
        session.createConsumer(queue).setMessageListener(request ->
        {
            try
            {
                final Message reply = session.createMessage();
                for (final Enumeration<?> names = request.getPropertyNames(); names.hasMoreElements(); )
                {
                    final String name = (String)names.nextElement();
                    reply.setObjectProperty(name, request.getObjectProperty(name));
                }
                answers.send(request.getJMSReplyTo(), reply);
            }
            catch (final JMSException ex)
            {
                throw new IllegalStateException(ex);
            }
        });
        connection.start();
        return queue;
    }
}
