package io.meshmq.jmh.shaped;

import io.meshmq.jmh.brokers.BrokerUnderTest;
import jakarta.jms.BytesMessage;
import jakarta.jms.Connection;
import jakarta.jms.DeliveryMode;
import jakarta.jms.Destination;
import jakarta.jms.JMSException;
import jakarta.jms.Message;
import jakarta.jms.MessageConsumer;
import jakarta.jms.MessageProducer;
import jakarta.jms.Session;
import org.openjdk.jmh.annotations.Benchmark;
import org.openjdk.jmh.annotations.BenchmarkMode;
import org.openjdk.jmh.annotations.Group;
import org.openjdk.jmh.annotations.GroupThreads;
import org.openjdk.jmh.annotations.Level;
import org.openjdk.jmh.annotations.Mode;
import org.openjdk.jmh.annotations.OutputTimeUnit;
import org.openjdk.jmh.annotations.Param;
import org.openjdk.jmh.annotations.Scope;
import org.openjdk.jmh.annotations.Setup;
import org.openjdk.jmh.annotations.State;
import org.openjdk.jmh.annotations.TearDown;
import org.openjdk.jmh.infra.BenchmarkParams;
import org.openjdk.jmh.infra.Control;

import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;

/**
 * Clients written the way applications are, MeshMQ beside Artemis: every send creates a new {@code BytesMessage} and
 * writes 1 KiB into it; producers send continuously, limited only by the broker's flow control; every producer and
 * every consumer has its own connection; consumers are {@code MessageListener}s on AUTO_ACKNOWLEDGE or, in one shape,
 * a thread calling {@code receive()}. Each shape is a JMH group: producer threads whose operation is one send, and one
 * thread whose operation is one delivery (a listener's, counted by {@link Deliveries}, or one {@code receive()}), so
 * the group's {@code ...Delivered} / {@code ...Received} score is end-to-end messages per second; the send score
 * alone can run ahead of it while the queue grows.
 */
@BenchmarkMode(Mode.Throughput)
@OutputTimeUnit(TimeUnit.SECONDS)
public class ApplicationShapedBenchmark
{
    static final int PAYLOAD = 1024;

    /** What each group needs from the broker besides its producers. */
    private enum Shape
    {
        QUEUE_LISTENER(false, 1, false),
        QUEUE_RECEIVE(false, 0, false),
        QUEUE_FOUR_LISTENERS(false, 4, false),
        QUEUE_PERSISTENT(false, 1, true),
        TOPIC_FOUR_LISTENERS(true, 4, false);

        final boolean topic;
        final int listeners;
        final boolean persistent;

        Shape(final boolean topic, final int listeners, final boolean persistent)
        {
            this.topic = topic;
            this.listeners = listeners;
            this.persistent = persistent;
        }

        static Shape of(final BenchmarkParams params)
        {
            final String name = params.getBenchmark().substring(params.getBenchmark().lastIndexOf('.') + 1);
            return switch (name)
            {
                case "queueListener" -> QUEUE_LISTENER;
                case "queueReceive" -> QUEUE_RECEIVE;
                case "queueFourToFour" -> QUEUE_FOUR_LISTENERS;
                case "queuePersistent" -> QUEUE_PERSISTENT;
                case "topicOneToFour" -> TOPIC_FOUR_LISTENERS;
                default -> throw new IllegalArgumentException("no shape for benchmark " + name);
            };
        }
    }

    @State(Scope.Benchmark)
    public static class Broker
    {
        @Param({"meshmq", "artemis"})
        public String broker;

        BrokerUnderTest under;
        Shape shape;
        String destinationName;
        final Deliveries deliveries = new Deliveries();
        final List<Connection> listeners = new ArrayList<>();

        @Setup(Level.Trial)
        public void start(final BenchmarkParams params) throws Exception
        {
            shape = Shape.of(params);
            under = BrokerUnderTest.start(broker);
            destinationName = "bench.shaped." + System.nanoTime();
            for (int i = 0; i < shape.listeners; i++)
            {
                final Connection connection = under.connectionFactory().createConnection();
                final Session session = connection.createSession(false, Session.AUTO_ACKNOWLEDGE);
                session.createConsumer(destination(session)).setMessageListener(m -> deliveries.delivered());
                connection.start();
                listeners.add(connection);
            }
        }

        Destination destination(final Session session) throws JMSException
        {
            return shape.topic ? session.createTopic(destinationName) : session.createQueue(destinationName);
        }

        @TearDown(Level.Trial)
        public void stop() throws Exception
        {
            for (final Connection connection : listeners)
            {
                connection.close();
            }
            under.close();
        }
    }

    /** One application thread with its own connection, sending a new message each time. */
    @State(Scope.Thread)
    public static class Producer
    {
        private final byte[] payload = new byte[PAYLOAD];
        private Connection connection;
        private Session session;
        private MessageProducer producer;

        @Setup(Level.Trial)
        public void start(final Broker broker) throws Exception
        {
            connection = broker.under.connectionFactory().createConnection();
            session = connection.createSession(false, Session.AUTO_ACKNOWLEDGE);
            producer = session.createProducer(broker.destination(session));
            producer.setDeliveryMode(broker.shape.persistent ? DeliveryMode.PERSISTENT : DeliveryMode.NON_PERSISTENT);
        }

        void send() throws JMSException
        {
            final BytesMessage message = session.createBytesMessage();
            message.writeBytes(payload);
            producer.send(message);
        }

        @TearDown(Level.Trial)
        public void stop() throws Exception
        {
            connection.close();
        }
    }

    /** One application thread with its own connection, calling receive() in a loop. */
    @State(Scope.Thread)
    public static class Receiver
    {
        private static final long STALL_NS = TimeUnit.SECONDS.toNanos(60);

        private Connection connection;
        private MessageConsumer consumer;

        @Setup(Level.Trial)
        public void start(final Broker broker) throws Exception
        {
            connection = broker.under.connectionFactory().createConnection();
            final Session session = connection.createSession(false, Session.AUTO_ACKNOWLEDGE);
            consumer = session.createConsumer(broker.destination(session));
            connection.start();
        }

        void receive(final Control control) throws JMSException
        {
            final long deadline = System.nanoTime() + STALL_NS;
            Message message = consumer.receive(100);
            while (message == null && !control.stopMeasurement)
            {
                if (System.nanoTime() - deadline > 0)
                {
                    throw new IllegalStateException("receive() got nothing within 60 s");
                }
                message = consumer.receive(100);
            }
        }

        @TearDown(Level.Trial)
        public void stop() throws Exception
        {
            connection.close();
        }
    }

    @Benchmark
    @Group("queueListener")
    @GroupThreads(1)
    public void queueListenerSend(final Producer producer) throws JMSException
    {
        producer.send();
    }

    @Benchmark
    @Group("queueListener")
    @GroupThreads(1)
    public void queueListenerDelivered(final Broker broker, final Control control)
    {
        broker.deliveries.next(control);
    }

    @Benchmark
    @Group("queueReceive")
    @GroupThreads(1)
    public void queueReceiveSend(final Producer producer) throws JMSException
    {
        producer.send();
    }

    @Benchmark
    @Group("queueReceive")
    @GroupThreads(1)
    public void queueReceiveReceived(final Receiver receiver, final Control control) throws JMSException
    {
        receiver.receive(control);
    }

    @Benchmark
    @Group("queueFourToFour")
    @GroupThreads(4)
    public void queueFourToFourSend(final Producer producer) throws JMSException
    {
        producer.send();
    }

    @Benchmark
    @Group("queueFourToFour")
    @GroupThreads(1)
    public void queueFourToFourDelivered(final Broker broker, final Control control)
    {
        broker.deliveries.next(control);
    }

    @Benchmark
    @Group("queuePersistent")
    @GroupThreads(1)
    public void queuePersistentSend(final Producer producer) throws JMSException
    {
        producer.send();
    }

    @Benchmark
    @Group("queuePersistent")
    @GroupThreads(1)
    public void queuePersistentDelivered(final Broker broker, final Control control)
    {
        broker.deliveries.next(control);
    }

    @Benchmark
    @Group("topicOneToFour")
    @GroupThreads(1)
    public void topicOneToFourSend(final Producer producer) throws JMSException
    {
        producer.send();
    }

    @Benchmark
    @Group("topicOneToFour")
    @GroupThreads(1)
    public void topicOneToFourDelivered(final Broker broker, final Control control)
    {
        broker.deliveries.next(control);
    }
}
