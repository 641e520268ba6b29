package io.meshmq.engine.security;

import java.util.Collections;
import java.util.EnumMap;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;

/**
 * Which roles hold which {@link Permission} on which addresses ({@code security.PATTERN.PERMISSION = role, role}).
 * A pattern is an address name, a prefix ending in {@code *}, or {@code *} for every address (as for address settings;
 * Artemis's {@code #} would start a comment in a configuration file).
 * As in Artemis, the most specific pattern that matches an address decides every permission on it (the longest; an
 * exact name before a prefix of the same length): a permission that pattern does not list is nobody's there, whatever
 * less specific patterns say, so a narrow pattern can only ever close an address down, never inherit from a wide one.
 * The role {@value #EVERY_USER} grants a permission to every user, the default user included.
 * <p>
 * With no pattern configured, {@link #DEFAULTS} apply: every user may do everything but {@code manage}, which needs the
 * role {@value #ADMIN_ROLE}.
 * <p>
 * Built before start-up; afterwards read-only but for a cache of resolved addresses (concurrent): any thread.
 */
public final class SecuritySettings
{
    /** In a role list: every authenticated user (and the default user). */
    public static final String EVERY_USER = "*";
    /** What the admin and cluster verbs (and the web console) are checked against, as Artemis checks management. */
    public static final String MANAGEMENT_ADDRESS = "meshmq.management";
    /** Who may manage the broker while no permission is configured. */
    public static final String ADMIN_ROLE = "admin";
    /** What holds while no {@code security.*} key is configured. */
    public static final String DEFAULTS = "every user may send, consume, browse and create and delete queues and " +
        "addresses; manage (the admin and cluster verbs) needs role '" + ADMIN_ROLE + "'";

    private static final int MAX_CACHED_ADDRESSES = 10_000;
    private static final Map<Permission, Set<String>> DEFAULT_GRANTS = defaultGrants();

    private final Map<String, Map<Permission, Set<String>>> byPattern = new LinkedHashMap<>();
    private final Map<String, Map<Permission, Set<String>>> resolved = new ConcurrentHashMap<>();

    private static Map<Permission, Set<String>> defaultGrants()
    {
        final Map<Permission, Set<String>> grants = new EnumMap<>(Permission.class);
        for (final Permission permission : Permission.values())
        {
            grants.put(permission, permission == Permission.MANAGE ? Set.of(ADMIN_ROLE) : Set.of(EVERY_USER));
        }
        return Collections.unmodifiableMap(grants);
    }

    /**
     * Grants a permission on the addresses a pattern matches to the roles given (replacing what that pattern gave
     * that permission before).
     *
     * @throws IllegalArgumentException for a malformed pattern or no roles.
     */
    public SecuritySettings grant(final String pattern, final Permission permission, final Set<String> roles)
    {
        if (pattern.isEmpty() || pattern.indexOf('*') >= 0 && pattern.indexOf('*') != pattern.length() - 1)
        {
            throw new IllegalArgumentException("address pattern '" + pattern + "' may only end in '*'");
        }
        if (roles.isEmpty())
        {
            throw new IllegalArgumentException("no roles given for " + permission + " on '" + pattern + "'");
        }
        byPattern.computeIfAbsent(pattern, p -> new EnumMap<>(Permission.class)).put(permission, Set.copyOf(roles));
        resolved.clear();
        return this;
    }

    public boolean isConfigured()
    {
        return !byPattern.isEmpty();
    }

    public int patterns()
    {
        return byPattern.size();
    }

    /**
     * @return the roles that hold the permission on the address (may contain {@value #EVERY_USER}); empty for none.
     */
    public Set<String> rolesFor(final String address, final Permission permission)
    {
        Map<Permission, Set<String>> grants = resolved.get(address);
        if (grants == null)
        {
            grants = resolve(address);
            if (resolved.size() >= MAX_CACHED_ADDRESSES)
            {
                resolved.clear();
            }
            resolved.put(address, grants);
        }
        return grants.getOrDefault(permission, Set.of());
    }

    private Map<Permission, Set<String>> resolve(final String address)
    {
        if (byPattern.isEmpty())
        {
            return DEFAULT_GRANTS;
        }
        String best = null;
        for (final String pattern : byPattern.keySet())
        {
            if (matches(pattern, address) && (best == null || isMoreSpecific(pattern, best)))
            {
                best = pattern;
            }
        }
        return best == null ? Map.of() : byPattern.get(best);
    }

    private static boolean isMoreSpecific(final String pattern, final String than)
    {
        if (pattern.length() != than.length())
        {
            return pattern.length() > than.length();
        }
        return !pattern.endsWith("*") && than.endsWith("*");
    }

    private static boolean matches(final String pattern, final String address)
    {
        return pattern.endsWith("*") ? address.startsWith(pattern.substring(0, pattern.length() - 1)) :
            pattern.equals(address);
    }
}
