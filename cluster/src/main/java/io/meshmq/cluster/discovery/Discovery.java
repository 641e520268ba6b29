package io.meshmq.cluster.discovery;

import io.meshmq.protocol.DiscoveryAnnouncement;
import io.meshmq.protocol.ProtocolException;

import java.io.IOException;
import java.util.HashSet;
import java.util.Map;
import java.util.Set;
import java.util.TreeSet;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import java.util.function.Consumer;
import java.util.function.Supplier;

/**
 * A broadcast group and a discovery group on one {@link AnnouncementChannel} (a UDP multicast group or a JGroups
 * channel): every broadcast period this node sends who it is (cluster, node id, name, and the HOST:PORT members reach
 * it at), and it keeps the members of its cluster it hears, dropping one not heard within the refresh timeout. The
 * mesh is told the whole set on every change.
 * <p>
 * Announcements are {@link DiscoveryAnnouncement}s. Packets of other clusters are ignored (logged once per cluster and
 * address), unreadable ones too (logged once per sender).
 * <p>
 * Thread safe: the channel's receiving thread and a timer thread; {@link #close()} from any thread.
 */
public final class Discovery implements AutoCloseable
{
    private static final System.Logger LOG = System.getLogger(Discovery.class.getName());

    /**
     * Who announces this node, and how often.
     *
     * @param address      HOST:PORT members reach this node at; null while not known (nothing is announced then).
     * @param partial      this node is a partial repository: it says so, and no node links to it for being heard.
     */
    public record Settings(String clusterName, String nodeId, String nodeName, long broadcastPeriodMs,
        long refreshTimeoutMs, Supplier<String> address, boolean partial)
    {
    }

    private final Settings settings;
    private final Consumer<Set<String>> members;
    private final AnnouncementChannel channel;
    private final ScheduledExecutorService timer;
    /** Members heard from, by address: when last (ns) and by which node. */
    private final Map<String, Heard> heard = new ConcurrentHashMap<>();
    private final Set<String> logged = ConcurrentHashMap.newKeySet();
    private Set<String> told = Set.of();
    private volatile boolean closed;

    private record Heard(long atNs, String nodeName, boolean partial)
    {
    }

    private Discovery(final Settings settings, final AnnouncementChannel channel, final Consumer<Set<String>> members)
    {
        this.settings = settings;
        this.members = members;
        this.channel = channel;
        if (settings.refreshTimeoutMs() <= settings.broadcastPeriodMs())
        {
            throw new IllegalArgumentException("discovery.refresh-timeout (" + settings.refreshTimeoutMs() + " ms) " +
                "must be longer than discovery.broadcast-period (" + settings.broadcastPeriodMs() + " ms), or every " +
                "member is dropped between two announcements");
        }
        timer = Executors.newSingleThreadScheduledExecutor(runnable ->
        {
            final Thread thread = new Thread(runnable, "meshmq-discovery-timer-" + settings.nodeName());
            thread.setDaemon(true);
            return thread;
        });
    }

    /**
     * @param channel what to announce on and hear from; closed with the discovery (or here, if it cannot start).
     * @param members told the addresses of the members heard, each time that set changes: the full repositories (a
     *                partial node links to them, and they link back).
     * @throws IOException              if the channel cannot be joined.
     * @throws IllegalArgumentException if the settings name no usable group or interface.
     */
    public static Discovery start(final Settings settings, final AnnouncementChannel channel,
        final Consumer<Set<String>> members) throws IOException
    {
        final Discovery discovery;
        try
        {
            discovery = new Discovery(settings, channel, members);
            channel.open(discovery::heard);
        }
        catch (final IOException | RuntimeException ex)
        {
            channel.close();
            throw ex;
        }
        discovery.timer.scheduleAtFixedRate(discovery::tick, 0, settings.broadcastPeriodMs(), TimeUnit.MILLISECONDS);
        LOG.log(System.Logger.Level.INFO, "'" + settings.nodeName() + "' announces itself and discovers members on " +
            channel.describe());
        return discovery;
    }

    private void tick()
    {
        try
        {
            announceAndExpire();
        }
        catch (final RuntimeException ex)
        {
            // a periodic task that throws is never run again: log and go on announcing
            LOG.log(System.Logger.Level.ERROR, "discovery: " + ex, ex);
        }
    }

    private void announceAndExpire()
    {
        announce();
        final long now = System.nanoTime();
        for (final Map.Entry<String, Heard> member : heard.entrySet())
        {
            if (now - member.getValue().atNs() > TimeUnit.MILLISECONDS.toNanos(settings.refreshTimeoutMs()) &&
                heard.remove(member.getKey(), member.getValue()))
            {
                LOG.log(System.Logger.Level.WARNING, "discovery: node '" + member.getValue().nodeName() + "' (" +
                    member.getKey() + ") not heard for " + settings.refreshTimeoutMs() + " ms " +
                    "(discovery.refresh-timeout); dropped from the mesh");
            }
        }
        tell();
    }

    private void announce()
    {
        final String address = settings.address().get();
        if (address == null || closed)
        {
            return;
        }
        try
        {
            channel.send(new DiscoveryAnnouncement(settings.clusterName(), settings.nodeId(), settings.nodeName(),
                address, settings.partial()).encode());
        }
        catch (final IOException | IllegalArgumentException ex)
        {
            if (logged.add("send " + ex.getMessage()))
            {
                LOG.log(System.Logger.Level.WARNING, "discovery: cannot announce this node on " + channel.describe() +
                    ": " + ex.getMessage());
            }
        }
    }

    private void heard(final byte[] data, final int offset, final int length, final String from)
    {
        final DiscoveryAnnouncement announced;
        try
        {
            announced = DiscoveryAnnouncement.decode(data, offset, length);
        }
        catch (final ProtocolException ex)
        {
            if (logged.add("garbage " + from))
            {
                LOG.log(System.Logger.Level.WARNING, "discovery: ignoring what " + from + " sends to " +
                    channel.describe() + ": " + ex.getMessage());
            }
            return;
        }
        final String clusterName = announced.clusterName();
        final String nodeName = announced.nodeName();
        final String address = announced.address();
        if (announced.nodeId().equals(settings.nodeId()))
        {
            return;
        }
        if (!clusterName.equals(settings.clusterName()))
        {
            if (logged.add("cluster " + clusterName + " " + address))
            {
                LOG.log(System.Logger.Level.WARNING, "discovery: ignoring node '" + nodeName + "' (" + address +
                    ") on " + channel.describe() + ": it is in cluster '" + clusterName + "', this node in '" +
                    settings.clusterName() + "'");
            }
            return;
        }
        final Heard before = heard.put(address, new Heard(System.nanoTime(), nodeName, announced.partial()));
        if (before == null || before.partial() != announced.partial())
        {
            LOG.log(System.Logger.Level.INFO, "discovery: found node '" + nodeName + "' (" + address + ")" +
                (announced.partial() ? ", a partial repository" : ""));
            tell();
        }
    }

    private synchronized void tell()
    {
        final Set<String> now = new TreeSet<>();
        heard.forEach((address, member) ->
        {
            if (!member.partial())
            {
                now.add(address);
            }
        });
        if (!now.equals(told))
        {
            told = Set.copyOf(now);
            members.accept(new HashSet<>(now));
        }
    }

    @Override
    public void close()
    {
        closed = true;
        timer.shutdownNow();
        channel.close();
    }
}
