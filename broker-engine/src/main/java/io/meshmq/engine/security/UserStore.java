package io.meshmq.engine.security;

import io.meshmq.protocol.ClusterProof;

import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.security.SecureRandom;
import java.util.HashMap;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.function.LongSupplier;
import javax.security.auth.x500.X500Principal;

/**
 * The broker's users: each with a password hash and roles (which {@link SecuritySettings} grant permissions to). With no users at all, security is off and every connection is accepted under the name it
 * gives. Otherwise a connection that presents a user must present its password, and one that presents none
 * becomes the default user if one is configured, and is refused if none is: once users exist, anonymous access is
 * something the operator turns on, never a default.
 * <p>
 * Checking a password costs a PBKDF2 hash (milliseconds, on an I/O thread): a password once verified is known by a
 * salted SHA-256 of it from then on, and a client address with {@value #FAILURES_ALLOWED} failed logins within a
 * minute has none checked until the minute is over, so neither a storm of logins nor a guesser slows everyone else.
 * <p>
 * Built before start-up, then read-only but for those two caches (concurrent): safe to share between I/O threads.
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

    static final int FAILURES_ALLOWED = 5;
    static final long FAILURE_WINDOW_MS = 60_000;
    private static final int MAX_ADDRESSES_TRACKED = 10_000;

    /** Failed logins of one client address since {@code sinceMs}. */
    private record Failures(long sinceMs, int count)
    {
    }

    private final Map<String, User> users = new HashMap<>();
    /** By user: a salted SHA-256 of the password last verified, so the next login need not run PBKDF2. */
    private final Map<String, byte[]> verified = new ConcurrentHashMap<>();
    private final Map<String, Failures> failures = new ConcurrentHashMap<>();
    private final byte[] salt = new byte[16];
    private final LongSupplier clockMs;
    private final Map<String, Set<String>> roles = new HashMap<>();
    /** Canonical certificate subject to user: a TLS client whose verified certificate has it is that user. */
    private final Map<String, String> subjects = new HashMap<>();
    /** Who a connection without credentials becomes once users exist; null: it is refused. */
    private String defaultUser;

    public UserStore()
    {
        this(System::currentTimeMillis);
    }

    /**
     * @param clockMs the time failed logins are counted in (ms).
     */
    UserStore(final LongSupplier clockMs)
    {
        this.clockMs = clockMs;
        new SecureRandom().nextBytes(salt);
    }

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
        return !users.isEmpty() || !subjects.isEmpty();
    }

    /**
     * A TLS client presenting a verified certificate with this subject, and no user name, is this user (who needs no
     * password hash then).
     *
     * @throws IllegalArgumentException if the subject is not a distinguished name.
     */
    public UserStore certificateSubject(final String user, final String subject)
    {
        subjects.put(canonical(subject), user);
        return this;
    }

    private static String canonical(final String subject)
    {
        return new X500Principal(subject).getName(X500Principal.CANONICAL);
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
        return "security on: " + users.size() +
            (users.size() == 1 ? " user" : " users") + ", " +
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
        return authenticate(user, password, null);
    }

    /**
     * @param from the client's address, to slow down guessing from it; null for none.
     * @return the name the connection acts as.
     * @throws SecurityException refusing the connection, naming neither which part was wrong nor the password.
     */
    public String authenticate(final String user, final String password, final String from)
    {
        return authenticate(user, password, from, null);
    }

    /**
     * @param certificateSubject the subject of the client's verified TLS certificate, or null.
     * @return the name the connection acts as.
     * @throws SecurityException refusing the connection, naming neither which part was wrong nor the password.
     */
    public String authenticate(final String user, final String password, final String from,
        final String certificateSubject)
    {
        if (!isSecurityEnabled())
        {
            return user == null || user.isEmpty() ? DEFAULT_GUEST : user;
        }
        if ((user == null || user.isEmpty()) && certificateSubject != null)
        {
            final String mapped = subjects.get(canonical(certificateSubject));
            if (mapped != null)
            {
                return mapped;
            }
        }
        if (user == null || user.isEmpty())
        {
            if (defaultUser == null)
            {
                throw new SecurityException("this broker requires a user and password (no default-user is set)");
            }
            return defaultUser;
        }
        refuseIfBlocked(from);
        final User found = users.get(user);
        if (found != null && password != null && isVerifiedBefore(found.name(), password))
        {
            return found.name();
        }
        if (found == null || password == null || !found.hash().matches(password))
        {
            if (found == null && password != null)
            {
                // Spend the same time as a wrong password, so timing does not tell which users exist.
                PasswordHash.parse(PasswordHash.hash(password));
            }
            failed(from);
            throw new SecurityException("authentication failed: user name or password is wrong");
        }
        verified.put(found.name(), digest(password));
        return found.name();
    }

    /**
     * A cluster connection's challenge in flight (see {@link ClusterProof}): what the member sends, and what it checks
     * the answer against. An unknown user gets a challenge like any other, with a random salt, and fails at the proof,
     * so the exchange does not tell which users exist.
     */
    public static final class ClusterChallenge
    {
        private final String user;
        private final byte[] salt;
        private final int iterations;
        private final String nonce;
        private final String authMessage;
        /** Null for an unknown user: no proof is valid. */
        private final byte[] saltedPassword;

        private ClusterChallenge(final String user, final String clientNonce, final byte[] salt, final int iterations,
            final byte[] saltedPassword)
        {
            this.user = user;
            this.salt = salt;
            this.iterations = iterations;
            this.nonce = clientNonce + ClusterProof.newNonce();
            this.authMessage = ClusterProof.authMessage(user, clientNonce, nonce, salt, iterations);
            this.saltedPassword = saltedPassword;
        }

        public String user()
        {
            return user;
        }

        public byte[] salt()
        {
            return salt.clone();
        }

        public int iterations()
        {
            return iterations;
        }

        public String nonce()
        {
            return nonce;
        }
    }

    /**
     * @param clientNonce the dialling node's nonce from its HELLO.
     */
    public ClusterChallenge challenge(final String user, final String clientNonce)
    {
        final User found = user == null ? null : users.get(user);
        if (found == null)
        {
            final byte[] salt = new byte[16];
            new SecureRandom().nextBytes(salt);
            return new ClusterChallenge(String.valueOf(user), clientNonce, salt, PasswordHash.DEFAULT_ITERATIONS, null);
        }
        return new ClusterChallenge(found.name(), clientNonce, found.hash().salt(), found.hash().iterations(),
            found.hash().derived());
    }

    /**
     * @param from the dialling node's address, to slow down guessing from it.
     * @return the member's signature for the dialling node to check.
     * @throws SecurityException if the proof is wrong (counted as a failed login from that address) or that address
     *                           failed too often.
     */
    public byte[] prove(final ClusterChallenge challenge, final byte[] clientProof, final String from)
    {
        refuseIfBlocked(from);
        if (challenge.saltedPassword == null ||
            !ClusterProof.isValidClientProof(challenge.saltedPassword, challenge.authMessage, clientProof))
        {
            failed(from);
            throw new SecurityException("authentication failed: user name or password is wrong");
        }
        return ClusterProof.serverSignature(challenge.saltedPassword, challenge.authMessage);
    }

    /**
     * @return whether {@link #authenticate} would hash the password (a user's first login, a changed or wrong password,
     * an unknown user): the caller then runs it off its I/O thread.
     */
    public boolean needsHashing(final String user, final String password, final String from)
    {
        if (!isSecurityEnabled() || user == null || user.isEmpty() || password == null || from != null && isBlocked(from))
        {
            return false;
        }
        final User found = users.get(user);
        return found == null || !isVerifiedBefore(found.name(), password);
    }

    private boolean isVerifiedBefore(final String user, final String password)
    {
        final byte[] known = verified.get(user);
        return known != null && MessageDigest.isEqual(known, digest(password));
    }

    private byte[] digest(final String password)
    {
        try
        {
            final MessageDigest sha = MessageDigest.getInstance("SHA-256");
            sha.update(salt);
            return sha.digest(password.getBytes(StandardCharsets.UTF_8));
        }
        catch (final NoSuchAlgorithmException ex)
        {
            throw new IllegalStateException("every Java runtime has SHA-256", ex);
        }
    }

    private void refuseIfBlocked(final String from)
    {
        if (from != null && isBlocked(from))
        {
            throw new SecurityException("authentication failed: too many failed logins from " + from + "; try again " +
                "in a minute");
        }
    }

    private boolean isBlocked(final String from)
    {
        final Failures seen = failures.get(from);
        return seen != null && seen.count() >= FAILURES_ALLOWED && clockMs.getAsLong() - seen.sinceMs() < FAILURE_WINDOW_MS;
    }

    private void failed(final String from)
    {
        if (from == null)
        {
            return;
        }
        final long nowMs = clockMs.getAsLong();
        if (failures.size() >= MAX_ADDRESSES_TRACKED)
        {
            failures.values().removeIf(f -> nowMs - f.sinceMs() >= FAILURE_WINDOW_MS);
        }
        failures.merge(from, new Failures(nowMs, 1), (old, one) ->
            nowMs - old.sinceMs() >= FAILURE_WINDOW_MS ? one : new Failures(old.sinceMs(), old.count() + 1));
    }
}
