package io.meshmq.cluster.discovery;

import io.meshmq.protocol.DiscoveryAnnouncement;

import java.io.IOException;
import java.net.DatagramPacket;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.MulticastSocket;
import java.net.SocketException;

/**
 * Announcements over a UDP multicast group: one socket joined to the group, a receiver thread.
 * <p>
 * Thread safe: see {@link AnnouncementChannel}.
 */
public final class UdpChannel implements AnnouncementChannel
{
    private static final System.Logger LOG = System.getLogger(UdpChannel.class.getName());

    private final InetSocketAddress group;
    private final String localBind;
    private final String name;
    private MulticastSocket socket;
    private Thread receiver;
    private volatile boolean closed;

    /**
     * @param group     multicast GROUP:PORT.
     * @param localBind the address whose interface is used, or null for the system's choice.
     * @throws IllegalArgumentException if the group names no port.
     * @throws IOException              if the group's address cannot be resolved.
     */
    public UdpChannel(final String group, final String localBind, final String nodeName) throws IOException
    {
        final int colon = group.lastIndexOf(':');
        this.group = new InetSocketAddress(InetAddress.getByName(group.substring(0, colon)),
            Integer.parseInt(group.substring(colon + 1)));
        if (this.group.getPort() == 0)
        {
            throw new IllegalArgumentException("discovery.group-address " + this.group.getAddress().getHostAddress() +
                " needs discovery.group-port");
        }
        this.localBind = localBind;
        this.name = nodeName;
    }

    @Override
    public void open(final Listener listener) throws IOException
    {
        socket = DiscoveryAnnouncement.joinGroup(group, localBind);
        receiver = new Thread(() -> receive(listener), "meshmq-discovery-" + name);
        receiver.setDaemon(true);
        receiver.start();
    }

    private void receive(final Listener listener)
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
                LOG.log(System.Logger.Level.WARNING, "discovery: cannot receive on " + describe() + ": " + ex);
                continue;
            }
            listener.heard(packet.getData(), packet.getOffset(), packet.getLength(),
                packet.getAddress().getHostAddress());
        }
    }

    @Override
    public void send(final byte[] packet) throws IOException
    {
        socket.send(new DatagramPacket(packet, packet.length, group));
    }

    @Override
    public String describe()
    {
        return "UDP multicast " + group.getAddress().getHostAddress() + ":" + group.getPort() +
            (localBind == null ? "" : " via " + localBind);
    }

    @Override
    public void close()
    {
        closed = true;
        if (socket != null)
        {
            socket.close();
        }
        if (receiver != null)
        {
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
}
