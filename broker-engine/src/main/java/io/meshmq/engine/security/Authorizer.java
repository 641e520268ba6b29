package io.meshmq.engine.security;

import io.meshmq.protocol.AdminVerbs;

import java.util.List;
import java.util.Set;

/**
 * Whether a user may do something with an address: the user's roles ({@link UserStore}) against the roles the
 * address's permissions name ({@link SecuritySettings}). With security off (no users) everybody may do everything.
 * <p>
 * Read-only once the broker runs: any thread (the processor asks).
 */
public final class Authorizer
{
    private final UserStore users;
    private final SecuritySettings settings;

    public Authorizer(final UserStore users, final SecuritySettings settings)
    {
        this.users = users;
        this.settings = settings;
    }

    /**
     * @return an authorizer with no users: everything is allowed.
     */
    public static Authorizer none()
    {
        return new Authorizer(new UserStore(), new SecuritySettings());
    }

    public boolean isOn()
    {
        return users.isSecurityEnabled();
    }

    public Set<String> rolesOf(final String user)
    {
        return users.rolesOf(user);
    }

    /**
     * What an admin verb that makes or deletes a destination takes on that destination, beside {@code manage} on the
     * management address: what a client would need to do the same.
     *
     * @return the permissions on the verb's destination; none for other verbs.
     */
    public static List<Permission> onDestinationFor(final String verb)
    {
        switch (verb)
        {
            case AdminVerbs.QUEUE_CREATE: return List.of(Permission.CREATE_ADDRESS, Permission.CREATE_DURABLE_QUEUE);
            case AdminVerbs.TOPIC_CREATE: return List.of(Permission.CREATE_ADDRESS);
            case AdminVerbs.QUEUE_DELETE: return List.of(Permission.DELETE_DURABLE_QUEUE, Permission.DELETE_ADDRESS);
            case AdminVerbs.TOPIC_DELETE: return List.of(Permission.DELETE_ADDRESS);
            default: return List.of();
        }
    }

    /**
     * @param roles the user's, as {@link #rolesOf} gave them when the connection opened.
     */
    public boolean allows(final Set<String> roles, final String address, final Permission permission)
    {
        if (!isOn())
        {
            return true;
        }
        final Set<String> holders = settings.rolesFor(address, permission);
        if (holders.contains(SecuritySettings.EVERY_USER))
        {
            return true;
        }
        for (final String role : roles)
        {
            if (holders.contains(role))
            {
                return true;
            }
        }
        return false;
    }

    /**
     * @return for the start-up line: whether security is on, what becomes of anonymous connections, and which
     * permissions hold.
     */
    public String describe()
    {
        if (!isOn())
        {
            return users.describe();
        }
        return users.describe() + "; permissions: " + (settings.isConfigured() ? settings.patterns() +
            (settings.patterns() == 1 ? " address pattern" : " address patterns") + " (security.*)" :
            "none configured, so the defaults: " + SecuritySettings.DEFAULTS);
    }
}
