package io.meshmq.tck;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.InetAddress;
import java.net.ServerSocket;
import java.util.HashSet;
import java.util.Set;

/**
 * Ports on 127.0.0.1 that were free when asked for, never the same one twice in this JVM.
 * <p>
 * The kernel may hand the same ephemeral port to two sockets opened one after the other once the first is closed,
 * so a test that asks for three ports in a row can get one twice (CI did: a quorum named a voter twice). Ports handed
 * out before are skipped rather than trusted to stay free.
 */
public final class FreePorts
{
    private static final Set<Integer> HANDED_OUT = new HashSet<>();

    private FreePorts()
    {
    }

    public static synchronized int next()
    {
        for (int attempt = 0; attempt < 1_000; attempt++)
        {
            final int port = bindAndRelease();
            if (HANDED_OUT.add(port))
            {
                return port;
            }
        }
        throw new IllegalStateException("no port left that was not handed out already: " + HANDED_OUT.size());
    }

    private static int bindAndRelease()
    {
        try (ServerSocket socket = new ServerSocket(0, 1, InetAddress.getLoopbackAddress()))
        {
            return socket.getLocalPort();
        }
        catch (final IOException e)
        {
            throw new UncheckedIOException("cannot bind a port on the loopback interface", e);
        }
    }
}
