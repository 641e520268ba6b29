package io.meshmq.cluster.link;

import io.meshmq.protocol.ClusterProof;

import java.security.MessageDigest;
import java.util.Arrays;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.Executor;
import java.util.function.BiConsumer;

/**
 * The dialling side of {@link ClusterProof} for one link: a node with a cluster user proves it knows the password
 * without sending it, and takes nothing from a member (no HELLO_OK, so no join) until the member has proved it holds
 * that user's hash. The PBKDF2 the proof needs runs off the link's event loop (a member chooses the iterations), once
 * per salt: the key is kept for the next attempt.
 * <p>
 * Not thread safe but for the key it keeps: called on the link's event loop; the hashing thread only reads the
 * password and publishes the key.
 */
final class MembershipProof
{
    private record SaltedKey(byte[] salt, int iterations, byte[] key)
    {
    }

    private final String member;
    private final String user;
    private final String password;
    private volatile SaltedKey lastKey;
    private String nonce;
    private byte[] expectedSignature;
    private boolean proven;

    MembershipProof(final String member, final String user, final String password)
    {
        this.member = member;
        this.user = user;
        this.password = password;
    }

    /**
     * @return whether this node has a cluster user to prove, and so takes only members that prove themselves.
     */
    boolean isRequired()
    {
        return user != null && password != null;
    }

    /**
     * A new connection: a new nonce, for its HELLO.
     */
    String begin()
    {
        nonce = ClusterProof.newNonce();
        expectedSignature = null;
        proven = false;
        return nonce;
    }

    /**
     * Answers a challenge: {@code then} gets the proof to send, or (null and) why the challenge is refused; on
     * {@code loop}, later.
     */
    void answer(final byte[] salt, final int iterations, final String memberNonce, final Executor loop,
        final BiConsumer<byte[], String> then)
    {
        final String ours = nonce;
        if (ours == null || memberNonce == null || !memberNonce.startsWith(ours) || memberNonce.length() <= ours.length())
        {
            then.accept(null, "member " + member + " sent a challenge that does not extend this node's nonce");
            return;
        }
        final String authMessage = ClusterProof.authMessage(user, ours, memberNonce, salt, iterations);
        CompletableFuture.supplyAsync(() -> key(salt, iterations)).whenComplete((key, ex) -> loop.execute(() ->
        {
            if (!ours.equals(nonce))
            {
                return; // that connection is gone: a new one has its own challenge
            }
            if (ex != null)
            {
                final Throwable cause = ex.getCause() == null ? ex : ex.getCause();
                then.accept(null, "member " + member + ": " + cause.getMessage());
                return;
            }
            expectedSignature = ClusterProof.serverSignature(key, authMessage);
            then.accept(ClusterProof.clientProof(key, authMessage), null);
        }));
    }

    private byte[] key(final byte[] salt, final int iterations)
    {
        final SaltedKey known = lastKey;
        if (known != null && known.iterations() == iterations && Arrays.equals(known.salt(), salt))
        {
            return known.key();
        }
        final byte[] key = ClusterProof.saltedPassword(password, salt, iterations);
        lastKey = new SaltedKey(salt.clone(), iterations, key);
        return key;
    }

    /**
     * @return null if the member's signature shows it holds the user's hash; else why the member is not taken.
     */
    String checkSignature(final byte[] signature)
    {
        if (expectedSignature == null || signature == null || !MessageDigest.isEqual(expectedSignature, signature))
        {
            return "member " + member + " could not prove it knows the password hash of cluster user '" + user +
                "': it is not a node of this cluster (or its user." + user + " differs); nothing was sent to it";
        }
        proven = true;
        return null;
    }

    /**
     * @return null if the member may be joined; else why not (it never proved itself).
     */
    String checkBeforeJoin()
    {
        if (!isRequired() || proven)
        {
            return null;
        }
        return "member " + member + " took this node's cluster connection without checking its credentials (it has " +
            "no users?); cluster.user is set here, so a member must prove it knows that user's password hash: nothing " +
            "was sent to it";
    }
}
