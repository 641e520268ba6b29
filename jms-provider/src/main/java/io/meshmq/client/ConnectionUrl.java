package io.meshmq.client;

import io.meshmq.client.transport.TransportConnectors;
import io.meshmq.transport.TlsSettings;
import io.meshmq.transport.TransportEndpoint;
import io.netty.handler.ssl.ClientAuth;
import io.netty.handler.ssl.SslProvider;

import java.net.URLDecoder;
import java.nio.charset.StandardCharsets;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.Locale;
import java.util.Map;
import java.util.Set;

/**
 * A broker address as the application writes it: {@code tcp://HOST:PORT?key=value&...} or {@code vm://ID}.
 * <p>
 * Options (all optional): {@code clientID}, {@code user}, {@code password}, {@code consumerWindow} (messages a
 * consumer may hold unconsumed, default 1000), {@code consumerWindowBytes} (bytes of message it may hold
 * unconsumed, default 1 MiB; one message larger than that still comes), {@code callTimeout} (ms to wait for the broker to answer,
 * default 30000), {@code connectTimeout} (ms, default 10000), {@code heartbeat} (ms between pings, default 1000; 0:
 * none), {@code connectionTTL} (ms of silence after which either side takes the other for dead, default 3
 * heartbeats), and the options of a {@link BrokerList}. An unknown option is an error, so a typo does not pass
 * silently. Immutable.
 */
public final class ConnectionUrl
{
    public static final int DEFAULT_PORT = 7918;
    public static final int DEFAULT_CONSUMER_WINDOW = 1000;
    public static final int DEFAULT_CONSUMER_WINDOW_BYTES = 1024 * 1024;
    public static final long DEFAULT_CALL_TIMEOUT_MS = 30_000;
    public static final long DEFAULT_CONNECT_TIMEOUT_MS = 10_000;

    /** Options of one broker's connection. */
    private static final Set<String> CONNECTION_OPTIONS =
        Set.of("clientID", "user", "password", "consumerWindow", "consumerWindowBytes", "callTimeout", "connectTimeout",
            "heartbeat", "connectionTTL", "ssl", "trustStore", "trustStorePassword", "trustStoreType", "keyStore",
            "keyStorePassword", "keyStoreType", "verifyHost", "sslProvider", "receiveSpin");
    /** Options of a whole list of brokers ({@link BrokerList}); accepted on any URL, they apply to the list. */
    static final Set<String> LIST_OPTIONS = Set.of("reconnectAttempts", "retryInterval", "retryIntervalMultiplier",
        "maxRetryInterval", "failoverTimeout", "journalWait", "randomize", "useTopology", "initialWaitTimeout",
        "localBindAddress", "file");
    private static final Set<String> OPTIONS = union(CONNECTION_OPTIONS, LIST_OPTIONS);
    public static final long DEFAULT_HEARTBEAT_MS = 1000;

    private final String text;
    private final String scheme;
    private final String host;
    private final int port;
    private final Map<String, String> options;

    private ConnectionUrl(
        final String text, final String scheme, final String host, final int port, final Map<String, String> options)
    {
        this.text = text;
        this.scheme = scheme;
        this.host = host;
        this.port = port;
        this.options = Collections.unmodifiableMap(options);
    }

    private static Set<String> union(final Set<String> a, final Set<String> b)
    {
        final java.util.TreeSet<String> all = new java.util.TreeSet<>(a);
        all.addAll(b);
        return Collections.unmodifiableSet(all);
    }

    /**
     * @throws IllegalArgumentException naming what is wrong with the URL.
     */
    public static ConnectionUrl parse(final String text)
    {
        return parse(text, Map.of());
    }

    /**
     * @param inherited options that apply unless the URL sets its own (a list's options, see {@link BrokerList}).
     * @throws IllegalArgumentException naming what is wrong with the URL.
     */
    static ConnectionUrl parse(final String text, final Map<String, String> inherited)
    {
        if (text == null || text.isBlank())
        {
            throw new IllegalArgumentException("broker URL is empty; expected tcp://HOST:PORT or vm://0");
        }
        final String trimmed = text.trim();
        final int schemeEnd = trimmed.indexOf("://");
        if (schemeEnd <= 0)
        {
            throw new IllegalArgumentException("broker URL '" + text + "' has no scheme; expected tcp://HOST:PORT or vm://0");
        }
        final String scheme = trimmed.substring(0, schemeEnd).toLowerCase(Locale.ROOT);
        if (!GroupDiscovery.isDiscovery(scheme) && !TransportConnectors.isKnown(scheme))
        {
            throw new IllegalArgumentException("broker URL '" + text + "' has scheme '" + scheme + "', which no " +
                "transport serves; expected tcp://HOST:PORT, tls://HOST:PORT, udp://GROUP:PORT, " +
                "jgroups://CHANNEL?file=STACK or vm://0");
        }
        String rest = trimmed.substring(schemeEnd + 3);
        final Map<String, String> options = new LinkedHashMap<>(inherited);
        final int query = rest.indexOf('?');
        if (query >= 0)
        {
            parseOptions(text, rest.substring(query + 1), options);
            rest = rest.substring(0, query);
        }
        if (rest.endsWith("/"))
        {
            rest = rest.substring(0, rest.length() - 1);
        }

        String host;
        int port = DEFAULT_PORT;
        if ("vm".equals(scheme))
        {
            host = rest.isEmpty() ? "0" : rest;
            port = 0;
        }
        else if (GroupDiscovery.JGROUPS.equals(scheme))
        {
            if (rest.isEmpty() || options.get("file") == null)
            {
                throw new IllegalArgumentException("broker URL '" + text + "': expected " +
                    "jgroups://CHANNEL?file=STACK, the JGroups channel the brokers announce themselves on and its " +
                    "stack file");
            }
            host = rest;
            port = 0;
        }
        else
        {
            if (rest.isEmpty())
            {
                throw new IllegalArgumentException("broker URL '" + text + "' has no host");
            }
            final int colon = rest.lastIndexOf(':');
            final boolean bracketed = rest.startsWith("[");
            if (colon > 0 && (!bracketed || rest.lastIndexOf(']') < colon))
            {
                host = rest.substring(0, colon);
                port = parsePort(text, rest.substring(colon + 1));
            }
            else if (GroupDiscovery.SCHEME.equals(scheme))
            {
                throw new IllegalArgumentException("broker URL '" + text + "' names no port; expected " +
                    "udp://GROUP:PORT, the discovery group the brokers announce themselves on");
            }
            else
            {
                host = rest;
            }
            if (host.startsWith("[") && host.endsWith("]"))
            {
                host = host.substring(1, host.length() - 1);
            }
        }
        final ConnectionUrl url = new ConnectionUrl(trimmed, scheme, host, port, options);
        url.consumerWindow();
        url.consumerWindowBytes();
        url.callTimeoutMs();
        url.receiveSpinMicros();
        url.connectTimeoutMs();
        url.heartbeatMs();
        url.connectionTtlMs();
        return url;
    }

    static void parseOptions(final String text, final String query, final Map<String, String> options)
    {
        for (final String pair : query.split("&"))
        {
            if (pair.isEmpty())
            {
                continue;
            }
            final int eq = pair.indexOf('=');
            final String key = eq < 0 ? pair : pair.substring(0, eq);
            final String value = eq < 0 ? "" : URLDecoder.decode(pair.substring(eq + 1), StandardCharsets.UTF_8);
            if (!OPTIONS.contains(key))
            {
                throw new IllegalArgumentException(
                    "broker URL '" + text + "' has unknown option '" + key + "'; known options: " + OPTIONS);
            }
            options.put(key, value);
        }
    }

    private static int parsePort(final String text, final String value)
    {
        try
        {
            final int port = Integer.parseInt(value);
            if (port < 1 || port > 65535)
            {
                throw new NumberFormatException();
            }
            return port;
        }
        catch (final NumberFormatException ex)
        {
            throw new IllegalArgumentException("broker URL '" + text + "' has port '" + value + "'; expected 1-65535");
        }
    }

    public String scheme()
    {
        return scheme;
    }

    public String host()
    {
        return host;
    }

    public int port()
    {
        return port;
    }

    /**
     * @param member HOST:PORT of another broker, as a cluster announces its members.
     * @return a URL of the same scheme and options for that broker.
     * @throws IllegalArgumentException if the member is not HOST:PORT.
     */
    public ConnectionUrl at(final String member)
    {
        return parse(scheme + "://" + member, options);
    }

    /**
     * @return true if both name the same broker (scheme, host and port; options aside).
     */
    public boolean sameBroker(final ConnectionUrl other)
    {
        return scheme.equals(other.scheme) && host.equalsIgnoreCase(other.host) && port == other.port;
    }

    public String option(final String key)
    {
        return options.get(key);
    }

    public int consumerWindow()
    {
        return (int)positive("consumerWindow", DEFAULT_CONSUMER_WINDOW, Integer.MAX_VALUE);
    }

    public int consumerWindowBytes()
    {
        return (int)positive("consumerWindowBytes", DEFAULT_CONSUMER_WINDOW_BYTES, Integer.MAX_VALUE);
    }

    /**
     * @return µs a receive() that finds nothing spins (a busy wait) before it sleeps: the low-latency mode for a
     *         dedicated core, 0 (the default) to sleep at once.
     */
    public long receiveSpinMicros()
    {
        return positive("receiveSpin", 0, 1_000_000);
    }

    public long callTimeoutMs()
    {
        return positive("callTimeout", DEFAULT_CALL_TIMEOUT_MS, Long.MAX_VALUE);
    }

    public long connectTimeoutMs()
    {
        return positive("connectTimeout", DEFAULT_CONNECT_TIMEOUT_MS, Integer.MAX_VALUE);
    }

    /**
     * @return how often the client pings the broker, in ms; 0: never (and no {@link #connectionTtlMs()}).
     */
    public long heartbeatMs()
    {
        final String value = options.get("heartbeat");
        return "0".equals(value) ? 0 : positive("heartbeat", DEFAULT_HEARTBEAT_MS, Integer.MAX_VALUE);
    }

    /**
     * @return how long either side may stay silent before the other takes it for dead, in ms: 3 heartbeats unless
     * set; 0 when heartbeats are off.
     */
    public long connectionTtlMs()
    {
        final long heartbeat = heartbeatMs();
        if (heartbeat == 0)
        {
            return 0;
        }
        final long ttl = positive("connectionTTL", 3 * heartbeat, Integer.MAX_VALUE);
        if (ttl <= heartbeat)
        {
            throw new IllegalArgumentException("broker URL '" + this + "' option connectionTTL=" + ttl +
                " must be longer than heartbeat=" + heartbeat + ", or a live peer would be taken for dead");
        }
        return ttl;
    }

    /**
     * @return the URL's options, for a list that carries them to other URLs.
     */
    Map<String, String> options()
    {
        return options;
    }

    long positive(final String key, final long defaultValue, final long max)
    {
        final String value = options.get(key);
        if (value == null)
        {
            return defaultValue;
        }
        try
        {
            final long parsed = Long.parseLong(value);
            if (parsed < 1 || parsed > max)
            {
                throw new NumberFormatException();
            }
            return parsed;
        }
        catch (final NumberFormatException ex)
        {
            throw new IllegalArgumentException(
                "broker URL '" + text + "' option " + key + "='" + value + "'; expected a whole number 1-" + max);
        }
    }

    /**
     * @return what a transport needs to connect to this URL.
     */
    public TransportEndpoint endpoint()
    {
        return new TransportEndpoint(toString(), scheme, host, port, connectTimeoutMs(), tls());
    }

    /**
     * @return the TLS this URL asks for ({@code tls://}, or {@code ssl=true}); null for a plain connection.
     * @throws IllegalArgumentException if a password names an environment variable that is not set.
     */
    public TlsSettings tls()
    {
        if (!"tls".equals(scheme) && !"true".equalsIgnoreCase(options.get("ssl")))
        {
            return null;
        }
        final String provider = options.get("sslProvider");
        return new TlsSettings(options.get("keyStore"),
            TlsSettings.password(options.get("keyStorePassword"), "keyStorePassword", System::getenv),
            options.get("keyStoreType"), options.get("trustStore"),
            TlsSettings.password(options.get("trustStorePassword"), "trustStorePassword", System::getenv),
            options.get("trustStoreType"), ClientAuth.NONE, !"false".equalsIgnoreCase(options.get("verifyHost")),
            provider == null ? SslProvider.JDK : TlsSettings.provider(provider, "broker URL option sslProvider"));
    }

    /**
     * @return the URL as given, with any password masked.
     */
    @Override
    public String toString()
    {
        return text.replaceAll("(?i)(password=)[^&]*", "$1***");
    }
}
