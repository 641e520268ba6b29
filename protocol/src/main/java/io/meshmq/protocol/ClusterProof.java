package io.meshmq.protocol;

import java.nio.charset.StandardCharsets;
import java.security.GeneralSecurityException;
import java.security.MessageDigest;
import java.security.SecureRandom;
import java.util.Base64;
import javax.crypto.Mac;
import javax.crypto.SecretKeyFactory;
import javax.crypto.spec.PBEKeySpec;
import javax.crypto.spec.SecretKeySpec;

/**
 * How a node proves to a member it dials that it knows the cluster user's password, and the member proves it knows
 * that user's hash, without the password ever crossing the wire: SCRAM-SHA-256's exchange (RFC 5802/7677) over the
 * PBKDF2 hashes brokers keep of their users' passwords (SCRAM's salted password). The dialling node sends a nonce; the member answers with the user's salt and
 * iterations and a nonce that extends it; the dialling node answers with a proof; the member checks it and answers
 * with its signature, which the dialling node checks before it sends anything about the cluster. Something that is
 * not a member (an address added by mistake, or by an attacker with the manage permission) learns neither the
 * password nor anything it could log in with: at most material for an offline guess at a weak password.
 * <p>
 * Thread safe: static functions only.
 */
public final class ClusterProof
{
    /** A member asking for more than this is not taken at its word: the dialling node would hash for seconds. */
    public static final int MAX_ITERATIONS = 1_000_000;
    public static final int MIN_ITERATIONS = 1_000;
    private static final SecureRandom RANDOM = new SecureRandom();
    private static final byte[] CLIENT_KEY = "Client Key".getBytes(StandardCharsets.US_ASCII);
    private static final byte[] SERVER_KEY = "Server Key".getBytes(StandardCharsets.US_ASCII);

    private ClusterProof()
    {
    }

    /**
     * @return 18 random bytes in Base64: a nonce.
     */
    public static String newNonce()
    {
        final byte[] bytes = new byte[18];
        RANDOM.nextBytes(bytes);
        return Base64.getEncoder().encodeToString(bytes);
    }

    /**
     * @return what both sides sign: every value of the exchange, so none can be swapped by a third party.
     */
    public static String authMessage(final String user, final String clientNonce, final String nonce, final byte[] salt,
        final int iterations)
    {
        return "n=" + user + ",r=" + clientNonce + ",r=" + nonce + ",s=" + Base64.getEncoder().encodeToString(salt) +
            ",i=" + iterations;
    }

    /**
     * @return the salted password (what a broker's password hash stores); PBKDF2, slow by design: not on an I/O thread.
     * @throws IllegalArgumentException for iterations out of [{@value #MIN_ITERATIONS}, {@value #MAX_ITERATIONS}].
     */
    public static byte[] saltedPassword(final String password, final byte[] salt, final int iterations)
    {
        if (iterations < MIN_ITERATIONS || iterations > MAX_ITERATIONS)
        {
            throw new IllegalArgumentException("the member asks for " + iterations + " PBKDF2 iterations; at least " +
                MIN_ITERATIONS + " and at most " + MAX_ITERATIONS + " are taken");
        }
        return pbkdf2(password, salt, iterations);
    }

    /**
     * @return PBKDF2-HMAC-SHA256 of the password, 256 bits.
     */
    public static byte[] pbkdf2(final String password, final byte[] salt, final int iterations)
    {
        final PBEKeySpec spec = new PBEKeySpec(password.toCharArray(), salt, iterations, 256);
        try
        {
            return SecretKeyFactory.getInstance("PBKDF2WithHmacSHA256").generateSecret(spec).getEncoded();
        }
        catch (final GeneralSecurityException ex)
        {
            throw new IllegalStateException("PBKDF2WithHmacSHA256 is not available in this JVM", ex);
        }
        finally
        {
            spec.clearPassword();
        }
    }

    /**
     * @return the dialling node's proof: ClientKey XOR HMAC(StoredKey, authMessage).
     */
    public static byte[] clientProof(final byte[] saltedPassword, final String authMessage)
    {
        final byte[] clientKey = hmac(saltedPassword, CLIENT_KEY);
        final byte[] signature = hmac(sha256(clientKey), utf8(authMessage));
        return xor(clientKey, signature);
    }

    /**
     * @return whether the proof was made from the password whose salted form is given; constant time.
     */
    public static boolean isValidClientProof(final byte[] saltedPassword, final String authMessage, final byte[] proof)
    {
        final byte[] storedKey = sha256(hmac(saltedPassword, CLIENT_KEY));
        final byte[] signature = hmac(storedKey, utf8(authMessage));
        if (proof == null || proof.length != signature.length)
        {
            return false;
        }
        return MessageDigest.isEqual(storedKey, sha256(xor(proof, signature)));
    }

    /**
     * @return the member's signature: HMAC(ServerKey, authMessage), which only a holder of the hash can make.
     */
    public static byte[] serverSignature(final byte[] saltedPassword, final String authMessage)
    {
        return hmac(hmac(saltedPassword, SERVER_KEY), utf8(authMessage));
    }

    private static byte[] utf8(final String text)
    {
        return text.getBytes(StandardCharsets.UTF_8);
    }

    private static byte[] xor(final byte[] a, final byte[] b)
    {
        final byte[] result = new byte[a.length];
        for (int i = 0; i < a.length; i++)
        {
            result[i] = (byte)(a[i] ^ b[i]);
        }
        return result;
    }

    private static byte[] hmac(final byte[] key, final byte[] data)
    {
        try
        {
            final Mac mac = Mac.getInstance("HmacSHA256");
            mac.init(new SecretKeySpec(key, "HmacSHA256"));
            return mac.doFinal(data);
        }
        catch (final GeneralSecurityException ex)
        {
            throw new IllegalStateException("every Java runtime has HmacSHA256", ex);
        }
    }

    private static byte[] sha256(final byte[] data)
    {
        try
        {
            return MessageDigest.getInstance("SHA-256").digest(data);
        }
        catch (final GeneralSecurityException ex)
        {
            throw new IllegalStateException("every Java runtime has SHA-256", ex);
        }
    }
}
