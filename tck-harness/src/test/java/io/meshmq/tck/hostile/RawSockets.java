package io.meshmq.tck.hostile;

import java.io.IOException;
import java.io.InputStream;
import java.net.InetSocketAddress;
import java.net.Socket;
import java.net.URI;

/**
 * Plain sockets for an attacker that speaks the protocol by hand, from an address of its own.
 */
final class RawSockets
{
    private RawSockets()
    {
    }

    /**
     * @param local the attacker's address (127.0.0.2, say), so per-address limits tell it from the bystander.
     */
    static Socket connectFrom(final String local, final URI broker, final int readTimeoutMs) throws IOException
    {
        final Socket socket = new Socket();
        socket.bind(new InetSocketAddress(local, 0));
        socket.connect(new InetSocketAddress(broker.getHost(), broker.getPort()), 5_000);
        socket.setSoTimeout(readTimeoutMs);
        return socket;
    }

    /**
     * @return what the broker sent before it closed the socket (an ERROR frame's text is readable in it).
     */
    static String readUntilClosed(final Socket socket) throws IOException
    {
        final InputStream in = socket.getInputStream();
        final StringBuilder said = new StringBuilder();
        int b;
        while ((b = in.read()) >= 0)
        {
            said.append(b >= 32 && b < 127 ? (char)b : ' ');
        }
        return said.toString();
    }
}
