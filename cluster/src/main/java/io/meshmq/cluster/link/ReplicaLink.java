package io.meshmq.cluster.link;

import io.meshmq.cluster.wire.ReplicaFrameEncoder;
import io.meshmq.engine.journal.ForcedFile;
import io.meshmq.engine.mirror.DirectoryMirror;
import io.meshmq.protocol.BrokerCommandEncoder;
import io.meshmq.protocol.FrameType;
import io.meshmq.protocol.ProtocolException;
import io.meshmq.protocol.WireWriter;
import io.meshmq.transport.FrameDecoder;
import io.meshmq.transport.NettyFrames;
import io.meshmq.transport.TlsSettings;
import io.netty.channel.Channel;
import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.EventLoopGroup;
import io.netty.handler.ssl.SslContext;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.ByteBuffer;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.util.Comparator;
import java.util.concurrent.TimeUnit;
import java.util.stream.Stream;

/**
 * A backup's connection to its live: dials it as a cluster member (proving the cluster user's password as a core
 * link does), asks to be its replica, and makes every change it is sent in {@link #REPLICA} under the backup's data
 * directory, storing each force before saying so. Each connection starts a new copy: the last complete one is kept
 * aside ({@link #PREVIOUS}) until the new one is in sync, so a live that dies during a copy still leaves one behind.
 * A copy is complete once {@link #SYNCED} is in it.
 * <p>
 * A backup that cannot store what it is sent (its disk is full, or failing) says so to the live (REPLICA_FAULT),
 * stores and confirms nothing more, and tries every {@value #SPACE_PROBE_MS} ms to store a few MB; once it can, it
 * drops the connection and makes a new copy (the live decides meanwhile whether to wait for it: ha.replica-fault).
 * <p>
 * Not thread safe: everything runs on the link's event loop; it reconnects with back-off whenever the connection is
 * lost or refused.
 */
public final class ReplicaLink
{
    /** Where the live's data directory is copied, under the backup's. */
    public static final String REPLICA = "replica";
    /** The last complete copy, while a new one is made. */
    public static final String PREVIOUS = "replica.previous";
    /** In a copy once it is complete: the live's address and when. */
    public static final String SYNCED = "replica.synced";
    private static final System.Logger LOG = System.getLogger(ReplicaLink.class.getName());
    private static final long MAX_RETRY_MS = 2_000;
    private static final long HANDSHAKE_TIMEOUT_MS = 10_000;
    /** Stands for the live's data directory: paths the live sends are resolved under it, then made under the copy. */
    private static final Path LIVE_ROOT = Path.of("/live");
    static final long SPACE_PROBE_MS = 1_000;
    private static final String PROBE_FILE = "space.probe";
    private static final int PROBE_BYTES = 4 * 1024 * 1024;

    private final String live;
    private final String host;
    private final int port;
    private final String backupName;
    /** A spare adopting a journal that had no replica: the live takes it only while no other backup copies. */
    private final boolean spare;
    private final Path dataDir;
    private final String user;
    private final String password;
    private final MembershipProof proof;
    private final TlsSettings tlsSettings;
    private final SslContext tls;
    private final Redial redial;
    private final EventLoopGroup loop;
    /** Why this backup cannot store what it is sent, until a probe stores a few MB again; null when it can. */
    private volatile String storeFault;
    private volatile Channel channel;
    private final Watcher watcher;
    private volatile boolean connected;
    private String lastFailure;

    /**
     * Told how the copy stands, on the link's event loop.
     */
    public interface Watcher
    {
        Watcher NONE = new Watcher()
        {
        };

        /**
         * The copy is complete and in sync: the live's confirmations wait for it.
         */
        default void inSync()
        {
        }

        /**
         * The connection to the live is gone (or could not be made), whether the copy was in sync or not.
         */
        default void lost()
        {
        }
    }

    /**
     * @param live  HOST:PORT of the live, for logs and status.
     * @param tls   TLS to the live, or null for a plain connection.
     * @param spare a spare adopting the live's journal (it had no replica), which any other backup displaces.
     */
    public ReplicaLink(final String live, final String host, final int port, final String backupName,
        final boolean spare, final Path dataDir, final EventLoopGroup loop, final String user, final String password,
        final TlsSettings tlsSettings, final SslContext tls, final Watcher watcher)
    {
        this.spare = spare;
        this.watcher = watcher;
        this.live = live;
        this.host = host;
        this.port = port;
        this.backupName = backupName;
        this.dataDir = dataDir.toAbsolutePath();
        this.user = user;
        this.password = password;
        this.redial = new Redial(loop, MAX_RETRY_MS,
            () -> Dialing.connect(loop, host, port, tlsSettings, tls, null, Handler::new), this::failed);
        this.proof = new MembershipProof(live, user, password);
        this.tlsSettings = tlsSettings;
        this.tls = tls;
        this.loop = loop;
    }

    public void start()
    {
        redial.start();
    }

    public void close()
    {
        redial.close();
    }

    /**
     * @return true while a connection to the live is up (handshake done), copying or in sync.
     */
    public boolean isConnected()
    {
        return connected;
    }

    /**
     * @return the address of the live, HOST:PORT.
     */
    public String live()
    {
        return live;
    }

    private void failed(final String reason)
    {
        watcher.lost();
        if (!reason.equals(lastFailure))
        {
            LOG.log(System.Logger.Level.WARNING, "backup '" + backupName + "' of " + live + ": " + reason +
                " (retrying; logged again only if the reason changes)");
            lastFailure = reason;
        }
    }

    /**
     * The backup cannot store what it is sent: nothing more is stored on this connection, and the live is told.
     */
    private void storeFailed(final ChannelHandlerContext ctx, final String reason, final WireWriter out)
    {
        storeFault = reason;
        LOG.log(System.Logger.Level.ERROR, "backup '" + backupName + "': cannot store what " + live + " sends (" + reason +
            "); it stores and confirms nothing more until it can store again (tried every " + SPACE_PROBE_MS +
            " ms), then copies anew");
        ctx.writeAndFlush(NettyFrames.toByteBuf(ctx.alloc(), ReplicaFrameEncoder.fault(out, reason)));
        loop.next().schedule(this::probeSpace, SPACE_PROBE_MS, TimeUnit.MILLISECONDS);
    }

    /**
     * Tries to store a few MB: once it can, the connection (if still up) is dropped and a new copy made.
     */
    private void probeSpace()
    {
        if (redial.isClosed() || storeFault == null)
        {
            return;
        }
        final Path probe = dataDir.resolve(PROBE_FILE);
        try
        {
            ForcedFile.write(probe, ByteBuffer.allocate(PROBE_BYTES));
            Files.delete(probe);
        }
        catch (final IOException ex)
        {
            try
            {
                Files.deleteIfExists(probe);
            }
            catch (final IOException ignore)
            {
                // the next probe tries again
            }
            loop.next().schedule(this::probeSpace, SPACE_PROBE_MS, TimeUnit.MILLISECONDS);
            return;
        }
        LOG.log(System.Logger.Level.INFO, "backup '" + backupName + "': can store again; copying " + live + " anew");
        storeFault = null;
        final Channel current = channel;
        if (current != null && current.isActive())
        {
            current.close(); // the loss redials
        }
        else
        {
            redial.retry();
        }
    }

    /**
     * A new copy begins: the last complete one is kept aside, anything else under {@link #REPLICA} goes.
     */
    private void beginCopy() throws IOException
    {
        final Path replica = dataDir.resolve(REPLICA);
        final Path previous = dataDir.resolve(PREVIOUS);
        if (Files.exists(replica.resolve(SYNCED)))
        {
            deleteTree(previous);
            Files.move(replica, previous, StandardCopyOption.ATOMIC_MOVE);
        }
        deleteTree(replica);
        Files.createDirectories(replica);
    }

    private void copyComplete() throws IOException
    {
        ForcedFile.replace(dataDir.resolve(REPLICA).resolve(SYNCED), "a complete copy of the data directory of " + live +
            ", in sync since " + java.time.Instant.now() + "\n");
        deleteTree(dataDir.resolve(PREVIOUS));
    }

    /**
     * Deletes a directory and everything under it; nothing if it does not exist.
     */
    public static void deleteTree(final Path root) throws IOException
    {
        if (!Files.exists(root))
        {
            return;
        }
        try (Stream<Path> walk = Files.walk(root))
        {
            for (final Path path : (Iterable<Path>)walk.sorted(Comparator.reverseOrder())::iterator)
            {
                Files.delete(path);
            }
        }
    }

    /**
     * One connection, from the handshake to its loss.
     */
    private final class Handler extends DialedHandler
    {
        private DirectoryMirror mirror;
        private long syncMark = -1;
        private boolean inSync;
        /** This connection's copy could not be stored: nothing more is, though it stays up until space is back. */
        private boolean faulted;

        Handler()
        {
            super(proof, user, password, "live " + live);
        }

        @Override
        void onFrame(final ChannelHandlerContext ctx, final byte type)
        {
            if (faulted && type >= FrameType.REPLICA_WRITE && type <= FrameType.REPLICA_SYNCED)
            {
                return; // not stored, not confirmed: the live holds or lets go as it is configured
            }
            try
            {
                apply(ctx, type);
            }
            catch (final IOException | UncheckedIOException ex)
            {
                faulted = true;
                storeFailed(ctx, ex.getMessage() != null ? ex.getMessage() : ex.toString(), writer);
            }
        }

        private void apply(final ChannelHandlerContext ctx, final byte type) throws IOException
        {
            switch (type)
            {
                case FrameType.REPLICA_WRITE:
                {
                    final Path path = path();
                    final long position = reader.readLong();
                    final byte[] data = reader.readBytes();
                    reader.requireEnd("REPLICA_WRITE");
                    mirror().written(path, requireNotNegative(position), ByteBuffer.wrap(data == null ? new byte[0] : data));
                    break;
                }
                case FrameType.REPLICA_ZERO:
                {
                    final Path path = path();
                    final long from = requireNotNegative(reader.readLong());
                    final long to = requireNotNegative(reader.readLong());
                    reader.requireEnd("REPLICA_ZERO");
                    mirror().zeroed(path, from, to);
                    break;
                }
                case FrameType.REPLICA_TRUNCATE:
                {
                    final Path path = path();
                    final long size = requireNotNegative(reader.readLong());
                    reader.requireEnd("REPLICA_TRUNCATE");
                    mirror().truncated(path, size);
                    break;
                }
                case FrameType.REPLICA_REPLACE:
                {
                    final Path path = path();
                    final byte[] content = reader.readBytes();
                    reader.requireEnd("REPLICA_REPLACE");
                    mirror().replaced(path, content == null ? new byte[0] : content);
                    break;
                }
                case FrameType.REPLICA_MOVE:
                {
                    final Path from = path();
                    final Path to = path();
                    reader.requireEnd("REPLICA_MOVE");
                    mirror().moved(from, to);
                    break;
                }
                case FrameType.REPLICA_DELETE:
                {
                    final Path path = path();
                    reader.requireEnd("REPLICA_DELETE");
                    mirror().deleted(path);
                    break;
                }
                case FrameType.REPLICA_FORCE:
                {
                    final long mark = reader.readLong();
                    reader.requireEnd("REPLICA_FORCE");
                    mirror().forced();
                    if (!inSync && syncMark > 0 && mark >= syncMark)
                    {
                        copyComplete();
                        inSync = true;
                        LOG.log(System.Logger.Level.INFO, "backup '" + backupName + "': the copy of " + live +
                            " is complete and in sync");
                        watcher.inSync();
                    }
                    ctx.writeAndFlush(NettyFrames.toByteBuf(ctx.alloc(), ReplicaFrameEncoder.stored(writer, mark)),
                        ctx.voidPromise());
                    break;
                }
                case FrameType.REPLICA_SYNCED:
                    syncMark = reader.readLong();
                    reader.requireEnd("REPLICA_SYNCED");
                    break;
                case FrameType.ERROR:
                {
                    reader.readLong();
                    reader.readInt();
                    failure = "refused: " + reader.readString();
                    ctx.close();
                    break;
                }
                case FrameType.PING:
                {
                    final long token = reader.readLong();
                    ctx.writeAndFlush(NettyFrames.toByteBuf(ctx.alloc(), BrokerCommandEncoder.pong(writer, token)),
                        ctx.voidPromise());
                    break;
                }
                case FrameType.PONG:
                    break;
                default:
                    throw new ProtocolException("unexpected frame " + FrameType.name(type) + " on a replica link");
            }
        }

        @Override
        void onHelloOk(final ChannelHandlerContext ctx) throws IOException
        {
            handshakeDone();
            ((FrameDecoder)ctx.pipeline().get(NettyFrames.FRAME_DECODER)).maxFrameLength(NettyFrames.maxFrameLength());
            beginCopy();
            mirror = new DirectoryMirror(LIVE_ROOT, dataDir.resolve(REPLICA));
            channel = ctx.channel();
            redial.connected();
            connected = true;
            lastFailure = null;
            LOG.log(System.Logger.Level.INFO, "backup '" + backupName + "': connected to " + live + "; copying its data " +
                "directory into " + dataDir.resolve(REPLICA));
            ctx.writeAndFlush(NettyFrames.toByteBuf(ctx.alloc(), ReplicaFrameEncoder.start(writer, backupName, spare)));
        }

        private DirectoryMirror mirror()
        {
            if (mirror == null)
            {
                throw new ProtocolException("a REPLICA frame before the handshake ended");
            }
            return mirror;
        }

        /**
         * @return the path the frame names, under the live's root.
         * @throws ProtocolException if it is empty, absolute or climbs out with '..'.
         */
        private Path path()
        {
            final String path = reader.readRequiredString("path");
            if (path.isEmpty() || path.startsWith("/") || path.contains("\\") || path.contains("\0"))
            {
                throw new ProtocolException("path '" + path + "' is not a relative path");
            }
            for (final String part : path.split("/"))
            {
                if (part.isEmpty() || part.equals("..") || part.equals("."))
                {
                    throw new ProtocolException("path '" + path + "' has an empty, '.' or '..' part");
                }
            }
            return LIVE_ROOT.resolve(path);
        }

        private long requireNotNegative(final long value)
        {
            if (value < 0)
            {
                throw new ProtocolException("negative position or size " + value);
            }
            return value;
        }

        @Override
        void onLost(final ChannelHandlerContext ctx)
        {
            connected = false;
            channel = null;
            if (mirror != null)
            {
                mirror.close();
            }
            if (!redial.isClosed())
            {
                failed(failure != null ? failure : "the connection was lost");
                if (storeFault == null)
                {
                    redial.retry();
                }
            }
        }
    }
}
