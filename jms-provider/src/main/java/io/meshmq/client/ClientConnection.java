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
import io.meshmq.protocol.TemporaryNames;
import io.meshmq.protocol.WireReader;
import io.meshmq.protocol.WireWriter;
import io.meshmq.protocol.WireXid;
import io.meshmq.transport.NettyFrames;
import io.netty.buffer.ByteBuf;
import io.netty.channel.Channel;
import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.ChannelInboundHandlerAdapter;
import org.agrona.concurrent.UnsafeBuffer;

import java.io.IOException;
import java.io.InputStream;
import java.util.ArrayList;
import java.util.Collection;
import java.util.Comparator;
import java.util.HashMap;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Set;
import java.util.UUID;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.RejectedExecutionException;
import java.util.concurrent.ScheduledFuture;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicLong;
import java.util.function.Consumer;

/**
 * A connection to a broker that survives the broker's death: the handshake, request/reply correlation, routing of
 * deliveries to {@link ClientConsumer}s, heartbeats, and failover. When the connection is lost and the
 * {@link BrokerList} allows reconnecting, a reconnect thread walks the list with back-off, makes again on the new
 * broker what this connection had (client id, temporary destinations, consumers), sends again the persistent
 * asynchronous sends not yet confirmed, and lets the calls that waited meanwhile through. Deliveries and
 * acknowledgements carry the number of the connection they belong to ({@link Delivery#link()}): one from before a
 * failover is never acknowledged on the new broker. Thread safe.
 */
public final class ClientConnection
{
    private static final System.Logger LOG = System.getLogger(ClientConnection.class.getName());
    /** Bytes gathered for the socket above which a send waits, as it does for the channel's own high-water mark. */
    private static final int OUTBOUND_LIMIT_BYTES = 1024 * 1024;
    /** How long a broker reached during a failover has to say which journal it serves (its TOPOLOGY). */
    private static final long JOURNAL_HEARD_MS = 1_000;
    private static final ThreadLocal<WireWriter> WRITERS = ThreadLocal.withInitial(() -> new WireWriter(1024));

    /** Encodes one request with the correlation id of this attempt. */
    @FunctionalInterface
    private interface Request
    {
        WireWriter encode(WireWriter out, long correlationId);
    }

    /** What a call does when the connection it was made on is lost before the answer. */
    private enum OnLinkLost
    {
        /** Make it again on the next connection: it is safe to repeat. */
        RETRY,
        /** Count it done: the broker that had its state is gone, which does what the call asked. */
        SUCCEED,
        /** Throw: the outcome is unknown and the caller must hear so. */
        FAIL
    }

    /** A persistent asynchronous send the broker has not confirmed yet: sent again after a failover. */
    private record UnconfirmedSend(byte destinationType, String destinationName, byte[] message,
        CompletableFuture<byte[]> reply)
    {
    }

    /** A temporary destination of this connection, made again on the broker after a failover. */
    private static final class Temporary
    {
        final byte type;
        int link;

        Temporary(final byte type)
        {
            this.type = type;
        }
    }

    private final BrokerList brokers;
    private final String user;
    private final String password;
    private volatile String clientId;
    private final ConnectionListener listener;
    private final long callTimeoutMs;
    /** Rounds over the list after a loss: -1 for ever, 0 never (read once: it is asked on every take). */
    private final int reconnectAttempts;
    private final Map<Long, CompletableFuture<byte[]>> pending = new ConcurrentHashMap<>();
    /**
     * What must happen on the I/O thread when a call's reply arrives, before the frames after it are handled.
     * Not a dependent of the reply's future: a thread waiting in get() may run those itself, after the I/O thread
     * has moved on.
     */
    private final Map<Long, Runnable> replyHooks = new ConcurrentHashMap<>();
    private final Map<Long, ClientConsumer> consumers = new ConcurrentHashMap<>();
    /** In send order; guarded by itself, which also orders the writes of asynchronous sends with a failover. */
    private final LinkedHashMap<Long, UnconfirmedSend> unconfirmed = new LinkedHashMap<>();
    private final Map<String, Temporary> temporaries = new ConcurrentHashMap<>();
    private final AtomicLong ids = new AtomicLong();
    /** Unique to this connection: with {@link #commits}, the id of each commit, so that one in doubt can be asked. */
    private final String commitIds = UUID.randomUUID() + "/";
    private final AtomicLong commits = new AtomicLong();
    private final AtomicBoolean closing = new AtomicBoolean();
    private final Object writability = new Object();
    /** Destinations the broker told us are full under its BLOCK policy ("type:name"); guarded by itself. */
    private final Set<String> blocked = new HashSet<>();
    /** Whether {@link #blocked} has anything: sends check this, not the lock, while nothing is blocked. */
    private volatile boolean anyBlocked;
    /** Guards publishing and losing {@link #link}; calls wait on it while the client reconnects. */
    private final Object linkLock = new Object();
    /** The connection to a broker calls go to; null while reconnecting or after the client gave up. */
    private volatile Link link;
    /** The last connection that was published, for what the application asks about while reconnecting. */
    private volatile Link lastLink;
    private int linkCount;
    /** Guards {@link #deliveryStopped} and {@link #newestLink}: each connection to a broker hears the latest state. */
    private final Object flowLock = new Object();
    /** JMS connections begin stopped. Written under {@link #flowLock} before the broker is told; read on I/O threads. */
    private volatile boolean deliveryStopped = true;
    /** The last connection to a broker begun: the one a start or stop must reach (published or about to be). */
    private Link newestLink;
    private volatile ClientException failure;
    /** The live members the cluster last announced, as URLs with this list's options: failover may go to them too. */
    private volatile List<ConnectionUrl> topology = List.of();
    /** With HA: the member serving each journal, as the cluster last announced it; empty without HA. */
    private volatile Map<String, ConnectionUrl> journals = Map.of();
    /** The discovery group (udp:// or jgroups://) the brokers were found on; null for a URL list. */
    private volatile BrokerList group;
    /** Brokers heard on the group when every known one failed; tried besides the others from then on. */
    private volatile List<ConnectionUrl> heardAgain = List.of();

    private ClientConnection(
        final BrokerList brokers, final String user, final String password, final String clientId,
        final ConnectionListener listener)
    {
        this.brokers = brokers;
        this.user = user;
        this.password = password;
        this.clientId = clientId;
        this.listener = listener;
        this.callTimeoutMs = brokers.first().callTimeoutMs();
        this.reconnectAttempts = brokers.reconnectAttempts();
    }

    /**
     * Connects to the one broker of the URL and completes the handshake.
     *
     * @throws ClientException with the broker's reason if it refused, or why the connection failed.
     */
    public static ClientConnection open(
        final ConnectionUrl url, final String user, final String password, final String clientId,
        final ConnectionListener listener) throws ClientException
    {
        return open(BrokerList.of(url), user, password, clientId, listener);
    }

    /**
     * Connects to the first broker of the list that answers (in {@link BrokerList#inTryOrder()}; for a discovery
     * group, of the brokers heard on it) and completes the handshake.
     *
     * @throws ClientException with the reason the last broker refused or could not be reached; a refusal of the
     *                         credentials or the client id is thrown at once.
     */
    public static ClientConnection open(
        final BrokerList given, final String user, final String password, final String clientId,
        final ConnectionListener listener) throws ClientException
    {
        final BrokerList brokers = given.isDiscovery() ? GroupDiscovery.resolve(given) : given;
        final ClientConnection connection = new ClientConnection(brokers, user, password, clientId, listener);
        connection.group = given.isDiscovery() ? given : null;
        ClientException last = null;
        for (final ConnectionUrl url : brokers.inTryOrder())
        {
            try
            {
                final Link link = connection.connect(url);
                connection.publish(link);
                return connection;
            }
            catch (final ClientException ex)
            {
                if (ex.code() == ErrorCode.SECURITY || ex.code() == ErrorCode.INVALID_CLIENT_ID ||
                    ex.code() == ErrorCode.GENERIC && ex.getCause() instanceof IllegalArgumentException)
                {
                    throw ex;
                }
                last = brokers.urls().size() == 1 ? ex : new ClientException(ex.code(),
                    "no broker of " + brokers + " could be reached; the last said: " + ex.getMessage(), ex);
            }
        }
        throw last;
    }

    public ConnectionUrl url()
    {
        final Link current = lastLink;
        return current == null ? brokers.first() : current.url;
    }

    public BrokerList brokers()
    {
        return brokers;
    }

    public String brokerName()
    {
        final Link current = lastLink;
        return current == null ? null : current.brokerName;
    }

    /**
     * @return what the broker wants in the names of this connection's temporary destinations (its cluster node),
     * null outside a cluster.
     */
    public String temporaryScope()
    {
        final Link current = lastLink;
        return current == null ? null : current.temporaryScope;
    }

    /**
     * @return the id the broker gave this connection, unique within the broker's lifetime.
     */
    public long connectionId()
    {
        final Link current = lastLink;
        return current == null ? 0 : current.connectionId;
    }

    public long nextId()
    {
        return ids.incrementAndGet();
    }

    /**
     * @return false once closed or once the client gave up reconnecting; true while it reconnects.
     */
    public boolean isOpen()
    {
        return failure == null && !closing.get();
    }

    /**
     * @return true if the client reconnects when its connection to a broker is lost.
     */
    public boolean failsOver()
    {
        return reconnectAttempts != 0;
    }

    /**
     * @return true while the connection to a broker is lost and the client is making a new one.
     */
    public boolean isReconnecting()
    {
        return isOpen() && link == null;
    }

    // ---- consumers ----------------------------------------------------------------------------------------

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
        return createConsumer(sessionId, destinationType, destinationName, selector, flags, subscriptionName,
            consumer -> { });
    }

    /**
     * @param beforeBroker told of the consumer before the broker is asked for it (and may send it messages), e.g. to
     *                     start it with its connection; the consumer is closed if the broker then refuses it.
     */
    public ClientConsumer createConsumer(
        final long sessionId, final byte destinationType, final String destinationName, final String selector,
        final byte flags, final String subscriptionName, final Consumer<ClientConsumer> beforeBroker)
        throws ClientException
    {
        checkOpen();
        final long consumerId = nextId();
        final ConnectionUrl options = brokers.first();
        final ClientConsumer consumer = new ClientConsumer(this, consumerId, sessionId,
            new ClientConsumer.Spec(destinationType, destinationName, selector, flags, subscriptionName),
            options.consumerWindow(), options.consumerWindowBytes(), ConsumerFlags.isSet(flags, ConsumerFlags.BROWSER));
        consumers.put(consumerId, consumer);
        try
        {
            beforeBroker.accept(consumer);
            while (true)
            {
                final Link on = awaitLink();
                try
                {
                    createOn(on, consumer);
                    return consumer;
                }
                catch (final ClientException ex)
                {
                    if (!lostWith(on, ex))
                    {
                        throw ex;
                    }
                }
            }
        }
        catch (final ClientException ex)
        {
            consumers.remove(consumerId);
            consumer.close();
            throw ex;
        }
    }

    /**
     * Creates the consumer on one connection unless it is there already (a failover made it) or closed.
     */
    private void createOn(final Link on, final ClientConsumer consumer) throws ClientException
    {
        synchronized (consumer.creation)
        {
            if (consumer.link() == on.number || consumer.isClosed())
            {
                return;
            }
            consumer.moveTo(on.number);
            final ClientConsumer.Spec spec = consumer.spec();
            callOn(on, "create consumer on " + spec.destinationName(), null, (out, correlationId) ->
                BrokerCommandEncoder.createConsumer(out, correlationId, consumer.sessionId(), consumer.consumerId(),
                    spec.destinationType(), spec.destinationName(), spec.selector(), spec.flags(),
                    spec.subscriptionName(), consumer.window(), consumer.windowBytes()));
        }
    }

    /**
     * Stops deliveries to a consumer. Deliveries the application saw and has not acknowledged
     * ({@code keep}: CLIENT_ACKNOWLEDGE, transactions) stay with the session until it acknowledges, recovers
     * or closes; every other unacknowledged one goes back to the queue as never delivered.
     */
    public void closeConsumer(final ClientConsumer consumer, final List<DeliveryAck> keep) throws ClientException
    {
        try
        {
            final Link on;
            synchronized (consumer.creation)
            {
                consumer.close();
                on = link;
                if (on == null || consumer.link() != on.number || !isOpen())
                {
                    // Not on the broker the client is connected to: nothing there to close.
                    return;
                }
            }
            final List<DeliveryAck> current = onLink(keep, on);
            call(on, "close consumer", OnLinkLost.SUCCEED, null, (out, correlationId) ->
            {
                final WireWriter writer =
                    BrokerCommandEncoder.beginCloseConsumer(out, correlationId, consumer.consumerId(), current.size());
                for (final DeliveryAck ack : current)
                {
                    BrokerCommandEncoder.deliveryId(writer, ack.deliveryId());
                }
                return writer.endFrame();
            });
        }
        finally
        {
            consumers.remove(consumer.consumerId());
        }
    }

    /**
     * Session recover or rollback: every unacknowledged delivery of the session's consumers goes back to its
     * queue and comes again in order; {@code seen} lists those the application saw, which come back marked
     * redelivered. After a failover every one of them comes again anyway.
     */
    public void recover(final long sessionId, final List<ClientConsumer> sessionConsumers, final List<DeliveryAck> seen)
        throws ClientException
    {
        final Link on = awaitLink();
        for (final ClientConsumer consumer : sessionConsumers)
        {
            consumer.beginRecover();
        }
        final List<DeliveryAck> current = onLink(seen, on);
        call(on, "recover", OnLinkLost.SUCCEED, () ->
        {
            for (final ClientConsumer consumer : sessionConsumers)
            {
                consumer.endRecover();
            }
        }, (out, correlationId) ->
        {
            final WireWriter writer = BrokerCommandEncoder.beginRecover(out, correlationId, sessionId, current.size());
            for (final DeliveryAck ack : current)
            {
                BrokerCommandEncoder.delivery(writer, ack.consumerId(), ack.deliveryId());
            }
            return writer.endFrame();
        });
    }

    /**
     * Closes a session on the broker: what its consumers were sent and nobody acknowledged goes back to
     * the queues.
     */
    public void closeSession(final long sessionId) throws ClientException
    {
        final Link on = link;
        if (on == null || !isOpen())
        {
            return;
        }
        call(on, "close session", OnLinkLost.SUCCEED, null,
            (out, correlationId) -> BrokerCommandEncoder.closeSession(out, correlationId, sessionId));
    }

    // ---- connection-wide calls ----------------------------------------------------------------------------

    /**
     * Gives this connection a client id; the broker refuses one another connection already has. A new connection
     * after a failover says it in its handshake.
     */
    public void setClientId(final String clientId) throws ClientException
    {
        call("set client id", OnLinkLost.RETRY, null,
            (out, correlationId) -> BrokerCommandEncoder.setClientId(out, correlationId, clientId));
        this.clientId = clientId;
    }

    /**
     * Deletes a durable subscription of this connection's client id.
     */
    public void unsubscribe(final String name) throws ClientException
    {
        call("unsubscribe " + name, OnLinkLost.RETRY, null,
            (out, correlationId) -> BrokerCommandEncoder.unsubscribe(out, correlationId, name));
    }

    /**
     * Runs a management verb ({@link io.meshmq.protocol.AdminVerbs}).
     *
     * @return the broker's answer.
     */
    public AdminTable admin(final String verb, final String... args) throws ClientException
    {
        final byte[] result = call(verb, OnLinkLost.RETRY, null,
            (out, correlationId) -> BrokerCommandEncoder.admin(out, correlationId, verb, args));
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

    // ---- sending ------------------------------------------------------------------------------------------

    /**
     * Sends one message.
     *
     * @param sync wait until the broker has taken it (a persistent message: forced it to disk); if the connection
     *             is lost first, it is sent again on the next one. Without, a message in flight when the connection
     *             is lost is lost, as a non-persistent message may be.
     */
    public void send(
        final byte destinationType, final String destinationName, final MessageEncoder encoder, final boolean sync)
        throws ClientException
    {
        checkOpen();
        awaitRoom(destinationType, destinationName);
        if (sync)
        {
            sendSync(destinationType, destinationName, encoder);
            return;
        }
        final Link on = awaitLink();
        final WireWriter writer = BrokerCommandEncoder.beginSend(writer(), 0, destinationType, destinationName);
        encoder.encode(writer);
        writer.endFrame();
        awaitWritable(on);
        on.outbound.write(writer);
    }

    /**
     * Sends and waits for the broker's answer; a send whose connection is lost first is sent again on the next,
     * saying which cluster node it went to before (that node may have stored it).
     */
    private void sendSync(final byte destinationType, final String destinationName, final MessageEncoder encoder)
        throws ClientException
    {
        Link on = awaitLink();
        String previousScope = null;
        while (true)
        {
            final String resentFrom = previousScope;
            try
            {
                callOn(on, "send to " + destinationName, null, (out, correlationId) ->
                {
                    final WireWriter writer = resentFrom == null ?
                        BrokerCommandEncoder.beginSend(out, correlationId, destinationType, destinationName) :
                        BrokerCommandEncoder.beginResend(out, correlationId, destinationType, destinationName, resentFrom);
                    encoder.encode(writer);
                    return writer.endFrame();
                });
                return;
            }
            catch (final ClientException ex)
            {
                if (!lostWith(on, ex))
                {
                    throw ex;
                }
                final Link next = awaitLink();
                if (strayed(on, next))
                {
                    throw sendInDoubt(on, next, destinationName);
                }
                previousScope = on.temporaryScope;
                on = next;
            }
        }
    }

    /**
     * @return true if what was sent on {@code lost} and not confirmed may not be sent again on {@code next}: with HA,
     * the lost broker's journal may hold it, and {@code next} serves another (that journal was not served again within
     * journalWait), so sending it there could deliver it twice.
     */
    private static boolean strayed(final Link lost, final Link next)
    {
        final String journal = lost == null ? null : lost.journal.getNow(null);
        return journal != null && !journal.equals(journalOf(next));
    }

    /**
     * @return the journal {@code on}'s broker serves, as its first TOPOLOGY says within {@value #JOURNAL_HEARD_MS} ms;
     * null if it says none.
     */
    private static String journalOf(final Link on)
    {
        try
        {
            return on.journal.get(JOURNAL_HEARD_MS, TimeUnit.MILLISECONDS);
        }
        catch (final TimeoutException | ExecutionException ex)
        {
            return null;
        }
        catch (final InterruptedException ex)
        {
            Thread.currentThread().interrupt();
            return null;
        }
    }

    private static ClientException sendInDoubt(final Link lost, final Link next, final String destinationName)
    {
        return new ClientException(ClientException.SEND_IN_DOUBT, "the connection to " + lost.url + " was lost " +
            "before it confirmed a send to " + destinationName + ", and no broker served its journal again within " +
            "journalWait; the client goes on with " + next.url + ", which serves another: the message may be stored " +
            "in the lost journal (then it is delivered once that journal is served again), so it is not sent again, " +
            "which could deliver it twice");
    }

    /**
     * Sends one message without waiting: the future completes when the broker has taken it (a persistent
     * message: forced it to disk), or fails with a {@link ClientException}; a non-persistent message's future is
     * complete once it is written. Futures of one connection complete in the order the sends were made. A
     * persistent message the broker has not confirmed when the connection is lost is sent again, in order, on the
     * next one.
     */
    public CompletableFuture<byte[]> sendAsync(
        final byte destinationType, final String destinationName, final byte[] message, final boolean persistent)
        throws ClientException
    {
        if (!persistent)
        {
            send(destinationType, destinationName, out -> out.writeRaw(message, 0, message.length), false);
            return CompletableFuture.completedFuture(null);
        }
        checkOpen();
        awaitRoom(destinationType, destinationName);
        final CompletableFuture<byte[]> reply = new CompletableFuture<>();
        final UnconfirmedSend send = new UnconfirmedSend(destinationType, destinationName, message, reply);
        final long correlationId = nextId();
        while (true)
        {
            final Link on = awaitLink();
            awaitWritable(on);
            synchronized (unconfirmed)
            {
                if (on != link)
                {
                    continue;
                }
                unconfirmed.put(correlationId, send);
                on.outbound.write(encodeSend(correlationId, send, null));
            }
            break;
        }
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
        scheduleTimeout(correlationId, send);
        return answered;
    }

    // ---- large messages -------------------------------------------------------------------------------------

    /**
     * @return bytes of body above which a message goes as a large message to the broker connected now; 0 if it takes
     * none (or none is connected).
     */
    public int largeMessageThreshold()
    {
        final Link on = link;
        return on == null ? 0 : on.largeThreshold;
    }

    /**
     * Sends a body in LARGE_CHUNKs on the connection the client has, reading it from {@code body} to its end, as fast
     * as the connection takes it.
     *
     * @return the upload, for the message that names it; of length 0 (nothing sent) for an empty body.
     * @throws ClientException if the broker takes no large messages, the body cannot be read, or the connection is lost.
     */
    public LargeUpload uploadLarge(final InputStream body) throws ClientException
    {
        final Link on = awaitLink();
        final int threshold = on.largeThreshold;
        if (threshold == 0)
        {
            throw new ClientException(ErrorCode.ILLEGAL_STATE, "the broker " + on.brokerName + " takes no large " +
                "messages (its large-message-threshold is 0, or it is a cluster member): a body given as a stream " +
                "cannot be sent to it");
        }
        final byte[] chunk = new byte[Math.min(FrameDescriptor.LARGE_CHUNK_BYTES, threshold)];
        final long uploadId = nextId();
        long length = 0;
        try
        {
            while (true)
            {
                final int read = body.readNBytes(chunk, 0, chunk.length);
                if (read <= 0)
                {
                    break;
                }
                awaitWritable(on);
                if (on.lost)
                {
                    throw new ClientException(ClientException.CONNECTION_LOST, "the connection to " + on.url + " was " +
                        "lost while a large message's body was sent; the message was not sent");
                }
                on.outbound.write(BrokerCommandEncoder.largeChunk(writer(), uploadId, chunk, 0, read));
                length += read;
                if (read < chunk.length)
                {
                    // readNBytes stops short only at the end: a stream is not read again after it said so.
                    break;
                }
            }
        }
        catch (final IOException ex)
        {
            if (length > 0)
            {
                on.outbound.write(BrokerCommandEncoder.largeCancel(writer(), uploadId));
            }
            throw new ClientException(ErrorCode.GENERIC, "cannot read the body of a large message from its " +
                "InputStream: " + ex, ex);
        }
        return new LargeUpload(uploadId, length, on.number);
    }

    /**
     * The message naming the upload will not be sent (its transaction rolled back): the broker deletes the body.
     */
    public void cancelLarge(final LargeUpload upload)
    {
        final Link on = link;
        if (on != null && on.number == upload.link() && !on.lost && upload.length() > 0)
        {
            on.outbound.write(BrokerCommandEncoder.largeCancel(writer(), upload.uploadId()));
        }
    }

    /**
     * Sends a large message on the connection its body went on; never again on another (the body is not there).
     *
     * @param message encoded with a {@link io.meshmq.protocol.LargeBodyDescriptor} naming the upload.
     * @param sync    wait until the broker has taken it (a persistent message: forced it, body and all, to disk).
     */
    public void sendLarge(final byte destinationType, final String destinationName, final byte[] message,
        final LargeUpload upload, final boolean sync) throws ClientException
    {
        checkOpen();
        awaitRoom(destinationType, destinationName);
        final Link on = awaitLink();
        if (on.number != upload.link())
        {
            throw new ClientException(ClientException.CONNECTION_LOST, "the connection to the broker was lost while " +
                "a large message was sent to " + destinationName + "; it was not stored: send it again");
        }
        if (!sync)
        {
            awaitWritable(on);
            on.outbound.write(BrokerCommandEncoder.beginSend(writer(), 0, destinationType, destinationName)
                .writeRaw(message, 0, message.length).endFrame());
            return;
        }
        try
        {
            callOn(on, "send to " + destinationName, null, (out, correlationId) -> BrokerCommandEncoder
                .beginSend(out, correlationId, destinationType, destinationName).writeRaw(message, 0, message.length)
                .endFrame());
        }
        catch (final ClientException ex)
        {
            if (lostWith(on, ex))
            {
                throw new ClientException(ClientException.CONNECTION_LOST, "the connection to " + on.url + " was " +
                    "lost before the broker answered a large message sent to " + destinationName + ": whether it was " +
                    "stored is not known", ex);
            }
            throw ex;
        }
    }

    /**
     * Asks for up to {@code length} bytes of a delivered large body from {@code position}.
     *
     * @return completes with the bytes (none at the body's end), or fails with a {@link ClientException}.
     */
    public CompletableFuture<byte[]> readLarge(final LargeLease lease, final long position, final int length)
    {
        final Link on = link;
        if (on == null || on.number != lease.link() || on.lost || lease.isDone())
        {
            return CompletableFuture.failedFuture(new ClientException(ErrorCode.ILLEGAL_STATE, lease.isDone() ?
                "this large message's body is no longer readable: read it before the message is acknowledged or the " +
                "next is received (see JMS_MeshMQ_SaveStream)" : "the connection this large message came on was lost: " +
                "its body can no longer be read"));
        }
        final long correlationId = nextId();
        final CompletableFuture<byte[]> reply = new CompletableFuture<>();
        pending.put(correlationId, reply);
        on.outbound.write(BrokerCommandEncoder.largeRead(writer(), correlationId, lease.bodyId(), position, length));
        if (on.lost && pending.remove(correlationId) != null)
        {
            reply.completeExceptionally(on.lostCause);
        }
        return reply;
    }

    /**
     * The client will read this delivery of a large body no more: the broker may delete the body once its message is
     * acknowledged. Said once; nothing to say on a connection that was lost.
     */
    public void largeDone(final LargeLease lease)
    {
        if (lease == null || !lease.markDone())
        {
            return;
        }
        final Link on = link;
        if (on != null && on.number == lease.link() && !on.lost)
        {
            on.outbound.write(BrokerCommandEncoder.largeDone(writer(), lease.bodyId()));
        }
    }

    /**
     * @param previousScope the temporary scope of the cluster node it was sent to before, for a send made again after
     *                      a failover; else null.
     */
    private static WireWriter encodeSend(final long correlationId, final UnconfirmedSend send, final String previousScope)
    {
        final WireWriter out = previousScope == null ?
            BrokerCommandEncoder.beginSend(writer(), correlationId, send.destinationType(), send.destinationName()) :
            BrokerCommandEncoder.beginResend(writer(), correlationId, send.destinationType(), send.destinationName(),
                previousScope);
        return out.writeRaw(send.message(), 0, send.message().length).endFrame();
    }

    /**
     * Fails an asynchronous send the broker has not confirmed within the call timeout; while the client
     * reconnects the clock does not run (the failover timeout bounds that), and a send sent again starts anew.
     */
    private void scheduleTimeout(final long correlationId, final UnconfirmedSend send)
    {
        final Link on = link;
        if (on == null)
        {
            return;
        }
        try
        {
            on.channel.eventLoop().schedule(() ->
            {
                if (link != on)
                {
                    return;
                }
                final boolean removed;
                synchronized (unconfirmed)
                {
                    removed = unconfirmed.remove(correlationId, send);
                }
                if (removed)
                {
                    send.reply().completeExceptionally(new ClientException(ClientException.TIMEOUT,
                        "send to " + send.destinationName() + ": no answer from " + on.url + " within " +
                        callTimeoutMs + " ms"));
                }
            }, callTimeoutMs, TimeUnit.MILLISECONDS);
        }
        catch (final RejectedExecutionException ex)
        {
            // The client's I/O is shutting down: closing fails every pending reply.
        }
    }

    /**
     * Creates a temporary queue or topic owned by this connection; the broker deletes it when the
     * connection ends, and a failover makes it again, under the same name, on the next broker.
     */
    public void createTemporary(final byte destinationType, final String name) throws ClientException
    {
        checkOpen();
        final Temporary temporary = new Temporary(destinationType);
        temporaries.put(name, temporary);
        try
        {
            while (true)
            {
                final Link on = awaitLink();
                try
                {
                    createOn(on, name, temporary);
                    return;
                }
                catch (final ClientException ex)
                {
                    if (!lostWith(on, ex))
                    {
                        throw ex;
                    }
                }
            }
        }
        catch (final ClientException ex)
        {
            temporaries.remove(name, temporary);
            throw ex;
        }
    }

    private void createOn(final Link on, final String name, final Temporary temporary) throws ClientException
    {
        synchronized (temporary)
        {
            if (temporary.link == on.number || temporaries.get(name) != temporary)
            {
                return;
            }
            callOn(on, "create temporary destination " + name, null, (out, correlationId) ->
                BrokerCommandEncoder.temporary(out, FrameType.CREATE_TEMP, correlationId, temporary.type, name));
            temporary.link = on.number;
        }
    }

    /**
     * Deletes a temporary destination of this connection; refused while it has consumers.
     */
    public void deleteTemporary(final byte destinationType, final String name) throws ClientException
    {
        call("delete temporary destination " + name, OnLinkLost.SUCCEED, null, (out, correlationId) ->
            BrokerCommandEncoder.temporary(out, FrameType.DELETE_TEMP, correlationId, destinationType, name));
        temporaries.remove(name);
    }

    // ---- transactions -------------------------------------------------------------------------------------

    /**
     * Sends a transaction's messages and acknowledgements for the broker to apply as one unit.
     *
     * @throws ClientException {@link ClientException#ROLLED_BACK} if it consumed a delivery from before a failover
     *                         (nothing is sent: the caller rolls back), or if the connection was lost before the broker
     *                         answered and the broker says it did not apply it; {@link ClientException#IN_DOUBT} if
     *                         the connection was lost and nobody can tell.
     */
    public void commit(final List<PendingSend> sends, final List<DeliveryAck> acks) throws ClientException
    {
        checkOpen();
        awaitRoom(sends);
        final Link on = awaitLink();
        if (onLink(acks, on).size() != acks.size())
        {
            throw new ClientException(ClientException.ROLLED_BACK, "the transaction was rolled back: the client " +
                "failed over to " + on.url + " after it consumed messages, which will be delivered again");
        }
        final String commitId = commitIds + Long.toString(commits.incrementAndGet(), Character.MAX_RADIX);
        try
        {
            call(on, "commit", OnLinkLost.FAIL, null, (out, correlationId) ->
            {
                writeWork(BrokerCommandEncoder.beginCommit(out, correlationId), sends, acks);
                return BrokerCommandEncoder.commitId(out, commitId).endFrame();
            });
        }
        catch (final ClientException ex)
        {
            if (lostWith(on, ex))
            {
                resolveInDoubt(on, commitId, ex);
                return;
            }
            throw ex;
        }
    }

    /**
     * The connection was lost while a commit was in flight: the broker the client reconnected to says, by the
     * commit's id, whether it was applied, if it is the one that decided (the same journal: that broker restarted, or
     * the one that took its journal over).
     *
     * @throws ClientException {@link ClientException#ROLLED_BACK} if it was not; {@link ClientException#IN_DOUBT} if
     *                         nobody can tell (the client reconnected to another broker).
     */
    private void resolveInDoubt(final Link lost, final String commitId, final ClientException cause)
        throws ClientException
    {
        while (true)
        {
            final Link on = awaitLink();
            final String decidedBy = TemporaryNames.nodeOfScope(lost.temporaryScope);
            final String askedNow = TemporaryNames.nodeOfScope(on.temporaryScope);
            if (!Objects.equals(decidedBy, askedNow))
            {
                throw new ClientException(ClientException.IN_DOUBT, "the connection to " + lost.url + " was lost " +
                    "while the commit was in flight, and the client reconnected to another broker (" + on.url + "), " +
                    "which cannot know: its outcome is unknown (if it was applied, the messages it sent are stored " +
                    "and those it consumed do not come again; if not, none is stored and they do)", cause);
            }
            final byte[] answer;
            try
            {
                answer = callOn(on, "look up the commit in flight", null,
                    (out, correlationId) -> BrokerCommandEncoder.commitCheck(out, correlationId, commitId));
            }
            catch (final ClientException ex)
            {
                if (lostWith(on, ex))
                {
                    continue;
                }
                throw ex;
            }
            if (answer == null || answer.length != 1 || answer[0] == 0)
            {
                throw new ClientException(ClientException.ROLLED_BACK, "the transaction was rolled back: the " +
                    "connection to " + lost.url + " was lost before it was applied; what it consumed will be " +
                    "delivered again", cause);
            }
            return;
        }
    }

    /**
     * Has the broker store an XA branch's work as prepared; returns once it is stored.
     */
    public void xaPrepare(final WireXid xid, final List<PendingSend> sends, final List<DeliveryAck> acks)
        throws ClientException
    {
        checkOpen();
        awaitRoom(sends);
        final Link on = awaitLink();
        if (onLink(acks, on).size() != acks.size())
        {
            throw new ClientException(ClientException.ROLLED_BACK, "the branch cannot be prepared: the client failed " +
                "over to " + on.url + " after it consumed messages, which will be delivered again");
        }
        call(on, "prepare", OnLinkLost.FAIL, null, (out, correlationId) ->
            writeWork(BrokerCommandEncoder.beginXaPrepare(out, correlationId, xid), sends, acks).endFrame());
    }

    /**
     * Completes a prepared XA branch: {@link FrameType#XA_COMMIT}, {@link FrameType#XA_ROLLBACK} or
     * {@link FrameType#XA_FORGET}.
     */
    public void xaComplete(final byte frameType, final WireXid xid) throws ClientException
    {
        call(FrameType.name(frameType), OnLinkLost.FAIL, null,
            (out, correlationId) -> BrokerCommandEncoder.xaComplete(out, frameType, correlationId, xid));
    }

    /**
     * @return the XA branches the broker holds prepared or heuristically completed.
     */
    public List<WireXid> xaRecover() throws ClientException
    {
        final byte[] result = call("recover", OnLinkLost.RETRY, null,
            (out, correlationId) -> BrokerCommandEncoder.xaRecover(out, correlationId));
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

    /**
     * Writes a transaction's sends and acknowledgements into a COMMIT or XA_PREPARE frame begun.
     */
    private static WireWriter writeWork(final WireWriter writer, final List<PendingSend> sends,
        final List<DeliveryAck> acks)
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
        return writer;
    }

    // ---- acknowledgements ---------------------------------------------------------------------------------

    /**
     * Acknowledges one delivery without waiting for the broker. One from before a failover is not acknowledged:
     * it comes again, as a message whose acknowledgement was lost does.
     */
    public void ack(final Delivery delivery) throws ClientException
    {
        checkOpen();
        final Link on = deliveredOn(delivery.link());
        if (on != null)
        {
            on.outbound.write(BrokerCommandEncoder.ack(writer(), delivery.consumerId(), delivery.deliveryId()));
        }
    }

    /**
     * @return the connection a delivery came on, if acknowledgements can still go there: the published one, or the
     * one a failover is replaying on. A listener takes what the new broker delivers before the replay ends; dropping
     * those acknowledgements left the messages delivered and unacknowledged there until the next failover, which
     * delivered them again (ColocatedTest saw messages come up to five times).
     */
    private Link deliveredOn(final int number)
    {
        final Link on = publishedOrReplaying();
        return on != null && on.number == number ? on : null;
    }

    private Link publishedOrReplaying()
    {
        final Link current = link;
        if (current != null)
        {
            return current;
        }
        synchronized (flowLock)
        {
            final Link next = newestLink;
            return next != null && !next.lost ? next : null;
        }
    }

    /**
     * @param sync wait for the broker; then a delivery from before a failover, or a connection lost before the
     *             answer, is an error ({@link ClientException#FAILED_OVER}), since those messages come again.
     *             Without, they are left to come again, as DUPS_OK_ACKNOWLEDGE allows.
     */
    public void ackBatch(final Collection<DeliveryAck> acks, final boolean sync) throws ClientException
    {
        if (acks.isEmpty())
        {
            return;
        }
        checkOpen();
        final Link on = sync ? awaitLink() : publishedOrReplaying();
        if (on == null)
        {
            return;
        }
        final List<DeliveryAck> current = onLink(acks, on);
        final int stale = acks.size() - current.size();
        if (!current.isEmpty())
        {
            if (sync)
            {
                try
                {
                    call(on, "acknowledge", OnLinkLost.FAIL, null, (out, correlationId) -> encodeAckBatch(out,
                        correlationId, current));
                }
                catch (final ClientException ex)
                {
                    if (lostWith(on, ex))
                    {
                        throw new ClientException(ClientException.FAILED_OVER, "the connection to " + on.url +
                            " was lost while " + current.size() + " messages were being acknowledged; any not " +
                            "acknowledged will be delivered again", ex);
                    }
                    throw ex;
                }
            }
            else
            {
                on.outbound.write(encodeAckBatch(writer(), 0, current));
            }
        }
        if (sync && stale > 0)
        {
            throw new ClientException(ClientException.FAILED_OVER, stale + " of the messages acknowledged were " +
                "received before the client failed over to " + on.url + "; they will be delivered again");
        }
    }

    private static WireWriter encodeAckBatch(final WireWriter out, final long correlationId, final List<DeliveryAck> acks)
    {
        final WireWriter writer = BrokerCommandEncoder.beginAckBatch(out, correlationId, acks.size());
        for (final DeliveryAck ack : acks)
        {
            BrokerCommandEncoder.delivery(writer, ack.consumerId(), ack.deliveryId());
        }
        return writer.endFrame();
    }

    /**
     * Gives deliveries back to their queues, in the order given, to be delivered again. Those from before a
     * failover come again anyway.
     */
    public void release(final Collection<DeliveryAck> deliveries, final boolean sync) throws ClientException
    {
        if (deliveries.isEmpty())
        {
            return;
        }
        checkOpen();
        final Link on = link;
        if (on == null)
        {
            return;
        }
        final List<DeliveryAck> current = onLink(deliveries, on);
        if (current.isEmpty())
        {
            return;
        }
        final Request request = (out, correlationId) ->
        {
            final WireWriter writer = BrokerCommandEncoder.beginRelease(out, correlationId, current.size());
            for (final DeliveryAck ack : current)
            {
                BrokerCommandEncoder.released(writer, ack.consumerId(), ack.deliveryId(), ack.redelivered());
            }
            return writer.endFrame();
        };
        if (sync)
        {
            call(on, "release", OnLinkLost.SUCCEED, null, request);
        }
        else
        {
            on.outbound.write(request.encode(writer(), 0));
        }
    }

    /**
     * @return whether the application started the connection: consumers are sent messages.
     */
    boolean isDeliveryStarted()
    {
        return !deliveryStopped;
    }

    /**
     * Starts or stops deliveries to every consumer of the connection (JMS start and stop; a connection begins
     * stopped). The broker hears of it before anything else the caller sends, so a consumer that gives back what it
     * holds after a stop is sent nothing more.
     */
    public void deliveries(final boolean started)
    {
        synchronized (flowLock)
        {
            deliveryStopped = !started;
            final Link on = newestLink;
            if (on != null && !on.lost)
            {
                on.outbound.write(BrokerCommandEncoder.pause(writer(), 0, !started));
            }
        }
    }

    /**
     * Pauses or resumes deliveries to one consumer (one whose application stopped receiving).
     */
    void pause(final ClientConsumer consumer, final boolean paused)
    {
        final Link on = link;
        if (on == null || on.number != consumer.link() || !isOpen())
        {
            return;
        }
        on.outbound.write(BrokerCommandEncoder.pause(writer(), consumer.consumerId(), paused));
    }

    /**
     * Asks the broker for a message waiting for the consumer and returns once it would have arrived (one round trip);
     * returns at once while the client is reconnecting.
     */
    void forceDelivery(final ClientConsumer consumer) throws ClientException
    {
        final Link on = link;
        if (on == null || on.number != consumer.link() || !isOpen())
        {
            return;
        }
        try
        {
            callOn(on, "receive from " + consumer.spec().destinationName(), null, (out, correlationId) ->
                BrokerCommandEncoder.forceDelivery(out, correlationId, consumer.consumerId()));
        }
        catch (final ClientException ex)
        {
            if (!lostWith(on, ex))
            {
                throw ex;
            }
        }
    }

    void credit(final ClientConsumer consumer, final int credit, final int bytes)
    {
        final Link on = link;
        if (on == null || on.number != consumer.link() || !isOpen())
        {
            return;
        }
        on.outbound.write(BrokerCommandEncoder.credit(writer(), consumer.consumerId(), credit, bytes));
    }

    /**
     * @return the deliveries of the list that came on this connection to a broker.
     */
    private static List<DeliveryAck> onLink(final Collection<DeliveryAck> acks, final Link on)
    {
        final List<DeliveryAck> current = new ArrayList<>(acks.size());
        for (final DeliveryAck ack : acks)
        {
            if (ack.link() == on.number)
            {
                current.add(ack);
            }
        }
        return current;
    }

    // ---- close --------------------------------------------------------------------------------------------

    /**
     * Says goodbye (the broker releases everything still held by this connection) and closes the channel; stops a
     * reconnection under way. Idempotent.
     */
    public void close()
    {
        if (!closing.compareAndSet(false, true))
        {
            return;
        }
        final Link on;
        synchronized (linkLock)
        {
            on = link;
            linkLock.notifyAll();
        }
        if (on == null)
        {
            fail(new ClientException(ErrorCode.ILLEGAL_STATE, "connection to " + brokers + " is closed"));
            return;
        }
        try
        {
            if (failure == null)
            {
                final long correlationId = nextId();
                final CompletableFuture<byte[]> reply = new CompletableFuture<>();
                pending.put(correlationId, reply);
                on.outbound.write(BrokerCommandEncoder.goodbye(writer(), correlationId));
                await(reply, "close", on);
            }
        }
        catch (final ClientException ignore)
        {
            // The connection is going away either way; the broker releases our state when the channel drops.
        }
        finally
        {
            on.channel.close().awaitUninterruptibly(callTimeoutMs);
        }
    }

    // ---- calls --------------------------------------------------------------------------------------------

    /**
     * Makes a call on the connection the client has, waiting while it reconnects.
     */
    private byte[] call(final String what, final OnLinkLost onLost, final Runnable onReplyInIo, final Request request)
        throws ClientException
    {
        return call(awaitLink(), what, onLost, onReplyInIo, request);
    }

    /**
     * Makes a call on a connection; when that is lost before the answer, does as {@code onLost} says.
     *
     * @param onReplyInIo run on the I/O thread when the reply (or a failure) arrives, before any frame that
     *                    follows it is handled; null for none.
     */
    private byte[] call(final Link first, final String what, final OnLinkLost onLost, final Runnable onReplyInIo,
        final Request request) throws ClientException
    {
        Link on = first;
        while (true)
        {
            try
            {
                return callOn(on, what, onReplyInIo, request);
            }
            catch (final ClientException ex)
            {
                if (!lostWith(on, ex) || onLost == OnLinkLost.FAIL)
                {
                    throw ex;
                }
                if (onLost == OnLinkLost.SUCCEED)
                {
                    return null;
                }
                on = awaitLink();
            }
        }
    }

    /**
     * Makes a call on one connection to a broker and waits for its answer.
     */
    private byte[] callOn(final Link on, final String what, final Runnable onReplyInIo, final Request request)
        throws ClientException
    {
        final long correlationId = nextId();
        final CompletableFuture<byte[]> reply = new CompletableFuture<>();
        if (onReplyInIo != null)
        {
            replyHooks.put(correlationId, onReplyInIo);
        }
        pending.put(correlationId, reply);
        try
        {
            if (on.lost)
            {
                throw on.lostCause;
            }
            on.outbound.write(request.encode(writer(), correlationId));
            if (on.lost)
            {
                // Lost after the failures of its calls were sent out: this one may have missed them.
                pending.remove(correlationId);
                throw on.lostCause;
            }
            return await(reply, what, on);
        }
        catch (final ClientException ex)
        {
            // No reply is coming, or it came too late to matter: the hook still runs, once.
            pending.remove(correlationId);
            runReplyHook(correlationId);
            throw ex;
        }
    }

    /**
     * @return true if the call failed because its connection to a broker was lost and the client reconnects.
     */
    private boolean lostWith(final Link on, final ClientException ex)
    {
        return on.lost && ex.code() == ClientException.CONNECTION_LOST && isOpen();
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
     * @return the call or asynchronous send waiting for this reply, or null; its hook has run (on the I/O
     * thread, as this is called).
     */
    private CompletableFuture<byte[]> answered(final long correlationId)
    {
        runReplyHook(correlationId);
        final CompletableFuture<byte[]> call = pending.remove(correlationId);
        if (call != null)
        {
            return call;
        }
        final UnconfirmedSend send;
        synchronized (unconfirmed)
        {
            send = unconfirmed.remove(correlationId);
        }
        return send == null ? null : send.reply();
    }

    private byte[] await(final CompletableFuture<byte[]> future, final String what, final Link on) throws ClientException
    {
        return await(future, what, on, callTimeoutMs);
    }

    private byte[] await(final CompletableFuture<byte[]> future, final String what, final Link on, final long timeoutMs)
        throws ClientException
    {
        try
        {
            return future.get(timeoutMs, TimeUnit.MILLISECONDS);
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
                what + ": no answer from " + on.url + " within " + timeoutMs + " ms");
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
            throw new ClientException(ErrorCode.ILLEGAL_STATE, "connection to " + brokers + " is closed");
        }
    }

    /**
     * @return the connection to a broker to use, waiting up to the failover timeout while the client reconnects.
     */
    private Link awaitLink() throws ClientException
    {
        checkOpen();
        final Link current = link;
        if (current != null)
        {
            return current;
        }
        final long timeoutMs = brokers.failoverTimeoutMs();
        final long deadline = System.nanoTime() + TimeUnit.MILLISECONDS.toNanos(timeoutMs);
        synchronized (linkLock)
        {
            while (true)
            {
                checkOpen();
                final Link published = link;
                if (published != null)
                {
                    return published;
                }
                final long leftMs = TimeUnit.NANOSECONDS.toMillis(deadline - System.nanoTime());
                if (leftMs <= 0)
                {
                    throw new ClientException(ClientException.RECONNECTING, "the client is reconnecting to " + brokers +
                        " and has not within failoverTimeout=" + timeoutMs + " ms");
                }
                try
                {
                    linkLock.wait(Math.min(leftMs, 100));
                }
                catch (final InterruptedException ex)
                {
                    Thread.currentThread().interrupt();
                    throw new ClientException(ErrorCode.GENERIC, "interrupted while the client reconnects to " + brokers);
                }
            }
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

    /**
     * Blocks a sender while the socket's outbound buffer is above its high watermark, so an asynchronous
     * producer cannot fill the heap faster than the network drains it.
     */
    private void awaitWritable(final Link on) throws ClientException
    {
        final Channel ch = on.channel;
        if (on.isWritable() || ch.eventLoop().inEventLoop())
        {
            return;
        }
        synchronized (writability)
        {
            final long deadline = System.nanoTime() + TimeUnit.MILLISECONDS.toNanos(callTimeoutMs);
            while (!on.isWritable() && ch.isActive())
            {
                final long leftMs = TimeUnit.NANOSECONDS.toMillis(deadline - System.nanoTime());
                if (leftMs <= 0)
                {
                    throw new ClientException(ClientException.TIMEOUT,
                        "send blocked for " + callTimeoutMs + " ms: " + on.url + " is not reading");
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

    private void wakeWriters()
    {
        synchronized (writability)
        {
            writability.notifyAll();
        }
    }

    private static WireWriter writer()
    {
        return WRITERS.get().reset();
    }

    // ---- connections to brokers and failover --------------------------------------------------------------

    /**
     * One connection to one broker. The client has at most one in use ({@link #link}); a failover makes the next.
     */
    private final class Link
    {
        final int number;
        final ConnectionUrl url;
        final CompletableFuture<byte[]> handshake = new CompletableFuture<>();
        Channel channel;
        OutboundBatcher outbound;
        volatile String brokerName;
        volatile String temporaryScope;
        volatile long connectionId;
        /** Bodies above it go as large messages; 0: the broker takes none. */
        volatile int largeThreshold;
        volatile long lastReadNanos = System.nanoTime();
        Handler handler;
        ScheduledFuture<?> heartbeat;
        /** Pauses synchronous consumers their applications left holding messages. */
        ScheduledFuture<?> idleCheck;
        /** Guarded by {@link #linkLock}: calls may use it. */
        boolean published;
        /** With HA: the journal this broker serves, once its first TOPOLOGY said (null: none said, or no HA). */
        final CompletableFuture<String> journal = new CompletableFuture<>();
        volatile boolean lost;
        volatile ClientException lostCause;

        Link(final int number, final ConnectionUrl url)
        {
            this.number = number;
            this.url = url;
        }

        boolean isWritable()
        {
            return channel.isWritable() && !outbound.isOverLimit();
        }
    }

    /**
     * Connects to one broker and completes the handshake, saying the client id this connection has.
     */
    private Link connect(final ConnectionUrl url) throws ClientException
    {
        final Link on;
        synchronized (linkLock)
        {
            on = new Link(++linkCount, url);
        }
        on.handler = new Handler(on);
        try
        {
            on.channel = TransportConnectors.forScheme(url.scheme()).connect(
                url.endpoint(), ClientEventLoops.group(), on.handler);
            on.outbound = new OutboundBatcher(on.channel, OUTBOUND_LIMIT_BYTES, this::wakeWriters);
        }
        catch (final IllegalArgumentException ex)
        {
            throw new ClientException(ErrorCode.GENERIC, ex.getMessage(), ex);
        }
        catch (final Exception ex)
        {
            throw new ClientException(ClientException.CONNECTION_LOST, "cannot connect to " + url + ": " + ex.getMessage(),
                ex);
        }
        on.outbound.write(BrokerCommandEncoder.hello(writer(), FrameDescriptor.ROLE_CLIENT, clientId, user, password,
            (int)url.connectionTtlMs(), failsOver() && brokers.useTopology()));
        synchronized (flowLock)
        {
            // Right behind the HELLO: nothing reaches a consumer of a stopped connection.
            newestLink = on;
            if (deliveryStopped)
            {
                on.outbound.write(BrokerCommandEncoder.pause(writer(), 0, true));
            }
        }
        try
        {
            // A broker that does not answer its HELLO within the TTL is as dead as one that stopped pinging (a stopped
            // process still accepts connections).
            await(on.handshake, "handshake with " + url, on, handshakeWaitMs(url));
        }
        catch (final ClientException ex)
        {
            on.channel.close();
            throw ex;
        }
        startHeartbeat(on);
        on.idleCheck = on.channel.eventLoop().scheduleAtFixedRate(() ->
        {
            final long nowNanos = System.nanoTime();
            for (final ClientConsumer consumer : consumers.values())
            {
                consumer.pauseIfIdle(nowNanos);
            }
        }, ClientConsumer.IDLE_CHECK_MS, ClientConsumer.IDLE_CHECK_MS, TimeUnit.MILLISECONDS);
        return on;
    }

    /**
     * Pings the broker every heartbeat and takes it for dead when nothing came from it within the connection TTL
     * (a stopped process or a pulled cable leave the socket open).
     */
    private void startHeartbeat(final Link on)
    {
        final long heartbeatMs = on.url.heartbeatMs();
        if (heartbeatMs == 0)
        {
            return;
        }
        final long ttlNanos = TimeUnit.MILLISECONDS.toNanos(on.url.connectionTtlMs());
        on.heartbeat = on.channel.eventLoop().scheduleAtFixedRate(() ->
        {
            if (System.nanoTime() - on.lastReadNanos > ttlNanos)
            {
                on.handler.lastError = "nothing came from " + on.url + " for " + on.url.connectionTtlMs() +
                    " ms (connectionTTL): taking it for dead";
                on.channel.close();
                return;
            }
            on.outbound.write(BrokerCommandEncoder.ping(writer(), on.number));
        }, heartbeatMs, heartbeatMs, TimeUnit.MILLISECONDS);
    }

    /**
     * Lets calls use a connection whose handshake (and, after a failover, replay) is done.
     */
    private void publish(final Link on) throws ClientException
    {
        synchronized (linkLock)
        {
            if (on.lost)
            {
                throw on.lostCause;
            }
            if (closing.get())
            {
                on.channel.close();
                throw new ClientException(ErrorCode.ILLEGAL_STATE, "connection to " + brokers + " is closed");
            }
            on.published = true;
            link = on;
            lastLink = on;
            linkLock.notifyAll();
        }
    }

    /**
     * A connection to a broker is gone. One that was in use fails the calls waiting on it (each does as its
     * {@link OnLinkLost} says) and starts a failover, or, if the client may not reconnect, fails the client.
     */
    private void onLinkLost(final Link on, final ClientException cause)
    {
        final boolean wasInUse;
        synchronized (linkLock)
        {
            if (on.lost)
            {
                return;
            }
            on.lostCause = cause;
            on.lost = true;
            wasInUse = on.published;
            if (link == on)
            {
                link = null;
            }
        }
        if (on.heartbeat != null)
        {
            on.heartbeat.cancel(false);
        }
        if (on.idleCheck != null)
        {
            on.idleCheck.cancel(false);
        }
        on.handshake.completeExceptionally(cause);
        if (!wasInUse)
        {
            // A handshake or a failover's replay: only its own calls wait on it.
            failPendingCalls(cause);
            return;
        }
        if (closing.get() || reconnectAttempts == 0)
        {
            fail(cause);
            return;
        }
        failPendingCalls(cause);
        for (final ClientConsumer consumer : consumers.values())
        {
            consumer.onLinkLost();
        }
        synchronized (blocked)
        {
            blocked.clear();
            anyBlocked = false;
            blocked.notifyAll();
        }
        wakeWriters();
        LOG.log(System.Logger.Level.INFO, cause.getMessage() + "; failing over (" + brokers + ")");
        if (listener != null)
        {
            listener.onFailoverStarted(on.url, cause);
        }
        final String journal = on.journal.getNow(null);
        final Thread reconnector = new Thread(() -> reconnect(on.url, journal, cause), "meshmq-failover");
        reconnector.setDaemon(true);
        reconnector.start();
    }

    private void failPendingCalls(final ClientException cause)
    {
        for (final Long correlationId : List.copyOf(replyHooks.keySet()))
        {
            runReplyHook(correlationId);
        }
        for (final Long correlationId : List.copyOf(pending.keySet()))
        {
            final CompletableFuture<byte[]> call = pending.remove(correlationId);
            if (call != null)
            {
                call.completeExceptionally(cause);
            }
        }
    }

    private static long handshakeWaitMs(final ConnectionUrl url)
    {
        final long ttlMs = url.connectionTtlMs();
        return ttlMs > 0 ? ttlMs : url.connectTimeoutMs();
    }

    /**
     * The reconnect thread: tries the list (and the broker that was lost, in its place) round after round, with
     * back-off, until a broker takes the replay or the attempts run out. With HA ({@code journal} known), for
     * {@code journalWait} ms (a URL option, 10 s by default) it takes only the broker that serves the lost broker's
     * journal next (its transactions, subscriptions and duplicate ids are there), learning where from the members it
     * reaches; then any.
     */
    private void reconnect(final ConnectionUrl from, final String journal, final ClientException cause)
    {
        final long started = System.nanoTime();
        final long journalDeadline = started + TimeUnit.MILLISECONDS.toNanos(brokers.journalWaitMs());
        long intervalMs = brokers.retryIntervalMs();
        int rounds = 0;
        ClientException last = cause;
        final HungBrokers hung = new HungBrokers();
        while (!closing.get())
        {
            final boolean following = journal != null && System.nanoTime() < journalDeadline;
            boolean tried = false;
            for (final ConnectionUrl url : journalFirst(lostOneLast(withHeardAgain(withTopology(brokers.inTryOrder())),
                from), following ? journal : null))
            {
                if (closing.get())
                {
                    return;
                }
                if (hung.isResting(url, System.nanoTime()))
                {
                    continue;
                }
                tried = true;
                try
                {
                    final Link on = connect(url);
                    if (following && !servesJournal(on, journal))
                    {
                        on.channel.close();
                        final ConnectionUrl there = journals.get(journal);
                        if (there != null && !there.sameBroker(url))
                        {
                            break; // announced elsewhere: the next round tries there first
                        }
                        continue;
                    }
                    try
                    {
                        replay(on);
                    }
                    catch (final ClientException ex)
                    {
                        on.channel.close();
                        throw ex;
                    }
                    final long tookMs = TimeUnit.NANOSECONDS.toMillis(System.nanoTime() - started);
                    LOG.log(System.Logger.Level.INFO, "failed over from " + from + " to " + url + " in " + tookMs + " ms");
                    if (listener != null)
                    {
                        listener.onFailoverCompleted(url, tookMs);
                    }
                    return;
                }
                catch (final ClientException ex)
                {
                    last = ex;
                    LOG.log(System.Logger.Level.DEBUG, "failover to " + url + " failed: " + ex.getMessage());
                    if (ex.code() == ClientException.TIMEOUT)
                    {
                        hung.timedOut(url, System.nanoTime(), TimeUnit.MILLISECONDS.toNanos(handshakeWaitMs(url)));
                    }
                }
            }
            if (tried)
            {
                rounds++; // a round in which every broker rested is no attempt
            }
            listenAgain();
            final int attempts = reconnectAttempts;
            if (attempts >= 0 && rounds >= attempts)
            {
                fail(new ClientException(ClientException.CONNECTION_LOST, "gave up reconnecting to " + brokers +
                    " after " + rounds + " attempts; the last failure: " + last.getMessage(), last));
                return;
            }
            synchronized (linkLock)
            {
                try
                {
                    if (!closing.get())
                    {
                        linkLock.wait(intervalMs);
                    }
                }
                catch (final InterruptedException ex)
                {
                    Thread.currentThread().interrupt();
                    fail(new ClientException(ClientException.CONNECTION_LOST, "reconnecting was interrupted", last));
                    return;
                }
            }
            if (tried)
            {
                intervalMs = Math.min(brokers.maxRetryIntervalMs(),
                    (long)(intervalMs * brokers.retryIntervalMultiplier()));
            }
        }
    }

    /**
     * @return true if the broker serves the journal, or says it serves none (no HA there); false if it did not say
     * within {@value #JOURNAL_HEARD_MS} ms: a member of the lost broker's cluster announces its journal at once unless
     * it is busy (taking a journal over, say), and replaying on one that serves another journal would leave durable
     * subscriptions, transactions and duplicate ids on the wrong journal. After the journal wait, any broker does.
     */
    private boolean servesJournal(final Link on, final String journal)
    {
        try
        {
            final String served = on.journal.get(JOURNAL_HEARD_MS, TimeUnit.MILLISECONDS);
            return served == null || served.equals(journal);
        }
        catch (final TimeoutException | ExecutionException ex)
        {
            return false;
        }
        catch (final InterruptedException ex)
        {
            Thread.currentThread().interrupt();
            return true;
        }
    }

    /**
     * @return the order with the member announced as serving the journal first, if any.
     */
    private List<ConnectionUrl> journalFirst(final List<ConnectionUrl> order, final String journal)
    {
        final ConnectionUrl there = journal == null ? null : journals.get(journal);
        if (there == null)
        {
            return order;
        }
        final List<ConnectionUrl> first = new ArrayList<>(order.size() + 1);
        first.add(there);
        for (final ConnectionUrl url : order)
        {
            if (!url.sameBroker(there))
            {
                first.add(url);
            }
        }
        return first;
    }

    /**
     * @return the application's URLs, then the members the cluster announced that are not among them.
     */
    /**
     * After a round in which no known broker answered, a client that found its brokers on a discovery group listens
     * there again: brokers started since (at other addresses) are tried in the next round.
     */
    private void listenAgain()
    {
        if (group == null || closing.get())
        {
            return;
        }
        try
        {
            final List<ConnectionUrl> heard = GroupDiscovery.resolve(group).urls();
            heardAgain = List.copyOf(heard);
            LOG.log(System.Logger.Level.DEBUG, "heard on " + group + " again: " + heard);
        }
        catch (final ClientException ex)
        {
            LOG.log(System.Logger.Level.DEBUG, "no broker heard on " + group + " again: " + ex.getMessage());
        }
    }

    private List<ConnectionUrl> withHeardAgain(final List<ConnectionUrl> order)
    {
        final List<ConnectionUrl> heard = heardAgain;
        if (heard.isEmpty())
        {
            return order;
        }
        final List<ConnectionUrl> all = new ArrayList<>(order);
        for (final ConnectionUrl url : heard)
        {
            if (all.stream().noneMatch(url::sameBroker))
            {
                all.add(url);
            }
        }
        return all;
    }

    private List<ConnectionUrl> withTopology(final List<ConnectionUrl> order)
    {
        final List<ConnectionUrl> members = topology;
        if (members.isEmpty())
        {
            return order;
        }
        final List<ConnectionUrl> all = new ArrayList<>(order);
        for (final ConnectionUrl member : members)
        {
            if (all.stream().noneMatch(member::sameBroker))
            {
                all.add(member);
            }
        }
        return all;
    }

    /**
     * @return the URLs with the broker just lost moved to the end: the others are likelier to answer.
     */
    private static List<ConnectionUrl> lostOneLast(final List<ConnectionUrl> order, final ConnectionUrl lost)
    {
        if (order.size() < 2)
        {
            return order;
        }
        final List<ConnectionUrl> reordered = new ArrayList<>(order.size());
        final List<ConnectionUrl> last = new ArrayList<>(1);
        for (final ConnectionUrl url : order)
        {
            (url.sameBroker(lost) ? last : reordered).add(url);
        }
        reordered.addAll(last);
        return reordered;
    }

    /**
     * Makes on a new connection what the application had on the old one, before any call may use it: temporary
     * destinations, consumers (in the order they were made), and the persistent asynchronous sends not yet
     * confirmed, in the order they were sent (unless {@code on} serves another journal than the lost one: they fail in
     * doubt then).
     */
    private void replay(final Link on) throws ClientException
    {
        for (final Map.Entry<String, Temporary> temporary : temporaries.entrySet())
        {
            createOn(on, temporary.getKey(), temporary.getValue());
        }
        final List<ClientConsumer> ordered = new ArrayList<>(consumers.values());
        ordered.sort(Comparator.comparingLong(ClientConsumer::consumerId));
        for (final ClientConsumer consumer : ordered)
        {
            try
            {
                createOn(on, consumer);
            }
            catch (final ClientException ex)
            {
                if (on.lost || ex.code() == ErrorCode.ILLEGAL_STATE || ex.code() == ClientException.TIMEOUT)
                {
                    // Still held by the connection that was lost (a durable subscription's consumer): the broker
                    // lets it go within the connection TTL, and the next round tries again.
                    throw ex;
                }
                LOG.log(System.Logger.Level.WARNING, "after failing over to " + on.url + ", consumer on " +
                    consumer.spec().destinationName() + " could not be made again: " + ex.getMessage());
                consumer.onConnectionLost(ex);
            }
        }
        final Link lost = lastLink;
        final String previousScope = lost == null ? null : lost.temporaryScope;
        if (strayed(lost, on))
        {
            failUnconfirmed(lost, on);
        }
        synchronized (unconfirmed)
        {
            for (final Map.Entry<Long, UnconfirmedSend> send : unconfirmed.entrySet())
            {
                on.outbound.write(encodeSend(send.getKey(), send.getValue(), previousScope));
            }
            publish(on);
            for (final Map.Entry<Long, UnconfirmedSend> send : unconfirmed.entrySet())
            {
                scheduleTimeout(send.getKey(), send.getValue());
            }
        }
    }

    /**
     * The asynchronous sends not confirmed on {@code lost} fail in doubt instead of going again on {@code next}.
     */
    private void failUnconfirmed(final Link lost, final Link next)
    {
        final List<UnconfirmedSend> sends;
        synchronized (unconfirmed)
        {
            sends = new ArrayList<>(unconfirmed.values());
            unconfirmed.clear();
        }
        for (final UnconfirmedSend send : sends)
        {
            send.reply().completeExceptionally(sendInDoubt(lost, next, send.destinationName()));
        }
    }

    /**
     * The client gives up (or was closed): every call and send fails with the cause, consumers see it, and the
     * application hears of it unless it closed the connection itself.
     */
    private void fail(final ClientException cause)
    {
        synchronized (linkLock)
        {
            if (failure != null)
            {
                return;
            }
            failure = cause;
            link = null;
            linkLock.notifyAll();
        }
        failPendingCalls(cause);
        final List<UnconfirmedSend> sends;
        synchronized (unconfirmed)
        {
            sends = new ArrayList<>(unconfirmed.values());
            unconfirmed.clear();
        }
        for (final UnconfirmedSend send : sends)
        {
            send.reply().completeExceptionally(cause);
        }
        for (final ClientConsumer consumer : consumers.values())
        {
            consumer.onConnectionLost(cause);
        }
        synchronized (blocked)
        {
            blocked.notifyAll();
        }
        wakeWriters();
        if (!closing.get() && listener != null)
        {
            listener.onConnectionLost(cause);
        }
    }

    /**
     * Handles, on the I/O thread, the frames one connection's broker sends ({@link BrokerEventDecoder} decodes them).
     */
    private final class Handler extends ChannelInboundHandlerAdapter implements BrokerEventDecoder.Handler
    {
        private final Link on;
        private final UnsafeBuffer view = new UnsafeBuffer(0, 0);
        private final WireReader reader = new WireReader();
        private volatile String lastError;

        Handler(final Link on)
        {
            this.on = on;
        }

        @Override
        public void channelRead(final ChannelHandlerContext ctx, final Object msg)
        {
            final ByteBuf frame = (ByteBuf)msg;
            on.lastReadNanos = System.nanoTime();
            try
            {
                BrokerEventDecoder.decode(NettyFrames.open(view, reader, frame), reader, this);
            }
            catch (final ProtocolException ex)
            {
                lastError = "broker " + on.url + " sent a malformed frame: " + ex.getMessage();
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
                consumer.onDelivery(new Delivery(consumerId, deliveryId, deliveryCount, message, on.number));
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
            if (consumer != null && consumer.link() == on.number)
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
                if (on.handshake.isDone() && code != ErrorCode.MALFORMED_FRAME && code != ErrorCode.FRAME_TOO_LONG &&
                    code != ErrorCode.SHUTTING_DOWN)
                {
                    // A fire-and-forget command (a non-persistent send) failed; nobody waits for it.
                    LOG.log(System.Logger.Level.WARNING, "broker " + on.url + ": " + message);
                }
                else
                {
                    lastError = message;
                    on.handshake.completeExceptionally(error);
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
            final String temporaryScope, final int largeMessageThreshold)
        {
            on.connectionId = connectionId;
            on.largeThreshold = largeMessageThreshold;
            on.brokerName = brokerName;
            on.temporaryScope = temporaryScope;
            if (version != FrameDescriptor.PROTOCOL_VERSION)
            {
                throw new ProtocolException("broker answered with protocol version " + version);
            }
            on.handshake.complete(null);
        }

        @Override
        public void onTopology(final String[] members, final String[] served, final String own)
        {
            final List<ConnectionUrl> urls = new ArrayList<>(members.length);
            final Map<String, ConnectionUrl> byJournal = new HashMap<>();
            for (int i = 0; i < members.length; i++)
            {
                try
                {
                    final ConnectionUrl url = on.url.at(members[i]);
                    urls.add(url);
                    if (served.length > 0)
                    {
                        byJournal.put(served[i], url);
                    }
                }
                catch (final IllegalArgumentException ex)
                {
                    LOG.log(System.Logger.Level.WARNING, "broker " + on.url + " announced member '" + members[i] +
                        "', which is no broker address: " + ex.getMessage());
                }
            }
            LOG.log(System.Logger.Level.DEBUG, "broker " + on.url + " says the cluster's live members are " + urls);
            topology = List.copyOf(urls);
            journals = Map.copyOf(byJournal);
            on.journal.complete(own);
        }

        @Override
        public void onPing(final long token)
        {
            on.outbound.write(BrokerCommandEncoder.pong(writer(), token));
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
            if (cause instanceof java.nio.channels.ClosedChannelException)
            {
                // A write after the broker closed the connection: what the broker said before closing it (an ERROR
                // refusing the client id, say) is still to be read, and the loss is reported when the channel goes.
                return;
            }
            lastError = "connection to " + on.url + " failed: " + Causes.describe(cause);
            ctx.close();
        }

        @Override
        public void channelInactive(final ChannelHandlerContext ctx)
        {
            final String reason = lastError != null ? lastError : "connection to " + on.url + " was lost";
            onLinkLost(on, new ClientException(ClientException.CONNECTION_LOST, reason));
        }
    }
}
