package io.meshmq.jmh;

import io.meshmq.jmh.brokers.BrokerUnderTest;
import jakarta.jms.BytesMessage;
import jakarta.jms.Connection;
import jakarta.jms.DeliveryMode;
import jakarta.jms.Message;
import jakarta.jms.MessageConsumer;
import jakarta.jms.MessageProducer;
import jakarta.jms.Queue;
import jakarta.jms.Session;
import jakarta.jms.TemporaryQueue;
import org.openjdk.jmh.annotations.Benchmark;
import org.openjdk.jmh.annotations.BenchmarkMode;
import org.openjdk.jmh.annotations.Level;
import org.openjdk.jmh.annotations.Mode;
import org.openjdk.jmh.annotations.OutputTimeUnit;
import org.openjdk.jmh.annotations.Param;
import org.openjdk.jmh.annotations.Scope;
import org.openjdk.jmh.annotations.Setup;
import org.openjdk.jmh.annotations.State;
import org.openjdk.jmh.annotations.TearDown;

import java.util.concurrent.TimeUnit;

/**
 * Workload 5: request/reply round trips, one outstanding at a time (so the rate stays modest), non-persistent
 * 1 KiB requests to a queue, a responder on its own connection answering on the requester's temporary
 * queue. JMH samples each round trip; its percentiles are the p50, p99 and p99.9.
 */
@State(Scope.Benchmark)
@BenchmarkMode(Mode.SampleTime)
@OutputTimeUnit(TimeUnit.MICROSECONDS)
public class RequestReplyBenchmark
{
    @Param({"meshmq", "artemis"})
    public String broker;

    private BrokerUnderTest under;
    private Connection requesterConnection;
    private Connection responderConnection;
    private MessageProducer requests;
    private MessageConsumer replies;
    private BytesMessage request;

    @Setup(Level.Trial)
    public void start() throws Exception
    {
        under = BrokerUnderTest.start(broker);
        responderConnection = under.connectionFactory().createConnection();
        final Queue queue = Responder.start(responderConnection);
        requesterConnection = under.connectionFactory().createConnection();
        final Session session = requesterConnection.createSession(false, Session.AUTO_ACKNOWLEDGE);
        final TemporaryQueue replyTo = session.createTemporaryQueue();
        replies = session.createConsumer(replyTo);
        requesterConnection.start();
        requests = session.createProducer(queue);
        requests.setDeliveryMode(DeliveryMode.NON_PERSISTENT);
        request = session.createBytesMessage();
        request.writeBytes(new byte[1024]);
        request.setJMSReplyTo(replyTo);
    }

    @Benchmark
    public Message roundTrip() throws Exception
    {
        requests.send(request);
        final Message reply = replies.receive(10_000);
        if (reply == null)
        {
            throw new IllegalStateException("no reply within 10 s");
        }
        return reply;
    }

    @TearDown(Level.Trial)
    public void stop() throws Exception
    {
        requesterConnection.close();
        responderConnection.close();
        under.close();
    }
}
