package io.meshmq.cluster.routing;

import io.meshmq.cluster.ClusterCommand;
import io.meshmq.cluster.ClusterIdentity;
import io.meshmq.cluster.GroupingSettings;
import io.meshmq.cluster.LargeStaging;
import io.meshmq.cluster.RepositoryRole;
import io.meshmq.cluster.wire.ClusterFrameEncoder;
import io.meshmq.engine.extension.AdminHandler;
import io.meshmq.engine.journal.Journal;
import io.meshmq.engine.journal.JournalCorruptException;
import io.meshmq.engine.journal.JournalSyncer;
import io.meshmq.engine.large.LargeStore;
import io.meshmq.engine.mirror.DataMirror;
import io.meshmq.engine.mirror.SwitchableMirror;
import io.meshmq.engine.processor.AddressSettingsMatcher;
import io.meshmq.engine.processor.Durability;
import io.meshmq.engine.processor.Processor;
import io.meshmq.engine.processor.ProcessorContext;
import io.meshmq.engine.ring.ConnectionOutput;
import io.meshmq.engine.ring.EngineEvent;
import io.meshmq.engine.ring.ExtensionCommand;
import io.meshmq.engine.security.Authorizer;
import io.meshmq.protocol.AdminTable;
import io.meshmq.protocol.AdminVerbs;
import io.meshmq.protocol.DestinationType;
import io.meshmq.protocol.FrameType;
import io.meshmq.protocol.LargeBodyDescriptor;
import io.meshmq.protocol.MessageDescriptor;
import io.meshmq.protocol.TypedValueCodec;
import io.meshmq.protocol.MessageFields;
import io.meshmq.protocol.WireReader;
import io.meshmq.protocol.WireWriter;
import io.meshmq.selector.Selector;
import org.agrona.concurrent.UnsafeBuffer;

import java.io.IOException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentSkipListMap;
import java.util.concurrent.atomic.AtomicLong;
import java.util.concurrent.atomic.AtomicReference;
import java.util.function.Consumer;

/**
 * One node ("a") of a cluster: a real processor with the cluster extension, driven on the test thread with a fake
 * clock and fake connections: no ring, no sockets, no other process. The test plays the other node ("b"): it hands
 * the processor what b's link would hear, and reads what the processor wrote to the link.
 */
final class ClusterHarness
{
    static final String OTHER = "node-b";
    static final long SEND_TIMEOUT_MS = 30_000;

    final AtomicLong nowMs = new AtomicLong(1_000_000);
    final Processor processor;
    final Cluster cluster;
    final FakeConnection client;
    /** The large bodies asked to cross to b ahead of their forwards, in order. */
    final List<Long> staged = new ArrayList<>();
    /** Forces the journal asked for and the test has not ended yet. */
    final List<JournalSyncer.Request> forces = new ArrayList<>();
    private final RepositoryRole repository;
    private long sequence;
    private long nextConnectionId = 1;
    private int messageCount;

    ClusterHarness(final Path dataDirectory, final AddressSettingsMatcher settings)
    {
        this(dataDirectory, settings, GroupingSettings.NONE);
    }

    /**
     * @param grouping this node's part in keeping message groups on one node.
     */
    ClusterHarness(final Path dataDirectory, final AddressSettingsMatcher settings, final GroupingSettings grouping)
    {
        this(dataDirectory, settings, grouping, null, null, false, RepositoryRole.full());
    }

    /**
     * @param journal where persistent messages are stored; its forces wait in {@link #forces} until the test says
     *                how they ended ({@link #forced}), as the syncer thread would. Null: no journal.
     */
    ClusterHarness(final Path dataDirectory, final AddressSettingsMatcher settings, final GroupingSettings grouping,
        final Journal journal)
    {
        this(dataDirectory, settings, grouping, journal, null, false, RepositoryRole.full());
    }

    /**
     * @param largeBodies where large bodies are kept (their files are never made: the test names bodies, and
     *                    {@link #staged} records what would cross to b, as the mesh's second connection would carry
     *                    it); null: this node takes no large messages.
     * @param journalsMove with HA's quorum (journals move between members): clients are told which each serves.
     */
    private ClusterHarness(final Path dataDirectory, final AddressSettingsMatcher settings,
        final GroupingSettings grouping, final Journal journal, final LargeStore largeBodies,
        final boolean journalsMove, final RepositoryRole repository)
    {
        this.repository = repository;
        final LargeStaging staging = (nodeId, member, bodyId, file, length) -> staged.add(bodyId);
        final ClusterIdentity identity = new ClusterIdentity("test", "node-a", "a", 1, new ConcurrentSkipListMap<>(),
            null,
            () -> "127.0.0.1:1", dataDirectory.resolve("cluster-members"), new AtomicReference<>(),
            journalsMove ? new AtomicReference<>() : null, true,
            new java.util.concurrent.ConcurrentHashMap<>(), "", SEND_TIMEOUT_MS, grouping,
            new AtomicReference<>(largeBodies == null ? null : staging), repository);
        final Cluster[] made = new Cluster[1];
        final ProcessorContext context = new ProcessorContext("a", true, List.of(), List.of(), settings, -1, null,
            control -> made[0] = new Cluster(identity, control), ProcessorContext.DEFAULT_DUPLICATE_ID_CACHE_SIZE,
            Authorizer.none(), new SwitchableMirror(DataMirror.NONE), AdminHandler.NONE, largeBodies);
        if (journal == null)
        {
            processor = new Processor(context, nowMs::get);
        }
        else
        {
            final Durability durability = Durability.of(journal, Durability.SyncPolicy.FORCE);
            durability.forceWith(forces::add);
            try
            {
                processor = Processor.recover(context, nowMs::get, durability);
            }
            catch (final IOException | JournalCorruptException ex)
            {
                throw new IllegalStateException(ex);
            }
        }
        cluster = made[0];
        client = open();
    }

    /**
     * @return a node without a journal that takes large messages (bodies above 1 KiB).
     */
    static ClusterHarness withLargeBodies(final Path dataDirectory)
    {
        return new ClusterHarness(dataDirectory, new AddressSettingsMatcher(), GroupingSettings.NONE, null,
            new LargeStore(dataDirectory.resolve("large"), 1024), false, RepositoryRole.full());
    }

    /**
     * @return a node of a cluster whose journals move between members (HA's quorum), without a replica.
     */
    static ClusterHarness withJournalsMoving(final Path dataDirectory)
    {
        return new ClusterHarness(dataDirectory, new AddressSettingsMatcher(), GroupingSettings.NONE, null, null,
            true, RepositoryRole.full());
    }

    /**
     * @return a partial repository: it asks b, a full one once linked, about the names it uses.
     */
    static ClusterHarness partial(final Path dataDirectory, final long idleLinkTimeoutMs)
    {
        return new ClusterHarness(dataDirectory, new AddressSettingsMatcher(), GroupingSettings.NONE, null, null,
            false, new RepositoryRole(true, idleLinkTimeoutMs));
    }

    /**
     * @return the links this node wants besides its members, by url.
     */
    Map<String, String> linksWanted()
    {
        return repository.linksWanted().get();
    }

    /**
     * The forces asked for so far end, in order: done, or failed for that reason.
     */
    void forced(final String failure)
    {
        final List<JournalSyncer.Request> ended = List.copyOf(forces);
        forces.clear();
        for (final JournalSyncer.Request request : ended)
        {
            run(EngineEvent.FORCED, null, e ->
            {
                e.forced = request;
                e.reason = failure;
            });
        }
    }

    /** A frame the processor wrote: its type, and a reader over the rest. */
    record Frame(byte type, byte[] payload)
    {
        WireReader reader()
        {
            return new WireReader().wrap(new UnsafeBuffer(payload), 0, payload.length);
        }
    }

    /** A forward as the link carried it. */
    record Forward(long sequence, byte kind, String address, List<String> queues, String messageId,
        Map<String, Object> properties, boolean largeLane)
    {
    }

    static final class FakeConnection implements ConnectionOutput
    {
        final long id;
        final List<Frame> sent = new ArrayList<>();
        private final List<Frame> buffered = new ArrayList<>();
        boolean writable = true;
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
            final byte[] bytes = frame.toByteArray();
            final byte[] payload = new byte[frame.position() - 5];
            System.arraycopy(bytes, 5, payload, 0, payload.length);
            final boolean first = buffered.isEmpty();
            buffered.add(new Frame(bytes[4], payload));
            return first;
        }

        @Override
        public boolean isWritable()
        {
            return writable;
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

        List<Frame> frames(final byte type)
        {
            return sent.stream().filter(f -> f.type() == type).toList();
        }

        List<Forward> forwards()
        {
            final List<Forward> forwards = new ArrayList<>();
            for (final Frame frame : frames(FrameType.CLUSTER_SEND))
            {
                final WireReader r = frame.reader();
                final long sequence = r.readLong();
                final byte kind = r.readByte();
                final byte flags = r.readByte();
                final String address = r.readString();
                final int count = r.readInt();
                final List<String> queues = new ArrayList<>();
                for (int i = 0; i < count; i++)
                {
                    queues.add(r.readString());
                }
                final MessageFields fields = MessageFields.decode(r.readRest());
                forwards.add(new Forward(sequence, kind, address, queues, fields.messageId(), fields.properties(),
                    (flags & ClusterFrameEncoder.SEND_LARGE_LANE) != 0));
            }
            return forwards;
        }

        int deliveries()
        {
            return frames(FrameType.DELIVER).size();
        }

        /**
         * @return the JMSXGroupSeq of each message delivered, in delivery order.
         */
        List<Integer> groupSequences()
        {
            final List<Integer> sequences = new ArrayList<>();
            for (final Frame frame : frames(FrameType.DELIVER))
            {
                final WireReader r = frame.reader();
                r.readLong();
                r.readLong();
                r.readInt();
                sequences.add((Integer)MessageFields.decode(r.readRest()).property(
                    MessageDescriptor.GROUP_SEQ_PROPERTY));
            }
            return sequences;
        }
    }

    FakeConnection open()
    {
        return open(false);
    }

    /**
     * @param failsOver a client that fails over by the cluster's topology.
     */
    FakeConnection open(final boolean failsOver)
    {
        final FakeConnection connection = new FakeConnection(nextConnectionId++);
        run(EngineEvent.CONNECTION_OPENED, connection, e -> e.wantsTopology = failsOver);
        return connection;
    }

    void run(final byte type, final ConnectionOutput connection, final Consumer<EngineEvent> fill)
    {
        final EngineEvent event = new EngineEvent();
        event.type = type;
        event.connection = connection;
        fill.accept(event);
        processor.onEvent(event, sequence++, true);
    }

    void command(final ConnectionOutput connection, final ExtensionCommand command)
    {
        run(EngineEvent.EXTENSION, connection, e ->
        {
            e.correlationId = command.correlationId();
            e.command = command;
        });
    }

    void tick()
    {
        run(EngineEvent.TICK, null, e -> { });
    }

    /**
     * @return b's link as this node's processor writes to it, up and with b's snapshot of bindings told.
     */
    FakeConnection linkUp(final ClusterCommand.Binding... bindings)
    {
        final FakeConnection link = new FakeConnection(nextConnectionId++);
        command(null, new ClusterCommand.LinkUp(OTHER, "b", "127.0.0.1:2", link, false));
        for (final ClusterCommand.Binding binding : bindings)
        {
            command(null, binding);
        }
        command(null, ClusterCommand.Binding.snapshotEnd(OTHER));
        return link;
    }

    /**
     * @return b's connection to this node, joined: what b forwards comes over it.
     */
    FakeConnection joinedByB()
    {
        final FakeConnection peer = open();
        command(peer, new ClusterCommand.Join(7, "test", OTHER, "b", "127.0.0.1:2", false));
        return peer;
    }

    /**
     * b forwards a message of a group over {@code peer}: to be decided here (no queue named) or for this queue.
     */
    void groupedFromB(final FakeConnection peer, final long sequence, final String queue, final String group,
        final int groupSequence, final boolean decideHere)
    {
        command(peer, new ClusterCommand.Receive(sequence, DestinationType.QUEUE, false, queue,
            decideHere ? new String[0] : new String[] {queue},
            groupedMessage("ID:b" + sequence, queue, group, groupSequence)));
    }

    /**
     * b forwards a signal about moving a message group over {@code peer}.
     */
    void signalFromB(final FakeConnection peer, final long sequence, final GroupSignal signal)
    {
        command(peer, new ClusterCommand.Receive(sequence, DestinationType.QUEUE, false, GroupSignal.ADDRESS,
            new String[0], signal.encode(0)));
    }

    /**
     * @return b's queue of that name, with that many consumers taking every message.
     */
    static ClusterCommand.Binding queueOfB(final String queue, final int consumers)
    {
        return queueOfB(queue, consumers, 1, 1);
    }

    /**
     * @return b's queue of that name, with that many consumers taking every message, and b's weight and rank for it.
     */
    static ClusterCommand.Binding queueOfB(final String queue, final int consumers, final int weight, final int rank)
    {
        return new ClusterCommand.Binding(OTHER, DestinationType.QUEUE, queue, queue, true, true, null, consumers,
            consumers == 0 ? new Selector[0] : new Selector[] {null}, weight, rank, "");
    }

    /**
     * Sends a new persistent-looking (non-persistent: no journal here) text message from the test's client.
     *
     * @return its message id.
     */
    String send(final byte type, final String destination)
    {
        return send(type, destination, null);
    }

    /**
     * Sends as a client that failed over sends a message again.
     *
     * @param previousScope the temporary scope of the node it sent the message to before; null for a first send.
     * @return its message id.
     */
    String send(final byte type, final String destination, final String previousScope)
    {
        return send(type, destination, previousScope, 0);
    }

    /**
     * Sends as a client that waits for the broker's answer.
     *
     * @return the correlation id the answer carries ({@link #answer}).
     */
    long sendAndAwait(final byte type, final String destination)
    {
        final long correlationId = 1_000 + messageCount;
        send(type, destination, null, correlationId);
        return correlationId;
    }

    /**
     * Sends a message of the given id again, as a client that retries a send it was told failed.
     *
     * @return the correlation id the answer carries.
     */
    long resendAndAwait(final byte type, final String destination, final String id)
    {
        final long correlationId = 9_000 + ++messageCount;
        send(type, destination, null, correlationId, id);
        return correlationId;
    }

    private String send(final byte type, final String destination, final String previousScope,
        final long correlationId)
    {
        return send(type, destination, previousScope, correlationId, "ID:m" + ++messageCount);
    }

    /**
     * Sends, from {@code from}, a new non-persistent message whose body (of {@code length} bytes) is large: kept on
     * this node under {@code bodyId}.
     *
     * @return its message id.
     */
    String sendLarge(final FakeConnection from, final String queue, final long bodyId, final long length)
    {
        final String id = "ID:l" + ++messageCount;
        final WireWriter writer = new WireWriter()
            .writeByte(MessageDescriptor.BODY_BYTES).writeByte(MessageDescriptor.NON_PERSISTENT).writeByte((byte)4)
            .writeByte((byte)(MessageDescriptor.FLAG_DUPLICATE_ID | MessageDescriptor.FLAG_LARGE_BODY))
            .writeLong(0).writeLong(0).writeLong(0)
            .writeString(id).writeByte(MessageDescriptor.CORRELATION_NONE).writeString(null)
            .writeByte(DestinationType.QUEUE).writeString(queue).writeByte(DestinationType.NONE)
            .writeInt(1).writeString(MessageDescriptor.DUPLICATE_ID_PROPERTY);
        TypedValueCodec.write(writer, id);
        LargeBodyDescriptor.write(writer, bodyId, length, LargeBodyDescriptor.FORM_RAW);
        submit(from, DestinationType.QUEUE, queue, 0, writer.toByteArray());
        return id;
    }

    private void submit(final FakeConnection from, final byte type, final String destination,
        final long correlationId, final byte[] message)
    {
        run(EngineEvent.SEND, from, e ->
        {
            e.correlationId = correlationId;
            e.destinationType = type;
            e.destinationName = destination;
            e.message = message;
        });
    }

    /**
     * @return the forward of that message id that {@code link} carried last.
     */
    Forward forwardedLastOn(final FakeConnection link, final String messageId)
    {
        final List<Forward> forwards = link.forwards();
        for (int i = forwards.size() - 1; i >= 0; i--)
        {
            if (forwards.get(i).messageId().equals(messageId))
            {
                return forwards.get(i);
            }
        }
        throw new AssertionError(messageId + " was not forwarded; the link carried " + forwards);
    }

    /**
     * Sends a new message from {@code from}.
     *
     * @return its message id.
     */
    String sendFrom(final FakeConnection from, final String queue)
    {
        final String id = "ID:m" + ++messageCount;
        submit(from, DestinationType.QUEUE, queue, 0, message(id, DestinationType.QUEUE, queue));
        return id;
    }

    /**
     * Sends a new persistent message from the test's client (journaled, with a journal), as a client that waits for
     * the broker's answer.
     *
     * @return the correlation id the answer carries ({@link #answer}).
     */
    long sendPersistent(final byte type, final String destination)
    {
        final String id = "ID:p" + ++messageCount;
        final long correlationId = 3_000 + messageCount;
        final byte[] message = message(id, type, destination);
        message[1] = MessageDescriptor.PERSISTENT;
        submit(client, type, destination, correlationId, message);
        return correlationId;
    }

    private String send(final byte type, final String destination, final String previousScope,
        final long correlationId, final String id)
    {
        final byte[] message = message(id, type, destination);
        run(EngineEvent.SEND, client, e ->
        {
            e.correlationId = correlationId;
            e.destinationType = type;
            e.destinationName = destination;
            e.message = message;
            e.resentFrom = previousScope;
        });
        return id;
    }

    /**
     * @return "OK" if the client was told the call succeeded, the error's message if it failed, null if it has not
     * been answered yet.
     */
    String answer(final long correlationId)
    {
        client.flush();
        for (final Frame frame : client.sent)
        {
            final WireReader r = frame.reader();
            if (frame.type() == FrameType.OK && r.readLong() == correlationId)
            {
                return "OK";
            }
            if (frame.type() == FrameType.ERROR && r.readLong() == correlationId)
            {
                r.readInt();
                return r.readString();
            }
        }
        return null;
    }

    /**
     * @return a non-persistent text message (this harness has no journal) that carries its id as its application
     * duplicate id too, so that duplicate detection, which skips non-persistent messages otherwise, applies.
     */
    static byte[] message(final String id, final byte type, final String destination)
    {
        final WireWriter writer = new WireWriter()
            .writeByte(MessageDescriptor.BODY_TEXT).writeByte(MessageDescriptor.NON_PERSISTENT).writeByte((byte)4)
            .writeByte(MessageDescriptor.FLAG_DUPLICATE_ID).writeLong(0).writeLong(0).writeLong(0)
            .writeString(id).writeByte(MessageDescriptor.CORRELATION_NONE).writeString(null)
            .writeByte(type).writeString(destination).writeByte(DestinationType.NONE)
            .writeInt(1).writeString(MessageDescriptor.DUPLICATE_ID_PROPERTY);
        TypedValueCodec.write(writer, id);
        return writer.writeString("body of " + id).toByteArray();
    }

    /**
     * Sends a message of a group from the test's client, as a client that waits for the answer.
     *
     * @param sequence its JMSXGroupSeq; -1 ends the group.
     * @return the correlation id the answer carries.
     */
    long sendGrouped(final String queue, final String group, final int sequence)
    {
        final String id = "ID:g" + ++messageCount;
        final long correlationId = 5_000 + messageCount;
        final byte[] message = groupedMessage(id, queue, group, sequence);
        run(EngineEvent.SEND, client, e ->
        {
            e.correlationId = correlationId;
            e.destinationType = DestinationType.QUEUE;
            e.destinationName = queue;
            e.message = message;
        });
        return correlationId;
    }

    static byte[] groupedMessage(final String id, final String queue, final String group, final int sequence)
    {
        final WireWriter writer = new WireWriter()
            .writeByte(MessageDescriptor.BODY_TEXT).writeByte(MessageDescriptor.NON_PERSISTENT).writeByte((byte)4)
            .writeByte(MessageDescriptor.FLAG_GROUP_ID).writeLong(0).writeLong(0).writeLong(0)
            .writeString(id).writeByte(MessageDescriptor.CORRELATION_NONE).writeString(null)
            .writeByte(DestinationType.QUEUE).writeString(queue).writeByte(DestinationType.NONE)
            .writeInt(2).writeString(MessageDescriptor.GROUP_ID_PROPERTY);
        TypedValueCodec.write(writer, group);
        writer.writeString(MessageDescriptor.GROUP_SEQ_PROPERTY);
        TypedValueCodec.write(writer, sequence);
        return writer.writeString("body of " + id).toByteArray();
    }

    void consume(final FakeConnection connection, final long consumerId, final String queue, final int credit)
    {
        run(EngineEvent.CREATE_CONSUMER, connection, e ->
        {
            e.correlationId = 100 + consumerId;
            e.consumerId = consumerId;
            e.sessionId = 1;
            e.destinationType = DestinationType.QUEUE;
            e.destinationName = queue;
            e.count = credit;
        });
    }

    void forwarded(final long sequence, final String failure)
    {
        command(null, new ClusterCommand.Forwarded(OTHER, sequence, failure));
    }

    /**
     * @return the value of a column in the status row of node b.
     */
    Object statusOfB(final String column)
    {
        final AdminTable status = cluster.admin(AdminVerbs.CLUSTER_STATUS, new String[0]);
        for (int r = 0; r < status.rows().size(); r++)
        {
            if (OTHER.equals(status.value(r, "id")))
            {
                return status.value(r, column);
            }
        }
        throw new AssertionError("no status row for " + OTHER + ": " + status.rows());
    }
}
