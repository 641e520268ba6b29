package io.meshmq.jmh;

import io.meshmq.engine.Broker;
import io.meshmq.engine.BrokerContext;
import io.meshmq.jmh.brokers.ArtemisMain;
import jakarta.jms.BytesMessage;
import jakarta.jms.Connection;
import jakarta.jms.ConnectionFactory;
import jakarta.jms.DeliveryMode;
import jakarta.jms.MessageProducer;
import jakarta.jms.Queue;
import jakarta.jms.Session;
import org.apache.activemq.artemis.core.server.embedded.EmbeddedActiveMQ;
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

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Comparator;
import java.util.concurrent.TimeUnit;
import java.util.stream.Stream;

/**
 * Workload 7: workload 1 (one producer, one consumer, non-persistent 1 KiB BytesMessages, AUTO_ACKNOWLEDGE)
 * with the broker in the benchmark's own JVM and the clients on its in-VM transport: MeshMQ's {@code vm://0},
 * Artemis's {@code vm://0} (an in-VM acceptor of an embedded server).
 */
@State(Scope.Benchmark)
@BenchmarkMode(Mode.Throughput)
@OutputTimeUnit(TimeUnit.SECONDS)
public class InVmThroughputBenchmark
{
    static final int BATCH = 1000;

    @Param({"meshmq", "artemis"})
    public String broker;

    private Path data;
    private AutoCloseable running;
    private Connection producerConnection;
    private Connection consumerConnection;
    private MessageProducer producer;
    private BytesMessage message;
    private final Counter received = new Counter();
    private long sent;

    @Setup(Level.Trial)
    public void start() throws Exception
    {
        data = Files.createTempDirectory("meshmq-bench-invm-" + broker + "-");
        final ConnectionFactory factory;
        if (broker.equals("meshmq"))
        {
            final Broker mesh = Broker.start(new BrokerContext().port(0).dataDir(data).vmId("0").ioThreads(2));
            running = mesh;
            factory = new io.meshmq.jms.MeshConnectionFactory("vm://0");
        }
        else
        {
            final EmbeddedActiveMQ artemis = new EmbeddedActiveMQ().setConfiguration(ArtemisMain.persistent(data)
                .addAcceptorConfiguration("invm", "vm://0"));
            artemis.start();
            running = artemis::stop;
            factory = new org.apache.activemq.artemis.jms.client.ActiveMQConnectionFactory("vm://0");
        }
        producerConnection = factory.createConnection();
        consumerConnection = factory.createConnection();
        final Session producing = producerConnection.createSession(false, Session.AUTO_ACKNOWLEDGE);
        final Session consuming = consumerConnection.createSession(false, Session.AUTO_ACKNOWLEDGE);
        final Queue queue = producing.createQueue("bench.invm." + System.nanoTime());
        consuming.createConsumer(queue).setMessageListener(m -> received.increment());
        consumerConnection.start();
        producer = producing.createProducer(queue);
        producer.setDeliveryMode(DeliveryMode.NON_PERSISTENT);
        message = producing.createBytesMessage();
        message.writeBytes(new byte[1024]);
    }

    @Benchmark
    @OperationsPerInvocation(BATCH)
    public void nonPersistent() throws Exception
    {
        for (int i = 0; i < BATCH; i++)
        {
            producer.send(message);
        }
        sent += BATCH;
        received.awaitAtLeast(sent);
    }

    @TearDown(Level.Trial)
    public void stop() throws Exception
    {
        producerConnection.close();
        consumerConnection.close();
        running.close();
        try (Stream<Path> files = Files.walk(data))
        {
            files.sorted(Comparator.reverseOrder()).forEach(path -> path.toFile().delete());
        }
        catch (final IOException ex)
        {
            throw new UncheckedIOException(ex);
        }
    }
}
