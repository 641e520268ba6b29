package io.meshmq.engine.processor;

import java.util.ArrayList;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;

/**
 * Finds the settings of an address from patterns: an exact name, a prefix ending in {@code *}, or {@code *}
 * alone for every address. Where several patterns match, the longest wins, and an exact name beats a prefix
 * of the same length. Each pattern sets only what it names; the rest comes from less specific patterns and
 * then the defaults.
 * <pre>
 * * .max-delivery-attempts = 5
 * orders.* .redelivery-delay = 1000
 * orders.audit .dead-letter-address = audit.dead
 * </pre>
 * Built at start-up on one thread; then resolved on any (the two processors of a process with a colocated backup share
 * it, and core bridges read it as they are made): the cache of resolved addresses is concurrent.
 */
public final class AddressSettingsMatcher
{
    public static final String MAX_DELIVERY_ATTEMPTS = "max-delivery-attempts";
    public static final String REDELIVERY_DELAY = "redelivery-delay";
    public static final String DEAD_LETTER_ADDRESS = "dead-letter-address";
    public static final String EXPIRY_ADDRESS = "expiry-address";
    public static final String MAX_SIZE_BYTES = "max-size-bytes";
    public static final String ADDRESS_FULL_POLICY = "address-full-policy";
    public static final String LOAD_BALANCING = "load-balancing";
    public static final String REDISTRIBUTION_DELAY = "redistribution-delay";
    public static final String CLUSTER_WEIGHT = "cluster-weight";
    public static final String CLUSTER_RANK = "cluster-rank";
    public static final String PREFER_LOCAL = "prefer-local";
    public static final String UNREACHABLE_NODE = "unreachable-node";
    public static final String PRODUCER_HOLD_BYTES = "producer-hold-bytes";
    public static final List<String> KEYS = List.of(
        MAX_DELIVERY_ATTEMPTS, REDELIVERY_DELAY, DEAD_LETTER_ADDRESS, EXPIRY_ADDRESS, MAX_SIZE_BYTES, ADDRESS_FULL_POLICY,
        LOAD_BALANCING, REDISTRIBUTION_DELAY, CLUSTER_WEIGHT, CLUSTER_RANK, PREFER_LOCAL,
        UNREACHABLE_NODE, PRODUCER_HOLD_BYTES);

    /** What the node sets for every address (e.g. cluster.weight): below any pattern. */
    private final Map<String, String> nodeDefaults = new HashMap<>();
    private final Map<String, Map<String, String>> byPattern = new LinkedHashMap<>();
    private final Map<String, AddressSettings> resolved = new ConcurrentHashMap<>();

    /**
     * @throws IllegalArgumentException for an unknown key or a value of the wrong form.
     */
    public AddressSettingsMatcher set(final String pattern, final String key, final String value)
    {
        if (!KEYS.contains(key))
        {
            throw new IllegalArgumentException("unknown address setting '" + key + "'; known: " + String.join(", ", KEYS));
        }
        if (pattern.isEmpty() || pattern.indexOf('*') >= 0 && pattern.indexOf('*') != pattern.length() - 1)
        {
            throw new IllegalArgumentException("address pattern '" + pattern + "' may only end in '*'");
        }
        byPattern.computeIfAbsent(pattern, p -> new HashMap<>()).put(key, value);
        resolve(pattern);
        resolved.clear();
        return this;
    }

    /**
     * Sets a value for every address that no pattern overrides: the node's own default, e.g. its cluster weight.
     *
     * @throws IllegalArgumentException for an unknown key or a value of the wrong form.
     */
    public AddressSettingsMatcher nodeDefault(final String key, final String value)
    {
        if (!KEYS.contains(key))
        {
            throw new IllegalArgumentException("unknown address setting '" + key + "'; known: " +
                String.join(", ", KEYS));
        }
        final String before = nodeDefaults.put(key, value);
        resolved.clear();
        try
        {
            resolve("");
        }
        catch (final IllegalArgumentException e)
        {
            if (before == null)
            {
                nodeDefaults.remove(key);
            }
            else
            {
                nodeDefaults.put(key, before);
            }
            throw e;
        }
        resolved.clear();
        return this;
    }

    /**
     * @return the settings for an address; the same instance for the same address.
     */
    public AddressSettings resolve(final String address)
    {
        final AddressSettings cached = resolved.get(address);
        if (cached != null)
        {
            return cached;
        }
        final List<String> matching = new ArrayList<>();
        for (final String pattern : byPattern.keySet())
        {
            if (matches(pattern, address))
            {
                matching.add(pattern);
            }
        }
        matching.sort((a, b) -> a.length() != b.length() ? Integer.compare(a.length(), b.length()) :
            Boolean.compare(!a.endsWith("*"), !b.endsWith("*")));
        final Map<String, String> merged = new HashMap<>(nodeDefaults);
        for (final String pattern : matching)
        {
            merged.putAll(byPattern.get(pattern));
        }
        final AddressSettings settings = new AddressSettings(
            integer(merged, MAX_DELIVERY_ATTEMPTS, AddressSettings.DEFAULT_MAX_DELIVERY_ATTEMPTS),
            number(merged, REDELIVERY_DELAY, AddressSettings.DEFAULT_REDELIVERY_DELAY_MS),
            merged.getOrDefault(DEAD_LETTER_ADDRESS, AddressSettings.DEFAULT_DEAD_LETTER_ADDRESS),
            merged.getOrDefault(EXPIRY_ADDRESS, AddressSettings.DEFAULT_EXPIRY_ADDRESS),
            number(merged, MAX_SIZE_BYTES, AddressSettings.DEFAULT_MAX_SIZE_BYTES),
            policy(merged.get(ADDRESS_FULL_POLICY)), loadBalancing(merged.get(LOAD_BALANCING)),
            number(merged, REDISTRIBUTION_DELAY, AddressSettings.DEFAULT_REDISTRIBUTION_DELAY_MS),
            integer(merged, CLUSTER_WEIGHT, AddressSettings.DEFAULT_CLUSTER_WEIGHT),
            integer(merged, CLUSTER_RANK, AddressSettings.DEFAULT_CLUSTER_RANK),
            bool(merged, PREFER_LOCAL, AddressSettings.DEFAULT_PREFER_LOCAL),
            unreachableNode(merged.get(UNREACHABLE_NODE)),
            number(merged, PRODUCER_HOLD_BYTES, AddressSettings.DEFAULT_PRODUCER_HOLD_BYTES));
        resolved.put(address, settings);
        return settings;
    }

    private static boolean matches(final String pattern, final String address)
    {
        return pattern.endsWith("*") ? address.startsWith(pattern.substring(0, pattern.length() - 1)) : pattern.equals(address);
    }

    private static AddressSettings.FullPolicy policy(final String value)
    {
        if (value == null)
        {
            return AddressSettings.DEFAULT_FULL_POLICY;
        }
        switch (value.trim().toUpperCase(java.util.Locale.ROOT))
        {
            case "PAGE": return AddressSettings.FullPolicy.PAGE;
            case "FAIL": return AddressSettings.FullPolicy.FAIL;
            case "BLOCK": return AddressSettings.FullPolicy.BLOCK;
            default:
                throw new IllegalArgumentException(ADDRESS_FULL_POLICY + " '" + value + "' must be PAGE, BLOCK or FAIL");
        }
    }

    private static AddressSettings.LoadBalancing loadBalancing(final String value)
    {
        if (value == null)
        {
            return AddressSettings.DEFAULT_LOAD_BALANCING;
        }
        switch (value.trim().toUpperCase(java.util.Locale.ROOT).replace('-', '_'))
        {
            case "OFF": return AddressSettings.LoadBalancing.OFF;
            case "STRICT": return AddressSettings.LoadBalancing.STRICT;
            case "ON_DEMAND": return AddressSettings.LoadBalancing.ON_DEMAND;
            default:
                throw new IllegalArgumentException(LOAD_BALANCING + " '" + value + "' must be OFF, STRICT or ON_DEMAND");
        }
    }

    private static AddressSettings.UnreachableNode unreachableNode(final String value)
    {
        if (value == null)
        {
            return null;
        }
        switch (value.trim().toLowerCase(java.util.Locale.ROOT))
        {
            case "fail": return AddressSettings.UnreachableNode.FAIL;
            case "hold": return AddressSettings.UnreachableNode.HOLD;
            default:
                throw new IllegalArgumentException(UNREACHABLE_NODE + " '" + value + "' must be fail or hold");
        }
    }

    private static boolean bool(final Map<String, String> settings, final String key, final boolean defaultValue)
    {
        final String value = settings.get(key);
        if (value == null)
        {
            return defaultValue;
        }
        switch (value.trim().toLowerCase(java.util.Locale.ROOT))
        {
            case "true": return true;
            case "false": return false;
            default: throw new IllegalArgumentException(key + " '" + value + "' must be true or false");
        }
    }

    private static int integer(final Map<String, String> settings, final String key, final int defaultValue)
    {
        final long value = number(settings, key, defaultValue);
        if (value != (int)value)
        {
            throw new IllegalArgumentException(key + " '" + settings.get(key) + "' is out of range");
        }
        return (int)value;
    }

    private static long number(final Map<String, String> settings, final String key, final long defaultValue)
    {
        final String value = settings.get(key);
        if (value == null)
        {
            return defaultValue;
        }
        try
        {
            return Long.parseLong(value.trim());
        }
        catch (final NumberFormatException ex)
        {
            throw new IllegalArgumentException(key + " '" + value + "' is not a whole number");
        }
    }
}
