package io.meshmq.client;

import java.util.ArrayList;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ThreadLocalRandom;

/**
 * The brokers a client may connect to, as the application writes them: one URL ({@code tcp://h1:7918}) or a
 * comma-separated list ({@code tcp://h1:7918,tcp://h2:7918?randomize=true}). Options after the last URL apply to
 * every URL of the list; a URL before it may add its own.
 * <p>
 * Failover options: {@code reconnectAttempts} (-1: for ever, the default for a list; 0 for a single URL unless set),
 * {@code retryInterval} (ms before the first retry, default 100), {@code retryIntervalMultiplier} (default 2),
 * {@code maxRetryInterval} (ms, default 2000), {@code failoverTimeout} (ms a call made while reconnecting waits,
 * default 30000), {@code journalWait} (ms, default 10000: with HA, how long to reconnect only to the broker that took
 * the lost one's journal over), {@code randomize} (start at a random URL), {@code useTopology} (default true: follow
 * the members a cluster announces). Immutable.
 */
public final class BrokerList
{
    public static final long DEFAULT_RETRY_INTERVAL_MS = 100;
    public static final double DEFAULT_RETRY_MULTIPLIER = 2;
    public static final long DEFAULT_MAX_RETRY_INTERVAL_MS = 2000;
    public static final long DEFAULT_FAILOVER_TIMEOUT_MS = 30_000;
    public static final long DEFAULT_JOURNAL_WAIT_MS = 10_000;

    private final String text;
    private final List<ConnectionUrl> urls;
    private final ConnectionUrl first;

    private BrokerList(final String text, final List<ConnectionUrl> urls)
    {
        this.text = text;
        this.urls = Collections.unmodifiableList(urls);
        this.first = urls.get(0);
    }

    /**
     * @throws IllegalArgumentException naming what is wrong with the list or one of its URLs.
     */
    public static BrokerList parse(final String text)
    {
        if (text == null || text.isBlank())
        {
            throw new IllegalArgumentException("broker URL is empty; expected tcp://HOST:PORT, a comma-separated list " +
                "of them, or vm://0");
        }
        final String[] parts = text.trim().split(",");
        final String last = parts[parts.length - 1].trim();
        final Map<String, String> shared = new LinkedHashMap<>();
        final int query = last.indexOf('?');
        if (query >= 0)
        {
            ConnectionUrl.parseOptions(text, last.substring(query + 1), shared);
        }
        final List<ConnectionUrl> urls = new ArrayList<>(parts.length);
        for (final String part : parts)
        {
            if (part.isBlank())
            {
                throw new IllegalArgumentException("broker URL list '" + text + "' has an empty entry");
            }
            urls.add(ConnectionUrl.parse(part.trim(), shared));
        }
        if (urls.size() > 1 && urls.stream().anyMatch(url -> GroupDiscovery.isDiscovery(url.scheme())))
        {
            throw new IllegalArgumentException("broker URL list '" + text + "' mixes a discovery group (udp:// or " +
                "jgroups://) with other URLs; give one or the other");
        }
        final BrokerList list = new BrokerList(text.trim(), urls);
        list.reconnectAttempts();
        list.retryIntervalMs();
        list.retryIntervalMultiplier();
        list.maxRetryIntervalMs();
        list.failoverTimeoutMs();
        list.journalWaitMs();
        list.randomize();
        list.useTopology();
        list.first.positive("initialWaitTimeout", GroupDiscovery.DEFAULT_INITIAL_WAIT_MS, Integer.MAX_VALUE);
        return list;
    }

    /**
     * @return true for {@code udp://GROUP:PORT} and {@code jgroups://CHANNEL}: the brokers are those that announce
     *         themselves there.
     */
    public boolean isDiscovery()
    {
        return GroupDiscovery.isDiscovery(first.scheme());
    }

    /**
     * @return the brokers a discovery group announced, as a list with this one's options (failing over for ever
     * unless reconnectAttempts says otherwise, as for any list).
     */
    BrokerList discovered(final List<String> addresses)
    {
        final Map<String, String> options = new LinkedHashMap<>(first.options());
        options.putIfAbsent("reconnectAttempts", "-1");
        final String scheme = "true".equalsIgnoreCase(options.get("ssl")) ? "tls" : "tcp";
        final List<ConnectionUrl> announced = new ArrayList<>(addresses.size());
        for (final String address : addresses)
        {
            announced.add(ConnectionUrl.parse(scheme + "://" + address, options));
        }
        return new BrokerList(text + " " + announced, announced);
    }

    /**
     * @return a list of one URL.
     */
    public static BrokerList of(final ConnectionUrl url)
    {
        return new BrokerList(url.toString(), new ArrayList<>(List.of(url)));
    }

    /**
     * @return the URLs in the order to try them: as written, or from a random start with {@code randomize=true}.
     */
    public List<ConnectionUrl> inTryOrder()
    {
        if (!randomize() || urls.size() == 1)
        {
            return urls;
        }
        final int start = ThreadLocalRandom.current().nextInt(urls.size());
        final List<ConnectionUrl> rotated = new ArrayList<>(urls.size());
        for (int i = 0; i < urls.size(); i++)
        {
            rotated.add(urls.get((start + i) % urls.size()));
        }
        return rotated;
    }

    public List<ConnectionUrl> urls()
    {
        return urls;
    }

    /**
     * @return the first URL, whose options are the list's (user, client id, windows, timeouts).
     */
    public ConnectionUrl first()
    {
        return first;
    }

    public String option(final String key)
    {
        return first.option(key);
    }

    /**
     * @return how many times to try the list again after a connection is lost; -1 for ever, 0 never.
     */
    public int reconnectAttempts()
    {
        final String value = first.option("reconnectAttempts");
        if (value == null)
        {
            return urls.size() > 1 ? -1 : 0;
        }
        try
        {
            final int attempts = Integer.parseInt(value);
            if (attempts < -1)
            {
                throw new NumberFormatException();
            }
            return attempts;
        }
        catch (final NumberFormatException ex)
        {
            throw new IllegalArgumentException("broker URL '" + this + "' option reconnectAttempts='" + value +
                "'; expected -1 (for ever), 0 (never) or a positive count");
        }
    }

    public long retryIntervalMs()
    {
        return first.positive("retryInterval", DEFAULT_RETRY_INTERVAL_MS, Integer.MAX_VALUE);
    }

    public double retryIntervalMultiplier()
    {
        final String value = first.option("retryIntervalMultiplier");
        if (value == null)
        {
            return DEFAULT_RETRY_MULTIPLIER;
        }
        try
        {
            final double multiplier = Double.parseDouble(value);
            if (!(multiplier >= 1 && multiplier <= 100))
            {
                throw new NumberFormatException();
            }
            return multiplier;
        }
        catch (final NumberFormatException ex)
        {
            throw new IllegalArgumentException("broker URL '" + this + "' option retryIntervalMultiplier='" + value +
                "'; expected a number from 1 to 100");
        }
    }

    public long maxRetryIntervalMs()
    {
        return first.positive("maxRetryInterval", DEFAULT_MAX_RETRY_INTERVAL_MS, Integer.MAX_VALUE);
    }

    public long failoverTimeoutMs()
    {
        return first.positive("failoverTimeout", DEFAULT_FAILOVER_TIMEOUT_MS, Long.MAX_VALUE);
    }

    /**
     * @return ms a client that lost a broker serving a replicated journal reconnects only to the broker serving that
     * journal next (its takeover); 0 to reconnect to any broker at once.
     */
    public long journalWaitMs()
    {
        final String value = first.option("journalWait");
        if (value == null)
        {
            return DEFAULT_JOURNAL_WAIT_MS;
        }
        try
        {
            final long ms = Long.parseLong(value);
            if (ms < 0)
            {
                throw new NumberFormatException();
            }
            return ms;
        }
        catch (final NumberFormatException ex)
        {
            throw new IllegalArgumentException("broker URL '" + this + "' option journalWait='" + value +
                "'; expected 0 (reconnect to any broker at once) or the ms to wait for the lost broker's journal");
        }
    }

    public boolean randomize()
    {
        return flag("randomize", false);
    }

    public boolean useTopology()
    {
        return flag("useTopology", true);
    }

    private boolean flag(final String key, final boolean defaultValue)
    {
        final String value = first.option(key);
        if (value == null || value.isEmpty())
        {
            return value == null ? defaultValue : true;
        }
        if ("true".equalsIgnoreCase(value) || "false".equalsIgnoreCase(value))
        {
            return Boolean.parseBoolean(value);
        }
        throw new IllegalArgumentException("broker URL '" + this + "' option " + key + "='" + value +
            "'; expected true or false");
    }

    /**
     * @return the list as given, with any password masked.
     */
    @Override
    public String toString()
    {
        return text.replaceAll("password=[^&,]*", "password=***");
    }
}
