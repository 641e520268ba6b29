package io.meshmq.engine.net;

import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.SocketAddress;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * How many connections the acceptor holds, in all and per remote address, so one client (or one host) cannot take every
 * file descriptor the broker has: a connection over a limit is refused before anything else. Refusals are logged at
 * most once a minute, with how many there were.
 * <p>
 * Thread safe: admitted and released on the acceptor's I/O threads.
 */
public final class ConnectionLimits
{
    private static final System.Logger LOG = System.getLogger(ConnectionLimits.class.getName());

    private final int maxConnections;
    private final int maxPerAddress;
    private final AtomicInteger total = new AtomicInteger();
    private final ConcurrentHashMap<InetAddress, AtomicInteger> perAddress = new ConcurrentHashMap<>();
    private final OncePerMinute refusals = new OncePerMinute();
    private final OncePerMinute silentOnes = new OncePerMinute();

    /**
     * @param maxConnections connections the broker holds at most; -1 for no limit.
     * @param maxPerAddress  connections one remote address holds at most; -1 for no limit.
     */
    public ConnectionLimits(final int maxConnections, final int maxPerAddress)
    {
        this.maxConnections = maxConnections;
        this.maxPerAddress = maxPerAddress;
    }

    /**
     * Counts a new connection, unless it is over a limit.
     *
     * @return null if admitted ({@link #release} it when it closes), else why it was refused.
     */
    String admit(final SocketAddress remote)
    {
        if (total.incrementAndGet() > maxConnections && maxConnections >= 0)
        {
            total.decrementAndGet();
            return refused(remote, "the broker holds " + maxConnections + " connections, its max-connections");
        }
        final InetAddress address = addressOf(remote);
        if (address != null && maxPerAddress >= 0)
        {
            final int held = perAddress.computeIfAbsent(address, a -> new AtomicInteger()).incrementAndGet();
            if (held > maxPerAddress)
            {
                releaseAddress(address);
                total.decrementAndGet();
                return refused(remote, address.getHostAddress() + " holds " + maxPerAddress +
                    " connections, the broker's max-connections-per-address");
            }
        }
        return null;
    }

    /**
     * An admitted connection closed.
     */
    void release(final SocketAddress remote)
    {
        total.decrementAndGet();
        final InetAddress address = addressOf(remote);
        if (address != null && maxPerAddress >= 0)
        {
            releaseAddress(address);
        }
    }

    /**
     * @return connections held now.
     */
    public int connections()
    {
        return total.get();
    }

    private void releaseAddress(final InetAddress address)
    {
        perAddress.computeIfPresent(address, (a, count) -> count.decrementAndGet() <= 0 ? null : count);
    }

    private static InetAddress addressOf(final SocketAddress remote)
    {
        return remote instanceof InetSocketAddress ? ((InetSocketAddress)remote).getAddress() : null;
    }

    private String refused(final SocketAddress remote, final String why)
    {
        log(refusals, "refused", remote, why);
        return "connection refused: " + why;
    }

    /**
     * A connection sent no HELLO in time and is closed.
     *
     * @return what it is told.
     */
    String handshakeTimedOut(final SocketAddress remote, final long timeoutMs)
    {
        final String why = "no HELLO within " + timeoutMs + " ms (handshake-timeout)";
        log(silentOnes, "closed", remote, why);
        return why;
    }

    private static void log(final OncePerMinute limit, final String what, final SocketAddress remote, final String why)
    {
        final long since = limit.occurred();
        if (since > 0)
        {
            LOG.log(System.Logger.Level.WARNING, what + " " + since + " connection(s) since this was last logged; the " +
                "last, from " + remote + ": " + why + " (logged at most once a minute)");
        }
    }
}
