package io.meshmq.client;

import io.meshmq.client.transport.ClientEventLoops;
import io.meshmq.client.transport.OutboundBatcher;
import io.meshmq.client.transport.TransportConnectors;
import io.meshmq.protocol.AdminTable;
import io.meshmq.protocol.BrokerCommandEncoder;
import io.meshmq.protocol.BrokerEventDecoder;
import io.meshmq.protocol.ConsumerFlags;
import io.meshmq.protocol.ErrorCode;
import io.meshmq.protocol.FrameDescriptor;
import io.meshmq.protocol.FrameType;
import io.meshmq.protocol.ProtocolException;
import io.meshmq.protocol.WireReader;
import io.meshmq.protocol.WireWriter;
import io.meshmq.protocol.WireXid;
import io.meshmq.transport.NettyFrames;
import io.netty.buffer.ByteBuf;
import io.netty.channel.Channel;
import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.ChannelInboundHandlerAdapter;
import org.agrona.concurrent.UnsafeBuffer;

import java.util.ArrayList;
import java.util.Collection;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicLong;

/**
 * One connection to a broker: the handshake, request/reply correlation, and routing of deliveries to
 * {@link ClientConsumer}s. Thread safe.
 */
public final class ClientConnection
{
    private static final System.Logger LOG = System.getLogger(ClientConnection.class.getName());
    /** Bytes gathered for the socket above which a send waits, as it does for the channel's own high-water mark. */
    private static final int OUTBOUND_LIMIT_BYTES = 1024 * 1024;
    private static final ThreadLocal<WireWriter> WRITERS = ThreadLocal.withInitial(() -> new WireWriter(1024));

    private final ConnectionUrl url;
    private final ConnectionListener listener;
    private final Map<Long, CompletableFuture<byte[]>> pending = new ConcurrentHashMap<>();
    /**
     * What must happen on the I/O thread when a call's reply arrives, before the frames after it are handled.
     * Not a dependent of the reply's future: a thread waiting in get() may run those itself, after the I/O thread
     * has moved on.
     */
    private final Map<Long, Runnable> replyHooks = new ConcurrentHashMap<>();
    private final Map<Long, ClientConsumer> consumers = new ConcurrentHashMap<>();
    private final AtomicLong ids = new AtomicLong();
    private final AtomicBoolean closing = new AtomicBoolean();
    private final CompletableFuture<byte[]> handshake = new CompletableFuture<>();
    private final Object writability = new Object();
    /** Destinations the broker told us are full under its BLOCK policy ("type:name"); guarded by itself. */
    private final Set<String> blocked = new HashSet<>();
    /** Whether {@link #blocked} has anything: sends check this, not the lock, while nothing is blocked. */
    private volatile boolean anyBlocked;
    private final long callTimeoutMs;
    private volatile Channel channel;
    private volatile OutboundBatcher outbound;
    private volatile ClientException failure;
    private volatile String brokerName;
    private volatile String temporaryScope;
    private volatile long connectionId;

    private ClientConnection(final ConnectionUrl url, final ConnectionListener listener)
    {
        this.url = url;
        this.listener = listener;
        this.callTimeoutMs = url.callTimeoutMs();
    }

    /**
     * Connects and completes the handshake.
     *
     * @throws ClientException with the broker's reason if it refused, or why the connection failed.
     */
    public static ClientConnection open(
        final ConnectionUrl url, final String user, final String password, final String clientId,
        final ConnectionListener listener) throws ClientException
    {
        final ClientConnection connection = new ClientConnection(url, listener);
        try
        {
            connection.channel = TransportConnectors.forScheme(url.scheme()).connect(
                url.endpoint(), ClientEventLoops.group(), connection.new Handler());
            connection.outbound = new OutboundBatcher(connection.channel, OUTBOUND_LIMIT_BYTES, connection::wakeWriters);
        }
        catch (final IllegalArgumentException ex)
        {
            throw new ClientException(ErrorCode.GENERIC, ex.getMessage(), ex);
        }
        catch (final Exception ex)
        {
            throw new ClientException(ClientException.CONNECTION_LOST, ex.getMessage(), ex);
        }
        connection.write(BrokerCommandEncoder.hello(writer(), FrameDescriptor.ROLE_CLIENT, clientId, user, password));
        try
        {
            connection.await(connection.handshake, "handshake with " + url);
        }
        catch (final ClientException ex)
        {
            connection.channel.close();
            throw ex;
        }
        return connection;
    }

    public ConnectionUrl url()
    {
        return url;
    }

    public String brokerName()
    {
        return brokerName;
    }

    /**
     * @return what the broker wants in the names of this connection's temporary destinations (its cluster node),
     * null outside a cluster.
     */
    public String temporaryScope()
    {
        return temporaryScope;
    }

    /**
     * @return the id the broker gave this connection, unique within the broker's lifetime.
     */
    public long connectionId()
    {
        return connectionId;
    }

    public long nextId()
    {
        return ids.incrementAndGet();
    }

    public boolean isOpen()
    {
        return failure == null && !closing.get();
    }

    /**
     * Creates a consumer, a subscription's consumer or a queue browser on the broker.
     *
     * @param flags            {@link ConsumerFlags}.
     * @param subscriptionName the name of a durable or shared subscription, else null.
     */
    public ClientConsumer createConsumer(
        final long sessionId, final byte destinationType, final String destinationName, final String selector,
        final byte flags, final String subscriptionName) throws ClientException
    {
        checkOpen();
        final long consumerId = nextId();
        final ClientConsumer consumer = new ClientConsumer(
            this, consumerId, sessionId, url.consumerWindow(), url.consumerWindowBytes(),
            ConsumerFlags.isSet(flags, ConsumerFlags.BROWSER));
        consumers.put(consumerId, consumer);
        final long correlationId = nextId();
        final WireWriter writer = BrokerCommandEncoder.createConsumer(writer(), correlationId, sessionId, consumerId,
            destinationType, destinationName, selector, flags, subscriptionName, url.consumerWindow(),
            url.consumerWindowBytes());
        try
        {
            call(correlationId, writer, "create consumer on " + destinationName);
        }
        catch (final ClientException ex)
        {
            consumers.remove(consumerId);
            throw ex;
        }
        return consumer;
    }

    /**
     * Gives this connection a client id; the broker refuses one another connection already has.
     */
    public void setClientId(final String clientId) throws ClientException
    {
        checkOpen();
        final long correlationId = nextId();
        call(correlationId, BrokerCommandEncoder.setClientId(writer(), correlationId, clientId), "set client id");
    }

    /**
     * Deletes a durable subscription of this connection's client id.
     */
    public void unsubscribe(final String name) throws ClientException
    {
        checkOpen();
        final long correlationId = nextId();
        call(correlationId, BrokerCommandEncoder.unsubscribe(writer(), correlationId, name), "unsubscribe " + name);
    }

    /**
     * Runs a management verb ({@link io.meshmq.protocol.AdminVerbs}).
     *
     * @return the broker's answer.
     */
    public AdminTable admin(final String verb, final String... args) throws ClientException
    {
        checkOpen();
        final long correlationId = nextId();
        final byte[] result = call(correlationId, BrokerCommandEncoder.admin(writer(), correlationId, verb, args), verb,
            null);
        if (result == null)
        {
            throw new ClientException(ErrorCode.GENERIC, verb + ": the broker answered without a result");
        }
        try
        {
            return AdminTable.decode(result);
        }
        catch (final ProtocolException ex)
        {
            throw new ClientException(ErrorCode.MALFORMED_FRAME, verb + ": the broker's answer is malformed: " + ex.getMessage());
        }
    }

    /**
     * Stops deliveries to a consumer. Deliveries the application saw and has not acknowledged
     * ({@code keep}: CLIENT_ACKNOWLEDGE, transactions) stay with the session until it acknowledges, recovers
     * or closes; every other unacknowledged one goes back to the queue as never delivered.
     */
    public void closeConsumer(final ClientConsumer consumer, final List<Long> keep) throws ClientException
    {
        consumer.close();
        if (!isOpen())
        {
            consumers.remove(consumer.consumerId());
            return;
        }
        final long correlationId = nextId();
        final WireWriter writer =
            BrokerCommandEncoder.beginCloseConsumer(writer(), correlationId, consumer.consumerId(), keep.size());
        for (final long deliveryId : keep)
        {
            BrokerCommandEncoder.deliveryId(writer, deliveryId);
        }
        writer.endFrame();
        try
        {
            call(correlationId, writer, "close consumer", null);
        }
        finally
        {
            consumers.remove(consumer.consumerId());
        }
    }

    /**
     * Session recover or rollback: every unacknowledged delivery of the session's consumers goes back to its
     * queue and comes again in order; {@code seen} lists those the application saw, which come back marked
     * redelivered.
     */
    public void recover(final long sessionId, final List<ClientConsumer> sessionConsumers, final List<DeliveryAck> seen)
        throws ClientException
    {
        checkOpen();
        for (final ClientConsumer consumer : sessionConsumers)
        {
            consumer.beginRecover();
        }
        final long correlationId = nextId();
        final WireWriter writer = BrokerCommandEncoder.beginRecover(writer(), correlationId, sessionId, seen.size());
        for (final DeliveryAck ack : seen)
        {
            BrokerCommandEncoder.delivery(writer, ack.consumerId(), ack.deliveryId());
        }
        writer.endFrame();
        call(correlationId, writer, "recover", () ->
        {
            for (final ClientConsumer consumer : sessionConsumers)
            {
                consumer.endRecover();
            }
        });
    }

    /**
     * Closes a session on the broker: what its consumers were sent and nobody acknowledged goes back to
     * the queues.
     */
    public void closeSession(final long sessionId) throws ClientException
    {
        if (!isOpen())
        {
            return;
        }
        final long correlationId = nextId();
        call(correlationId, BrokerCommandEncoder.closeSession(writer(), correlationId, sessionId), "close session");
    }

    /**
     * Sends one message.
     *
     * @param sync wait until the broker has taken it (and, once it has a journal, forced it to disk).
     */
    public void send(
        final byte destinationType, final String destinationName, final MessageEncoder encoder, final boolean sync)
        throws ClientException
    {
        checkOpen();
        awaitRoom(destinationType, destinationName);
        final long correlationId = sync ? nextId() : 0;
        final WireWriter writer = BrokerCommandEncoder.beginSend(writer(), correlationId, destinationType, destinationName);
        encoder.encode(writer);
        writer.endFrame();
        if (sync)
        {
            call(correlationId, writer, "send to " + destinationName);
        }
        else
        {
            awaitWritable();
            write(writer);
        }
    }

    /**
     * Sends one message without waiting: the future completes when the broker has taken it (a persistent
     * message: forced it to disk), or fails with a {@link ClientException}; a non-persistent message's future is
     * complete once it is written. Futures of one connection complete in the order the sends were made.
     */
    public CompletableFuture<byte[]> sendAsync(
        final byte destinationType, final String destinationName, final MessageEncoder encoder, final boolean persistent)
        throws ClientException
    {
        if (!persistent)
        {
            send(destinationType, destinationName, encoder, false);
            return CompletableFuture.completedFuture(null);
        }
        checkOpen();
        awaitRoom(destinationType, destinationName);
        final long correlationId = nextId();
        final WireWriter writer = BrokerCommandEncoder.beginSend(writer(), correlationId, destinationType, destinationName);
        encoder.encode(writer);
        writer.endFrame();
        final CompletableFuture<byte[]> reply = new CompletableFuture<>();
        pending.put(correlationId, reply);
        checkOpen();
        awaitWritable();
        write(writer);
        final CompletableFuture<byte[]> answered = new CompletableFuture<>();
        reply.whenComplete((result, failure) ->
        {
            if (failure == null)
            {
                answered.complete(result);
            }
            else
            {
                answered.completeExceptionally(failure instanceof ClientException ? failure :
                    new ClientException(ErrorCode.GENERIC, "send to " + destinationName + " failed: " + failure, failure));
            }
        });
        try
        {
            channel.eventLoop().schedule(() ->
            {
                if (pending.remove(correlationId, reply))
                {
                    reply.completeExceptionally(new ClientException(ClientException.TIMEOUT,
                        "send to " + destinationName + ": no answer from " + url + " within " + callTimeoutMs + " ms"));
                }
            }, callTimeoutMs, TimeUnit.MILLISECONDS);
        }
        catch (final java.util.concurrent.RejectedExecutionException ex)
        {
            // The connection's I/O is shutting down: its loss fails every pending reply.
        }
        return answered;
    }

    /**
     * Creates a temporary queue or topic owned by this connection; the broker deletes it when the
     * connection ends.
     */
    public void createTemporary(final byte destinationType, final String name) throws ClientException
    {
        temporary(FrameType.CREATE_TEMP, destinationType, name, "create temporary destination " + name);
    }

    /**
     * Deletes a temporary destination of this connection; refused while it has consumers.
     */
    public void deleteTemporary(final byte destinationType, final String name) throws ClientException
    {
        temporary(FrameType.DELETE_TEMP, destinationType, name, "delete temporary destination " + name);
    }

    private void temporary(final byte frameType, final byte destinationType, final String name, final String what)
        throws ClientException
    {
        checkOpen();
        final long correlationId = nextId();
        call(correlationId, BrokerCommandEncoder.temporary(writer(), frameType, correlationId, destinationType, name), what);
    }

    /**
     * Sends a transaction's messages and acknowledgements for the broker to apply as one unit.
     */
    public void commit(final List<PendingSend> sends, final List<DeliveryAck> acks) throws ClientException
    {
        checkOpen();
        awaitRoom(sends);
        final long correlationId = nextId();
        final WireWriter writer = BrokerCommandEncoder.beginCommit(writer(), correlationId);
        writeTransaction(writer, sends, acks);
        call(correlationId, writer, "commit");
    }

    /**
     * Has the broker store an XA branch's work as prepared; returns once it is stored.
     */
    public void xaPrepare(final WireXid xid, final List<PendingSend> sends, final List<DeliveryAck> acks)
        throws ClientException
    {
        checkOpen();
        awaitRoom(sends);
        final long correlationId = nextId();
        final WireWriter writer = BrokerCommandEncoder.beginXaPrepare(writer(), correlationId, xid);
        writeTransaction(writer, sends, acks);
        call(correlationId, writer, "prepare");
    }

    /**
     * Completes a prepared XA branch: {@link FrameType#XA_COMMIT}, {@link FrameType#XA_ROLLBACK} or
     * {@link FrameType#XA_FORGET}.
     */
    public void xaComplete(final byte frameType, final WireXid xid) throws ClientException
    {
        checkOpen();
        final long correlationId = nextId();
        call(correlationId, BrokerCommandEncoder.xaComplete(writer(), frameType, correlationId, xid),
            FrameType.name(frameType));
    }

    /**
     * @return the XA branches the broker holds prepared or heuristically completed.
     */
    public List<WireXid> xaRecover() throws ClientException
    {
        checkOpen();
        final long correlationId = nextId();
        final byte[] result = call(correlationId, BrokerCommandEncoder.xaRecover(writer(), correlationId), "recover", null);
        try
        {
            final WireReader reader = new WireReader().wrap(new UnsafeBuffer(result == null ? new byte[0] : result), 0,
                result == null ? 0 : result.length);
            final int count = reader.readCount(12);
            final List<WireXid> xids = new ArrayList<>(count);
            for (int i = 0; i < count; i++)
            {
                xids.add(WireXid.read(reader));
            }
            reader.requireEnd("XA_RECOVER reply");
            return xids;
        }
        catch (final ProtocolException ex)
        {
            throw new ClientException(ErrorCode.MALFORMED_FRAME, "recover: the broker's answer is malformed: " + ex.getMessage());
        }
    }

    private static void writeTransaction(final WireWriter writer, final List<PendingSend> sends, final List<DeliveryAck> acks)
    {
        BrokerCommandEncoder.sends(writer, sends.size());
        for (final PendingSend send : sends)
        {
            BrokerCommandEncoder.send(writer, send.destinationType(), send.destinationName(), send.message());
        }
        BrokerCommandEncoder.acks(writer, acks.size());
        for (final DeliveryAck ack : acks)
        {
            BrokerCommandEncoder.delivery(writer, ack.consumerId(), ack.deliveryId());
        }
        writer.endFrame();
    }

    /**
     * Acknowledges one delivery without waiting for the broker.
     */
    public void ack(final long consumerId, final long deliveryId) throws ClientException
    {
        checkOpen();
        write(BrokerCommandEncoder.ack(writer(), consumerId, deliveryId));
    }

    public void ackBatch(final Collection<DeliveryAck> acks, final boolean sync) throws ClientException
    {
        if (acks.isEmpty())
        {
            return;
        }
        checkOpen();
        final long correlationId = sync ? nextId() : 0;
        final WireWriter writer = BrokerCommandEncoder.beginAckBatch(writer(), correlationId, acks.size());
        for (final DeliveryAck ack : acks)
        {
            BrokerCommandEncoder.delivery(writer, ack.consumerId(), ack.deliveryId());
        }
        writer.endFrame();
        if (sync)
        {
            call(correlationId, writer, "acknowledge");
        }
        else
        {
            write(writer);
        }
    }

    /**
     * Gives deliveries back to their queues, in the order given, to be delivered again.
     */
    public void release(final Collection<DeliveryAck> deliveries, final boolean sync) throws ClientException
    {
        if (deliveries.isEmpty())
        {
            return;
        }
        checkOpen();
        final long correlationId = sync ? nextId() : 0;
        final WireWriter writer = BrokerCommandEncoder.beginRelease(writer(), correlationId, deliveries.size());
        for (final DeliveryAck ack : deliveries)
        {
            BrokerCommandEncoder.released(writer, ack.consumerId(), ack.deliveryId(), ack.redelivered());
        }
        writer.endFrame();
        if (sync)
        {
            call(correlationId, writer, "release");
        }
        else
        {
            write(writer);
        }
    }

    void credit(final long consumerId, final int credit, final int bytes)
    {
        if (!isOpen())
        {
            return;
        }
        write(BrokerCommandEncoder.credit(writer(), consumerId, credit, bytes));
    }

    /**
     * Says goodbye (the broker releases everything still held by this connection) and closes the channel.
     * Idempotent.
     */
    public void close()
    {
        if (!closing.compareAndSet(false, true))
        {
            return;
        }
        try
        {
            if (failure == null)
            {
                final long correlationId = nextId();
                final CompletableFuture<byte[]> reply = new CompletableFuture<>();
                pending.put(correlationId, reply);
                write(BrokerCommandEncoder.goodbye(writer(), correlationId));
                await(reply, "close");
            }
        }
        catch (final ClientException ignore)
        {
            // The connection is going away either way; the broker releases our state when the channel drops.
        }
        finally
        {
            channel.close().awaitUninterruptibly(callTimeoutMs);
        }
    }

    private void call(final long correlationId, final WireWriter writer, final String what) throws ClientException
    {
        call(correlationId, writer, what, null);
    }

    /**
     * @param onReplyInIo run on the I/O thread when the reply (or a failure) arrives, before any frame that
     *                    follows it is handled; null for none.
     */
    private byte[] call(final long correlationId, final WireWriter writer, final String what, final Runnable onReplyInIo)
        throws ClientException
    {
        final CompletableFuture<byte[]> reply = new CompletableFuture<>();
        if (onReplyInIo != null)
        {
            replyHooks.put(correlationId, onReplyInIo);
        }
        pending.put(correlationId, reply);
        try
        {
            checkOpen();
            write(writer);
            return await(reply, what);
        }
        catch (final ClientException ex)
        {
            // No reply is coming, or it came too late to matter: the hook still runs, once.
            runReplyHook(correlationId);
            throw ex;
        }
    }

    private void runReplyHook(final long correlationId)
    {
        final Runnable hook = replyHooks.remove(correlationId);
        if (hook != null)
        {
            hook.run();
        }
    }

    /**
     * @return the call waiting for this reply, or null; its hook has run (on the I/O thread, as this is called).
     */
    private CompletableFuture<byte[]> answered(final long correlationId)
    {
        runReplyHook(correlationId);
        return pending.remove(correlationId);
    }

    private byte[] await(final CompletableFuture<byte[]> future, final String what) throws ClientException
    {
        try
        {
            return future.get(callTimeoutMs, TimeUnit.MILLISECONDS);
        }
        catch (final ExecutionException ex)
        {
            if (ex.getCause() instanceof ClientException)
            {
                final ClientException cause = (ClientException)ex.getCause();
                throw new ClientException(cause.code(), cause.getMessage(), cause);
            }
            throw new ClientException(ErrorCode.GENERIC, what + " failed: " + ex.getCause(), ex.getCause());
        }
        catch (final TimeoutException ex)
        {
            pending.values().remove(future);
            throw new ClientException(ClientException.TIMEOUT,
                what + ": no answer from " + url + " within " + callTimeoutMs + " ms");
        }
        catch (final InterruptedException ex)
        {
            Thread.currentThread().interrupt();
            pending.values().remove(future);
            throw new ClientException(ErrorCode.GENERIC, what + " interrupted");
        }
    }

    private void checkOpen() throws ClientException
    {
        final ClientException cause = failure;
        if (cause != null)
        {
            throw new ClientException(cause.code(), cause.getMessage(), cause);
        }
        if (closing.get())
        {
            throw new ClientException(ErrorCode.ILLEGAL_STATE, "connection to " + url + " is closed");
        }
    }

    /**
     * Blocks a sender while the socket's outbound buffer is above its high watermark, so an asynchronous
     * producer cannot fill the heap faster than the network drains it.
     */
    private void awaitRoom(final List<PendingSend> sends) throws ClientException
    {
        for (final PendingSend send : sends)
        {
            awaitRoom(send.destinationType(), send.destinationName());
        }
    }

    /**
     * Waits while the broker says the destination is full under its BLOCK policy: for as long as that lasts,
     * as the policy means, but no longer than the connection.
     */
    private void awaitRoom(final byte destinationType, final String destinationName) throws ClientException
    {
        if (!anyBlocked)
        {
            return;
        }
        final String key = destinationType + ":" + destinationName;
        synchronized (blocked)
        {
            boolean logged = false;
            while (blocked.contains(key))
            {
                checkOpen();
                if (!logged)
                {
                    LOG.log(System.Logger.Level.DEBUG, "send to " + destinationName + " waits: the broker says it is full");
                    logged = true;
                }
                try
                {
                    blocked.wait(100);
                }
                catch (final InterruptedException ex)
                {
                    Thread.currentThread().interrupt();
                    throw new ClientException(ErrorCode.GENERIC, "send to " + destinationName + " interrupted while the " +
                        "broker said it is full");
                }
            }
        }
    }

    private void awaitWritable() throws ClientException
    {
        final Channel ch = channel;
        if (isWritable(ch) || ch.eventLoop().inEventLoop())
        {
            return;
        }
        synchronized (writability)
        {
            final long deadline = System.nanoTime() + TimeUnit.MILLISECONDS.toNanos(callTimeoutMs);
            while (!isWritable(ch) && ch.isActive())
            {
                final long leftMs = TimeUnit.NANOSECONDS.toMillis(deadline - System.nanoTime());
                if (leftMs <= 0)
                {
                    throw new ClientException(ClientException.TIMEOUT,
                        "send blocked for " + callTimeoutMs + " ms: " + url + " is not reading");
                }
                try
                {
                    writability.wait(Math.min(leftMs, 100));
                }
                catch (final InterruptedException ex)
                {
                    Thread.currentThread().interrupt();
                    throw new ClientException(ErrorCode.GENERIC, "send interrupted");
                }
            }
        }
        checkOpen();
    }

    private boolean isWritable(final Channel ch)
    {
        return ch.isWritable() && !outbound.isOverLimit();
    }

    private void wakeWriters()
    {
        synchronized (writability)
        {
            writability.notifyAll();
        }
    }

    /**
     * Writes a frame without waiting: it leaves with whatever else was written meanwhile (see {@link OutboundBatcher}).
     */
    private void write(final WireWriter writer)
    {
        outbound.write(writer);
    }

    private static WireWriter writer()
    {
        return WRITERS.get().reset();
    }

    private void onLost(final ClientException cause)
    {
        if (failure != null)
        {
            return;
        }
        failure = cause;
        handshake.completeExceptionally(cause);
        for (final Long correlationId : List.copyOf(replyHooks.keySet()))
        {
            runReplyHook(correlationId);
        }
        for (final CompletableFuture<byte[]> future : pending.values())
        {
            future.completeExceptionally(cause);
        }
        pending.clear();
        for (final ClientConsumer consumer : consumers.values())
        {
            consumer.onConnectionLost(cause);
        }
        synchronized (writability)
        {
            writability.notifyAll();
        }
        if (!closing.get() && listener != null)
        {
            listener.onConnectionLost(cause);
        }
    }

    /**
     * Handles, on the I/O thread, the frames the broker sends ({@link BrokerEventDecoder} decodes them).
     */
    private final class Handler extends ChannelInboundHandlerAdapter implements BrokerEventDecoder.Handler
    {
        private final UnsafeBuffer view = new UnsafeBuffer(0, 0);
        private final WireReader reader = new WireReader();
        private String lastError;

        @Override
        public void channelRead(final ChannelHandlerContext ctx, final Object msg)
        {
            final ByteBuf frame = (ByteBuf)msg;
            try
            {
                BrokerEventDecoder.decode(NettyFrames.open(view, reader, frame), reader, this);
            }
            catch (final ProtocolException ex)
            {
                lastError = "broker " + url + " sent a malformed frame: " + ex.getMessage();
                ctx.close();
            }
            finally
            {
                frame.release();
            }
        }

        @Override
        public void onDeliver(final long consumerId, final long deliveryId, final int deliveryCount, final byte[] message)
        {
            final ClientConsumer consumer = consumers.get(consumerId);
            if (consumer != null)
            {
                consumer.onDelivery(new Delivery(consumerId, deliveryId, deliveryCount, message));
            }
        }

        @Override
        public void onOk(final long correlationId)
        {
            final CompletableFuture<byte[]> future = answered(correlationId);
            if (future != null)
            {
                future.complete(null);
            }
        }

        @Override
        public void onReply(final long correlationId, final WireReader result)
        {
            final CompletableFuture<byte[]> future = answered(correlationId);
            final byte[] bytes = result.readRest();
            if (future != null)
            {
                future.complete(bytes);
            }
        }

        @Override
        public void onFlow(final byte destinationType, final String destinationName, final boolean full)
        {
            final String key = destinationType + ":" + destinationName;
            synchronized (blocked)
            {
                if (full)
                {
                    blocked.add(key);
                }
                else
                {
                    blocked.remove(key);
                    blocked.notifyAll();
                }
                anyBlocked = !blocked.isEmpty();
            }
        }

        @Override
        public void onBrowseEnd(final long consumerId)
        {
            final ClientConsumer consumer = consumers.get(consumerId);
            if (consumer != null)
            {
                consumer.onBrowseEnd();
            }
        }

        @Override
        public void onError(final long correlationId, final int code, final String message)
        {
            final ClientException error = new ClientException(code, message);
            if (correlationId == 0)
            {
                if (handshake.isDone() && code != ErrorCode.MALFORMED_FRAME && code != ErrorCode.FRAME_TOO_LONG &&
                    code != ErrorCode.SHUTTING_DOWN)
                {
                    // A fire-and-forget command (a non-persistent send) failed; nobody waits for it.
                    LOG.log(System.Logger.Level.WARNING, "broker " + url + ": " + message);
                }
                else
                {
                    lastError = message;
                    handshake.completeExceptionally(error);
                }
            }
            else
            {
                final CompletableFuture<byte[]> future = answered(correlationId);
                if (future != null)
                {
                    future.completeExceptionally(error);
                }
            }
        }

        @Override
        public void onHelloOk(final short version, final long connectionId, final String brokerName,
            final String temporaryScope)
        {
            ClientConnection.this.connectionId = connectionId;
            ClientConnection.this.brokerName = brokerName;
            ClientConnection.this.temporaryScope = temporaryScope;
            if (version != FrameDescriptor.PROTOCOL_VERSION)
            {
                throw new ProtocolException("broker answered with protocol version " + version);
            }
            handshake.complete(null);
        }

        @Override
        public void onPing(final long token)
        {
            write(BrokerCommandEncoder.pong(writer(), token));
        }

        @Override
        public void channelWritabilityChanged(final ChannelHandlerContext ctx)
        {
            wakeWriters();
            ctx.fireChannelWritabilityChanged();
        }

        @Override
        public void exceptionCaught(final ChannelHandlerContext ctx, final Throwable cause)
        {
            lastError = "connection to " + url + " failed: " + cause.getMessage();
            ctx.close();
        }

        @Override
        public void channelInactive(final ChannelHandlerContext ctx)
        {
            final String reason = lastError != null ? lastError : "connection to " + url + " was lost";
            onLost(new ClientException(ClientException.CONNECTION_LOST, reason));
        }
    }
}
