package io.meshmq.jmh;

import io.meshmq.jms.MeshQueue;
import io.meshmq.jms.message.MeshBytesMessage;
import io.meshmq.jms.message.MeshMessage;
import io.meshmq.protocol.MessageHeaderFlyweight;
import io.meshmq.protocol.WireReader;
import io.meshmq.protocol.WireWriter;
import jakarta.jms.JMSException;
import org.agrona.concurrent.UnsafeBuffer;
import org.openjdk.jmh.annotations.Benchmark;
import org.openjdk.jmh.annotations.BenchmarkMode;
import org.openjdk.jmh.annotations.Fork;
import org.openjdk.jmh.annotations.Measurement;
import org.openjdk.jmh.annotations.Mode;
import org.openjdk.jmh.annotations.OutputTimeUnit;
import org.openjdk.jmh.annotations.Scope;
import org.openjdk.jmh.annotations.Setup;
import org.openjdk.jmh.annotations.State;
import org.openjdk.jmh.annotations.Warmup;

import java.util.concurrent.TimeUnit;

/**
 * The message codec: what a producer pays to encode a 1 KiB BytesMessage, what a consumer pays to decode it,
 * and (the baseline) what the broker pays to read its routing header in place.
 */
@State(Scope.Thread)
@BenchmarkMode(Mode.AverageTime)
@OutputTimeUnit(TimeUnit.NANOSECONDS)
@Warmup(iterations = 3, time = 1)
@Measurement(iterations = 5, time = 1)
@Fork(2)
public class MessageCodecBenchmark
{
    private final WireWriter writer = new WireWriter(4096);
    private final WireReader reader = new WireReader();
    private final MessageHeaderFlyweight header = new MessageHeaderFlyweight();
    private MeshBytesMessage message;
    private UnsafeBuffer encoded;
    private byte[] encodedBytes;

    @Setup
    public void setUp() throws JMSException
    {
        message = new MeshBytesMessage();
        message.writeBytes(new byte[1024]);
        message.setJMSDestination(new MeshQueue("bench"));
        message.setJMSMessageID("ID:bench-1");
        message.setLongProperty("sequence", 1);
        writer.reset();
        message.encode(writer);
        encodedBytes = writer.toByteArray();
        encoded = new UnsafeBuffer(encodedBytes);
    }

    @Benchmark
    public int encode() throws JMSException
    {
        writer.reset();
        message.encode(writer);
        return writer.position();
    }

    @Benchmark
    public MeshMessage decode()
    {
        return MeshMessage.decode(reader.wrap(encoded, 0, encodedBytes.length), 1);
    }

    @Benchmark
    public int readRoutingHeaderBaseline()
    {
        return header.wrap(encodedBytes).priority();
    }
}
