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
import java.util.List;
import java.util.Set;
import java.util.concurrent.TimeUnit;

/**
 * Where a client given {@code udp://GROUP:PORT} or {@code jgroups://CHANNEL?file=STACK} finds its brokers: it listens
 * on the discovery group (or JGroups channel) the brokers announce themselves on, until one is heard and a little
 * longer (the others announce within their broadcast period, and the first one's topology names them anyway), or
 * {@code initialWaitTimeout} ms (default 10000) pass. {@code localBindAddress} picks a UDP group's interface; a JGroups
 * stack file says everything about its channel. Runs on the caller's thread (JGroups delivers on its own).
 */
final class GroupDiscovery
{
    static final String SCHEME = "udp";
    static final String JGROUPS = "jgroups";
    static final long DEFAULT_INITIAL_WAIT_MS = 10_000;
    /** How long to keep listening once the first broker was heard. */
    private static final long MORE_MS = 300;

    private GroupDiscovery()
    {
    }

    static boolean isDiscovery(final String scheme)
    {
        return SCHEME.equals(scheme) || JGROUPS.equals(scheme);
    }

    /**
     * @return the brokers heard, as a list with the group URL's options.
     * @throws ClientException if none announced itself in time, or the group cannot be joined.
     */
    static BrokerList resolve(final BrokerList group) throws ClientException
    {
        final ConnectionUrl url = group.first();
        final long waitMs = url.positive("initialWaitTimeout", DEFAULT_INITIAL_WAIT_MS, Integer.MAX_VALUE);
        final Heard heard = new Heard(waitMs);
        try
        {
            if (JGROUPS.equals(url.scheme()))
            {
                JGroupsListening.listen(url, heard);
            }
            else
            {
                listenUdp(url, heard);
            }
        }
        catch (final NoClassDefFoundError ex)
        {
            throw new ClientException(ErrorCode.GENERIC, "the discovery group " + url + " needs JGroups " +
                "(org.jgroups:jgroups 5.4) on the class path: " + ex.getMessage(), ex);
        }
        catch (final InterruptedException ex)
        {
            Thread.currentThread().interrupt();
            throw new ClientException(ClientException.CONNECTION_LOST, "interrupted while listening on the discovery " +
                "group " + url, ex);
        }
        catch (final Exception ex)
        {
            throw new ClientException(ClientException.CONNECTION_LOST, "cannot listen on the discovery group " +
                url + ": " + ex.getMessage(), ex);
        }
        final List<String> addresses = heard.addresses();
        if (addresses.isEmpty())
        {
            throw new ClientException(ClientException.CONNECTION_LOST, "no broker announced itself on the discovery " +
                "group " + url + " within " + waitMs + " ms (initialWaitTimeout)");
        }
        try
        {
            return group.discovered(addresses);
        }
        catch (final IllegalArgumentException ex)
        {
            throw new ClientException(ErrorCode.GENERIC, "a broker announced an address that is none: " +
                ex.getMessage(), ex);
        }
    }

    private static void listenUdp(final ConnectionUrl url, final Heard heard) throws IOException
    {
        try (MulticastSocket socket = DiscoveryAnnouncement.joinGroup(
            new InetSocketAddress(InetAddress.getByName(url.host()), url.port()), url.option("localBindAddress")))
        {
            final byte[] buffer = new byte[DiscoveryAnnouncement.MAX_BYTES];
            for (long leftMs = heard.leftMs(); leftMs > 0; leftMs = heard.leftMs())
            {
                socket.setSoTimeout((int)Math.min(leftMs, Integer.MAX_VALUE));
                final DatagramPacket packet = new DatagramPacket(buffer, buffer.length);
                try
                {
                    socket.receive(packet);
                }
                catch (final SocketTimeoutException ex)
                {
                    return;
                }
                heard.packet(packet.getData(), packet.getOffset(), packet.getLength());
            }
        }
    }

    /**
     * The brokers heard so far, and until when to listen: shared by the caller's thread and, for JGroups, the
     * channel's.
     */
    static final class Heard
    {
        private final Set<String> addresses = new LinkedHashSet<>();
        private long untilNs;

        Heard(final long waitMs)
        {
            untilNs = System.nanoTime() + TimeUnit.MILLISECONDS.toNanos(waitMs);
        }

        synchronized void packet(final byte[] data, final int offset, final int length)
        {
            try
            {
                final DiscoveryAnnouncement announced = DiscoveryAnnouncement.decode(data, offset, length);
                if (addresses.isEmpty())
                {
                    untilNs = Math.min(untilNs, System.nanoTime() + TimeUnit.MILLISECONDS.toNanos(MORE_MS));
                    notifyAll();
                }
                addresses.add(announced.address());
            }
            catch (final ProtocolException notOne)
            {
                // something else on the group: not a broker
            }
        }

        synchronized long leftMs()
        {
            return TimeUnit.NANOSECONDS.toMillis(untilNs - System.nanoTime());
        }

        /**
         * Waits until the listening time is over.
         */
        synchronized void awaitEnd() throws InterruptedException
        {
            for (long leftMs = leftMs(); leftMs > 0; leftMs = leftMs())
            {
                wait(leftMs);
            }
        }

        synchronized List<String> addresses()
        {
            return new ArrayList<>(addresses);
        }
    }
}
