package io.meshmq.jmh;

import com.lmax.disruptor.LiteBlockingWaitStrategy;
import com.lmax.disruptor.RingBuffer;
import com.lmax.disruptor.dsl.Disruptor;
import com.lmax.disruptor.dsl.ProducerType;
import com.lmax.disruptor.util.DaemonThreadFactory;
import io.meshmq.engine.processor.Processor;
import io.meshmq.engine.processor.ProcessorContext;
import io.meshmq.engine.ring.ConnectionOutput;
import io.meshmq.engine.ring.EngineEvent;
import io.meshmq.jms.MeshQueue;
import io.meshmq.jms.message.MeshBytesMessage;
import io.meshmq.protocol.DestinationType;
import io.meshmq.protocol.FrameType;
import io.meshmq.protocol.MessageDescriptor;
import io.meshmq.protocol.WireWriter;
import jakarta.jms.DeliveryMode;
import org.agrona.concurrent.SystemEpochClock;
import org.openjdk.jmh.annotations.Benchmark;
import org.openjdk.jmh.annotations.BenchmarkMode;
import org.openjdk.jmh.annotations.Fork;
import org.openjdk.jmh.annotations.Level;
import org.openjdk.jmh.annotations.Mode;
import org.openjdk.jmh.annotations.OperationsPerInvocation;
import org.openjdk.jmh.annotations.OutputTimeUnit;
import org.openjdk.jmh.annotations.Param;
import org.openjdk.jmh.annotations.Scope;
import org.openjdk.jmh.annotations.Setup;
import org.openjdk.jmh.annotations.State;
import org.openjdk.jmh.annotations.TearDown;

import java.nio.ByteOrder;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.locks.LockSupport;

/**
 * The engine alone: commands through the ring to the processor as the broker's I/O threads publish them, with no
 * network. Each invocation publishes {@value #BATCH} SENDs of a 1 KiB non-persistent BytesMessage to one queue,
 * waits for the processor to have written the DELIVER frames to its consumer, then publishes an ACK for each and
 * the CREDIT to go on: a message's whole life in the broker, minus decoding frames and writing sockets. Each message
 * has its own id, as producers give them.
 * <p>
 * {@code java -jar jmh/target/benchmarks.jar EngineBenchmark}; the cost of duplicate detection, which only persistent
 * messages pay (no journal here, so no force hides it): {@code -p deliveryMode=PERSISTENT -p
 * duplicateIdCacheSize=4096,0}.
 */
@State(Scope.Benchmark)
@BenchmarkMode(Mode.Throughput)
@OutputTimeUnit(TimeUnit.SECONDS)
@Fork(1)
public class EngineBenchmark
{
    static final int BATCH = 1000;
    private static final long CONSUMER_ID = 1;
    private static final String QUEUE = "bench";
    private static final String ID_PREFIX = "ID:engine-bench-";
    private static final int ID_DIGITS = 12;

    @Param({"NON_PERSISTENT"})
    public String deliveryMode;

    @Param({"4096"})
    public int duplicateIdCacheSize;

    private Disruptor<EngineEvent> disruptor;
    private RingBuffer<EngineEvent> ring;
    private final Consumer consumer = new Consumer();
    private byte[] message;
    private int idDigitsAt;
    private long sent;
    private long acked;

    /** The consumer's connection, on the processor thread: keeps the delivery ids the processor wrote. */
    private static final class Consumer implements ConnectionOutput
    {
        final long[] deliveryIds = new long[BATCH * 2];
        volatile long delivered;

        @Override
        public long id()
        {
            return 1;
        }

        @Override
        public String remoteAddress()
        {
            return "engine-benchmark";
        }

        @Override
        public boolean write(final WireWriter frame)
        {
            // A frame is an int length, the type, then its fields.
            if (frame.buffer().getByte(4) == FrameType.DELIVER)
            {
                final long count = delivered;
                deliveryIds[(int)(count % deliveryIds.length)] = frame.buffer().getLong(5 + Long.BYTES, ByteOrder.LITTLE_ENDIAN);
                delivered = count + 1;
            }
            return false;
        }

        @Override
        public void flush()
        {
        }

        @Override
        public void close()
        {
        }
    }

    @Setup(Level.Trial)
    public void start() throws Exception
    {
        final MeshBytesMessage bytes = new MeshBytesMessage();
        bytes.writeBytes(new byte[1024]);
        bytes.setJMSDestination(new MeshQueue(QUEUE));
        bytes.setJMSDeliveryMode(deliveryMode.equals("PERSISTENT") ? DeliveryMode.PERSISTENT : DeliveryMode.NON_PERSISTENT);
        bytes.setJMSMessageID(ID_PREFIX + "0".repeat(ID_DIGITS));
        final WireWriter writer = new WireWriter(2048);
        bytes.encode(writer);
        message = writer.toByteArray();
        // The message id, an int length and its characters, follows the fixed header.
        idDigitsAt = MessageDescriptor.FIXED_HEADER_LENGTH + Integer.BYTES + ID_PREFIX.length();

        final ProcessorContext defaults = ProcessorContext.of(true, List.of(QUEUE), List.of());
        final ProcessorContext context = new ProcessorContext(defaults.brokerName(), true, defaults.queues(),
            defaults.topics(), defaults.addressSettings(), defaults.globalMaxSize(), null, defaults.extension(),
            duplicateIdCacheSize);
        final Processor processor = new Processor(context, SystemEpochClock.INSTANCE);
        disruptor = new Disruptor<>(EngineEvent::new, 16 * 1024, DaemonThreadFactory.INSTANCE, ProducerType.MULTI,
            new LiteBlockingWaitStrategy());
        disruptor.handleEventsWith(processor);
        ring = disruptor.start();
        publish(EngineEvent.CONNECTION_OPENED, 0, 0, 0);
        publish(EngineEvent.CREATE_CONSUMER, 0, 0, BATCH);
    }

    @Benchmark
    @OperationsPerInvocation(BATCH)
    public long sendDeliverAck()
    {
        for (int i = 0; i < BATCH; i++)
        {
            final long sequence = ring.next();
            final EngineEvent event = ring.get(sequence);
            event.clear();
            event.type = EngineEvent.SEND;
            event.connection = consumer;
            event.destinationType = DestinationType.QUEUE;
            event.destinationName = QUEUE;
            // The I/O thread hands the processor a fresh copy of each message: the body it must keep.
            event.message = withNextId(message.clone());
            ring.publish(sequence);
        }
        final long target = acked + BATCH;
        final long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(30);
        while (consumer.delivered < target)
        {
            if (System.nanoTime() - deadline > 0)
            {
                throw new IllegalStateException("only " + consumer.delivered + " of " + target + " delivered within 30 s");
            }
            LockSupport.parkNanos(10_000);
        }
        for (long d = acked; d < target; d++)
        {
            publish(EngineEvent.ACK, consumer.deliveryIds[(int)(d % consumer.deliveryIds.length)], 0, 0);
        }
        acked = target;
        publish(EngineEvent.CREDIT, 0, 0, BATCH);
        return acked;
    }

    private byte[] withNextId(final byte[] copy)
    {
        long id = ++sent;
        for (int i = ID_DIGITS - 1; i >= 0; i--)
        {
            copy[idDigitsAt + i] = (byte)('0' + id % 10);
            id /= 10;
        }
        return copy;
    }

    private void publish(final byte type, final long deliveryId, final long correlationId, final int count)
    {
        final long sequence = ring.next();
        final EngineEvent event = ring.get(sequence);
        event.clear();
        event.type = type;
        event.connection = consumer;
        event.correlationId = correlationId;
        event.sessionId = 1;
        event.consumerId = CONSUMER_ID;
        event.deliveryId = deliveryId;
        event.count = count;
        event.destinationType = DestinationType.QUEUE;
        event.destinationName = QUEUE;
        ring.publish(sequence);
    }

    @TearDown(Level.Trial)
    public void stop()
    {
        disruptor.shutdown();
    }
}
