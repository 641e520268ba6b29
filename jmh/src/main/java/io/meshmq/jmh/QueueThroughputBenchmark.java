package io.meshmq.jmh;

import io.meshmq.jmh.brokers.BrokerUnderTest;
import jakarta.jms.BytesMessage;
import jakarta.jms.CompletionListener;
import jakarta.jms.Connection;
import jakarta.jms.DeliveryMode;
import jakarta.jms.Message;
import jakarta.jms.MessageProducer;
import jakarta.jms.Queue;
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

import java.util.concurrent.Semaphore;
import java.util.concurrent.TimeUnit;

/**
 * One producer to one consumer on one queue, over TCP on 127.0.0.1, AUTO_ACKNOWLEDGE, BytesMessages: each
 * invocation sends a batch and returns once the consumer has all of it, so the score is end-to-end messages
 * per second.
 * <ul>
 *   <li>{@code nonPersistent}: workload 1 (and 6 with the sizes).</li>
 *   <li>{@code persistentSync}: workload 2, each send waiting for the broker's forced confirmation.</li>
 *   <li>{@code persistentAsync}: workload 2 with a CompletionListener, at most 1000 unconfirmed.</li>
 * </ul>
 */
@State(Scope.Benchmark)
@BenchmarkMode(Mode.Throughput)
@OutputTimeUnit(TimeUnit.SECONDS)
public class QueueThroughputBenchmark
{
    static final int BATCH = 1000;
    static final int PERSISTENT_BATCH = 100;
    private static final int ASYNC_WINDOW = 1000;

    @Param({"meshmq", "artemis"})
    public String broker;

    @Param({"1024"})
    public int size;

    private BrokerUnderTest under;
    private Connection producerConnection;
    private Connection consumerConnection;
    private MessageProducer producer;
    private BytesMessage message;
    private final Counter received = new Counter();
    private final Semaphore window = new Semaphore(ASYNC_WINDOW);
    private final CompletionListener release = new CompletionListener()
    {
        @Override
        public void onCompletion(final Message message)
        {
            window.release();
        }

        @Override
        public void onException(final Message message, final Exception exception)
        {
            window.release();
        }
    };
    private long sent;

    @Setup(Level.Trial)
    public void start() throws Exception
    {
        under = BrokerUnderTest.start(broker);
        producerConnection = under.connectionFactory().createConnection();
        consumerConnection = under.connectionFactory().createConnection();
        final Session producing = producerConnection.createSession(false, Session.AUTO_ACKNOWLEDGE);
        final Session consuming = consumerConnection.createSession(false, Session.AUTO_ACKNOWLEDGE);
        final Queue queue = producing.createQueue("bench." + System.nanoTime());
        consuming.createConsumer(queue).setMessageListener(m -> received.increment());
        consumerConnection.start();
        producer = producing.createProducer(queue);
        message = producing.createBytesMessage();
        message.writeBytes(new byte[size]);
    }

    @Benchmark
    @OperationsPerInvocation(BATCH)
    public void nonPersistent() throws Exception
    {
        sendAndAwait(DeliveryMode.NON_PERSISTENT, BATCH);
    }

    @Benchmark
    @OperationsPerInvocation(PERSISTENT_BATCH)
    public void persistentSync() throws Exception
    {
        sendAndAwait(DeliveryMode.PERSISTENT, PERSISTENT_BATCH);
    }

    private void sendAndAwait(final int deliveryMode, final int count) throws Exception
    {
        producer.setDeliveryMode(deliveryMode);
        for (int i = 0; i < count; i++)
        {
            producer.send(message);
        }
        sent += count;
        received.awaitAtLeast(sent);
    }

    @Benchmark
    @OperationsPerInvocation(BATCH)
    public void persistentAsync() throws Exception
    {
        producer.setDeliveryMode(DeliveryMode.PERSISTENT);
        for (int i = 0; i < BATCH; i++)
        {
            if (!window.tryAcquire(60, TimeUnit.SECONDS))
            {
                throw new IllegalStateException("no send completed within 60 s");
            }
            producer.send(message, release);
        }
        sent += BATCH;
        received.awaitAtLeast(sent);
    }

    @TearDown(Level.Trial)
    public void stop() throws Exception
    {
        producerConnection.close();
        consumerConnection.close();
        under.close();
    }
}
