package io.meshmq.cluster.link;

import io.meshmq.protocol.BrokerCommandEncoder;
import io.meshmq.protocol.FrameType;
import io.meshmq.protocol.ProtocolException;
import io.meshmq.protocol.WireReader;
import io.meshmq.protocol.WireWriter;
import io.meshmq.transport.NettyFrames;
import io.netty.buffer.ByteBuf;
import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.ChannelInboundHandlerAdapter;
import org.agrona.concurrent.UnsafeBuffer;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.util.concurrent.ScheduledFuture;
import java.util.concurrent.TimeUnit;

/**
 * One connection this node dialled as a cluster member, from its handshake to its loss: HELLO with the cluster role
 * and, within {@value #HANDSHAKE_TIMEOUT_MS} ms, the other end's answer, with the password proven when the cluster has
 * a user ({@link Dialing}); then the frames of what the connection is for, which subclasses read. Why the connection
 * failed is kept in {@link #failure} for {@link #channelInactive}. Once joined, it pings every {@value #PING_EVERY_MS}
 * ms and takes the other end for dead after {@value #SILENCE_MS} ms without a frame (the other end answers pings on
 * its I/O thread), so a stopped process or a cut network is noticed, not only a closed socket.
 * <p>
 * Not thread safe: runs on the connection's event loop.
 */
abstract class DialedHandler extends ChannelInboundHandlerAdapter
{
    static final long HANDSHAKE_TIMEOUT_MS = 10_000;
    static final long PING_EVERY_MS = 500;
    static final long SILENCE_MS = 3_000;

    final WireReader reader = new WireReader();
    final WireWriter writer = new WireWriter(256);
    /** Why the connection failed, or null. */
    String failure;
    private final UnsafeBuffer view = new UnsafeBuffer(0, 0);
    private final MembershipProof proof;
    private final String user;
    private final String password;
    private final String peer;
    private ScheduledFuture<?> handshakeTimeout;
    private ScheduledFuture<?> heartbeat;
    private ChannelHandlerContext context;
    private long lastReadNanos = System.nanoTime();

    /**
     * @param peer what the other end is, for messages ("member h1:7918", "live h1:7918").
     */
    DialedHandler(final MembershipProof proof, final String user, final String password, final String peer)
    {
        this.proof = proof;
        this.user = user;
        this.password = password;
        this.peer = peer;
    }

    /**
     * A frame after its type, in {@link #reader}; CLUSTER_CHALLENGE, CLUSTER_PROVEN and HELLO_OK are handled here.
     *
     * @throws ProtocolException if the frame is one the connection does not take, or malformed.
     * @throws IOException       if what it asks for cannot be done: the connection closes.
     */
    abstract void onFrame(ChannelHandlerContext ctx, byte type) throws IOException;

    /**
     * HELLO_OK from an end that proved itself as far as it had to.
     */
    abstract void onHelloOk(ChannelHandlerContext ctx) throws IOException;

    /**
     * The connection is gone (once), {@link #failure} saying why if anything did.
     */
    abstract void onLost(ChannelHandlerContext ctx);

    /**
     * The handshake is over: its timeout no longer applies.
     */
    final void handshakeDone()
    {
        handshakeTimeout.cancel(false);
        final ChannelHandlerContext ctx = context;
        heartbeat = ctx.executor().scheduleAtFixedRate(() ->
        {
            if (System.nanoTime() - lastReadNanos > TimeUnit.MILLISECONDS.toNanos(SILENCE_MS))
            {
                failure = "nothing came from " + peer + " for " + SILENCE_MS + " ms: taking it for dead";
                ctx.close();
                return;
            }
            ctx.writeAndFlush(NettyFrames.toByteBuf(ctx.alloc(), BrokerCommandEncoder.ping(writer, System.nanoTime())),
                ctx.voidPromise());
        }, PING_EVERY_MS, PING_EVERY_MS, TimeUnit.MILLISECONDS);
    }

    /**
     * @param problem why the other end is not taken, or null.
     * @return true if there was a problem: the connection is closed with it.
     */
    final boolean refuseIf(final ChannelHandlerContext ctx, final String problem)
    {
        if (problem == null)
        {
            return false;
        }
        failure = problem;
        ctx.close();
        return true;
    }

    @Override
    public final void channelActive(final ChannelHandlerContext ctx)
    {
        context = ctx;
        Dialing.hello(ctx, writer, proof, user, password);
        handshakeTimeout = ctx.executor().schedule(() ->
        {
            failure = "no answer to the MeshMQ cluster handshake within " + HANDSHAKE_TIMEOUT_MS / 1000 + " s; is " +
                peer + " the port of a MeshMQ broker?";
            ctx.close();
        }, HANDSHAKE_TIMEOUT_MS, TimeUnit.MILLISECONDS);
    }

    @Override
    public final void channelRead(final ChannelHandlerContext ctx, final Object msg)
    {
        final ByteBuf frame = (ByteBuf)msg;
        lastReadNanos = System.nanoTime();
        try
        {
            final byte type = NettyFrames.open(view, reader, frame);
            switch (type)
            {
                case FrameType.CLUSTER_CHALLENGE:
                    Dialing.onChallenge(ctx, reader, writer, proof, problem -> refuseIf(ctx, problem));
                    break;
                case FrameType.CLUSTER_PROVEN:
                    refuseIf(ctx, Dialing.onProven(reader, proof));
                    break;
                case FrameType.HELLO_OK:
                    if (!refuseIf(ctx, proof.checkBeforeJoin()))
                    {
                        onHelloOk(ctx);
                    }
                    break;
                default:
                    onFrame(ctx, type);
            }
        }
        catch (final ProtocolException ex)
        {
            failure = peer + " sent a frame this node cannot read: " + ex.getMessage();
            ctx.close();
        }
        catch (final IOException | UncheckedIOException ex)
        {
            failure = ex.getMessage();
            ctx.close();
        }
        finally
        {
            frame.release();
        }
    }

    @Override
    public void exceptionCaught(final ChannelHandlerContext ctx, final Throwable cause)
    {
        if (failure == null)
        {
            failure = cause.getMessage() == null ? cause.toString() : cause.getMessage();
        }
        ctx.close();
    }

    @Override
    public final void channelInactive(final ChannelHandlerContext ctx)
    {
        if (handshakeTimeout != null)
        {
            handshakeTimeout.cancel(false);
        }
        if (heartbeat != null)
        {
            heartbeat.cancel(false);
        }
        onLost(ctx);
    }
}
