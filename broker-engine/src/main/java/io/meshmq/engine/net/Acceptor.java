package io.meshmq.engine.net;

/**
 * A TCP listener of the broker beside the default one ({@code bind}): {@code acceptor.NAME.bind = HOST:PORT} and
 * {@code acceptor.NAME.tls = true|false}, so plain and TLS clients can each have a port.
 *
 * @param port 0 for any free port.
 */
public record Acceptor(String name, String host, int port, boolean tls)
{
    /**
     * @return {@code tcp://HOST:PORT} or {@code tls://HOST:PORT}.
     */
    public static String url(final boolean tls, final String host, final int port)
    {
        return (tls ? "tls://" : "tcp://") + (host.contains(":") ? "[" + host + "]" : host) + ":" + port;
    }
}
