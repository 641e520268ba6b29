package io.meshmq.cluster.link;

import io.meshmq.cluster.wire.ClusterFrameDecoder;
import io.meshmq.cluster.wire.ClusterFrameEncoder;
import io.meshmq.engine.ring.ConnectionOutput;
import io.meshmq.protocol.BrokerCommandEncoder;
import io.meshmq.protocol.ErrorCode;
import io.meshmq.protocol.FrameType;
import io.meshmq.protocol.ProtocolException;
import io.meshmq.protocol.TemporaryNames;
import io.meshmq.transport.FrameDecoder;
import io.meshmq.transport.NettyFrames;
import io.meshmq.transport.TlsSettings;
import io.netty.channel.ChannelFuture;
import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.EventLoopGroup;
import io.netty.channel.WriteBufferWaterMark;
import io.netty.handler.ssl.SslContext;

import java.util.Map;

/**
 * This node's core connection to one other member: connects, joins (HELLO with the cluster role, then
 * CLUSTER_JOIN), hands what the other node says about its queues to the engine, carries the forwards the
 * processor writes, and reconnects with back-off whenever the connection is lost or refused.
 * <p>
 * Design note: everything here runs on the link's Netty event loop; the engine hears of it only through
 * {@link ClusterInput}, as ring commands. A failure is logged when its reason changes, and otherwise at most
 * once a minute, so a member that stays down does not flood the log.
 */
public final class CoreLink
{
    private static final System.Logger LOG = System.getLogger(CoreLink.class.getName());
    private static final long JOIN_CORRELATION_ID = 1;
    static final long MAX_RETRY_MS = 5_000;
    private static final long REPEAT_LOG_AFTER_MS = 60_000;

    private final String member;
    private final String host;
    private final int port;
    private final ClusterInput engine;
    private final EventLoopGroup loop;
    private final String user;
    private final String password;
    private final MembershipProof proof;
    /** TLS to the member, or null for a plain link. */
    private final TlsSettings tlsSettings;
    private final SslContext tls;
    /** Member to the state of its link, shared with the engine's status (thread safe). */
    private final Map<String, String> states;
    /** Node id to the member whose link joined it, shared by the links on this event loop. */
    private final Map<String, String> joinedNodes;
    private final Redial redial;
    private String lastLoggedFailure;
    private long lastLoggedAtMs;
    /** Attempts that failed since the link was last up. */
    private long failures;
    /** The node a link opened on demand goes to, told when an attempt fails; null for a member's link. */
    private final String onDemandNodeId;

    /**
     * @param member HOST:PORT as configured, for logs and status.
     * @param joinedNodes node id to the member whose link joined it, shared by every link on {@code loop}: two
     *                    member addresses that reach one node (a name and an address, say) make one link, not
     *                    two that replace each other there.
     * @param onDemandNodeId for a link opened on demand to a node known through a full repository, that node's id: the
     *                    processor hears when an attempt fails, so it sends the node nothing more meanwhile; else null.
     */
    public CoreLink(final String member, final String host, final int port, final ClusterInput engine,
        final EventLoopGroup loop, final String user, final String password, final Map<String, String> states,
        final Map<String, String> joinedNodes, final TlsSettings tlsSettings, final SslContext tls,
        final String onDemandNodeId)
    {
        this.onDemandNodeId = onDemandNodeId;
        this.tlsSettings = tlsSettings;
        this.tls = tls;
        this.joinedNodes = joinedNodes;
        this.member = member;
        this.host = host;
        this.port = port;
        this.engine = engine;
        this.loop = loop;
        this.user = user;
        this.password = password;
        this.redial = new Redial(loop, MAX_RETRY_MS, this::dial, this::failed);
        this.proof = new MembershipProof(member, user, password);
        this.states = states;
    }

    public void start()
    {
        redial.start();
    }

    public void close()
    {
        redial.close();
    }

    private ChannelFuture dial()
    {
        states.put(member, "connecting");
        return Dialing.connect(loop, host, port, tlsSettings, tls, new WriteBufferWaterMark(256 * 1024, 1024 * 1024),
            Handler::new);
    }

    private void failed(final String reason)
    {
        failures++;
        states.put(member, "down (" + failures + (failures == 1 ? " failed attempt" : " failed attempts") + "): " + reason);
        final long now = System.currentTimeMillis();
        if (!reason.equals(lastLoggedFailure) || now - lastLoggedAtMs >= REPEAT_LOG_AFTER_MS)
        {
            LOG.log(System.Logger.Level.WARNING, "cluster link from node '" + engine.nodeName() + "' to member " + member +
                ": " + reason + " (retrying every " + MAX_RETRY_MS / 1000 + " s at most; this is logged again only " +
                "if the reason changes, or after a minute)");
            lastLoggedFailure = reason;
            lastLoggedAtMs = now;
        }
    }

    /**
     * One connection's frames, from the handshake to its loss.
     */
    private final class Handler extends DialedHandler
    {
        private ConnectionOutput output;
        private String remoteNodeId;
        private String remoteNodeName;
        /** The node this link holds in {@code joinedNodes}, from the other broker's HELLO_OK; null for none. */
        private String claimedNode;

        Handler()
        {
            super(proof, user, password, "member " + member);
        }

        @Override
        void onHelloOk(final ChannelHandlerContext ctx)
        {
            ((FrameDecoder)ctx.pipeline().get(NettyFrames.FRAME_DECODER)).maxFrameLength(NettyFrames.maxFrameLength());
            onHello(ctx);
        }

        @Override
        void onFrame(final ChannelHandlerContext ctx, final byte type)
        {
            switch (type)
            {
                case FrameType.REPLY:
                    onJoined(ctx);
                    break;
                case FrameType.CLUSTER_BINDING:
                    onBinding();
                    break;
                case FrameType.CLUSTER_MEMBERS:
                    engine.members(ClusterFrameDecoder.members(reader));
                    break;
                case FrameType.CLUSTER_KNOWN:
                    if (remoteNodeId == null || !engine.partial())
                    {
                        throw new ProtocolException("unexpected CLUSTER_KNOWN on a cluster link");
                    }
                    engine.known(ClusterFrameDecoder.known(reader, remoteNodeId));
                    break;
                case FrameType.CLUSTER_CLIENTS:
                    onClients();
                    break;
                case FrameType.OK:
                    if (remoteNodeId != null)
                    {
                        engine.forwarded(remoteNodeId, reader.readLong(), null);
                    }
                    break;
                case FrameType.ERROR:
                    onError(ctx);
                    break;
                case FrameType.PING:
                {
                    final long token = reader.readLong();
                    BrokerCommandEncoder.pong(writer, token);
                    ctx.writeAndFlush(NettyFrames.toByteBuf(ctx.alloc(), writer), ctx.voidPromise());
                    break;
                }
                case FrameType.PONG:
                    // our pings carry the time they were sent (DialedHandler)
                    if (remoteNodeId != null)
                    {
                        engine.roundTrip(remoteNodeId, System.nanoTime() - reader.readLong());
                    }
                    break;
                default:
                    throw new ProtocolException("unexpected frame " + FrameType.name(type) + " on a cluster link");
            }
        }

        /**
         * The other broker said who it is: join it, unless another link of this node already joined it.
         */
        private void onHello(final ChannelHandlerContext ctx)
        {
            reader.readShort();
            reader.readLong();
            final String brokerName = reader.readString();
            final String otherNode = TemporaryNames.nodeOfScope(reader.readString());
            if (engine.nodeId().equals(otherNode))
            {
                // This member is this node (a member list may name it): nothing to link to, ever.
                redial.giveUp();
                states.put(member, "this node");
                ctx.close();
                return;
            }
            if (otherNode != null)
            {
                final String holder = joinedNodes.get(otherNode);
                if (holder != null && !holder.equals(member))
                {
                    failure = "member " + member + " is node '" + brokerName + "', already linked through member " +
                        holder + " (two addresses of one node: list it once)";
                    ctx.close();
                    return;
                }
                joinedNodes.put(otherNode, member);
                claimedNode = otherNode;
            }
            ClusterFrameEncoder.join(writer, JOIN_CORRELATION_ID, engine.clusterName(), engine.nodeId(), engine.nodeName(),
                engine.url(), engine.partial());
            ctx.writeAndFlush(NettyFrames.toByteBuf(ctx.alloc(), writer));
        }

        private void onJoined(final ChannelHandlerContext ctx)
        {
            if (reader.readLong() != JOIN_CORRELATION_ID || remoteNodeId != null)
            {
                throw new ProtocolException("unexpected REPLY on a cluster link");
            }
            handshakeDone();
            remoteNodeId = reader.readRequiredString("node id");
            remoteNodeName = reader.readRequiredString("node name");
            // Absent from nodes older than partial repositories: those are full.
            final boolean partial = reader.remaining() > 0 &&
                (reader.readByte() & ClusterFrameEncoder.JOIN_PARTIAL) != 0;
            redial.connected();
            lastLoggedFailure = null;
            failures = 0;
            output = engine.output(ctx.channel());
            states.put(member, "up: node '" + remoteNodeName + "'" + (partial ? ", a partial repository" : ""));
            engine.linkUp(remoteNodeId, remoteNodeName, member, output, partial);
        }

        private void onBinding()
        {
            if (remoteNodeId == null)
            {
                throw new ProtocolException("CLUSTER_BINDING before the join was answered");
            }
            engine.binding(ClusterFrameDecoder.binding(reader, remoteNodeId));
        }

        private void onClients()
        {
            final int clients = reader.readInt();
            final boolean suspended = reader.readBoolean();
            final boolean groupHandler = reader.readBoolean();
            reader.requireEnd("CLUSTER_CLIENTS");
            if (remoteNodeId == null || clients < 0)
            {
                throw new ProtocolException("unexpected CLUSTER_CLIENTS " + clients + " on a cluster link");
            }
            engine.clients(remoteNodeId, clients, suspended, groupHandler);
        }

        private void onError(final ChannelHandlerContext ctx)
        {
            final long correlationId = reader.readLong();
            final int code = reader.readInt();
            final String message = reader.readString();
            if (correlationId == 0 || correlationId == JOIN_CORRELATION_ID)
            {
                if (code == ErrorCode.CLUSTER_MISMATCH && message != null && message.contains("connected to itself"))
                {
                    // This member is this node: nothing to link to, ever.
                    redial.giveUp();
                    states.put(member, "this node");
                }
                failure = "refused: " + message;
                ctx.close();
                return;
            }
            if (remoteNodeId != null)
            {
                engine.forwarded(remoteNodeId, correlationId, message == null ? "error " + code : message);
            }
        }

        @Override
        public void channelWritabilityChanged(final ChannelHandlerContext ctx)
        {
            if (ctx.channel().isWritable())
            {
                engine.writable();
            }
            ctx.fireChannelWritabilityChanged();
        }

        @Override
        void onLost(final ChannelHandlerContext ctx)
        {
            if (claimedNode != null)
            {
                joinedNodes.remove(claimedNode, member);
            }
            final String reason = failure != null ? failure : "the connection was closed";
            if (remoteNodeId != null)
            {
                engine.linkDown(remoteNodeId, reason);
            }
            if (redial.isClosed())
            {
                // Closed on purpose: whoever closed it says why (this node, or no longer used).
                return;
            }
            if (remoteNodeId == null && onDemandNodeId != null)
            {
                engine.unreachable(onDemandNodeId, reason);
            }
            failed(reason);
            redial.retry();
        }
    }
}
