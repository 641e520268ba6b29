package io.meshmq.bridge;

import io.meshmq.client.BrokerList;
import io.meshmq.selector.Selector;
import io.meshmq.selector.SelectorSyntaxException;

import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.regex.Pattern;

/**
 * One bridge as the user defines it ({@code bridge.NAME.KEY = VALUE} in the configuration file, or
 * {@code ./meshmq bridge create NAME KEY=VALUE ...}), checked.
 *
 * @param targetAddress the queue it sends to, or {@code topic:NAME} for a topic.
 * @param filter        a selector: only the messages it matches are bridged (the others stay); null for all.
 * @param reconnectAttempts attempts after a failure before the bridge stops; -1 for ever.
 * @param confirmationWindow messages sent before waiting for the target to confirm them all.
 * @param settings      what the user gave, for listing and keeping.
 */
public record BridgeDefinition(String name, String sourceQueue, String targetUrl, String targetAddress, String filter,
    long retryIntervalMs, double retryIntervalMultiplier, long maxRetryIntervalMs, int reconnectAttempts,
    int confirmationWindow, String user, String password, String sourceUser, String sourcePassword,
    Map<String, String> settings)
{
    public static final String SOURCE_QUEUE = "source-queue";
    public static final String TARGET_URL = "target-url";
    public static final String TARGET_ADDRESS = "target-address";
    public static final String FILTER = "filter";
    public static final String RETRY_INTERVAL = "retry-interval";
    public static final String RETRY_INTERVAL_MULTIPLIER = "retry-interval-multiplier";
    public static final String MAX_RETRY_INTERVAL = "max-retry-interval";
    public static final String RECONNECT_ATTEMPTS = "reconnect-attempts";
    public static final String CONFIRMATION_WINDOW = "confirmation-window";
    public static final String USER = "user";
    public static final String PASSWORD = "password";
    public static final String SOURCE_USER = "source-user";
    public static final String SOURCE_PASSWORD = "source-password";
    public static final List<String> KEYS = List.of(SOURCE_QUEUE, TARGET_URL, TARGET_ADDRESS, FILTER, RETRY_INTERVAL,
        RETRY_INTERVAL_MULTIPLIER, MAX_RETRY_INTERVAL, RECONNECT_ATTEMPTS, CONFIRMATION_WINDOW, USER, PASSWORD,
        SOURCE_USER, SOURCE_PASSWORD);
    /** The prefix of a target address that names a topic. */
    public static final String TOPIC_PREFIX = "topic:";
    private static final Pattern NAME = Pattern.compile("[A-Za-z0-9._-]{1,100}");

    public BridgeDefinition
    {
        settings = Map.copyOf(settings);
    }

    /**
     * @throws IllegalArgumentException naming the key and what is wrong with it.
     */
    public static BridgeDefinition of(final String name, final Map<String, String> given)
    {
        if (!NAME.matcher(name).matches())
        {
            throw new IllegalArgumentException("bridge name '" + name + "': expected 1-100 letters, digits, '.', '_' " +
                "or '-'");
        }
        final Map<String, String> settings = new LinkedHashMap<>();
        for (final Map.Entry<String, String> entry : given.entrySet())
        {
            if (!KEYS.contains(entry.getKey()))
            {
                throw new IllegalArgumentException("bridge '" + name + "': unknown key '" + entry.getKey() +
                    "'; known: " + String.join(", ", KEYS));
            }
            settings.put(entry.getKey(), entry.getValue().strip());
        }
        final String source = required(name, settings, SOURCE_QUEUE);
        final String url = required(name, settings, TARGET_URL);
        try
        {
            BrokerList.parse(url);
        }
        catch (final IllegalArgumentException ex)
        {
            throw new IllegalArgumentException("bridge '" + name + "': " + TARGET_URL + ": " + ex.getMessage(), ex);
        }
        final String target = settings.getOrDefault(TARGET_ADDRESS, source);
        if (target.isEmpty() || target.equals(TOPIC_PREFIX))
        {
            throw new IllegalArgumentException("bridge '" + name + "': " + TARGET_ADDRESS + " is empty");
        }
        final String filter = settings.get(FILTER);
        if (filter != null)
        {
            try
            {
                Selector.parse(filter);
            }
            catch (final SelectorSyntaxException ex)
            {
                throw new IllegalArgumentException("bridge '" + name + "': " + FILTER + " '" + filter + "': " +
                    ex.getMessage(), ex);
            }
        }
        final long retry = number(name, settings, RETRY_INTERVAL, 1_000, 1, 3_600_000);
        final double multiplier = multiplier(name, settings);
        final long maxRetry = number(name, settings, MAX_RETRY_INTERVAL, Math.max(retry, 30_000), retry, 3_600_000);
        final int attempts = (int)number(name, settings, RECONNECT_ATTEMPTS, -1, -1, Integer.MAX_VALUE);
        final int window = (int)number(name, settings, CONFIRMATION_WINDOW, 100, 1, 4_096);
        if (settings.containsKey(PASSWORD) && !settings.containsKey(USER) ||
            settings.containsKey(SOURCE_PASSWORD) && !settings.containsKey(SOURCE_USER))
        {
            throw new IllegalArgumentException("bridge '" + name + "': a password without its user");
        }
        return new BridgeDefinition(name, source, url, target, filter, retry, multiplier, maxRetry, attempts, window,
            settings.get(USER), settings.get(PASSWORD), settings.get(SOURCE_USER), settings.get(SOURCE_PASSWORD),
            settings);
    }

    /**
     * @return the target URL as logs and listings show it: a password in it masked.
     */
    public String shownTargetUrl()
    {
        return BrokerList.parse(targetUrl).toString();
    }

    /**
     * @return true if it sends to a topic.
     */
    public boolean targetIsTopic()
    {
        return targetAddress.startsWith(TOPIC_PREFIX);
    }

    /**
     * @return the target queue's or topic's name.
     */
    public String targetName()
    {
        return targetIsTopic() ? targetAddress.substring(TOPIC_PREFIX.length()) : targetAddress;
    }

    private static String required(final String name, final Map<String, String> settings, final String key)
    {
        final String value = settings.get(key);
        if (value == null || value.isEmpty())
        {
            throw new IllegalArgumentException("bridge '" + name + "': " + key + " is missing");
        }
        return value;
    }

    private static long number(final String name, final Map<String, String> settings, final String key,
        final long defaultValue, final long min, final long max)
    {
        final String value = settings.get(key);
        if (value == null)
        {
            return defaultValue;
        }
        try
        {
            final long parsed = Long.parseLong(value);
            if (parsed >= min && parsed <= max)
            {
                return parsed;
            }
        }
        catch (final NumberFormatException ignored)
        {
            // reported below
        }
        throw new IllegalArgumentException("bridge '" + name + "': " + key + " '" + value + "': expected a whole " +
            "number from " + min + " to " + max);
    }

    private static double multiplier(final String name, final Map<String, String> settings)
    {
        final String value = settings.get(RETRY_INTERVAL_MULTIPLIER);
        if (value == null)
        {
            return 2.0;
        }
        try
        {
            final double parsed = Double.parseDouble(value);
            if (parsed >= 1.0 && parsed <= 10.0)
            {
                return parsed;
            }
        }
        catch (final NumberFormatException ignored)
        {
            // reported below
        }
        throw new IllegalArgumentException("bridge '" + name + "': " + RETRY_INTERVAL_MULTIPLIER + " '" + value +
            "': expected a number from 1 to 10");
    }
}
