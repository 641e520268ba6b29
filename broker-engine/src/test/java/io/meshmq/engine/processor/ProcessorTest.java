package io.meshmq.engine.processor;

import io.meshmq.engine.extension.ProcessorExtension;
import io.meshmq.engine.journal.Journal;
import io.meshmq.engine.ring.ConnectionOutput;
import io.meshmq.engine.ring.EngineEvent;
import io.meshmq.engine.ring.ExtensionCommand;
import io.meshmq.protocol.ConsumerFlags;
import io.meshmq.protocol.DestinationType;
import io.meshmq.protocol.FrameType;
import io.meshmq.protocol.MessageDescriptor;
import io.meshmq.protocol.WireReader;
import io.meshmq.protocol.WireWriter;
import org.agrona.concurrent.UnsafeBuffer;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.atomic.AtomicLong;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * The processor driven directly on the test thread, with a fake clock and fake connections: no ring, no
 * sockets, fully deterministic.
 */
class ProcessorTest
{
    private final AtomicLong nowMs = new AtomicLong(1_000);
    private Processor processor;
    private FakeConnection connection;
    private long sequence;

    /** One frame the processor wrote. */
    record Frame(byte type, long a, long b, int count, byte priority)
    {
    }

    static final class FakeConnection implements ConnectionOutput
    {
        final long id;
        final List<Frame> sent = new ArrayList<>();
        final List<Frame> buffered = new ArrayList<>();
        /** Frames it buffers before it says it holds as much unsent data as it should. */
        int writableFrames = Integer.MAX_VALUE;
        boolean closed;

        FakeConnection(final long id)
        {
            this.id = id;
        }

        @Override
        public long id()
        {
            return id;
        }

        @Override
        public String remoteAddress()
        {
            return "fake-" + id;
        }

        @Override
        public boolean write(final WireWriter frame)
        {
            final WireReader r = new WireReader().wrap(new UnsafeBuffer(frame.toByteArray()), 4, frame.position() - 4);
            final byte type = r.readByte();
            final Frame f = switch (type)
            {
                case FrameType.DELIVER -> new Frame(type, r.readLong(), r.readLong(), r.readInt(),
                    r.readRest()[MessageDescriptor.PRIORITY_OFFSET]);
                case FrameType.OK, FrameType.BROWSE_END -> new Frame(type, r.readLong(), 0, 0, (byte)0);
                case FrameType.REPLY -> new Frame(type, r.readLong(), r.readByte(), 0, (byte)0);
                default -> new Frame(type, r.readLong(), r.readInt(), 0, (byte)0);
            };
            final boolean first = buffered.isEmpty();
            buffered.add(f);
            return first;
        }

        @Override
        public boolean isWritable()
        {
            return buffered.size() < writableFrames;
        }

        @Override
        public void flush()
        {
            sent.addAll(buffered);
            buffered.clear();
        }

        @Override
        public void close()
        {
            flush();
            closed = true;
        }

        List<Frame> deliveries()
        {
            return sent.stream().filter(f -> f.type() == FrameType.DELIVER).toList();
        }
    }

    @BeforeEach
    void setUp()
    {
        processor = new Processor(ProcessorContext.of(true, List.of(), List.of()), nowMs::get);
        connection = open(1);
    }

    private FakeConnection open(final long id)
    {
        final FakeConnection c = new FakeConnection(id);
        run(EngineEvent.CONNECTION_OPENED, c, e -> { });
        return c;
    }

    private void run(final byte type, final ConnectionOutput c, final java.util.function.Consumer<EngineEvent> fill)
    {
        run(type, c, fill, true);
    }

    private void run(final byte type, final ConnectionOutput c, final java.util.function.Consumer<EngineEvent> fill,
        final boolean endOfBatch)
    {
        final EngineEvent event = new EngineEvent();
        event.type = type;
        event.connection = c;
        fill.accept(event);
        processor.onEvent(event, sequence++, endOfBatch);
    }

    private static byte[] message(final int priority, final long expiration)
    {
        final WireWriter w = new WireWriter();
        w.writeByte(MessageDescriptor.BODY_MESSAGE).writeByte(MessageDescriptor.NON_PERSISTENT)
            .writeByte((byte)priority).writeByte((byte)0).writeLong(0).writeLong(expiration).writeLong(0)
            .writeString(null);
        return w.toByteArray();
    }

    private void send(final String queue, final int priority, final long expiration)
    {
        run(EngineEvent.SEND, connection, e ->
        {
            e.destinationType = DestinationType.QUEUE;
            e.destinationName = queue;
            e.message = message(priority, expiration);
        });
    }

    private void consume(final FakeConnection c, final long consumerId, final String queue, final int credit)
    {
        createConsumer(c, consumerId, queue, credit, 0, (byte)0);
    }

    private void browse(final FakeConnection c, final long browserId, final String queue, final int credit,
        final int creditBytes)
    {
        createConsumer(c, browserId, queue, credit, creditBytes, ConsumerFlags.BROWSER);
    }

    private void createConsumer(final FakeConnection c, final long consumerId, final String queue, final int credit,
        final int creditBytes, final byte flags)
    {
        run(EngineEvent.CREATE_CONSUMER, c, e ->
        {
            e.correlationId = 100 + consumerId;
            e.consumerId = consumerId;
            e.sessionId = 1;
            e.destinationType = DestinationType.QUEUE;
            e.destinationName = queue;
            e.count = credit;
            e.creditBytes = creditBytes;
            e.consumerFlags = flags;
        });
    }

    @Test
    void shouldSayAMessageWasStoredOnlyOnceWhatStoredItIsForced(@TempDir final Path dir) throws Exception
    {
        try (Journal journal = Journal.open(dir, Journal.MIN_SEGMENT_SIZE, false))
        {
            processor = Processor.recover(ProcessorContext.of(true, List.of(), List.of()), nowMs::get,
                Durability.of(journal, Durability.SyncPolicy.FORCE));
            connection = open(1);
            final WireWriter w = new WireWriter();
            w.writeByte(MessageDescriptor.BODY_MESSAGE).writeByte(MessageDescriptor.PERSISTENT).writeByte((byte)4)
                .writeByte((byte)0).writeLong(0).writeLong(0).writeLong(0).writeString("ID:asked")
                .writeByte(MessageDescriptor.CORRELATION_NONE).writeString(null).writeByte(DestinationType.QUEUE)
                .writeString("q").writeByte(DestinationType.NONE).writeInt(0);
            run(EngineEvent.SEND, connection, e ->
            {
                e.correlationId = 7;
                e.destinationType = DestinationType.QUEUE;
                e.destinationName = "q";
                e.message = w.toByteArray();
            }, false);
            run(EngineEvent.DUPLICATE_CHECK, connection, e ->
            {
                e.correlationId = 8;
                e.destinationType = DestinationType.QUEUE;
                e.destinationName = "q";
                e.reason = "ID:asked";
            }, false);
            assertTrue(connection.buffered.stream().noneMatch(f -> f.type() == FrameType.REPLY),
                "not before the send is forced");
            run(EngineEvent.TICK, null, e -> { }, true);
            final List<Frame> replies = connection.sent.stream().filter(f -> f.type() == FrameType.REPLY).toList();
            assertEquals(1, replies.size());
            assertEquals(8, replies.get(0).a());
            assertEquals(1, replies.get(0).b(), "stored");
        }
    }

    @Test
    void shouldKeepAQueueWithConsumersFlowingWhileAnotherFillsTheBrokersMemory(@TempDir final Path dir)
    {
        processor = new Processor(new ProcessorContext("meshmq", true, List.of(), List.of(), new AddressSettingsMatcher(),
            1024 * 1024, dir, control -> ProcessorExtension.NONE, ProcessorContext.DEFAULT_DUPLICATE_ID_CACHE_SIZE),
            nowMs::get);
        connection = open(1);
        // Nobody consumes "full": it takes the broker's memory, and pages.
        for (int i = 0; i < 300; i++)
        {
            sendSized("full", 8 * 1024);
        }
        // "flow" has no consumer yet: its first messages page too.
        for (int i = 0; i < 10; i++)
        {
            sendSized("flow", 8 * 1024);
        }
        final FakeConnection reader = open(2);
        consume(reader, 1, "flow", 1000);
        final int[] readerAcked = {0};
        acknowledgeAll(reader, readerAcked);
        assertEquals(10, reader.deliveries().size(), "read back for its consumer although the broker is full");
        for (int i = 0; i < 50; i++)
        {
            sendSized("flow", 8 * 1024);
            acknowledgeAll(reader, readerAcked);
        }
        assertEquals(60, reader.deliveries().size(), "delivered as sent, not paged behind the full queue");
        consume(connection, 2, "full", 1000);
        acknowledgeAll(connection, new int[1]);
        assertEquals(300, connection.deliveries().size(), "and the full queue's pages come back for its consumer");
    }

    /**
     * Acknowledges every delivery, round after round (what is acknowledged leaves memory, and more comes back from
     * the pages), until no more comes.
     *
     * @param acknowledged how many of the connection's deliveries were acknowledged already; updated.
     */
    private void acknowledgeAll(final FakeConnection c, final int[] acknowledged)
    {
        for (int round = 0; round < 1000 && acknowledged[0] < c.deliveries().size(); round++)
        {
            final List<Frame> delivered = c.deliveries();
            for (; acknowledged[0] < delivered.size(); acknowledged[0]++)
            {
                final Frame delivery = delivered.get(acknowledged[0]);
                run(EngineEvent.ACK, c, e ->
                {
                    e.consumerId = delivery.a();
                    e.deliveryId = delivery.b();
                });
            }
        }
    }

    private void sendSized(final String queue, final int bytes)
    {
        final byte[] header = message(4, 0);
        final byte[] sized = java.util.Arrays.copyOf(header, header.length + bytes);
        run(EngineEvent.SEND, connection, e ->
        {
            e.destinationType = DestinationType.QUEUE;
            e.destinationName = queue;
            e.message = sized;
        });
    }

    @Test
    void shouldDeliverHigherPriorityFirstAndNeverMoreThanTheCredit()
    {
        send("q", 1, 0);
        send("q", 9, 0);
        send("q", 4, 0);
        consume(connection, 7, "q", 2);
        final List<Frame> deliveries = connection.deliveries();
        assertEquals(2, deliveries.size());
        assertEquals(9, deliveries.get(0).priority());
        assertEquals(4, deliveries.get(1).priority());
        assertEquals(1, processor.queueDepth("q"));
        run(EngineEvent.CREDIT, connection, e ->
        {
            e.consumerId = 7;
            e.count = 5;
        });
        assertEquals(3, connection.deliveries().size());
    }

    @Test
    void shouldStopAtTheByteCreditAndLetOneMessageTakeItBelowZero()
    {
        final int size = message(4, 0).length;
        for (int i = 0; i < 6; i++)
        {
            send("q", 4, 0);
        }
        createConsumer(connection, 7, "q", 100, 2 * size + 1, (byte)0);
        assertEquals(3, connection.deliveries().size(), "two fit, and a third takes the last byte and more");
        run(EngineEvent.CREDIT, connection, e ->
        {
            e.consumerId = 7;
            e.creditBytes = size - 2;
        });
        assertEquals(3, connection.deliveries().size(), "the credit is still below one byte");
        run(EngineEvent.CREDIT, connection, e ->
        {
            e.consumerId = 7;
            e.creditBytes = 2 * size;
        });
        assertEquals(5, connection.deliveries().size());
    }

    @Test
    void shouldBrowseNoFurtherThanTheByteCredit()
    {
        final int size = message(4, 0).length;
        for (int i = 0; i < 6; i++)
        {
            send("q", 4, 0);
        }
        browse(connection, 7, "q", 100, 2 * size + 1);
        assertEquals(3, connection.deliveries().size(), "two fit, and a third takes the last byte and more");
        run(EngineEvent.CREDIT, connection, e ->
        {
            e.consumerId = 7;
            e.count = 100;
            e.creditBytes = 10 * size;
        });
        assertEquals(6, connection.deliveries().size());
        assertEquals(FrameType.BROWSE_END, connection.sent.get(connection.sent.size() - 1).type());
    }

    @Test
    void shouldBrowseNoFasterThanTheConnectionDrains()
    {
        for (int i = 0; i < 10; i++)
        {
            send("q", 4, 0);
        }
        connection.writableFrames = 4;
        browse(connection, 7, "q", 1_000, 0);
        assertEquals(3, connection.deliveries().size(), "the OK and three deliveries fill what it may hold");
        run(EngineEvent.TICK, null, e -> { });
        assertEquals(7, connection.deliveries().size(), "drained, it takes the next four");
        run(EngineEvent.WRITABLE, null, e -> { });
        run(EngineEvent.TICK, null, e -> { });
        assertEquals(10, connection.deliveries().size());
        assertEquals(FrameType.BROWSE_END, connection.sent.get(connection.sent.size() - 1).type());
        run(EngineEvent.TICK, null, e -> { });
        assertEquals(10, connection.deliveries().size(), "a browse that ended is not resumed");
    }

    @Test
    void shouldDropExpiredMessagesInsteadOfDeliveringThem()
    {
        send("q", 4, 1_500);
        send("q", 4, 0);
        nowMs.set(2_000);
        consume(connection, 7, "q", 10);
        assertEquals(1, connection.deliveries().size());
        assertEquals(0, processor.queueDepth("q"));
    }

    @Test
    void shouldGiveBackInOriginalOrderAndCountOnlySeenDeliveries()
    {
        for (int i = 0; i < 3; i++)
        {
            send("q", 4, 0);
        }
        consume(connection, 7, "q", 10);
        final List<Frame> first = connection.deliveries();
        assertEquals(3, first.size());
        // The application saw only the first delivery; recover gives all three back.
        run(EngineEvent.RECOVER, connection, e ->
        {
            e.sessionId = 1;
            e.consumerIds = new long[] {7};
            e.deliveryIds = new long[] {first.get(0).b()};
        });
        final List<Frame> all = connection.deliveries();
        assertEquals(6, all.size());
        assertEquals(2, all.get(3).count(), "seen: delivered again counts twice");
        assertEquals(1, all.get(4).count(), "unseen: does not count");
        assertEquals(1, all.get(5).count());
    }

    @Test
    void shouldRedeliverWhatALostConnectionHeldToAnotherConsumer()
    {
        send("q", 4, 0);
        consume(connection, 7, "q", 10);
        final FakeConnection other = open(2);
        consume(other, 8, "q", 10);
        assertEquals(0, other.deliveries().size());
        run(EngineEvent.CONNECTION_CLOSED, connection, e -> { });
        assertEquals(1, other.deliveries().size());
        assertEquals(2, other.deliveries().get(0).count());
        assertEquals(1, processor.connectionCount());
    }

    @Test
    void shouldRoundRobinBetweenConsumersWithCredit()
    {
        consume(connection, 1, "q", 100);
        final FakeConnection other = open(2);
        consume(other, 2, "q", 100);
        for (int i = 0; i < 10; i++)
        {
            send("q", 4, 0);
        }
        assertEquals(5, connection.deliveries().size());
        assertEquals(5, other.deliveries().size());
    }

    @Test
    void shouldRefuseAConsumerOnAnotherConnectionsTemporaryQueue()
    {
        run(EngineEvent.CREATE_TEMP, connection, e ->
        {
            e.correlationId = 5;
            e.destinationType = DestinationType.TEMPORARY_QUEUE;
            e.destinationName = "tmp";
        });
        final FakeConnection other = open(2);
        run(EngineEvent.CREATE_CONSUMER, other, e ->
        {
            e.correlationId = 6;
            e.consumerId = 1;
            e.destinationType = DestinationType.TEMPORARY_QUEUE;
            e.destinationName = "tmp";
            e.count = 1;
        });
        assertTrue(other.sent.stream().anyMatch(f -> f.type() == FrameType.ERROR && f.a() == 6));
        run(EngineEvent.CONNECTION_CLOSED, connection, e -> { });
        assertEquals(-1, processor.queueDepth("tmp"), "a temporary queue dies with its connection");
    }

    @Test
    void shouldFailOnlyTheCommandThatThrowsAnErrorAndGoOn()
    {
        final ExtensionCommand overflow = new ExtensionCommand()
        {
        };
        processor = new Processor(new ProcessorContext("meshmq", true, List.of(), List.of(), new AddressSettingsMatcher(),
            -1, null, control -> new ProcessorExtension()
            {
                @Override
                public void onCommand(final ConnectionOutput connection, final long correlationId,
                    final ExtensionCommand command)
                {
                    throw command == overflow ? new StackOverflowError("deep") : new OutOfMemoryError("heap");
                }
            }, ProcessorContext.DEFAULT_DUPLICATE_ID_CACHE_SIZE), nowMs::get);
        connection = open(1);
        for (int i = 0; i < 3; i++)
        {
            final long correlationId = 40 + i;
            run(EngineEvent.EXTENSION, connection, e ->
            {
                e.correlationId = correlationId;
                e.command = overflow;
            });
        }
        assertEquals(3, connection.sent.stream().filter(f -> f.type() == FrameType.ERROR).count(),
            "each failed command is answered, and the processor goes on");
        send("q", 4, 0);
        consume(connection, 7, "q", 10);
        assertEquals(1, connection.deliveries().size());

        assertThrows(OutOfMemoryError.class, () -> run(EngineEvent.EXTENSION, connection, e ->
        {
            e.correlationId = 50;
            e.command = new ExtensionCommand()
            {
            };
        }), "after an error that leaves its state unknown the processor must not go on");
    }
}
