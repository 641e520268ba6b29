package io.meshmq.cluster;

import io.meshmq.cluster.link.CoreLink;
import io.meshmq.engine.Broker;
import io.meshmq.engine.ClusterInput;
import io.netty.channel.EventLoopGroup;
import io.netty.channel.nio.NioEventLoopGroup;
import io.netty.util.concurrent.DefaultThreadFactory;

import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;

/**
 * This node's part of the mesh: one {@link CoreLink} to every member of its cluster (a member that turns
 * out to be this node is dropped after its first handshake).
 * <pre>{@code
 * Broker broker = Broker.start(context.clusterName("prod").clusterMember("10.0.0.2:7918"));
 * Mesh mesh = Mesh.start(broker);   // null for a broker in no cluster
 * }</pre>
 * Thread safe.
 */
public final class Mesh implements AutoCloseable
{
    private final EventLoopGroup loop;
    private final List<CoreLink> links = new ArrayList<>();

    private Mesh(final EventLoopGroup loop)
    {
        this.loop = loop;
    }

    /**
     * @return the running mesh, or null if the broker is in no cluster.
     * @throws IllegalArgumentException naming a member that is not HOST:PORT.
     */
    public static Mesh start(final Broker broker)
    {
        final ClusterInput engine = broker.clusterInput();
        if (engine == null)
        {
            return null;
        }
        final List<String> members = broker.context().clusterMembers();
        final Mesh mesh = new Mesh(new NioEventLoopGroup(1, new DefaultThreadFactory("meshmq-cluster-" + broker.name(), true)));
        for (final String member : members)
        {
            final Member parsed = Member.parse(member);
            final CoreLink link = new CoreLink(parsed.toString(), parsed.host(), parsed.port(), engine, mesh.loop,
                broker.context().clusterUser(), broker.context().clusterPassword(), engine.memberStates());
            mesh.links.add(link);
        }
        mesh.links.forEach(CoreLink::start);
        return mesh;
    }

    @Override
    public void close()
    {
        links.forEach(CoreLink::close);
        loop.shutdownGracefully(0, 2, TimeUnit.SECONDS).syncUninterruptibly();
    }
}
