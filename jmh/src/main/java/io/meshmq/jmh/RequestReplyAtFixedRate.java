package io.meshmq.jmh;

import io.meshmq.jmh.brokers.BrokerUnderTest;
import io.meshmq.jmh.shaped.Pace;
import jakarta.jms.BytesMessage;
import jakarta.jms.Connection;
import jakarta.jms.DeliveryMode;
import jakarta.jms.JMSException;
import jakarta.jms.Message;
import jakarta.jms.MessageProducer;
import jakarta.jms.Queue;
import jakarta.jms.Session;
import jakarta.jms.TemporaryQueue;
import org.HdrHistogram.Histogram;

import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;

/**
 * Workload 5: request/reply round trips at a fixed rate, every one recorded in an HdrHistogram.
 * <p>
 * A requester sends a non-persistent 1 KiB request every {@code 1 / rate} seconds, whether or not earlier replies
 * came (the load does not slow down when the broker does); a responder on its own connection answers on the
 * requester's temporary queue, and the requester's listener records the time from the call to send() to the
 * reply. Not a JMH benchmark: JMH measures closed loops, one invocation after another; this is an open loop.
 */
final class RequestReplyAtFixedRate
{
    private static final String SENT_AT = "sentAtNs";
    private static final long HIGHEST_NS = TimeUnit.SECONDS.toNanos(60);

    private final Histogram histogram = new Histogram(HIGHEST_NS, 3);
    private final AtomicLong replies = new AtomicLong();
    private volatile boolean recording;

    private RequestReplyAtFixedRate()
    {
    }

    /**
     * @return the round trips of the measured part, in nanoseconds.
     */
    static Histogram measure(final String kind, final int ratePerSecond, final int warmupSeconds, final int measureSeconds)
        throws Exception
    {
        return new RequestReplyAtFixedRate().run(kind, ratePerSecond, warmupSeconds, measureSeconds);
    }

    private Histogram run(final String kind, final int ratePerSecond, final int warmupSeconds, final int measureSeconds)
        throws Exception
    {
        try (BrokerUnderTest under = BrokerUnderTest.start(kind);
             Connection responderConnection = under.connectionFactory().createConnection();
             Connection requesterConnection = under.connectionFactory().createConnection())
        {
            final Queue queue = Responder.start(responderConnection);

            final Session receiving = requesterConnection.createSession(false, Session.AUTO_ACKNOWLEDGE);
            final TemporaryQueue replyTo = receiving.createTemporaryQueue();
            receiving.createConsumer(replyTo).setMessageListener(this::onReply);
            requesterConnection.start();
            final Session sending = requesterConnection.createSession(false, Session.AUTO_ACKNOWLEDGE);
            final MessageProducer requests = sending.createProducer(queue);
            requests.setDeliveryMode(DeliveryMode.NON_PERSISTENT);
            final BytesMessage request = sending.createBytesMessage();
            request.writeBytes(new byte[1024]);
            request.setJMSReplyTo(replyTo);

            long sent = sendAtRate(requests, request, ratePerSecond, warmupSeconds, 0);
            awaitReplies(sent);
            recording = true;
            sent = sendAtRate(requests, request, ratePerSecond, measureSeconds, sent);
            awaitReplies(sent);
            recording = false;
            // The listener recorded before counting each reply, and awaitReplies read the count: the histogram is
            // complete and visible here.
            return histogram.copy();
        }
    }

    private void onReply(final Message reply)
    {
        try
        {
            final long roundTripNs = System.nanoTime() - reply.getLongProperty(SENT_AT);
            if (recording)
            {
                histogram.recordValue(Math.min(roundTripNs, HIGHEST_NS));
            }
        }
        catch (final JMSException ex)
        {
            throw new IllegalStateException(ex);
        }
        replies.incrementAndGet();
    }

    private static long sendAtRate(final MessageProducer requests, final BytesMessage request, final int ratePerSecond,
        final int seconds, final long sentBefore) throws JMSException
    {
        final Pace pace = new Pace(ratePerSecond, seconds);
        for (long i = 0; i < pace.count(); i++)
        {
            pace.awaitTurn(i);
            request.setLongProperty(SENT_AT, System.nanoTime());
            requests.send(request);
        }
        return sentBefore + pace.count();
    }

    private void awaitReplies(final long expected) throws InterruptedException
    {
        final long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(60);
        while (replies.get() < expected)
        {
            if (System.nanoTime() - deadline > 0)
            {
                throw new IllegalStateException("only " + replies.get() + " of " + expected + " replies within 60 s");
            }
            Thread.sleep(1);
        }
    }
}
