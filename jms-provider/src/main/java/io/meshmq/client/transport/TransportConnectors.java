package io.meshmq.client.transport;

import io.meshmq.transport.TransportConnector;

import java.util.Map;
import java.util.ServiceLoader;
import java.util.Set;
import java.util.TreeMap;

/**
 * Finds the {@link TransportConnector} for a URL scheme: {@code tcp} built in, others through
 * {@link ServiceLoader} on the context class loader first, then this library's own.
 */
public final class TransportConnectors
{
    private static final Set<String> BUILT_IN = Set.of("tcp", "tls", "vm");

    private TransportConnectors()
    {
    }

    /**
     * @return true for the built-in schemes ({@code vm} too, whose connector comes with the broker engine and may be
     *         on the class path only by the time of the connect) and any a {@link ServiceLoader} finds now: a URL with
     *         another is a mistake worth reporting when the application gives it, not at its first connect.
     */
    public static boolean isKnown(final String scheme)
    {
        if (BUILT_IN.contains(scheme))
        {
            return true;
        }
        try
        {
            forScheme(scheme);
            return true;
        }
        catch (final IllegalArgumentException e)
        {
            return false;
        }
    }

    /**
     * @throws IllegalArgumentException naming the schemes that are available when none serves this one.
     */
    public static TransportConnector forScheme(final String scheme)
    {
        final Map<String, TransportConnector> found = new TreeMap<>();
        found.put("tcp", TcpTransportConnector.INSTANCE);
        found.put("tls", TcpTransportConnector.INSTANCE);
        final ClassLoader context = Thread.currentThread().getContextClassLoader();
        if (context != null)
        {
            ServiceLoader.load(TransportConnector.class, context).forEach(c -> found.putIfAbsent(c.scheme(), c));
        }
        ServiceLoader.load(TransportConnector.class, TransportConnectors.class.getClassLoader())
            .forEach(c -> found.putIfAbsent(c.scheme(), c));
        final TransportConnector connector = found.get(scheme);
        if (connector == null)
        {
            final String hint = "vm".equals(scheme) ?
                " (vm:// needs the MeshMQ broker engine on the class path)" : "";
            throw new IllegalArgumentException(
                "no transport for scheme '" + scheme + "'" + hint + "; available: " + found.keySet());
        }
        return connector;
    }
}
