package io.meshmq.engine.security;

import io.meshmq.protocol.ClusterProof;

import java.security.MessageDigest;
import java.security.SecureRandom;
import java.util.Base64;

/**
 * Salted PBKDF2 password hashes, written {@code pbkdf2-sha256:ITERATIONS:SALT:HASH} (salt and hash in
 * Base64), so a configuration file never holds a password. {@code ./meshmq hash-password} makes one.
 * Thread safe.
 */
public final class PasswordHash
{
    public static final String SCHEME = "pbkdf2-sha256";
    public static final int DEFAULT_ITERATIONS = 20_000;
    private static final int SALT_BYTES = 16;
    private static final SecureRandom RANDOM = new SecureRandom();

    private final int iterations;
    private final byte[] salt;
    private final byte[] hash;

    private PasswordHash(final int iterations, final byte[] salt, final byte[] hash)
    {
        this.iterations = iterations;
        this.salt = salt;
        this.hash = hash;
    }

    /**
     * @return a new hash of the password with a random salt, in the text form.
     */
    public static String hash(final String password)
    {
        final byte[] salt = new byte[SALT_BYTES];
        RANDOM.nextBytes(salt);
        final byte[] hash = derive(password, salt, DEFAULT_ITERATIONS);
        final Base64.Encoder base64 = Base64.getEncoder().withoutPadding();
        return SCHEME + ":" + DEFAULT_ITERATIONS + ":" + base64.encodeToString(salt) + ":" + base64.encodeToString(hash);
    }

    /**
     * @throws IllegalArgumentException if the text is not a hash in the form above.
     */
    public static PasswordHash parse(final String text)
    {
        final String[] parts = text.trim().split(":");
        if (parts.length != 4 || !SCHEME.equals(parts[0]))
        {
            throw new IllegalArgumentException("a password hash must look like " + SCHEME +
                ":ITERATIONS:SALT:HASH (make one with ./meshmq hash-password)");
        }
        try
        {
            final int iterations = Integer.parseInt(parts[1]);
            if (iterations < 1000)
            {
                throw new IllegalArgumentException("a password hash needs at least 1000 iterations, not " + iterations);
            }
            final Base64.Decoder base64 = Base64.getDecoder();
            return new PasswordHash(iterations, base64.decode(parts[2]), base64.decode(parts[3]));
        }
        catch (final NumberFormatException ex)
        {
            throw new IllegalArgumentException("password hash iterations '" + parts[1] + "' is not a number");
        }
    }

    /**
     * @return true if the password is the one hashed; compares in constant time.
     */
    public boolean matches(final String password)
    {
        return MessageDigest.isEqual(hash, derive(password, salt, iterations));
    }

    byte[] salt()
    {
        return salt.clone();
    }

    int iterations()
    {
        return iterations;
    }

    /**
     * @return the derived key itself: SCRAM's salted password, which a cluster proof is checked against.
     */
    byte[] derived()
    {
        return hash.clone();
    }

    private static byte[] derive(final String password, final byte[] salt, final int iterations)
    {
        return ClusterProof.pbkdf2(password, salt, iterations);
    }
}
