package io.meshmq.jmh;

import io.meshmq.jmh.brokers.BrokerUnderTest;
import jakarta.jms.BytesMessage;
import jakarta.jms.Connection;
import jakarta.jms.DeliveryMode;
import jakarta.jms.MessageProducer;
import jakarta.jms.Session;
import jakarta.jms.Topic;
import org.openjdk.jmh.annotations.Benchmark;
import org.openjdk.jmh.annotations.BenchmarkMode;
import org.openjdk.jmh.annotations.Level;
import org.openjdk.jmh.annotations.Mode;
import org.openjdk.jmh.annotations.OperationsPerInvocation;
import org.openjdk.jmh.annotations.OutputTimeUnit;
import org.openjdk.jmh.annotations.Param;
import org.openjdk.jmh.annotations.Scope;
import org.openjdk.jmh.annotations.Setup;
import org.openjdk.jmh.annotations.State;
import org.openjdk.jmh.annotations.TearDown;

import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;

/**
 * Workload 4: one publisher, four non-durable subscribers (a connection each), non-persistent 1 KiB
 * BytesMessages. The score is deliveries per second: each invocation publishes a batch and returns once
 * every subscriber has all of it.
 */
@State(Scope.Benchmark)
@BenchmarkMode(Mode.Throughput)
@OutputTimeUnit(TimeUnit.SECONDS)
public class TopicFanOutBenchmark
{
    static final int BATCH = 250;
    static final int SUBSCRIBERS = 4;

    @Param({"meshmq", "artemis"})
    public String broker;

    private BrokerUnderTest under;
    private final List<Connection> connections = new ArrayList<>();
    private MessageProducer publisher;
    private BytesMessage message;
    private final Counter delivered = new Counter();
    private long published;

    @Setup(Level.Trial)
    public void start() throws Exception
    {
        under = BrokerUnderTest.start(broker);
        final String name = "bench.topic." + System.nanoTime();
        for (int i = 0; i < SUBSCRIBERS; i++)
        {
            final Connection connection = under.connectionFactory().createConnection();
            final Session session = connection.createSession(false, Session.AUTO_ACKNOWLEDGE);
            session.createConsumer(session.createTopic(name)).setMessageListener(m -> delivered.increment());
            connection.start();
            connections.add(connection);
        }
        final Connection connection = under.connectionFactory().createConnection();
        connections.add(connection);
        final Session session = connection.createSession(false, Session.AUTO_ACKNOWLEDGE);
        final Topic topic = session.createTopic(name);
        publisher = session.createProducer(topic);
        publisher.setDeliveryMode(DeliveryMode.NON_PERSISTENT);
        message = session.createBytesMessage();
        message.writeBytes(new byte[1024]);
    }

    @Benchmark
    @OperationsPerInvocation(BATCH * SUBSCRIBERS)
    public void oneToFour() throws Exception
    {
        for (int i = 0; i < BATCH; i++)
        {
            publisher.send(message);
        }
        published += BATCH;
        delivered.awaitAtLeast(published * SUBSCRIBERS);
    }

    @TearDown(Level.Trial)
    public void stop() throws Exception
    {
        for (final Connection connection : connections)
        {
            connection.close();
        }
        under.close();
    }
}
