package io.meshmq.engine.security;

import java.util.HashMap;
import java.util.Map;
import java.util.Set;

/**
 * The broker's users: each with a password hash and roles (the roles are where per-destination permissions
 * will attach). With no users at all, security is off and every connection is accepted under the name it
 * gives. Otherwise a connection that presents a user must present its password, and one that presents none
 * becomes the default user if one is configured, and is refused if none is: once users exist, anonymous access is
 * something the operator turns on, never a default.
 * <p>
 * Built before start-up, then read-only: safe to share between I/O threads.
 */
public final class UserStore
{
    /** Who a connection without credentials is while security is off (no users). */
    public static final String DEFAULT_GUEST = "guest";
    /** The role a user needs to open a cluster connection (another node of the mesh) when security is on. */
    public static final String CLUSTER_ROLE = "cluster";

    private record User(String name, PasswordHash hash)
    {
    }

    private final Map<String, User> users = new HashMap<>();
    private final Map<String, Set<String>> roles = new HashMap<>();
    /** Who a connection without credentials becomes once users exist; null: it is refused. */
    private String defaultUser;

    /**
     * @param passwordHash in the form of {@link PasswordHash}.
     * @throws IllegalArgumentException if the hash is malformed.
     */
    public UserStore addUser(final String name, final String passwordHash)
    {
        users.put(name, new User(name, PasswordHash.parse(passwordHash)));
        return this;
    }

    /**
     * Sets a user's roles; they may be given before or after the user.
     */
    public UserStore roles(final String user, final Set<String> userRoles)
    {
        roles.put(user, Set.copyOf(userRoles));
        return this;
    }

    /**
     * @param name the user of connections without credentials once users exist; null or empty to refuse them (as
     *             when it is never set).
     */
    public UserStore defaultUser(final String name)
    {
        this.defaultUser = name == null || name.isBlank() ? null : name;
        return this;
    }

    public boolean isSecurityEnabled()
    {
        return !users.isEmpty();
    }

    /**
     * @return for the start-up line: whether security is on, and what becomes of anonymous connections.
     */
    public String describe()
    {
        if (!isSecurityEnabled())
        {
            return "security off: no users are configured, every client is trusted";
        }
        return "security on: " + users.size() + (users.size() == 1 ? " user" : " users") + ", " +
            (defaultUser == null ? "connections without credentials refused (set default-user to allow them)" :
                "connections without credentials act as '" + defaultUser + "'");
    }

    public Set<String> rolesOf(final String user)
    {
        return roles.getOrDefault(user, Set.of());
    }

    /**
     * @return the name the connection acts as.
     * @throws SecurityException refusing the connection, naming neither which part was wrong nor the password.
     */
    public String authenticate(final String user, final String password)
    {
        if (!isSecurityEnabled())
        {
            return user == null || user.isEmpty() ? DEFAULT_GUEST : user;
        }
        if (user == null || user.isEmpty())
        {
            if (defaultUser == null)
            {
                throw new SecurityException("this broker requires a user and password (no default-user is set)");
            }
            return defaultUser;
        }
        final User found = users.get(user);
        if (found == null || password == null || !found.hash().matches(password))
        {
            if (found == null && password != null)
            {
                // Spend the same time as a wrong password, so timing does not tell which users exist.
                PasswordHash.parse(PasswordHash.hash(password));
            }
            throw new SecurityException("authentication failed: user name or password is wrong");
        }
        return found.name();
    }
}
