package io.meshmq.cluster.link;

import io.meshmq.cluster.Member;
import io.meshmq.cluster.wire.ClusterFrameEncoder;
import io.meshmq.protocol.BrokerCommandEncoder;
import io.meshmq.protocol.FrameDescriptor;
import io.meshmq.protocol.FrameType;
import io.meshmq.protocol.ProtocolException;
import io.meshmq.protocol.WireWriter;
import io.meshmq.transport.FrameDecoder;
import io.meshmq.transport.NettyFrames;
import io.netty.buffer.ByteBuf;
import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.EventLoopGroup;
import io.netty.channel.WriteBufferWaterMark;

import java.io.IOException;
import java.nio.channels.FileChannel;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.util.ArrayDeque;
import java.util.concurrent.ScheduledFuture;
import java.util.concurrent.TimeUnit;

/**
 * This node's second connection to one member, for large bodies only: dialled when a body must cross, it sends one
 * body at a time in LARGE_CHUNKs as fast as the connection drains (the file is read as the socket takes it, never
 * held), then LARGE_STAGE, and tells the processor when the member keeps it; closed after {@value #IDLE_MS} ms with
 * nothing to send. The core connection to the member never carries a body, so the frames it carries (other forwards'
 * answers, bindings, members) are not held up behind one.
 * <p>
 * A lost connection fails every body it was sending or was to send: the processor's bridges ask again after a pause.
 * <p>
 * Not thread safe: runs on the mesh's event loop.
 */
final class LargeLink
{
    static final long IDLE_MS = 60_000;
    private static final int CHUNK_HEADER = FrameDescriptor.LENGTH_FIELD_LENGTH + 1 + Long.BYTES;

    /**
     * One body to send.
     */
    record Body(String nodeId, long bodyId, Path file, long length)
    {
    }

    private final Member member;
    private final LargeLinks.Settings settings;
    private final ClusterInput engine;
    private final EventLoopGroup loop;
    private final ArrayDeque<Body> waiting = new ArrayDeque<>();
    /** The body being sent, or sent and not yet answered; null for none. */
    private Body current;
    private FileChannel reading;
    private long position;
    private boolean answerAwaited;
    /** The connection once its handshake is done; null before and after. */
    private ChannelHandlerContext connection;
    private boolean connecting;
    private boolean closed;
    private ScheduledFuture<?> idleClose;

    LargeLink(final Member member, final LargeLinks.Settings settings)
    {
        this.member = member;
        this.settings = settings;
        this.engine = settings.engine();
        this.loop = settings.loop();
    }

    void send(final Body body)
    {
        if (closed)
        {
            engine.largeStaged(body.nodeId(), body.bodyId(), "the node is stopping");
            return;
        }
        waiting.add(body);
        if (idleClose != null)
        {
            idleClose.cancel(false);
            idleClose = null;
        }
        if (connection != null)
        {
            pump();
        }
        else if (!connecting)
        {
            connecting = true;
            Dialing.connect(loop, member.host(), member.port(), settings.tlsSettings(), settings.tls(),
                new WriteBufferWaterMark(256 * 1024, 1024 * 1024), Handler::new).addListener(future ->
                {
                    if (!future.isSuccess())
                    {
                        connecting = false;
                        failAll("cannot connect to " + member + " to send a large body: " + future.cause().getMessage());
                    }
                });
        }
    }

    void close()
    {
        closed = true;
        failAll("the node is stopping");
        if (connection != null)
        {
            connection.close();
        }
    }

    /**
     * Writes the current body's next chunks while the connection takes them, then asks the member to keep it.
     */
    private void pump()
    {
        final ChannelHandlerContext ctx = connection;
        try
        {
            while (ctx != null && ctx.channel().isWritable() && !answerAwaited)
            {
                if (current == null)
                {
                    current = waiting.poll();
                    if (current == null)
                    {
                        if (idleClose == null)
                        {
                            idleClose = loop.schedule(this::closeIfIdle, IDLE_MS, TimeUnit.MILLISECONDS);
                        }
                        break;
                    }
                    reading = FileChannel.open(current.file(), StandardOpenOption.READ);
                    position = 0;
                }
                if (position < current.length())
                {
                    final int bytes = (int)Math.min(FrameDescriptor.LARGE_CHUNK_BYTES, current.length() - position);
                    final ByteBuf chunk = ctx.alloc().ioBuffer(CHUNK_HEADER + bytes);
                    chunk.writeIntLE(CHUNK_HEADER - FrameDescriptor.LENGTH_FIELD_LENGTH + bytes)
                        .writeByte(FrameType.LARGE_CHUNK).writeLongLE(current.bodyId());
                    int read = 0;
                    while (read < bytes)
                    {
                        final int n = chunk.writeBytes(reading, position + read, bytes - read);
                        if (n < 0)
                        {
                            chunk.release();
                            throw new IOException(current.file() + " ends after " + (position + read) + " of its " +
                                current.length() + " bytes");
                        }
                        read += n;
                    }
                    position += bytes;
                    ctx.write(chunk, ctx.voidPromise());
                }
                else
                {
                    closeReading();
                    ctx.write(NettyFrames.toByteBuf(ctx.alloc(), ClusterFrameEncoder.largeStage(
                        new WireWriter(64), current.bodyId(), current.bodyId(), current.length())),
                        ctx.voidPromise());
                    answerAwaited = true;
                }
            }
        }
        catch (final IOException ex)
        {
            final Body failed = current;
            closeReading();
            current = null;
            engine.largeStaged(failed.nodeId(), failed.bodyId(), "cannot read the body: " + ex.getMessage());
            loop.execute(this::pump);
        }
        if (ctx != null)
        {
            ctx.flush();
        }
    }

    /**
     * The member answered LARGE_STAGE.
     */
    private void answered(final long bodyId, final String failure)
    {
        if (current == null || !answerAwaited || current.bodyId() != bodyId)
        {
            throw new ProtocolException("unexpected answer " + bodyId + " on a large body connection");
        }
        engine.largeStaged(current.nodeId(), bodyId, failure);
        current = null;
        answerAwaited = false;
        pump();
    }

    private void closeIfIdle()
    {
        idleClose = null;
        if (current == null && waiting.isEmpty() && connection != null)
        {
            connection.close();
        }
    }

    private void failAll(final String reason)
    {
        closeReading();
        if (current != null)
        {
            engine.largeStaged(current.nodeId(), current.bodyId(), reason);
            current = null;
        }
        answerAwaited = false;
        for (Body body = waiting.poll(); body != null; body = waiting.poll())
        {
            engine.largeStaged(body.nodeId(), body.bodyId(), reason);
        }
    }

    private void closeReading()
    {
        if (reading != null)
        {
            try
            {
                reading.close();
            }
            catch (final IOException ignored)
            {
                // only read from
            }
            reading = null;
        }
    }

    /**
     * The connection's frames, from the handshake to its loss.
     */
    private final class Handler extends DialedHandler
    {
        Handler()
        {
            super(new MembershipProof(member.toString(), settings.user(), settings.password()), settings.user(),
                settings.password(), "member " + member);
        }

        @Override
        void onHelloOk(final ChannelHandlerContext ctx)
        {
            ((FrameDecoder)ctx.pipeline().get(NettyFrames.FRAME_DECODER)).maxFrameLength(NettyFrames.maxFrameLength());
            handshakeDone();
            connecting = false;
            connection = ctx;
            pump();
        }

        @Override
        void onFrame(final ChannelHandlerContext ctx, final byte type)
        {
            switch (type)
            {
                case FrameType.OK:
                    answered(reader.readLong(), null);
                    break;
                case FrameType.ERROR:
                {
                    final long correlationId = reader.readLong();
                    final int code = reader.readInt();
                    final String message = reader.readString();
                    if (correlationId == 0)
                    {
                        failure = "refused: " + message;
                        ctx.close();
                        return;
                    }
                    answered(correlationId, message == null ? "error " + code : message);
                    break;
                }
                case FrameType.PING:
                    ctx.writeAndFlush(NettyFrames.toByteBuf(ctx.alloc(), BrokerCommandEncoder.pong(writer,
                        reader.readLong())), ctx.voidPromise());
                    break;
                case FrameType.PONG:
                    break;
                default:
                    throw new ProtocolException("unexpected frame " + FrameType.name(type) + " on a large body " +
                        "connection");
            }
        }

        @Override
        public void channelWritabilityChanged(final ChannelHandlerContext ctx)
        {
            if (ctx.channel().isWritable())
            {
                pump();
            }
            ctx.fireChannelWritabilityChanged();
        }

        @Override
        void onLost(final ChannelHandlerContext ctx)
        {
            connection = null;
            connecting = false;
            failAll(failure != null ? failure : "the connection for large bodies to " + member + " was closed");
        }
    }
}
