package io.meshmq.engine.security;

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
