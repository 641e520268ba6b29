package io.meshmq.jmh.shaped;

import io.meshmq.jmh.brokers.BrokerUnderTest;
import jakarta.jms.BytesMessage;
import jakarta.jms.Connection;
import jakarta.jms.JMSException;
import jakarta.jms.MessageConsumer;
import jakarta.jms.MessageProducer;
import jakarta.jms.Queue;
import jakarta.jms.Session;
import org.HdrHistogram.Histogram;

import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicLong;
import java.util.concurrent.atomic.AtomicReference;

/**
 * Issue 23's measurement of the separate connection for large bodies: two MeshMQ nodes in a cluster; a requester on
 * n1 and a responder on n2 do paced 1 KiB request/reply (as {@link PacedRequestReply}, across the pair both ways),
 * first alone, then while a producer on n1 sends 64 MiB messages (persistent, a new message each) to a consumer on
 * n2. Run with {@code large-message-threshold} at its default (bodies cross over the second connection) and at 0
 * (each 64 MiB body crosses inline, in the core connection's forward frames). Prints the round trips' percentiles.
 * Beside the bulk, requests stop when the measuring time is up even if round trips were too slow to make all those
 * the pace had due: how many were answered is printed with them (round trips are timed from each request's send).
 * <p>
 * {@code java -cp jmh/target/benchmarks.jar io.meshmq.jmh.shaped.RequestReplyBesideLargeMessages [SECONDS] [RATE]
 * [BULK_PER_SECOND] [THRESHOLDS]} (bulk 0, the default: as fast as the pair takes them; thresholds a comma list,
 * default {@code 102400,0}: both ways).
 */
public final class RequestReplyBesideLargeMessages
{
    private static final int BULK_BYTES = 64 * 1024 * 1024;
    private static final int WARMUP_SECONDS = 5;

    private RequestReplyBesideLargeMessages()
    {
    }

    public static void main(final String[] args) throws Exception
    {
        final int seconds = args.length > 0 ? Integer.parseInt(args[0]) : 20;
        final int rate = args.length > 1 ? Integer.parseInt(args[1]) : 1000;
        final int bulkPerSecond = args.length > 2 ? Integer.parseInt(args[2]) : 0;
        System.out.println("| bodies cross | bulk 64 MiB msg/s | requests answered beside, of those due | " +
            "p50 alone (us) | p50 beside (us) | p99 alone (us) | p99 beside (us) | p99.9 alone (us) | " +
            "p99.9 beside (us) |");
        System.out.println("|---|---|---|---|---|---|---|---|---|");
        for (final String threshold : args.length > 3 ? List.of(args[3].split(",")) : List.of("102400", "0"))
        {
            measure(threshold, seconds, rate, bulkPerSecond);
        }
    }

    private static void measure(final String threshold, final int seconds, final int rate, final int bulkPerSecond)
        throws Exception
    {
        final int port1 = BrokerUnderTest.freePort();
        final int port2 = BrokerUnderTest.freePort();
        final List<String> settings = List.of("cluster = pair", "cluster.members = 127.0.0.1:" + port1 +
            ",127.0.0.1:" + port2, "large-message-threshold = " + threshold);
        try (BrokerUnderTest n1 = BrokerUnderTest.startMember("n1", port1, settings);
             BrokerUnderTest n2 = BrokerUnderTest.startMember("n2", port2, settings);
             Connection responding = n2.connectionFactory().createConnection();
             Connection requesting = n1.connectionFactory().createConnection();
             Connection bulkIn = n2.connectionFactory().createConnection();
             Connection bulkOut = n1.connectionFactory().createConnection())
        {
            final Session responderSession = responding.createSession(false, Session.AUTO_ACKNOWLEDGE);
            final Queue requests = responderSession.createQueue("pair.requests");
            final AtomicReference<Exception> failed = new AtomicReference<>();
            final AtomicBoolean answering = new AtomicBoolean(true);
            final Thread responder = new Thread(() -> PacedRequestReply.answer(responderSession, requests, answering,
                failed), "responder");
            responding.start();
            responder.start();
            final PacedRequestReply.Requester requester = PacedRequestReply.requester(requesting, requests, rate);
            // The first requests wait for the mesh and n2's binding; the warm-up takes them.
            awaitMesh(requester);
            requester.run(WARMUP_SECONDS, null);
            final Histogram alone = new Histogram(TimeUnit.SECONDS.toNanos(60), 3);
            requester.run(seconds, alone);

            final AtomicBoolean bulkGoing = new AtomicBoolean(true);
            final AtomicLong bulkReceived = new AtomicLong();
            final Thread bulkReceiver = bulkReceiver(bulkIn, bulkGoing, bulkReceived, failed);
            final Thread bulkSender = bulkSender(bulkOut, bulkPerSecond, bulkGoing, failed);
            requester.runUntil(WARMUP_SECONDS, null, System.nanoTime() + TimeUnit.SECONDS.toNanos(WARMUP_SECONDS));
            final long bulkBefore = bulkReceived.get();
            final Histogram beside = new Histogram(TimeUnit.SECONDS.toNanos(60), 3);
            final long besideFromNs = System.nanoTime();
            final long answered = requester.runUntil(seconds, beside, besideFromNs + TimeUnit.SECONDS.toNanos(seconds));
            final double besideSeconds = (System.nanoTime() - besideFromNs) / 1e9;
            final double bulkRate = (bulkReceived.get() - bulkBefore) / besideSeconds;
            bulkGoing.set(false);
            answering.set(false);
            responder.join(10_000);
            bulkSender.join(60_000);
            bulkReceiver.join(60_000);
            if (failed.get() != null)
            {
                throw failed.get();
            }
            System.out.printf("| %s | %.1f | %d of %d | %d | %d | %d | %d | %d | %d |%n",
                threshold.equals("0") ? "inline, on the core connection" : "ahead, on a second connection", bulkRate,
                answered, (long)rate * seconds, micros(alone, 50), micros(beside, 50), micros(alone, 99),
                micros(beside, 99), micros(alone, 99.9), micros(beside, 99.9));
        }
    }

    private static void awaitMesh(final PacedRequestReply.Requester requester) throws InterruptedException
    {
        final long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(60);
        while (true)
        {
            try
            {
                requester.run(1, null);
                return;
            }
            catch (final JMSException | IllegalStateException notYet)
            {
                if (System.nanoTime() > deadline)
                {
                    throw new IllegalStateException("the pair did not answer within 60 s", notYet);
                }
                Thread.sleep(100);
            }
        }
    }

    /**
     * @param perSecond 64 MiB messages a second at most; 0: as fast as they are taken.
     */
    private static Thread bulkSender(final Connection connection, final int perSecond, final AtomicBoolean going,
        final AtomicReference<Exception> failed)
    {
        final byte[] body = new byte[BULK_BYTES];
        final Thread sender = new Thread(() ->
        {
            try
            {
                final Session session = connection.createSession(false, Session.AUTO_ACKNOWLEDGE);
                final MessageProducer producer = session.createProducer(session.createQueue("pair.bulk"));
                final Pace pace = new Pace(Math.max(1, perSecond), 3600);
                for (long i = 0; going.get(); i++)
                {
                    if (perSecond > 0)
                    {
                        pace.awaitTurn(i);
                    }
                    final BytesMessage message = session.createBytesMessage();
                    message.writeBytes(body);
                    producer.send(message);
                }
            }
            catch (final JMSException ex)
            {
                failed.compareAndSet(null, ex);
            }
        }, "bulk-sender");
        sender.start();
        return sender;
    }

    private static Thread bulkReceiver(final Connection connection, final AtomicBoolean going,
        final AtomicLong received, final AtomicReference<Exception> failed)
    {
        final Thread receiver = new Thread(() ->
        {
            try
            {
                final Session session = connection.createSession(false, Session.AUTO_ACKNOWLEDGE);
                final MessageConsumer consumer = session.createConsumer(session.createQueue("pair.bulk"));
                connection.start();
                while (going.get())
                {
                    if (consumer.receive(200) != null)
                    {
                        received.incrementAndGet();
                    }
                }
            }
            catch (final JMSException ex)
            {
                failed.compareAndSet(null, ex);
            }
        }, "bulk-receiver");
        receiver.start();
        return receiver;
    }

    private static long micros(final Histogram histogram, final double percentile)
    {
        return TimeUnit.NANOSECONDS.toMicros(histogram.getValueAtPercentile(percentile));
    }
}
