package io.meshmq.protocol;

import java.io.ByteArrayInputStream;
import java.io.ByteArrayOutputStream;
import java.io.DataInputStream;
import java.io.DataOutputStream;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.MulticastSocket;
import java.net.NetworkInterface;
import java.net.StandardSocketOptions;

/**
 * What a node sends to its discovery group (UDP multicast) every broadcast period, and what nodes and clients that
 * listen there read: magic {@code MMQD}, version 1, then the cluster name, node id, node name and the HOST:PORT the
 * node is reached at, each as modified UTF-8, then a byte of flags (1: a partial repository; absent from nodes older
 * than partial repositories, which are full; readers before it stop after the address).
 *
 * @param address HOST:PORT members and clients reach the node at.
 * @param partial the node is a partial repository: nodes that discover it do not link to it for that.
 */
public record DiscoveryAnnouncement(String clusterName, String nodeId, String nodeName, String address,
    boolean partial)
{
    private static final byte PARTIAL = 1;

    /**
     * A full repository's announcement.
     */
    public DiscoveryAnnouncement(final String clusterName, final String nodeId, final String nodeName,
        final String address)
    {
        this(clusterName, nodeId, nodeName, address, false);
    }

    /** A datagram that fits any path's MTU. */
    public static final int MAX_BYTES = 1400;
    private static final int MAGIC = 0x4D4D5144;
    private static final byte VERSION = 1;

    /**
     * @return a socket that hears the group and sends to it: bound to its port with the address reusable (every node
     * and client of one machine listens on the same port), multicast loop on, on the interface of {@code localBind}
     * (null: the system's choice).
     * @throws IOException if the address is no multicast group, {@code localBind} is no address of this machine, or
     *                     the group cannot be joined.
     */
    public static MulticastSocket joinGroup(final InetSocketAddress group, final String localBind) throws IOException
    {
        if (!group.getAddress().isMulticastAddress())
        {
            throw new IOException(group.getAddress().getHostAddress() + " is not a multicast address");
        }
        final NetworkInterface nif = localBind == null ? null :
            NetworkInterface.getByInetAddress(InetAddress.getByName(localBind));
        if (localBind != null && nif == null)
        {
            throw new IOException(localBind + " is no address of this machine");
        }
        final MulticastSocket socket = new MulticastSocket(null);
        try
        {
            socket.setReuseAddress(true);
            socket.bind(new InetSocketAddress(group.getPort()));
            socket.setOption(StandardSocketOptions.IP_MULTICAST_LOOP, true);
            if (nif != null)
            {
                socket.setNetworkInterface(nif);
            }
            socket.joinGroup(group, nif);
            return socket;
        }
        catch (final IOException ex)
        {
            socket.close();
            throw ex;
        }
    }

    /**
     * @throws IllegalArgumentException if it does not fit in {@link #MAX_BYTES}.
     */
    public byte[] encode()
    {
        final ByteArrayOutputStream bytes = new ByteArrayOutputStream(128);
        try (DataOutputStream out = new DataOutputStream(bytes))
        {
            out.writeInt(MAGIC);
            out.writeByte(VERSION);
            out.writeUTF(clusterName);
            out.writeUTF(nodeId);
            out.writeUTF(nodeName);
            out.writeUTF(address);
            out.writeByte(partial ? PARTIAL : 0);
        }
        catch (final IOException ex)
        {
            throw new UncheckedIOException(ex);
        }
        if (bytes.size() > MAX_BYTES)
        {
            throw new IllegalArgumentException("an announcement of " + bytes.size() + " bytes, over " + MAX_BYTES);
        }
        return bytes.toByteArray();
    }

    /**
     * @throws ProtocolException saying why the datagram is no announcement of this version.
     */
    public static DiscoveryAnnouncement decode(final byte[] data, final int offset, final int length)
    {
        try (DataInputStream in = new DataInputStream(new ByteArrayInputStream(data, offset, length)))
        {
            if (in.readInt() != MAGIC || in.readByte() != VERSION)
            {
                throw new ProtocolException(ErrorCode.MALFORMED_FRAME, "not a MeshMQ announcement (version " +
                    VERSION + ")");
            }
            final String clusterName = in.readUTF();
            final String nodeId = in.readUTF();
            final String nodeName = in.readUTF();
            final String address = in.readUTF();
            final boolean partial = in.available() > 0 && (in.readByte() & PARTIAL) != 0;
            return new DiscoveryAnnouncement(clusterName, nodeId, nodeName, address, partial);
        }
        catch (final IOException ex)
        {
            throw new ProtocolException(ErrorCode.MALFORMED_FRAME, "a cut or garbled announcement: " + ex);
        }
    }
}
