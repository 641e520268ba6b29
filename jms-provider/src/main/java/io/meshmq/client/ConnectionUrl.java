package io.meshmq.client;

import io.meshmq.transport.TransportEndpoint;

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
 * default 30000), {@code connectTimeout} (ms, default 10000). An unknown option is an error, so a typo does
 * not pass silently. Immutable.
 */
public final class ConnectionUrl
{
    public static final int DEFAULT_PORT = 7918;
    public static final int DEFAULT_CONSUMER_WINDOW = 1000;
    public static final int DEFAULT_CONSUMER_WINDOW_BYTES = 1024 * 1024;
    public static final long DEFAULT_CALL_TIMEOUT_MS = 30_000;
    public static final long DEFAULT_CONNECT_TIMEOUT_MS = 10_000;

    private static final Set<String> OPTIONS =
        Set.of("clientID", "user", "password", "consumerWindow", "consumerWindowBytes", "callTimeout", "connectTimeout");

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

    /**
     * @throws IllegalArgumentException naming what is wrong with the URL.
     */
    public static ConnectionUrl parse(final String text)
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
        String rest = trimmed.substring(schemeEnd + 3);
        final Map<String, String> options = new LinkedHashMap<>();
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
        url.connectTimeoutMs();
        return url;
    }

    private static void parseOptions(final String text, final String query, final Map<String, String> options)
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

    public long callTimeoutMs()
    {
        return positive("callTimeout", DEFAULT_CALL_TIMEOUT_MS, Long.MAX_VALUE);
    }

    public long connectTimeoutMs()
    {
        return positive("connectTimeout", DEFAULT_CONNECT_TIMEOUT_MS, Integer.MAX_VALUE);
    }

    private long positive(final String key, final long defaultValue, final long max)
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
        return new TransportEndpoint(toString(), scheme, host, port, connectTimeoutMs());
    }

    /**
     * @return the URL as given, with any password masked.
     */
    @Override
    public String toString()
    {
        return text.replaceAll("password=[^&]*", "password=***");
    }
}
