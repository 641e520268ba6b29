package io.meshmq.cluster.link;

import io.meshmq.engine.net.NativeTransport;
import io.meshmq.protocol.BrokerCommandEncoder;
import io.meshmq.protocol.FrameDescriptor;
import io.meshmq.protocol.ProtocolException;
import io.meshmq.protocol.WireReader;
import io.meshmq.protocol.WireWriter;
import io.meshmq.transport.NettyFrames;
import io.meshmq.transport.TlsSettings;
import io.netty.bootstrap.Bootstrap;
import io.netty.channel.Channel;
import io.netty.channel.ChannelFuture;
import io.netty.channel.ChannelHandler;
import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.ChannelInitializer;
import io.netty.channel.ChannelOption;
import io.netty.channel.EventLoopGroup;
import io.netty.channel.WriteBufferWaterMark;
import io.netty.handler.ssl.SslContext;

import java.util.function.Predicate;
import java.util.function.Supplier;

/**
 * What every connection this node dials to another as a cluster member shares, whatever it is for (a core link of
 * the mesh, a backup's link to its live): the socket (TLS first if asked, then the frame decoder) and the
 * handshake's cluster side (HELLO with the cluster role, proving the cluster user's password without sending it when
 * {@link MembershipProof#isRequired() required}).
 * <p>
 * Thread safe: stateless; each connection's calls come on its event loop.
 */
final class Dialing
{
    private static final int CONNECT_TIMEOUT_MS = 5_000;

    private Dialing()
    {
    }

    /**
     * @param waterMark the channel's write buffer water marks, or null for Netty's.
     */
    static ChannelFuture connect(final EventLoopGroup loop, final String host, final int port, final TlsSettings tlsSettings,
        final SslContext tls, final WriteBufferWaterMark waterMark, final Supplier<ChannelHandler> handler)
    {
        final Bootstrap bootstrap = new Bootstrap()
            .group(loop)
            .channel(NativeTransport.socketChannel())
            .option(ChannelOption.TCP_NODELAY, true)
            .option(ChannelOption.CONNECT_TIMEOUT_MILLIS, CONNECT_TIMEOUT_MS)
            .handler(new ChannelInitializer<>()
            {
                @Override
                protected void initChannel(final Channel ch)
                {
                    if (tls != null)
                    {
                        ch.pipeline().addLast(tlsSettings.clientHandler(tls, ch.alloc(), host, port));
                    }
                    NettyFrames.addFrameDecoder(ch.pipeline(), NettyFrames.maxFrameLength());
                    ch.pipeline().addLast(handler.get());
                }
            });
        if (waterMark != null)
        {
            bootstrap.option(ChannelOption.WRITE_BUFFER_WATER_MARK, waterMark);
        }
        return bootstrap.connect(host, port);
    }

    /**
     * Sends HELLO with the cluster role: a nonce to prove the password against when a proof is required, else the
     * user and password (null for none); and the silence after which the node dialled takes this one for dead, as
     * this one does it (the ping every {@value DialedHandler#PING_EVERY_MS} ms keeps both ends hearing).
     */
    static void hello(final ChannelHandlerContext ctx, final WireWriter writer, final MembershipProof proof,
        final String user, final String password)
    {
        if (proof.isRequired())
        {
            BrokerCommandEncoder.clusterHello(writer, user, proof.begin(), (int)DialedHandler.SILENCE_MS);
        }
        else
        {
            BrokerCommandEncoder.hello(writer, FrameDescriptor.ROLE_CLUSTER, null, user, password,
                (int)DialedHandler.SILENCE_MS, false);
        }
        ctx.writeAndFlush(NettyFrames.toByteBuf(ctx.alloc(), writer));
    }

    /**
     * Answers a CLUSTER_CHALLENGE with the proof, once the password's key is made (off the event loop).
     *
     * @param refuseIf closes the connection with the problem it is given, if any, and says whether it did.
     */
    static void onChallenge(final ChannelHandlerContext ctx, final WireReader reader, final WireWriter writer,
        final MembershipProof proof, final Predicate<String> refuseIf)
    {
        final byte[] salt = reader.readBytes();
        final int iterations = reader.readInt();
        final String memberNonce = reader.readString();
        reader.requireEnd("CLUSTER_CHALLENGE");
        if (!proof.isRequired() || salt == null)
        {
            throw new ProtocolException("unexpected CLUSTER_CHALLENGE: this node has no cluster user to prove");
        }
        proof.answer(salt, iterations, memberNonce, ctx.executor(), (clientProof, problem) ->
        {
            if (!refuseIf.test(problem))
            {
                ctx.writeAndFlush(NettyFrames.toByteBuf(ctx.alloc(), BrokerCommandEncoder.clusterProof(writer, clientProof)));
            }
        });
    }

    /**
     * @return null if the member's CLUSTER_PROVEN shows it holds the user's hash; else why it is not taken.
     */
    static String onProven(final WireReader reader, final MembershipProof proof)
    {
        final byte[] signature = reader.readBytes();
        reader.requireEnd("CLUSTER_PROVEN");
        return proof.checkSignature(signature);
    }
}
