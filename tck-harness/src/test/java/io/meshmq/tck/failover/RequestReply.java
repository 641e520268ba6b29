package io.meshmq.tck.failover;

import jakarta.jms.Destination;
import jakarta.jms.JMSException;
import jakarta.jms.Message;
import jakarta.jms.MessageConsumer;
import jakarta.jms.MessageProducer;
import jakarta.jms.Session;
import jakarta.jms.TextMessage;

import java.util.function.Consumer;

import static org.junit.jupiter.api.Assertions.assertNotNull;

/**
 * Request/reply as applications do it: a responder answering each text request on its JMSReplyTo, and a requester
 * waiting for the answer on its temporary queue.
 */
public final class RequestReply
{
    private RequestReply()
    {
    }

    /**
     * Answers every request on the queue with "re: " and its text.
     *
     * @param failed told of a failure to answer.
     */
    public static void respond(final Session session, final String queue, final Consumer<Throwable> failed)
        throws JMSException
    {
        final MessageProducer replies = session.createProducer(null);
        session.createConsumer(session.createQueue(queue)).setMessageListener(request ->
        {
            try
            {
                final TextMessage reply = session.createTextMessage("re: " + ((TextMessage)request).getText());
                reply.setJMSCorrelationID(request.getJMSMessageID());
                replies.send(request.getJMSReplyTo(), reply);
            }
            catch (final JMSException ex)
            {
                failed.accept(ex);
            }
        });
    }

    /**
     * @return the answer's text.
     */
    public static String request(final Session session, final MessageProducer requests, final MessageConsumer answers,
        final Destination replyTo, final String text, final long timeoutMs) throws JMSException
    {
        final TextMessage request = session.createTextMessage(text);
        request.setJMSReplyTo(replyTo);
        requests.send(request);
        // A reply to an earlier request may come again after a failover (its send resent when its confirmation was
        // lost, as the specification allows): this request's answer is the one that names it.
        final long deadline = System.nanoTime() + timeoutMs * 1_000_000L;
        Message answer;
        do
        {
            answer = answers.receive(Math.max(1, (deadline - System.nanoTime()) / 1_000_000L));
        }
        while (answer != null && !request.getJMSMessageID().equals(answer.getJMSCorrelationID()) &&
            System.nanoTime() < deadline);
        assertNotNull(answer, "an answer to '" + text + "' through " + replyTo);
        return ((TextMessage)answer).getText();
    }
}
