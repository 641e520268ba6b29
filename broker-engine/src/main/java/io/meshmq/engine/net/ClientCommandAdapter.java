package io.meshmq.engine.net;

import com.lmax.disruptor.RingBuffer;
import io.meshmq.engine.large.LargeStore;
import io.meshmq.engine.large.LargeUpload;
import io.meshmq.engine.ring.EngineEvent;
import io.meshmq.engine.ring.ExtensionCommand;
import io.meshmq.engine.ring.RingShare;
import io.meshmq.engine.security.UserStore;
import io.meshmq.protocol.BrokerEventEncoder;
import io.meshmq.protocol.ConsumerFlags;
import io.meshmq.protocol.DestinationType;
import io.meshmq.protocol.ErrorCode;
import io.meshmq.protocol.FrameDescriptor;
import io.meshmq.protocol.FrameType;
import io.meshmq.protocol.LargeBodyDescriptor;
import io.meshmq.protocol.MessageValidator;
import io.meshmq.protocol.ProtocolException;
import io.meshmq.protocol.WireReader;
import io.meshmq.protocol.WireWriter;
import io.meshmq.protocol.WireXid;
import io.meshmq.selector.Selector;
import io.meshmq.selector.SelectorSyntaxException;
import io.meshmq.transport.FrameDecoder;
import io.meshmq.transport.NettyFrames;
import io.netty.buffer.ByteBuf;
import io.netty.channel.ChannelFutureListener;
import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.ChannelInboundHandlerAdapter;
import io.netty.handler.codec.CorruptedFrameException;
import io.netty.handler.codec.DecoderException;
import io.netty.handler.codec.TooLongFrameException;
import io.netty.handler.ssl.SslHandler;
import org.agrona.concurrent.UnsafeBuffer;

import java.io.IOException;
import java.net.SocketAddress;
import java.security.cert.Certificate;
import java.security.cert.X509Certificate;
import java.util.ArrayDeque;
import java.util.Arrays;
import java.util.concurrent.Executor;
import java.util.concurrent.RejectedExecutionException;
import java.util.concurrent.ScheduledFuture;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;
import java.util.function.Consumer;
import java.util.function.Supplier;
import javax.net.ssl.SSLException;
import javax.net.ssl.SSLPeerUnverifiedException;

/**
 * Decodes one connection's frames on its Netty I/O thread and publishes them as commands into the engine
 * ring. Every field is validated here, before the command is claimed in the ring, so the processor only
 * ever sees well-formed commands; a malformed frame gets an ERROR frame and the connection is closed.
 * <p>
 * One instance per channel; not thread safe.
 */
public final class ClientCommandAdapter extends ChannelInboundHandlerAdapter
{
    private static final System.Logger LOG = System.getLogger(ClientCommandAdapter.class.getName());
    /** Unsent bytes a connection may have beyond two of the largest frames before it is closed. */
    private static final long UNSENT_SLACK_BYTES = 16L * 1024 * 1024;
    /** Commit ids are kept by the tens of thousands: long ones are refused. */
    static final int MAX_COMMIT_ID_LENGTH = 128;
    private static final OncePerMinute SILENT_CLIENTS = new OncePerMinute();
    private static final OncePerMinute TLS_FAILURES = new OncePerMinute();
    private static final OncePerMinute REFUSED_CONNECTIONS = new OncePerMinute();
    /** Longest proof nonce a dialling node may send (its own are 24 characters). */
    private static final int MAX_NONCE_LENGTH = 100;

    private final RingBuffer<EngineEvent> ring;
    private final AtomicLong connectionIds;
    private final int maxFrameLength;
    private final UserStore users;
    /** Decodes the extension's frames (the cluster's); null for a broker with no extension. */
    private final ExtensionFrames frames;
    private final ConnectionLimits limits;
    private final long handshakeTimeoutMs;
    /** Counted in {@link #limits} while open, under this address (kept: a closed channel may not know it). */
    private SocketAddress admitted;
    private ScheduledFuture<?> handshakeTimeout;
    /** Closes a connection the client said it pings, once it has been silent longer than its TTL. */
    private ScheduledFuture<?> silenceCheck;
    private long lastReadNanos = System.nanoTime();
    private final UnsafeBuffer view = new UnsafeBuffer(0, 0);
    private final WireReader reader = new WireReader();
    private final WireWriter replies = new WireWriter(256);
    private final MessageValidator messages = new MessageValidator();
    private ChannelConnection connection;
    /** Where persistent large bodies are forced, off the I/O thread. */
    private Executor bodyForcing = BodyForcing.EXECUTOR;
    /** Where large bodies are stored; null: none are taken. */
    private LargeStore largeStore;
    /** The connection's large bodies being sent and read; made on first use. */
    private LargeTransfers large;
    /** The frame being decoded, for commands that take its bytes without copying them (LARGE_CHUNK). */
    private ByteBuf currentFrame;
    /** The connection's commands waiting in the ring; made with the connection. */
    private RingShare share;
    private int ringShare = RingShare.DEFAULT_LIMIT;
    /** The HELLO came from another node of a cluster: only then are the extension's frames accepted. */
    private boolean clusterRole;
    /**
     * Frames read while the connection waits for work off the I/O thread — a login's password checked, a large body
     * forced — in order; null when it waits for none.
     */
    private ArrayDeque<ByteBuf> held;
    /** A node's cluster HELLO waiting for its CLUSTER_PROOF; null otherwise. */
    private ChallengedHello challenged;

    private record ChallengedHello(UserStore.ClusterChallenge challenge, int connectionTtlMs)
    {
    }
    private boolean closing;

    public ClientCommandAdapter(
        final RingBuffer<EngineEvent> ring, final AtomicLong connectionIds,
        final int maxFrameLength, final UserStore users, final ExtensionFrames frames, final ConnectionLimits limits,
        final long handshakeTimeoutMs)
    {
        this.frames = frames;
        this.limits = limits;
        this.handshakeTimeoutMs = handshakeTimeoutMs;
        this.maxFrameLength = maxFrameLength;
        this.users = users;
        this.ring = ring;
        this.connectionIds = connectionIds;
    }

    /**
     * Sets where large message bodies are stored (null: the broker takes none); before the connection is open.
     */
    public ClientCommandAdapter largeStore(final LargeStore store)
    {
        this.largeStore = store;
        return this;
    }

    /**
     * Sets where large bodies are forced ({@link BodyForcing}'s threads unless a test drives them itself).
     */
    ClientCommandAdapter bodyForcing(final Executor executor)
    {
        this.bodyForcing = executor;
        return this;
    }

    /**
     * Sets how many of the connection's commands may wait in the ring before it is read no more ({@link RingShare});
     * before the connection is open.
     */
    public ClientCommandAdapter ringShare(final int commands)
    {
        this.ringShare = commands;
        return this;
    }

    @Override
    public void channelRead(final ChannelHandlerContext ctx, final Object msg)
    {
        final ByteBuf frame = (ByteBuf)msg;
        lastReadNanos = System.nanoTime();
        try
        {
            if (closing)
            {
                return;
            }
            if (held != null)
            {
                // Read with the HELLO whose password is being checked, or after a body being forced: taken after.
                held.add(frame.retain());
                return;
            }
            final byte type = NettyFrames.open(view, reader, frame);
            currentFrame = frame;
            if (connection == null)
            {
                if (challenged == null)
                {
                    onHandshake(ctx, type);
                }
                else
                {
                    onClusterProof(ctx, type);
                }
            }
            else
            {
                onCommand(ctx, type);
                if (share.isOverLimit() && !share.isPaused())
                {
                    // Netty's read loop ends with the buffer at hand: at most that one's frames join the ring.
                    ctx.channel().config().setAutoRead(false);
                    share.pause();
                }
            }
        }
        catch (final ProtocolException ex)
        {
            failAndClose(ctx, ex.errorCode(), ex.getMessage());
        }
        finally
        {
            currentFrame = null;
            frame.release();
        }
    }

    /**
     * The processor handled enough of this connection's commands: read it again, unless something else keeps it from
     * being read ({@link #mayRead}; a peer that does not read what it is sent: see {@link #channelReadComplete}).
     */
    private void resumeReading(final ChannelHandlerContext ctx)
    {
        if (mayRead(ctx))
        {
            ctx.channel().config().setAutoRead(true);
        }
    }

    /**
     * @return true if nothing keeps the connection from being read: it is not closing, waits for no work off the I/O
     * thread, its peer reads what it is sent, and its share of the ring is not full (the share clears its pause before
     * it asks to resume).
     */
    private boolean mayRead(final ChannelHandlerContext ctx)
    {
        return !closing && held == null && ctx.channel().isWritable() && (share == null || !share.isPaused());
    }

    /**
     * @return the client's host address (its port aside: one guesser, many sockets), or what the transport says.
     */
    private static String clientAddress(final ChannelHandlerContext ctx)
    {
        final SocketAddress remote = ctx.channel().remoteAddress();
        return remote instanceof java.net.InetSocketAddress inet && inet.getAddress() != null ?
            inet.getAddress().getHostAddress() : String.valueOf(remote);
    }

    /**
     * @return the subject of the certificate a TLS client presented and the acceptor verified; null for none.
     */
    private static String certificateSubject(final ChannelHandlerContext ctx)
    {
        final SslHandler tls = ctx.pipeline().get(SslHandler.class);
        if (tls == null)
        {
            return null;
        }
        try
        {
            final Certificate[] chain = tls.engine().getSession().getPeerCertificates();
            return chain.length > 0 && chain[0] instanceof X509Certificate certificate ?
                certificate.getSubjectX500Principal().getName() : null;
        }
        catch (final SSLPeerUnverifiedException ex)
        {
            return null;
        }
    }

    private void onHandshake(final ChannelHandlerContext ctx, final byte type)
    {
        if (type != FrameType.HELLO)
        {
            throw new ProtocolException(ErrorCode.BAD_HANDSHAKE,
                "expected HELLO as the first frame, got " + FrameType.name(type) + "; is this a MeshMQ client?");
        }
        final int magic = reader.readInt();
        if (magic != FrameDescriptor.MAGIC)
        {
            throw new ProtocolException(ErrorCode.BAD_HANDSHAKE, "HELLO has wrong magic 0x" + Integer.toHexString(magic));
        }
        final short version = reader.readShort();
        if (version != FrameDescriptor.PROTOCOL_VERSION)
        {
            throw new ProtocolException(ErrorCode.BAD_HANDSHAKE, "protocol version " + version +
                " is not supported; this broker speaks version " + FrameDescriptor.PROTOCOL_VERSION);
        }
        final byte role = reader.readByte();
        if (role != FrameDescriptor.ROLE_CLIENT && role != FrameDescriptor.ROLE_CLUSTER)
        {
            throw new ProtocolException(ErrorCode.BAD_HANDSHAKE, "role " + role + " is not accepted on this port");
        }
        final String clientId = reader.readString();
        final String user = reader.readString();
        final String password = reader.readString();
        final int connectionTtlMs = reader.remaining() > 0 ? reader.readInt() : 0;
        final boolean wantsTopology = reader.remaining() > 0 && reader.readBoolean();
        final String proofNonce = reader.remaining() > 0 ? reader.readString() : null;
        reader.requireEnd("HELLO");
        if (connectionTtlMs < 0)
        {
            throw new ProtocolException(ErrorCode.BAD_HANDSHAKE, "HELLO has connection TTL " + connectionTtlMs + " ms");
        }
        if (role == FrameDescriptor.ROLE_CLUSTER)
        {
            if (frames == null)
            {
                throw new ProtocolException(ErrorCode.CLUSTER_MISMATCH, "this broker is in no cluster (start it with " +
                    "--cluster NAME): it cannot take the cluster connection from " + ctx.channel().remoteAddress());
            }
            if (users.isSecurityEnabled())
            {
                challenge(ctx, user, password, proofNonce, connectionTtlMs);
                return;
            }
        }
        if (clientId != null && clientId.isEmpty())
        {
            throw new ProtocolException(ErrorCode.INVALID_CLIENT_ID, "client id must not be empty");
        }
        final String from = clientAddress(ctx);
        final String subject = certificateSubject(ctx);
        final boolean cluster = role == FrameDescriptor.ROLE_CLUSTER;
        if (users.needsHashing(user, password, from))
        {
            authenticateAside(ctx, () -> users.authenticate(user, password, from, subject),
                authenticated -> open(ctx, authenticated, clientId, cluster, connectionTtlMs, wantsTopology));
            return;
        }
        final String authenticatedUser;
        try
        {
            authenticatedUser = users.authenticate(user, password, from, subject);
        }
        catch (final SecurityException ex)
        {
            throw new ProtocolException(ErrorCode.SECURITY, ex.getMessage());
        }
        open(ctx, authenticatedUser, clientId, cluster, connectionTtlMs, wantsTopology);
    }

    /**
     * Checks a password that needs hashing on {@link LoginHashing}'s threads, then goes on with the handshake back on
     * this connection's I/O thread; meanwhile nothing more is read, and frames already read wait in order.
     */
    private void authenticateAside(final ChannelHandlerContext ctx, final Supplier<String> authenticate,
        final Consumer<String> then)
    {
        held = new ArrayDeque<>();
        ctx.channel().config().setAutoRead(false);
        try
        {
            LoginHashing.EXECUTOR.execute(() ->
            {
                String authenticated = null;
                String refusal = null;
                try
                {
                    authenticated = authenticate.get();
                }
                catch (final SecurityException ex)
                {
                    refusal = ex.getMessage();
                }
                final String user = authenticated;
                final String refused = refusal;
                ctx.executor().execute(() -> loggedIn(ctx, user, refused, then));
            });
        }
        catch (final RejectedExecutionException ex)
        {
            loggedIn(ctx, null, "the broker is busy with " + LoginHashing.MAX_WAITING + " logins; try again", then);
        }
    }

    private void loggedIn(final ChannelHandlerContext ctx, final String user, final String refusal,
        final Consumer<String> then)
    {
        final ArrayDeque<ByteBuf> waiting = held;
        held = null;
        try
        {
            if (closing || !ctx.channel().isActive())
            {
                return;
            }
            if (refusal != null)
            {
                failAndClose(ctx, ErrorCode.SECURITY, refusal);
                return;
            }
            then.accept(user);
            takeHeld(ctx, waiting);
        }
        finally
        {
            releaseAll(waiting);
        }
    }

    /**
     * Decodes, in order, the frames read while the connection waited, then reads again; if one of them makes it wait
     * again, the rest wait with it.
     */
    private void takeHeld(final ChannelHandlerContext ctx, final ArrayDeque<ByteBuf> waiting)
    {
        for (ByteBuf frame = waiting.poll(); frame != null && !closing; frame = waiting.poll())
        {
            if (held != null)
            {
                held.add(frame);
                continue;
            }
            try
            {
                currentFrame = frame;
                onCommand(ctx, NettyFrames.open(view, reader, frame));
            }
            catch (final ProtocolException ex)
            {
                failAndClose(ctx, ex.errorCode(), ex.getMessage());
            }
            finally
            {
                currentFrame = null;
                frame.release();
            }
        }
        if (mayRead(ctx))
        {
            ctx.channel().config().setAutoRead(true);
        }
    }

    /**
     * Runs {@code work} (a large body's force) on {@link BodyForcing}'s threads and then {@code then} with its answer
     * (null, or why it failed) back on this connection's I/O thread, the connection read no more meanwhile and the
     * frames already read after this one waiting in order; or {@code abandon} instead if the connection closed.
     */
    private void holdWhile(final ChannelHandlerContext ctx, final Supplier<String> work, final Consumer<String> then,
        final Runnable abandon)
    {
        held = new ArrayDeque<>();
        ctx.channel().config().setAutoRead(false);
        try
        {
            bodyForcing.execute(() ->
            {
                String failure;
                try
                {
                    failure = work.get();
                }
                catch (final RuntimeException ex)
                {
                    failure = ex.toString();
                }
                final String answer = failure;
                ctx.executor().execute(() -> resumeAfter(ctx, answer, then, abandon));
            });
        }
        catch (final RejectedExecutionException busy)
        {
            resumeAfter(ctx, work.get(), then, abandon);
        }
    }

    private void resumeAfter(final ChannelHandlerContext ctx, final String answer, final Consumer<String> then,
        final Runnable abandon)
    {
        final ArrayDeque<ByteBuf> waiting = held;
        held = null;
        try
        {
            if (closing || !ctx.channel().isActive())
            {
                abandon.run();
                return;
            }
            then.accept(answer);
            takeHeld(ctx, waiting);
        }
        finally
        {
            releaseAll(waiting);
        }
    }

    private static void releaseAll(final ArrayDeque<ByteBuf> frames)
    {
        if (frames == null)
        {
            return;
        }
        for (ByteBuf frame = frames.poll(); frame != null; frame = frames.poll())
        {
            frame.release();
        }
    }

    /**
     * A node dialling this one while security is on proves it knows its cluster user's password without sending it
     * (see {@link io.meshmq.protocol.ClusterProof}): the challenge now, the proof in the next frame.
     */
    private void challenge(final ChannelHandlerContext ctx, final String user, final String password,
        final String proofNonce, final int connectionTtlMs)
    {
        if (password != null || proofNonce == null || proofNonce.isEmpty() || proofNonce.length() > MAX_NONCE_LENGTH)
        {
            throw new ProtocolException(ErrorCode.SECURITY, "a cluster connection must prove its user's password with a " +
                "nonce of 1 to " + MAX_NONCE_LENGTH + " characters, never send it (is the dialling node an older MeshMQ?)");
        }
        final UserStore.ClusterChallenge challenge = users.challenge(user, proofNonce);
        challenged = new ChallengedHello(challenge, connectionTtlMs);
        ctx.writeAndFlush(NettyFrames.toByteBuf(ctx.alloc(),
            BrokerEventEncoder.clusterChallenge(replies, challenge.salt(), challenge.iterations(), challenge.nonce())));
    }

    private void onClusterProof(final ChannelHandlerContext ctx, final byte type)
    {
        if (type != FrameType.CLUSTER_PROOF)
        {
            throw new ProtocolException(ErrorCode.BAD_HANDSHAKE, "expected CLUSTER_PROOF after CLUSTER_CHALLENGE, got " +
                FrameType.name(type));
        }
        final byte[] proof = reader.readBytes();
        reader.requireEnd("CLUSTER_PROOF");
        final UserStore.ClusterChallenge challenge = challenged.challenge();
        final byte[] signature;
        try
        {
            signature = users.prove(challenge, proof, clientAddress(ctx));
        }
        catch (final SecurityException ex)
        {
            throw new ProtocolException(ErrorCode.SECURITY, ex.getMessage());
        }
        if (!users.rolesOf(challenge.user()).contains(UserStore.CLUSTER_ROLE))
        {
            throw new ProtocolException(ErrorCode.SECURITY, "user '" + challenge.user() + "' of the cluster connection from " +
                ctx.channel().remoteAddress() + " does not have role '" + UserStore.CLUSTER_ROLE + "'; give the " +
                "cluster.user set on every node that role");
        }
        ctx.writeAndFlush(NettyFrames.toByteBuf(ctx.alloc(), BrokerEventEncoder.clusterProven(replies, signature)));
        final int connectionTtlMs = challenged.connectionTtlMs();
        challenged = null;
        open(ctx, challenge.user(), null, true, connectionTtlMs, false);
    }

    /**
     * The handshake is done: the connection joins the broker (the processor answers HELLO_OK).
     */
    private void open(final ChannelHandlerContext ctx, final String authenticatedUser, final String clientId,
        final boolean cluster, final int connectionTtlMs, final boolean wantsTopology)
    {
        clusterRole = cluster;
        final FrameDecoder decoder = (FrameDecoder)ctx.pipeline().get(NettyFrames.FRAME_DECODER);
        decoder.maxFrameLength(maxFrameLength);
        // A client may have at most two of the largest frames waiting to be sent to it beyond the high-water mark (a
        // delivery in flight while the next is written); more means it does not read.
        connection = new ChannelConnection(connectionIds.incrementAndGet(), ctx.channel(),
            2L * maxFrameLength + UNSENT_SLACK_BYTES);
        share = new RingShare(ringShare, () -> ctx.executor().execute(() -> resumeReading(ctx)));
        if (handshakeTimeout != null)
        {
            handshakeTimeout.cancel(false);
        }
        if (connectionTtlMs > 0)
        {
            watchSilence(ctx, connectionTtlMs);
        }
        // The processor answers HELLO_OK once it has checked that the client id is unique.
        publish(EngineEvent.CONNECTION_OPENED, 0, e ->
        {
            e.user = authenticatedUser;
            e.clientId = clientId;
            e.clusterRole = clusterRole;
            e.wantsTopology = wantsTopology && !clusterRole;
        });
    }

    /**
     * Claims a ring slot, lets {@code fill} set the command's fields and publishes it; for the commands off
     * the per-message path, where a lambda costs nothing that matters.
     */
    private void publish(final byte type, final long correlationId, final Consumer<EngineEvent> fill)
    {
        final long seq = ring.next();
        try
        {
            fill.accept(claim(seq, type, correlationId));
        }
        finally
        {
            ring.publish(seq);
        }
    }

    private void onCommand(final ChannelHandlerContext ctx, final byte type)
    {
        switch (type)
        {
            case FrameType.SEND:
            case FrameType.RESEND:
            {
                final long correlationId = reader.readLong();
                final byte destinationType = readDestinationType();
                final String name = readDestinationName();
                final String previousScope = type == FrameType.RESEND ? reader.readRequiredString("previous scope") : null;
                final byte[] message = reader.readRest();
                messages.check(message);
                if (LargeTransfers.needsForce(message))
                {
                    final LargeTransfers.Named named = large().name(message);
                    if (named.refusal() != null)
                    {
                        reply(ctx, correlationId, ErrorCode.STORAGE, "message not accepted: " + named.refusal());
                        break;
                    }
                    holdWhile(ctx, () -> LargeTransfers.finish(named.upload(), message), refused ->
                        send(ctx, correlationId, destinationType, name, message, previousScope, refused),
                        named.upload()::cancel);
                    break;
                }
                send(ctx, correlationId, destinationType, name, message, previousScope, large().claim(message));
                break;
            }
            case FrameType.ACK:
            {
                final long consumerId = reader.readLong();
                final long deliveryId = reader.readLong();
                reader.requireEnd("ACK");
                final long seq = ring.next();
                try
                {
                    final EngineEvent e = claim(seq, EngineEvent.ACK, 0);
                    e.consumerId = consumerId;
                    e.deliveryId = deliveryId;
                }
                finally
                {
                    ring.publish(seq);
                }
                break;
            }
            case FrameType.PAUSE:
            {
                final long consumerId = reader.readLong();
                final boolean paused = reader.readBoolean();
                reader.requireEnd("PAUSE");
                publish(EngineEvent.PAUSE, 0, e ->
                {
                    e.consumerId = consumerId;
                    e.paused = paused;
                });
                break;
            }
            case FrameType.FORCE_DELIVERY:
            {
                final long correlationId = reader.readLong();
                final long consumerId = reader.readLong();
                reader.requireEnd("FORCE_DELIVERY");
                publish(EngineEvent.FORCE_DELIVERY, correlationId, e -> e.consumerId = consumerId);
                break;
            }
            case FrameType.CREDIT:
            {
                final long consumerId = reader.readLong();
                final int credit = reader.readInt();
                final int bytes = reader.readInt();
                reader.requireEnd("CREDIT");
                if (credit < 0 || bytes < 0 || credit == 0 && bytes == 0)
                {
                    throw new ProtocolException("CREDIT of " + credit + " messages and " + bytes +
                        " bytes: neither may be negative, and one must be positive");
                }
                final long seq = ring.next();
                try
                {
                    final EngineEvent e = claim(seq, EngineEvent.CREDIT, 0);
                    e.consumerId = consumerId;
                    e.count = credit;
                    e.creditBytes = bytes;
                }
                finally
                {
                    ring.publish(seq);
                }
                break;
            }
            case FrameType.ACK_BATCH:
            case FrameType.RELEASE:
                onAckOrRelease(type);
                break;
            case FrameType.CREATE_CONSUMER:
                onCreateConsumer(ctx);
                break;
            case FrameType.SET_CLIENT_ID:
            {
                final long correlationId = reader.readLong();
                final String clientId = reader.readString();
                reader.requireEnd("SET_CLIENT_ID");
                if (clientId == null || clientId.isEmpty())
                {
                    reply(ctx, correlationId, ErrorCode.INVALID_CLIENT_ID, "client id must not be null or empty");
                    break;
                }
                publish(EngineEvent.SET_CLIENT_ID, correlationId, e -> e.clientId = clientId);
                break;
            }
            case FrameType.UNSUBSCRIBE:
            {
                final long correlationId = reader.readLong();
                final String name = reader.readString();
                reader.requireEnd("UNSUBSCRIBE");
                if (name == null || name.isEmpty())
                {
                    reply(ctx, correlationId, ErrorCode.INVALID_DESTINATION, "subscription name must not be null or empty");
                    break;
                }
                publish(EngineEvent.UNSUBSCRIBE, correlationId, e -> e.subscriptionName = name);
                break;
            }
            case FrameType.ADMIN:
            {
                final long correlationId = reader.readLong();
                final String verb = reader.readRequiredString("admin verb");
                final int count = reader.readCount(4);
                final String[] args = new String[count];
                for (int i = 0; i < count; i++)
                {
                    args[i] = reader.readString();
                }
                reader.requireEnd("ADMIN");
                publish(EngineEvent.ADMIN, correlationId, e ->
                {
                    e.destinationName = verb;
                    e.sendNames = args;
                });
                break;
            }
            case FrameType.CLOSE_SESSION:
            {
                final long correlationId = reader.readLong();
                final long sessionId = reader.readLong();
                reader.requireEnd("CLOSE_SESSION");
                publish(EngineEvent.CLOSE_SESSION, correlationId, e -> e.sessionId = sessionId);
                break;
            }
            case FrameType.CLOSE_CONSUMER:
            {
                final long correlationId = reader.readLong();
                final long consumerId = reader.readLong();
                final int count = reader.readCount(8);
                final long[] kept = new long[count];
                for (int i = 0; i < count; i++)
                {
                    kept[i] = reader.readLong();
                }
                reader.requireEnd("CLOSE_CONSUMER");
                publish(EngineEvent.CLOSE_CONSUMER, correlationId, e ->
                {
                    e.consumerId = consumerId;
                    e.deliveryIds = kept;
                });
                break;
            }
            case FrameType.RECOVER:
            {
                final long correlationId = reader.readLong();
                final long sessionId = reader.readLong();
                final int count = reader.readCount(16);
                final long[] consumerIds = new long[count];
                final long[] deliveryIds = new long[count];
                for (int i = 0; i < count; i++)
                {
                    consumerIds[i] = reader.readLong();
                    deliveryIds[i] = reader.readLong();
                }
                reader.requireEnd("RECOVER");
                publish(EngineEvent.RECOVER, correlationId, e ->
                {
                    e.sessionId = sessionId;
                    e.consumerIds = consumerIds;
                    e.deliveryIds = deliveryIds;
                });
                break;
            }
            case FrameType.DUPLICATE_CHECK:
            {
                final long correlationId = reader.readLong();
                final byte destinationType = readDestinationType();
                final String name = readDestinationName();
                final String messageId = reader.readString();
                reader.requireEnd("DUPLICATE_CHECK");
                publish(EngineEvent.DUPLICATE_CHECK, correlationId, e ->
                {
                    e.destinationType = destinationType;
                    e.destinationName = name;
                    e.reason = messageId;
                });
                break;
            }
            case FrameType.COMMIT_CHECK:
            {
                final long correlationId = reader.readLong();
                final String commitId = readCommitId();
                reader.requireEnd("COMMIT_CHECK");
                publish(EngineEvent.COMMIT_CHECK, correlationId, e -> e.reason = commitId);
                break;
            }
            case FrameType.CREATE_TEMP:
            case FrameType.DELETE_TEMP:
            {
                final long correlationId = reader.readLong();
                final byte destinationType = readDestinationType();
                final String name = readDestinationName();
                reader.requireEnd(FrameType.name(type));
                publish(type == FrameType.CREATE_TEMP ? EngineEvent.CREATE_TEMP : EngineEvent.DELETE_TEMP, correlationId, e ->
                {
                    e.destinationType = destinationType;
                    e.destinationName = name;
                });
                break;
            }
            case FrameType.COMMIT:
                onCommit(ctx, false);
                break;
            case FrameType.XA_PREPARE:
                onCommit(ctx, true);
                break;
            case FrameType.XA_COMMIT:
            case FrameType.XA_ROLLBACK:
            case FrameType.XA_FORGET:
            {
                final long correlationId = reader.readLong();
                final WireXid xid = WireXid.read(reader);
                reader.requireEnd(FrameType.name(type));
                final byte eventType = type == FrameType.XA_COMMIT ? EngineEvent.XA_COMMIT :
                    type == FrameType.XA_ROLLBACK ? EngineEvent.XA_ROLLBACK : EngineEvent.XA_FORGET;
                publish(eventType, correlationId, e -> e.xid = xid);
                break;
            }
            case FrameType.XA_RECOVER:
            {
                final long correlationId = reader.readLong();
                reader.requireEnd("XA_RECOVER");
                publish(EngineEvent.XA_RECOVER, correlationId, e -> { });
                break;
            }
            case FrameType.LARGE_CHUNK:
            {
                final long uploadId = reader.readLong();
                final ByteBuf frame = currentFrame;
                large().chunk(uploadId, frame.slice(frame.readerIndex() + reader.position(), reader.remaining()));
                break;
            }
            case FrameType.LARGE_CANCEL:
            {
                final long uploadId = reader.readLong();
                reader.requireEnd("LARGE_CANCEL");
                large().cancel(uploadId);
                break;
            }
            case FrameType.LARGE_READ:
            {
                final long correlationId = reader.readLong();
                final long bodyId = reader.readLong();
                final long position = reader.readLong();
                final int length = reader.readInt();
                reader.requireEnd("LARGE_READ");
                large().read(ctx, correlationId, bodyId, position, length);
                break;
            }
            case FrameType.LARGE_STAGE:
            {
                requireClusterRole(type);
                final long correlationId = reader.readLong();
                final long uploadId = reader.readLong();
                final long length = reader.readLong();
                reader.requireEnd("LARGE_STAGE");
                final LargeTransfers.Named named = large().nameStaged(uploadId, length);
                if (named.refusal() != null)
                {
                    reply(ctx, correlationId, ErrorCode.STORAGE, named.refusal());
                    break;
                }
                holdWhile(ctx, () -> named.upload().finish(true), failure ->
                {
                    if (failure == null)
                    {
                        large.staged(uploadId, named.upload());
                        BrokerEventEncoder.ok(replies, correlationId);
                        ctx.writeAndFlush(NettyFrames.toByteBuf(ctx.alloc(), replies), ctx.voidPromise());
                    }
                    else
                    {
                        reply(ctx, correlationId, ErrorCode.STORAGE, "large message body not stored: " + failure);
                    }
                }, named.upload()::cancel);
                break;
            }
            case FrameType.LARGE_DONE:
            {
                final long bodyId = reader.readLong();
                reader.requireEnd("LARGE_DONE");
                if (large().done(bodyId))
                {
                    publish(EngineEvent.LARGE_DONE, 0, e -> e.deliveryId = bodyId);
                }
                break;
            }
            case FrameType.GOODBYE:
            {
                final long correlationId = reader.readLong();
                reader.requireEnd("GOODBYE");
                publish(EngineEvent.GOODBYE, correlationId, e -> { });
                break;
            }
            case FrameType.PING:
            {
                final long token = reader.readLong();
                BrokerEventEncoder.pong(replies, token);
                ctx.writeAndFlush(NettyFrames.toByteBuf(ctx.alloc(), replies), ctx.voidPromise());
                break;
            }
            case FrameType.PONG:
                break;
            default:
                if (frames == null || !frames.decodes(type))
                {
                    throw new ProtocolException("unexpected frame " + FrameType.name(type) + " from a client");
                }
                onExtensionFrame(type);
        }
    }

    /**
     * A SEND or RESEND goes on to the processor, or is answered with why not ({@code refused}).
     */
    private void send(final ChannelHandlerContext ctx, final long correlationId, final byte destinationType,
        final String name, final byte[] message, final String previousScope, final String refused)
    {
        if (refused != null)
        {
            reply(ctx, correlationId, ErrorCode.STORAGE, "message not accepted: " + refused);
            return;
        }
        final long seq = ring.next();
        try
        {
            final EngineEvent e = claim(seq, EngineEvent.SEND, correlationId);
            e.destinationType = destinationType;
            e.destinationName = name;
            e.message = message;
            e.resentFrom = previousScope;
        }
        finally
        {
            ring.publish(seq);
        }
    }

    private void onCreateConsumer(final ChannelHandlerContext ctx)
    {
        final long correlationId = reader.readLong();
        final long sessionId = reader.readLong();
        final long consumerId = reader.readLong();
        final byte destinationType = readDestinationType();
        final String name = readDestinationName();
        final String selectorText = reader.readString();
        final byte flags = reader.readByte();
        final String subscriptionName = reader.readString();
        final int credit = reader.readInt();
        final int creditBytes = reader.readInt();
        reader.requireEnd("CREATE_CONSUMER");
        if (credit < 1)
        {
            throw new ProtocolException("CREATE_CONSUMER initial credit " + credit + " must be positive");
        }
        if (creditBytes < 0)
        {
            throw new ProtocolException("CREATE_CONSUMER initial credit of " + creditBytes + " bytes must not be negative");
        }
        if ((flags & ~ConsumerFlags.ALL) != 0)
        {
            throw new ProtocolException("CREATE_CONSUMER has unknown flags 0x" + Integer.toHexString(flags & 0xFF));
        }
        final boolean named = ConsumerFlags.isSet(flags, ConsumerFlags.DURABLE) || ConsumerFlags.isSet(flags, ConsumerFlags.SHARED);
        if (named && (subscriptionName == null || subscriptionName.isEmpty()))
        {
            // Clients check the name before sending: a frame without one is malformed, not a broker failure.
            reply(ctx, correlationId, ErrorCode.MALFORMED_FRAME, "CREATE_CONSUMER: a durable or shared subscription " +
                "needs a name");
            return;
        }
        if (named && !DestinationType.isTopic(destinationType))
        {
            reply(ctx, correlationId, ErrorCode.INVALID_DESTINATION, "subscriptions are made on topics, not on queue '" + name + "'");
            return;
        }
        final Selector selector;
        try
        {
            // Parsed here, off the processor thread; the processor gets the tree.
            selector = selectorText == null || selectorText.isBlank() ? null : Selector.parse(selectorText);
        }
        catch (final SelectorSyntaxException ex)
        {
            reply(ctx, correlationId, ErrorCode.INVALID_SELECTOR, ex.getMessage());
            return;
        }
        publish(EngineEvent.CREATE_CONSUMER, correlationId, e ->
        {
            e.sessionId = sessionId;
            e.consumerId = consumerId;
            e.destinationType = destinationType;
            e.destinationName = name;
            e.selector = selector;
            e.consumerFlags = flags;
            e.subscriptionName = subscriptionName;
            e.count = credit;
            e.creditBytes = creditBytes;
        });
    }

    /**
     * Answers a command that fails its checks here, before it reaches the processor; the connection stays.
     */
    private void reply(final ChannelHandlerContext ctx, final long correlationId, final int code, final String message)
    {
        BrokerEventEncoder.error(replies, correlationId, code, message);
        ctx.writeAndFlush(NettyFrames.toByteBuf(ctx.alloc(), replies), ctx.voidPromise());
    }

    private void onAckOrRelease(final byte type)
    {
        final long correlationId = reader.readLong();
        final boolean release = type == FrameType.RELEASE;
        final int count = reader.readCount(release ? 17 : 16);
        final long[] consumerIds = new long[count];
        final long[] deliveryIds = new long[count];
        final boolean[] flags = release ? new boolean[count] : null;
        for (int i = 0; i < count; i++)
        {
            consumerIds[i] = reader.readLong();
            deliveryIds[i] = reader.readLong();
            if (release)
            {
                flags[i] = reader.readBoolean();
            }
        }
        reader.requireEnd(FrameType.name(type));
        final long seq = ring.next();
        try
        {
            final EngineEvent e = claim(seq, release ? EngineEvent.RELEASE : EngineEvent.ACK_BATCH, correlationId);
            e.consumerIds = consumerIds;
            e.deliveryIds = deliveryIds;
            e.flags = flags;
        }
        finally
        {
            ring.publish(seq);
        }
    }

    /**
     * COMMIT, or XA_PREPARE: the same body after an xid.
     */
    private void onCommit(final ChannelHandlerContext ctx, final boolean prepare)
    {
        final String frame = prepare ? "XA_PREPARE" : "COMMIT";
        final long correlationId = reader.readLong();
        final WireXid xid = prepare ? WireXid.read(reader) : null;
        final int sendCount = reader.readCount(1 + 4 + 4);
        final byte[] sendTypes = new byte[sendCount];
        final String[] sendNames = new String[sendCount];
        final byte[][] sendMessages = new byte[sendCount][];
        for (int i = 0; i < sendCount; i++)
        {
            sendTypes[i] = readDestinationType();
            sendNames[i] = readDestinationName();
            final byte[] message = reader.readBytes();
            if (message == null)
            {
                throw new ProtocolException(frame + " message " + i + " is null");
            }
            messages.check(message);
            sendMessages[i] = message;
        }
        final int ackCount = reader.readCount(16);
        final long[] consumerIds = new long[ackCount];
        final long[] deliveryIds = new long[ackCount];
        for (int i = 0; i < ackCount; i++)
        {
            consumerIds[i] = reader.readLong();
            deliveryIds[i] = reader.readLong();
        }
        final String commitId = !prepare && reader.remaining() > 0 ? readCommitId() : null;
        reader.requireEnd(frame);
        final String refusal = prepare ? "XA branch not prepared: " : "transaction rolled back: ";
        final Runnable publish = () ->
        {
            final long seq = ring.next();
            try
            {
                final EngineEvent e = claim(seq, prepare ? EngineEvent.XA_PREPARE : EngineEvent.COMMIT, correlationId);
                e.xid = xid;
                e.sendTypes = sendTypes;
                e.sendNames = sendNames;
                e.sendMessages = sendMessages;
                e.consumerIds = consumerIds;
                e.deliveryIds = deliveryIds;
                e.reason = commitId;
            }
            finally
            {
                ring.publish(seq);
            }
        };
        if (Arrays.stream(sendMessages).anyMatch(LargeTransfers::needsForce))
        {
            commitForcedAside(ctx, correlationId, sendMessages, refusal, publish);
            return;
        }
        for (int i = 0; i < sendCount; i++)
        {
            final String refused = large().claim(sendMessages[i]);
            if (refused != null)
            {
                for (int j = 0; j < i; j++)
                {
                    large.unclaim(sendMessages[j]);
                }
                for (int j = i + 1; j < sendCount; j++)
                {
                    large.cancelNamed(sendMessages[j]);
                }
                reply(ctx, correlationId, ErrorCode.STORAGE, refusal + refused);
                return;
            }
        }
        publish.run();
    }

    /**
     * A transaction with a persistent large message: its bodies are named here and finished (forced where persistent)
     * aside, the connection held meanwhile ({@link #holdWhile}); then it goes to the processor, or is refused with
     * every body deleted.
     */
    private void commitForcedAside(final ChannelHandlerContext ctx, final long correlationId, final byte[][] messages,
        final String refusal, final Runnable publish)
    {
        final LargeUpload[] uploads = new LargeUpload[messages.length];
        for (int i = 0; i < messages.length; i++)
        {
            if (!LargeBodyDescriptor.isLarge(messages[i]))
            {
                continue;
            }
            final LargeTransfers.Named named = large().name(messages[i]);
            if (named.refusal() != null)
            {
                cancelAll(uploads);
                for (int j = i + 1; j < messages.length; j++)
                {
                    large.cancelNamed(messages[j]);
                }
                reply(ctx, correlationId, ErrorCode.STORAGE, refusal + named.refusal());
                return;
            }
            uploads[i] = named.upload();
        }
        holdWhile(ctx, () ->
        {
            for (int i = 0; i < messages.length; i++)
            {
                final String failure = uploads[i] == null ? null : LargeTransfers.finish(uploads[i], messages[i]);
                if (failure != null)
                {
                    cancelAll(uploads);
                    return failure;
                }
            }
            return null;
        }, failure ->
        {
            if (failure == null)
            {
                publish.run();
            }
            else
            {
                reply(ctx, correlationId, ErrorCode.STORAGE, refusal + failure);
            }
        }, () -> cancelAll(uploads));
    }

    private static void cancelAll(final LargeUpload[] uploads)
    {
        for (final LargeUpload upload : uploads)
        {
            if (upload != null)
            {
                upload.cancel();
            }
        }
    }

    private LargeTransfers large()
    {
        if (large == null)
        {
            large = new LargeTransfers(largeStore, connection);
        }
        return large;
    }

    private EngineEvent claim(final long seq, final byte type, final long correlationId)
    {
        final EngineEvent event = ring.get(seq);
        event.clear();
        event.type = type;
        event.connection = connection;
        event.correlationId = correlationId;
        event.share = share;
        share.published();
        return event;
    }

    private void onExtensionFrame(final byte type)
    {
        requireClusterRole(type);
        final ExtensionCommand command = frames.decode(type, reader);
        final long seq = ring.next();
        try
        {
            claim(seq, EngineEvent.EXTENSION, command.correlationId()).command = command;
        }
        finally
        {
            ring.publish(seq);
        }
    }

    private void requireClusterRole(final byte type)
    {
        if (!clusterRole)
        {
            throw new ProtocolException(FrameType.name(type) + " is accepted only on a cluster connection (HELLO with " +
                "the cluster role)");
        }
    }

    private byte readDestinationType()
    {
        final byte type = reader.readByte();
        if (!DestinationType.isValid(type))
        {
            throw new ProtocolException("unknown destination type " + type);
        }
        return type;
    }

    /**
     * @throws ProtocolException if it is missing or longer than {@value #MAX_COMMIT_ID_LENGTH} characters (the broker
     * keeps many).
     */
    private String readCommitId()
    {
        final String commitId = reader.readRequiredString("commit id");
        if (commitId.length() > MAX_COMMIT_ID_LENGTH)
        {
            throw new ProtocolException("commit id is " + commitId.length() + " characters long, more than the " +
                MAX_COMMIT_ID_LENGTH + " allowed");
        }
        return commitId;
    }

    private String readDestinationName()
    {
        final String name = reader.readString();
        if (name == null || name.isBlank())
        {
            throw new ProtocolException(ErrorCode.INVALID_DESTINATION, "destination name is missing or blank");
        }
        return name;
    }

    private void failAndClose(final ChannelHandlerContext ctx, final int code, final String message)
    {
        if (closing)
        {
            return;
        }
        closing = true;
        // At most a line a minute: a client that keeps sending garbage must not fill the disk with log lines.
        final long refused = REFUSED_CONNECTIONS.occurred();
        if (refused > 0)
        {
            LOG.log(System.Logger.Level.WARNING, "closing connection from " + ctx.channel().remoteAddress() + ": " + message +
                (refused > 1 ? " (" + refused + " connections closed for protocol errors in the last minute)" : ""));
        }
        BrokerEventEncoder.error(replies, 0, code, message);
        ctx.writeAndFlush(NettyFrames.toByteBuf(ctx.alloc(), replies)).addListener(ChannelFutureListener.CLOSE);
    }

    @Override
    public void exceptionCaught(final ChannelHandlerContext ctx, final Throwable cause)
    {
        if (cause instanceof TooLongFrameException)
        {
            failAndClose(ctx, ErrorCode.FRAME_TOO_LONG, "frame too long: " + cause.getMessage());
        }
        else if (cause instanceof SSLException || cause.getCause() instanceof SSLException)
        {
            // Nothing can be said to the peer over a TLS session that failed (or to a plain client at a TLS port).
            final long failures = TLS_FAILURES.occurred();
            if (failures > 0)
            {
                LOG.log(System.Logger.Level.WARNING, "TLS with " + ctx.channel().remoteAddress() + " failed: " +
                    (cause.getCause() instanceof SSLException ? cause.getCause().getMessage() : cause.getMessage()) +
                    (failures > 1 ? " (" + failures + " TLS failures in the last minute)" : ""));
            }
            ctx.close();
        }
        else if (cause instanceof CorruptedFrameException || cause instanceof DecoderException)
        {
            failAndClose(ctx, ErrorCode.MALFORMED_FRAME, "malformed frame: " + cause.getMessage());
        }
        else if (cause instanceof IOException)
        {
            ctx.close();
        }
        else
        {
            LOG.log(System.Logger.Level.ERROR, "unexpected failure on connection from " + ctx.channel().remoteAddress(), cause);
            failAndClose(ctx, ErrorCode.GENERIC, "broker failure: " + cause);
        }
    }

    /**
     * A peer that does not read what it is sent is not read from either: once the channel's outbound data passes its
     * high-water mark the acceptor stops reading until it drains, so a client flooding commands whose answers it never
     * reads (PINGs, sends that want an OK) cannot make the broker queue answers without end.
     */
    @Override
    public void channelReadComplete(final ChannelHandlerContext ctx)
    {
        if (!ctx.channel().isWritable() && ctx.channel().config().isAutoRead())
        {
            ctx.channel().config().setAutoRead(false);
        }
        ctx.fireChannelReadComplete();
    }

    @Override
    public void channelWritabilityChanged(final ChannelHandlerContext ctx)
    {
        if (ctx.channel().isWritable())
        {
            if (mayRead(ctx))
            {
                ctx.channel().config().setAutoRead(true);
            }
            if (connection != null)
            {
                publish(EngineEvent.WRITABLE, 0, e -> { });
            }
        }
        ctx.fireChannelWritabilityChanged();
    }

    /**
     * A new connection: refused at once over a connection limit, else given {@code handshakeTimeoutMs} to say HELLO.
     */
    @Override
    public void channelActive(final ChannelHandlerContext ctx)
    {
        final SocketAddress remote = ctx.channel().remoteAddress();
        final String refusal = limits.admit(remote);
        if (refusal != null)
        {
            closeQuietly(ctx, ErrorCode.CONNECTION_LIMIT, refusal);
            return;
        }
        admitted = remote;
        handshakeTimeout = ctx.executor().schedule(() ->
        {
            if (connection == null && !closing)
            {
                closeQuietly(ctx, ErrorCode.BAD_HANDSHAKE,
                    limits.handshakeTimedOut(ctx.channel().remoteAddress(), handshakeTimeoutMs));
            }
        }, handshakeTimeoutMs, TimeUnit.MILLISECONDS);
        ctx.fireChannelActive();
    }

    /**
     * A client that pings (a stopped process, a pulled cable leave the socket open) is taken for dead once nothing
     * came from it for its TTL: the connection closes and what it held goes to other consumers.
     */
    private void watchSilence(final ChannelHandlerContext ctx, final int connectionTtlMs)
    {
        final long ttlNanos = TimeUnit.MILLISECONDS.toNanos(connectionTtlMs);
        final long periodMs = Math.max(1, connectionTtlMs / 4);
        silenceCheck = ctx.executor().scheduleAtFixedRate(() ->
        {
            if (!closing && System.nanoTime() - lastReadNanos > ttlNanos)
            {
                final String why = "nothing came from " + ctx.channel().remoteAddress() + " for " + connectionTtlMs +
                    " ms (its connection TTL): taking it for dead";
                final long since = SILENT_CLIENTS.occurred();
                if (since > 0)
                {
                    LOG.log(System.Logger.Level.INFO, "closed " + since + " silent connection(s) since this was last " +
                        "logged; the last: " + why + " (logged at most once a minute)");
                }
                silenceCheck.cancel(false);
                closeQuietly(ctx, ErrorCode.GENERIC, why);
            }
        }, periodMs, periodMs, TimeUnit.MILLISECONDS);
    }

    /**
     * Tells the peer why and closes, without a log line of its own (the caller's are rate-limited).
     */
    private void closeQuietly(final ChannelHandlerContext ctx, final int code, final String message)
    {
        closing = true;
        BrokerEventEncoder.error(replies, 0, code, message);
        ctx.writeAndFlush(NettyFrames.toByteBuf(ctx.alloc(), replies)).addListener(ChannelFutureListener.CLOSE);
    }

    @Override
    public void channelInactive(final ChannelHandlerContext ctx)
    {
        releaseAll(held);
        if (large != null)
        {
            large.close();
        }
        if (handshakeTimeout != null)
        {
            handshakeTimeout.cancel(false);
        }
        if (silenceCheck != null)
        {
            silenceCheck.cancel(false);
        }
        if (admitted != null)
        {
            limits.release(admitted);
            admitted = null;
        }
        if (connection != null)
        {
            final long seq = ring.next();
            try
            {
                final EngineEvent event = ring.get(seq);
                event.clear();
                event.type = EngineEvent.CONNECTION_CLOSED;
                event.connection = connection;
                event.share = share;
                share.published();
            }
            finally
            {
                ring.publish(seq);
            }
        }
        ctx.fireChannelInactive();
    }
}
