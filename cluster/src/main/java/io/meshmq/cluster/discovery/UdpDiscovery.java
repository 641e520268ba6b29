package io.meshmq.cluster.discovery;

import io.meshmq.protocol.DiscoveryAnnouncement;
import io.meshmq.protocol.ProtocolException;

import java.io.IOException;
import java.net.DatagramPacket;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.MulticastSocket;
import java.net.SocketException;
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
 * A broadcast group and a discovery group on one UDP multicast group: every broadcast period this node sends who it
 * is (cluster, node id, name, and the HOST:PORT members reach it at), and it keeps the members of its cluster it
 * hears, dropping one not heard within the refresh timeout. The mesh is told the whole set on every change.
 * <p>
 * Announcements are {@link DiscoveryAnnouncement}s. Packets of other clusters are ignored (logged once per cluster and
 * address), unreadable ones too (logged once per sender).
 * <p>
 * Thread safe: a receiver thread and a timer thread; {@link #close()} from any thread.
 */
public final class UdpDiscovery implements AutoCloseable
{
    private static final System.Logger LOG = System.getLogger(UdpDiscovery.class.getName());

    /**
     * Who announces this node, and where its announcements go.
     *
     * @param group        multicast GROUP:PORT.
     * @param localBind    the address whose interface is used, or null for the system's choice.
     * @param address      HOST:PORT members reach this node at; null while not known (nothing is announced then).
     */
    public record Settings(String clusterName, String nodeId, String nodeName, String group, String localBind,
        long broadcastPeriodMs, long refreshTimeoutMs, Supplier<String> address)
    {
    }

    private final Settings settings;
    private final Consumer<Set<String>> members;
    private final MulticastSocket socket;
    private final InetSocketAddress group;
    private final Thread receiver;
    private final ScheduledExecutorService timer;
    /** Members heard from, by address: when last (ns) and by which node. */
    private final Map<String, Heard> heard = new ConcurrentHashMap<>();
    private final Set<String> logged = ConcurrentHashMap.newKeySet();
    private Set<String> told = Set.of();
    private volatile boolean closed;

    private record Heard(long atNs, String nodeName)
    {
    }

    private UdpDiscovery(final Settings settings, final Consumer<Set<String>> members) throws IOException
    {
        this.settings = settings;
        this.members = members;
        final int colon = settings.group().lastIndexOf(':');
        this.group = new InetSocketAddress(InetAddress.getByName(settings.group().substring(0, colon)),
            Integer.parseInt(settings.group().substring(colon + 1)));
        if (settings.refreshTimeoutMs() <= settings.broadcastPeriodMs())
        {
            throw new IllegalArgumentException("discovery.refresh-timeout (" + settings.refreshTimeoutMs() + " ms) " +
                "must be longer than discovery.broadcast-period (" + settings.broadcastPeriodMs() + " ms), or every " +
                "member is dropped between two announcements");
        }
        if (group.getPort() == 0)
        {
            throw new IllegalArgumentException("discovery.group-address " + group.getAddress().getHostAddress() +
                " needs discovery.group-port");
        }
        socket = DiscoveryAnnouncement.joinGroup(group, settings.localBind());
        receiver = new Thread(this::receive, "meshmq-discovery-" + settings.nodeName());
        receiver.setDaemon(true);
        timer = Executors.newSingleThreadScheduledExecutor(runnable ->
        {
            final Thread thread = new Thread(runnable, "meshmq-discovery-timer-" + settings.nodeName());
            thread.setDaemon(true);
            return thread;
        });
    }

    /**
     * @param members told the addresses of the members heard, each time that set changes.
     * @throws IOException              if the group cannot be joined.
     * @throws IllegalArgumentException if the settings name no usable group or interface.
     */
    public static UdpDiscovery start(final Settings settings, final Consumer<Set<String>> members) throws IOException
    {
        final UdpDiscovery discovery = new UdpDiscovery(settings, members);
        discovery.receiver.start();
        discovery.timer.scheduleAtFixedRate(discovery::tick, 0, settings.broadcastPeriodMs(), TimeUnit.MILLISECONDS);
        LOG.log(System.Logger.Level.INFO, "'" + settings.nodeName() + "' announces itself and discovers members on " +
            "UDP multicast " + settings.group() + (settings.localBind() == null ? "" : " via " + settings.localBind()));
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
            final byte[] packet = new DiscoveryAnnouncement(settings.clusterName(), settings.nodeId(),
                settings.nodeName(), address).encode();
            socket.send(new DatagramPacket(packet, packet.length, group));
        }
        catch (final IOException | IllegalArgumentException ex)
        {
            if (logged.add("send " + ex.getMessage()))
            {
                LOG.log(System.Logger.Level.WARNING, "discovery: cannot announce this node on " + settings.group() +
                    ": " + ex.getMessage());
            }
        }
    }

    private void receive()
    {
        final byte[] buffer = new byte[DiscoveryAnnouncement.MAX_BYTES];
        while (!closed)
        {
            final DatagramPacket packet = new DatagramPacket(buffer, buffer.length);
            try
            {
                socket.receive(packet);
            }
            catch (final SocketException ex)
            {
                return; // closed
            }
            catch (final IOException ex)
            {
                LOG.log(System.Logger.Level.WARNING, "discovery: cannot receive on " + settings.group() + ": " + ex);
                continue;
            }
            heard(packet);
        }
    }

    private void heard(final DatagramPacket packet)
    {
        final String from = packet.getAddress().getHostAddress();
        final DiscoveryAnnouncement announced;
        try
        {
            announced = DiscoveryAnnouncement.decode(packet.getData(), packet.getOffset(), packet.getLength());
        }
        catch (final ProtocolException ex)
        {
            if (logged.add("garbage " + from))
            {
                LOG.log(System.Logger.Level.WARNING, "discovery: ignoring what " + from + " sends to " +
                    settings.group() + ": " + ex.getMessage());
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
                    ") on " + settings.group() + ": it is in cluster '" + clusterName + "', this node in '" +
                    settings.clusterName() + "'");
            }
            return;
        }
        if (heard.put(address, new Heard(System.nanoTime(), nodeName)) == null)
        {
            LOG.log(System.Logger.Level.INFO, "discovery: found node '" + nodeName + "' (" + address + ")");
            tell();
        }
    }

    private synchronized void tell()
    {
        final Set<String> now = new TreeSet<>(heard.keySet());
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
        socket.close();
        try
        {
            receiver.join(1_000);
        }
        catch (final InterruptedException ex)
        {
            Thread.currentThread().interrupt();
        }
    }
}
