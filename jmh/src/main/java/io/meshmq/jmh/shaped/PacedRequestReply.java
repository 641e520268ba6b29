package io.meshmq.jmh.shaped;

import io.meshmq.jmh.brokers.BrokerUnderTest;
import jakarta.jms.BytesMessage;
import jakarta.jms.Connection;
import jakarta.jms.DeliveryMode;
import jakarta.jms.JMSException;
import jakarta.jms.Message;
import jakarta.jms.MessageConsumer;
import jakarta.jms.MessageProducer;
import jakarta.jms.Queue;
import jakarta.jms.Session;
import jakarta.jms.TemporaryQueue;
import org.HdrHistogram.Histogram;

import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicReference;

/**
 * Request/reply as a service does it, paced: a requester thread sends a new 1 KiB request carrying a {@code long}
 * property every {@code 1 / rate} seconds and then calls {@code receive(5000)} on its reply queue; a responder thread
 * on its own connection calls {@code receive(200)} and answers each request with a new message. Both threads go idle
 * between requests, so every round trip pays the wake-ups a real service pays. The round trip is measured from the
 * call to {@code send()} to the return of {@code receive()}; a request due while the previous one is still out waits
 * for it (a closed loop at a pace, as the client that found the gap ran it).
 */
public final class PacedRequestReply
{
    private static final String SENT_AT = "sentAtNs";
    private static final long HIGHEST_NS = TimeUnit.SECONDS.toNanos(60);

    private PacedRequestReply()
    {
    }

    /**
     * A/B runs outside the suite: {@code java -cp benchmarks.jar io.meshmq.jmh.shaped.PacedRequestReply KIND[,KIND...]
     * ROUNDS [WARMUP-S MEASURE-S]} measures the kinds alternately, each round with a fresh broker, and prints each
     * round's p50, p99 and p99.9 in microseconds.
     */
    public static void main(final String[] args) throws Exception
    {
        final String[] kinds = args[0].split(",");
        final int rounds = Integer.parseInt(args[1]);
        final int warmup = args.length > 2 ? Integer.parseInt(args[2]) : 10;
        final int measured = args.length > 3 ? Integer.parseInt(args[3]) : 20;
        for (int round = 1; round <= rounds; round++)
        {
            for (final String kind : kinds)
            {
                final Histogram histogram = measure(kind, 2_000, warmup, measured);
                System.out.printf("round %d %-22s p50 %,7d  p99 %,7d  p99.9 %,7d us (%,d round trips)%n", round, kind,
                    histogram.getValueAtPercentile(50) / 1000, histogram.getValueAtPercentile(99) / 1000,
                    histogram.getValueAtPercentile(99.9) / 1000, histogram.getTotalCount());
            }
        }
    }

    /**
     * @return the round trips of the measured part, in nanoseconds.
     */
    public static Histogram measure(final String kind, final int ratePerSecond, final int warmupSeconds,
        final int measureSeconds) throws Exception
    {
        try (BrokerUnderTest under = BrokerUnderTest.start(kind);
             Connection responderConnection = under.connectionFactory().createConnection();
             Connection requesterConnection = under.connectionFactory().createConnection())
        {
            final Session session = responderConnection.createSession(false, Session.AUTO_ACKNOWLEDGE);
            final Queue requests = session.createQueue("bench.paced." + System.nanoTime());
            final AtomicReference<Exception> failed = new AtomicReference<>();
            final AtomicBoolean answering = new AtomicBoolean(true);
            final Thread responder = new Thread(() -> answer(session, requests, answering, failed), "responder");
            responderConnection.start();
            responder.start();
            try
            {
                final Requester requester = requester(requesterConnection, requests, ratePerSecond);
                requester.run(warmupSeconds, null);
                final Histogram histogram = new Histogram(HIGHEST_NS, 3);
                requester.run(measureSeconds, histogram);
                return histogram;
            }
            finally
            {
                // Not interrupted: Artemis's receive() turns an interrupt into an exception. receive(200) comes back.
                answering.set(false);
                responder.join(TimeUnit.SECONDS.toMillis(10));
                if (failed.get() != null)
                {
                    throw failed.get();
                }
            }
        }
    }

    /**
     * @return a requester on a session of its own of the connection (started): non-persistent requests, replies to a
     * temporary queue.
     */
    static Requester requester(final Connection connection, final Queue requests, final int ratePerSecond)
        throws JMSException
    {
        final Session requesting = connection.createSession(false, Session.AUTO_ACKNOWLEDGE);
        final TemporaryQueue replyTo = requesting.createTemporaryQueue();
        final MessageConsumer replies = requesting.createConsumer(replyTo);
        final MessageProducer producer = requesting.createProducer(requests);
        producer.setDeliveryMode(DeliveryMode.NON_PERSISTENT);
        connection.start();
        return new Requester(requesting, producer, replies, replyTo, ratePerSecond);
    }

    static void answer(final Session session, final Queue requests, final AtomicBoolean answering,
        final AtomicReference<Exception> failed)
    {
        try
        {
            final MessageConsumer consumer = session.createConsumer(requests);
            final MessageProducer answers = session.createProducer(null);
            answers.setDeliveryMode(DeliveryMode.NON_PERSISTENT);
            while (answering.get())
            {
                final Message request = consumer.receive(200);
                if (request != null)
                {
                    final Message reply = session.createMessage();
                    reply.setLongProperty(SENT_AT, request.getLongProperty(SENT_AT));
                    answers.send(request.getJMSReplyTo(), reply);
                }
            }
        }
        catch (final JMSException ex)
        {
            failed.set(ex);
        }
    }

    record Requester(Session session, MessageProducer producer, MessageConsumer replies, Queue replyTo,
        int ratePerSecond)
    {
        private static final byte[] PAYLOAD = new byte[1024];

        void run(final int seconds, final Histogram histogram) throws JMSException
        {
            runUntil(seconds, histogram, Long.MAX_VALUE);
        }

        /**
         * As {@link #run}, but sends no request after {@code deadlineNs} (System.nanoTime()): when round trips take
         * longer than the pace allows, the requests due cannot all be made in time.
         *
         * @return how many requests were answered.
         */
        long runUntil(final int seconds, final Histogram histogram, final long deadlineNs) throws JMSException
        {
            final Pace pace = new Pace(ratePerSecond, seconds);
            long i = 0;
            for (; i < pace.count() && System.nanoTime() < deadlineNs; i++)
            {
                pace.awaitTurn(i);
                final BytesMessage request = session.createBytesMessage();
                request.writeBytes(PAYLOAD);
                request.setJMSReplyTo(replyTo);
                final long sentAt = System.nanoTime();
                request.setLongProperty(SENT_AT, sentAt);
                producer.send(request);
                final Message reply = replies.receive(5000);
                if (reply == null)
                {
                    throw new IllegalStateException("no reply within 5 s to request " + i);
                }
                if (reply.getLongProperty(SENT_AT) != sentAt)
                {
                    throw new IllegalStateException("a reply to another request: " + reply.getLongProperty(SENT_AT));
                }
                if (histogram != null)
                {
                    histogram.recordValue(Math.min(System.nanoTime() - sentAt, HIGHEST_NS));
                }
            }
            return i;
        }
    }
}
