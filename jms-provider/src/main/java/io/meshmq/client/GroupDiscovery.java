package io.meshmq.client;

import io.meshmq.protocol.DiscoveryAnnouncement;
import io.meshmq.protocol.ErrorCode;
import io.meshmq.protocol.ProtocolException;

import java.io.IOException;
import java.net.DatagramPacket;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.MulticastSocket;
import java.net.SocketTimeoutException;
import java.util.ArrayList;
import java.util.LinkedHashSet;
import java.util.Set;
import java.util.concurrent.TimeUnit;

/**
 * Where a client given {@code udp://GROUP:PORT} finds its brokers: it listens on the discovery group the brokers
 * announce themselves on, until one is heard and a little longer (the others announce within their broadcast period,
 * and the first one's topology names them anyway), or {@code initialWaitTimeout} ms (default 10000) pass.
 * {@code localBindAddress} picks the interface. Runs on the caller's thread.
 */
final class GroupDiscovery
{
    static final String SCHEME = "udp";
    static final long DEFAULT_INITIAL_WAIT_MS = 10_000;
    /** How long to keep listening once the first broker was heard. */
    private static final long MORE_MS = 300;

    private GroupDiscovery()
    {
    }

    /**
     * @return the brokers heard, as a list with the group URL's options.
     * @throws ClientException if none announced itself in time, or the group cannot be joined.
     */
    static BrokerList resolve(final BrokerList group) throws ClientException
    {
        final ConnectionUrl url = group.first();
        final long waitMs = url.positive("initialWaitTimeout", DEFAULT_INITIAL_WAIT_MS, Integer.MAX_VALUE);
        final Set<String> heard = new LinkedHashSet<>();
        try (MulticastSocket socket = join(url))
        {
            final byte[] buffer = new byte[DiscoveryAnnouncement.MAX_BYTES];
            long until = System.nanoTime() + TimeUnit.MILLISECONDS.toNanos(waitMs);
            while (true)
            {
                final long leftMs = TimeUnit.NANOSECONDS.toMillis(until - System.nanoTime());
                if (leftMs <= 0)
                {
                    break;
                }
                socket.setSoTimeout((int)leftMs);
                final DatagramPacket packet = new DatagramPacket(buffer, buffer.length);
                try
                {
                    socket.receive(packet);
                }
                catch (final SocketTimeoutException ex)
                {
                    break;
                }
                try
                {
                    final DiscoveryAnnouncement announced = DiscoveryAnnouncement.decode(packet.getData(),
                        packet.getOffset(), packet.getLength());
                    if (heard.isEmpty())
                    {
                        until = Math.min(until, System.nanoTime() + TimeUnit.MILLISECONDS.toNanos(MORE_MS));
                    }
                    heard.add(announced.address());
                }
                catch (final ProtocolException notOne)
                {
                    // something else on the group: not a broker
                }
            }
        }
        catch (final IOException ex)
        {
            throw new ClientException(ClientException.CONNECTION_LOST, "cannot listen on the discovery group " +
                url + ": " + ex.getMessage(), ex);
        }
        if (heard.isEmpty())
        {
            throw new ClientException(ClientException.CONNECTION_LOST, "no broker announced itself on the discovery " +
                "group " + url + " within " + waitMs + " ms (initialWaitTimeout)");
        }
        try
        {
            return group.discovered(new ArrayList<>(heard));
        }
        catch (final IllegalArgumentException ex)
        {
            throw new ClientException(ErrorCode.GENERIC, "a broker announced an address that is none: " +
                ex.getMessage(), ex);
        }
    }

    private static MulticastSocket join(final ConnectionUrl url) throws IOException
    {
        return DiscoveryAnnouncement.joinGroup(new InetSocketAddress(InetAddress.getByName(url.host()), url.port()),
            url.option("localBindAddress"));
    }
}
