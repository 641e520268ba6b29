package io.meshmq.protocol;

import java.io.ByteArrayInputStream;
import java.io.ByteArrayOutputStream;
import java.io.DataInputStream;
import java.io.DataOutputStream;
import java.io.IOException;
import java.io.UncheckedIOException;

/**
 * What a node sends to its discovery group (UDP multicast) every broadcast period, and what nodes and clients that
 * listen there read: magic {@code MMQD}, version 1, then the cluster name, node id, node name and the HOST:PORT the
 * node is reached at, each as modified UTF-8.
 *
 * @param address HOST:PORT members and clients reach the node at.
 */
public record DiscoveryAnnouncement(String clusterName, String nodeId, String nodeName, String address)
{
    /** A datagram that fits any path's MTU. */
    public static final int MAX_BYTES = 1400;
    private static final int MAGIC = 0x4D4D5144;
    private static final byte VERSION = 1;

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
            return new DiscoveryAnnouncement(in.readUTF(), in.readUTF(), in.readUTF(), in.readUTF());
        }
        catch (final IOException ex)
        {
            throw new ProtocolException(ErrorCode.MALFORMED_FRAME, "a cut or garbled announcement: " + ex);
        }
    }
}
