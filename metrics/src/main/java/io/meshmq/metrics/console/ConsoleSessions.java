package io.meshmq.metrics.console;

import io.meshmq.engine.security.Authorizer;
import io.meshmq.engine.security.Permission;
import io.meshmq.engine.security.SecuritySettings;
import io.meshmq.engine.security.UserStore;

import java.security.SecureRandom;
import java.util.Base64;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.function.LongSupplier;

/**
 * Who is logged in to the console: a random token in a cookie names a session, which ends after
 * {@value #IDLE_MS} ms unused or at logout. Logging in takes a broker user whose roles hold {@code manage} on the
 * management address, as the admin verbs do; with security off (no users) everyone is let in as the guest. Each
 * session has its own token that every form must carry back, so another site cannot make a logged-in browser purge.
 * <p>
 * Thread safe: the HTTP server's threads.
 */
final class ConsoleSessions
{
    static final long IDLE_MS = 30 * 60_000;
    static final String MANAGEMENT_ADDRESS = SecuritySettings.MANAGEMENT_ADDRESS;
    private static final int MAX_SESSIONS = 1_000;

    record Session(String token, String user, Set<String> roles, String formToken)
    {
    }

    private record Entry(Session session, long lastUsedMs)
    {
    }

    private final UserStore users;
    private final Authorizer authorizer;
    private final LongSupplier clockMs;
    private final SecureRandom random = new SecureRandom();
    private final Map<String, Entry> sessions = new ConcurrentHashMap<>();
    /** While security is off: the one session everyone shares (so browsers without cookies cannot fill the map). */
    private final Session guest;

    ConsoleSessions(final UserStore users, final Authorizer authorizer, final LongSupplier clockMs)
    {
        this.users = users;
        this.authorizer = authorizer;
        this.clockMs = clockMs;
        this.guest = new Session(token(), UserStore.DEFAULT_GUEST, Set.of(), token());
    }

    boolean isSecurityOn()
    {
        return authorizer.isOn();
    }

    /**
     * @param from the browser's address, so a guesser is slowed down as a client would be.
     * @return the new session.
     * @throws SecurityException saying why not, never which part of the login was wrong.
     */
    Session login(final String user, final String password, final String from)
    {
        final String name = users.authenticate(user, password, from);
        final Set<String> roles = users.rolesOf(name);
        if (!authorizer.allows(roles, MANAGEMENT_ADDRESS, Permission.MANAGE))
        {
            throw new SecurityException("user '" + name + "' lacks permission 'manage' on address '" +
                MANAGEMENT_ADDRESS + "', which the console needs");
        }
        return open(name, roles);
    }

    /**
     * @return the guest's session, shared by everyone while security is off (no login then).
     */
    Session guest()
    {
        return guest;
    }

    private Session open(final String user, final Set<String> roles)
    {
        expire();
        if (sessions.size() >= MAX_SESSIONS)
        {
            throw new SecurityException("too many console sessions are open; log out of some or wait " +
                (IDLE_MS / 60_000) + " minutes");
        }
        final Session session = new Session(token(), user, roles, token());
        sessions.put(session.token(), new Entry(session, clockMs.getAsLong()));
        return session;
    }

    /**
     * @return the live session the token names, now counted as used; null if none.
     */
    Session find(final String token)
    {
        if (token == null)
        {
            return null;
        }
        if (!isSecurityOn() && token.equals(guest.token()))
        {
            return guest;
        }
        final Entry entry = sessions.get(token);
        final long nowMs = clockMs.getAsLong();
        if (entry == null || nowMs - entry.lastUsedMs() > IDLE_MS)
        {
            if (entry != null)
            {
                sessions.remove(token);
            }
            return null;
        }
        sessions.put(token, new Entry(entry.session(), nowMs));
        return entry.session();
    }

    /**
     * @return null if the session's user may run the admin verb on the destination (one that makes or deletes it takes
     * what a client would need, as the admin verbs of a connection do); else what the user lacks.
     */
    String refusal(final Session session, final String verb, final String destination)
    {
        for (final Permission permission : Authorizer.onDestinationFor(verb))
        {
            if (!authorizer.allows(session.roles(), destination, permission))
            {
                return "user '" + session.user() + "' lacks permission '" + permission + "' on address '" +
                    destination + "'";
            }
        }
        return null;
    }

    void logout(final String token)
    {
        if (token != null)
        {
            sessions.remove(token);
        }
    }

    private void expire()
    {
        final long nowMs = clockMs.getAsLong();
        sessions.values().removeIf(entry -> nowMs - entry.lastUsedMs() > IDLE_MS);
    }

    private String token()
    {
        final byte[] bytes = new byte[24];
        random.nextBytes(bytes);
        return Base64.getUrlEncoder().withoutPadding().encodeToString(bytes);
    }
}
