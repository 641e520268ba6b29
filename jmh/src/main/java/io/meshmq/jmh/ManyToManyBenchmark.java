package io.meshmq.jmh;

import io.meshmq.jmh.brokers.BrokerUnderTest;
import jakarta.jms.BytesMessage;
import jakarta.jms.Connection;
import jakarta.jms.DeliveryMode;
import jakarta.jms.MessageProducer;
import jakarta.jms.Session;
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
import org.openjdk.jmh.annotations.Threads;

import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;

/**
 * Workload 3: four producers (benchmark threads, a connection each) and four consumers (a connection each)
 * on one queue, non-persistent 1 KiB BytesMessages. Each invocation sends a batch from its thread and
 * returns once the consumers together have received all that every thread sent so far.
 */
@BenchmarkMode(Mode.Throughput)
@OutputTimeUnit(TimeUnit.SECONDS)
@Threads(4)
public class ManyToManyBenchmark
{
    static final int BATCH = 250;
    static final int CONSUMERS = 4;

    @State(Scope.Benchmark)
    public static class Shared
    {
        @Param({"meshmq", "artemis"})
        public String broker;

        BrokerUnderTest under;
        String queueName;
        final List<Connection> consumers = new ArrayList<>();
        final Counter received = new Counter();
        final AtomicLong sent = new AtomicLong();

        @Setup(Level.Trial)
        public void start() throws Exception
        {
            under = BrokerUnderTest.start(broker);
            queueName = "bench.many." + System.nanoTime();
            for (int i = 0; i < CONSUMERS; i++)
            {
                final Connection connection = under.connectionFactory().createConnection();
                final Session session = connection.createSession(false, Session.AUTO_ACKNOWLEDGE);
                session.createConsumer(session.createQueue(queueName)).setMessageListener(m -> received.increment());
                connection.start();
                consumers.add(connection);
            }
        }

        @TearDown(Level.Trial)
        public void stop() throws Exception
        {
            for (final Connection connection : consumers)
            {
                connection.close();
            }
            under.close();
        }
    }

    @State(Scope.Thread)
    public static class Producer
    {
        Connection connection;
        MessageProducer producer;
        BytesMessage message;

        @Setup(Level.Trial)
        public void open(final Shared shared) throws Exception
        {
            connection = shared.under.connectionFactory().createConnection();
            final Session session = connection.createSession(false, Session.AUTO_ACKNOWLEDGE);
            producer = session.createProducer(session.createQueue(shared.queueName));
            producer.setDeliveryMode(DeliveryMode.NON_PERSISTENT);
            message = session.createBytesMessage();
            message.writeBytes(new byte[1024]);
        }

        @TearDown(Level.Trial)
        public void close() throws Exception
        {
            connection.close();
        }
    }

    @Benchmark
    @OperationsPerInvocation(BATCH)
    public void fourToFour(final Shared shared, final Producer producer) throws Exception
    {
        for (int i = 0; i < BATCH; i++)
        {
            producer.producer.send(producer.message);
        }
        shared.received.awaitAtLeast(shared.sent.addAndGet(BATCH));
    }
}
