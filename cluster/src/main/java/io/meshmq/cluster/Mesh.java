package io.meshmq.cluster;

import io.meshmq.cluster.discovery.AnnouncementChannel;
import io.meshmq.cluster.discovery.Discovery;
import io.meshmq.cluster.discovery.JGroupsChannel;
import io.meshmq.cluster.discovery.UdpChannel;
import io.meshmq.cluster.link.ClusterInput;
import io.meshmq.cluster.link.CoreLink;
import io.meshmq.cluster.link.LargeLinks;
import io.meshmq.engine.Broker;
import io.meshmq.engine.BrokerContext;
import io.meshmq.engine.net.NativeTransport;
import io.meshmq.transport.TlsSettings;
import io.netty.channel.EventLoopGroup;
import io.netty.handler.ssl.SslContext;
import io.netty.util.concurrent.DefaultThreadFactory;

import java.io.IOException;
import java.util.HashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.RejectedExecutionException;
import java.util.concurrent.TimeUnit;

/**
 * This node's part of the mesh: one {@link CoreLink} to every member of its cluster, those configured, those defined
 * at run time ({@code cluster add}) and those discovery hears now, less those defined inactive or removed. A member
 * that turns out to be this node is dropped after its first handshake.
 * <pre>{@code
 * Broker broker = Broker.start(context.clusterName("prod").clusterMember("10.0.0.2:7918"));
 * Mesh mesh = Mesh.start(broker);   // null for a broker in no cluster
 * }</pre>
 * Thread safe: the links change on the mesh's event loop.
 */
public final class Mesh implements AutoCloseable
{
    private static final System.Logger LOG = System.getLogger(Mesh.class.getName());

    private final Broker broker;
    private final ClusterInput engine;
    private final EventLoopGroup loop;
    private final Map<String, CoreLink> links = new HashMap<>();
    /** Node id to the member whose link joined it; used by the links, all on {@link #loop}. */
    private final Map<String, String> joinedNodes = new HashMap<>();
    /** With cluster.tls: what links dial with (the broker's trust store, and key store for mutual TLS). */
    private final TlsSettings tlsSettings;
    private final SslContext tls;
    private final ClusterIdentity identity;
    /** Second connections to members, for large bodies. */
    private final LargeLinks largeLinks;
    private List<MemberDefinition> definitions = List.of();
    private volatile Discovery discovery;
    private volatile boolean closed;

    private Mesh(final Broker broker, final ClusterNode node, final EventLoopGroup loop)
    {
        this.broker = broker;
        this.engine = node.input();
        this.identity = node.identity();
        this.loop = loop;
        final BrokerContext context = broker.context();
        this.tlsSettings = !context.clusterTls() ? null : context.tls() != null ? context.tls() : TlsSettings.clientDefaults();
        this.tls = tlsSettings == null ? null : tlsSettings.clientContext();
        this.largeLinks = new LargeLinks(engine, loop, context.clusterUser(), context.clusterPassword(), tlsSettings,
            tls);
    }

    /**
     * @return the running mesh, or null if the broker is in no cluster.
     * @throws IllegalArgumentException if cluster.tls is on and the TLS stores cannot be read.
     */
    public static Mesh start(final Broker broker)
    {
        if (!(broker.extension() instanceof ClusterNode node))
        {
            return null;
        }
        final Mesh mesh = new Mesh(broker, node,
            NativeTransport.group(1, new DefaultThreadFactory("meshmq-cluster-" + broker.name(), true)));
        mesh.identity.largeStaging().set(mesh.largeLinks);
        // Set before the first reconcile, which reads the links wanted by then: none is missed.
        mesh.identity.repository().onLinksWanted().set(() ->
        {
            try
            {
                mesh.loop.execute(() -> mesh.reconcile(mesh.definitions));
            }
            catch (final RejectedExecutionException closing)
            {
                // The mesh is closing: no link is wanted any more.
            }
        });
        mesh.loop.execute(() -> mesh.reconcile(List.of()));
        mesh.engine.onDefinitions(definitions -> mesh.loop.execute(() -> mesh.reconcile(definitions)));
        if (broker.context().discovers())
        {
            mesh.discover();
        }
        return mesh;
    }

    /**
     * @throws IllegalArgumentException if the discovery group or channel cannot be joined.
     */
    private void discover()
    {
        final BrokerContext context = broker.context();
        String channelName = context.discoveryGroup();
        try
        {
            final AnnouncementChannel channel = context.discoveryGroup() != null ?
                new UdpChannel(context.discoveryGroup(), context.discoveryLocalBind(), identity.nodeName()) :
                new JGroupsChannel(context.discoveryJGroupsFile(), context.discoveryJGroupsChannel());
            channelName = channel.describe();
            discovery = Discovery.start(new Discovery.Settings(identity.clusterName(), identity.nodeId(),
                identity.nodeName(), context.discoveryBroadcastPeriodMs(), context.discoveryRefreshTimeoutMs(),
                identity.url(), identity.repository().partial()), channel,
                members -> loop.execute(() ->
                {
                    final Set<String> heard = new LinkedHashSet<>();
                    members.forEach(member -> heard.add(Member.parse(member).toString()));
                    identity.discovered().retainAll(heard);
                    identity.discovered().addAll(heard);
                    reconcile(definitions);
                }));
        }
        catch (final IOException ex)
        {
            close();
            throw new IllegalArgumentException("cannot join the discovery group " + channelName + ": " +
                ex.getMessage(), ex);
        }
        catch (final IllegalArgumentException ex)
        {
            close();
            throw ex;
        }
    }

    /**
     * Links to the configured members, those defined as used and the nodes the processor wants linked; closes links
     * no longer wanted.
     */
    private void reconcile(final List<MemberDefinition> definitions)
    {
        if (closed)
        {
            return;
        }
        this.definitions = definitions;
        final Set<String> wanted = new LinkedHashSet<>();
        for (final String member : broker.context().clusterMembers())
        {
            wanted.add(Member.parse(member).toString());
        }
        if (identity.discovered() != null)
        {
            wanted.addAll(identity.discovered());
        }
        for (final MemberDefinition definition : definitions)
        {
            if (definition.isUsed())
            {
                wanted.add(definition.member());
            }
            else
            {
                wanted.remove(definition.member());
            }
        }
        final Map<String, String> onDemand = new HashMap<>();
        for (final Map.Entry<String, String> link : identity.repository().linksWanted().get().entrySet())
        {
            if (wanted.add(link.getKey()))
            {
                onDemand.put(link.getKey(), link.getValue());
            }
        }
        for (final String member : Set.copyOf(links.keySet()))
        {
            if (!wanted.contains(member))
            {
                LOG.log(System.Logger.Level.INFO, "cluster connection to " + member + " is no longer used");
                links.remove(member).close();
                if (definitions.stream().anyMatch(definition -> definition.member().equals(member)))
                {
                    engine.memberStates().put(member, "not used");
                }
                else
                {
                    engine.memberStates().remove(member); // was only discovered: no longer a member
                }
            }
        }
        for (final String member : wanted)
        {
            if (!links.containsKey(member))
            {
                final Member parsed = Member.parse(member);
                final CoreLink link = new CoreLink(member, parsed.host(), parsed.port(), engine, loop,
                    broker.context().clusterUser(), broker.context().clusterPassword(), engine.memberStates(), joinedNodes,
                    tlsSettings, tls, onDemand.get(member));
                links.put(member, link);
                link.start();
            }
        }
    }

    @Override
    public synchronized void close()
    {
        if (closed)
        {
            return;
        }
        closed = true;
        identity.repository().onLinksWanted().set(null);
        if (discovery != null)
        {
            discovery.close();
        }
        identity.largeStaging().set(null);
        largeLinks.close();
        loop.execute(() -> links.values().forEach(CoreLink::close));
        loop.shutdownGracefully(0, 2, TimeUnit.SECONDS).syncUninterruptibly();
    }
}
