package io.meshmq.engine.security;

import io.meshmq.protocol.ClusterProof;
import org.junit.jupiter.api.Test;

import java.util.Set;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

class ClusterChallengeTest
{
    private final UserStore users = new UserStore()
        .addUser("mesh", PasswordHash.hash("mesh-secret")).roles("mesh", Set.of("cluster"));

    /**
     * @return the dialling node's proof for the challenge, made from the password it knows.
     */
    private static byte[] proofFor(final UserStore.ClusterChallenge challenge, final String clientNonce,
        final String password)
    {
        final byte[] key = ClusterProof.saltedPassword(password, challenge.salt(), challenge.iterations());
        return ClusterProof.clientProof(key, ClusterProof.authMessage(challenge.user(), clientNonce, challenge.nonce(),
            challenge.salt(), challenge.iterations()));
    }

    @Test
    void shouldTakeAProofOfTheRightPasswordAndAnswerWithASignatureOnlyTheHashMakes()
    {
        final String clientNonce = ClusterProof.newNonce();
        final UserStore.ClusterChallenge challenge = users.challenge("mesh", clientNonce);
        assertTrue(challenge.nonce().startsWith(clientNonce) && challenge.nonce().length() > clientNonce.length());
        assertEquals(PasswordHash.DEFAULT_ITERATIONS, challenge.iterations());

        final byte[] signature = users.prove(challenge, proofFor(challenge, clientNonce, "mesh-secret"), "10.0.0.1");
        final byte[] key = ClusterProof.saltedPassword("mesh-secret", challenge.salt(), challenge.iterations());
        assertArrayEquals(ClusterProof.serverSignature(key, ClusterProof.authMessage("mesh", clientNonce,
            challenge.nonce(), challenge.salt(), challenge.iterations())), signature, "what the dialling node expects");
    }

    @Test
    void shouldRefuseAWrongPasswordAnUnknownUserAndAReplayAlike()
    {
        final String clientNonce = ClusterProof.newNonce();
        final UserStore.ClusterChallenge challenge = users.challenge("mesh", clientNonce);
        final SecurityException wrong = assertThrows(SecurityException.class,
            () -> users.prove(challenge, proofFor(challenge, clientNonce, "guess"), "10.0.0.2"));

        final UserStore.ClusterChallenge unknown = users.challenge("mallory", clientNonce);
        assertEquals(16, unknown.salt().length, "an unknown user is challenged like any other");
        final SecurityException nobody = assertThrows(SecurityException.class,
            () -> users.prove(unknown, proofFor(unknown, clientNonce, "mesh-secret"), "10.0.0.2"));
        assertEquals(wrong.getMessage(), nobody.getMessage());

        final byte[] proof = proofFor(challenge, clientNonce, "mesh-secret");
        final UserStore.ClusterChallenge next = users.challenge("mesh", clientNonce);
        assertThrows(SecurityException.class, () -> users.prove(next, proof, "10.0.0.3"),
            "a proof is for one challenge: the member's part of the nonce is new each time");
        assertFalse(ClusterProof.isValidClientProof(new byte[32], "x", new byte[5]));
    }

    @Test
    void shouldStopCheckingProofsFromAnAddressThatFailedTooOften()
    {
        final String clientNonce = ClusterProof.newNonce();
        for (int i = 0; i < UserStore.FAILURES_ALLOWED; i++)
        {
            final UserStore.ClusterChallenge challenge = users.challenge("mesh", clientNonce);
            assertThrows(SecurityException.class, () -> users.prove(challenge, new byte[32], "10.0.0.9"));
        }
        final UserStore.ClusterChallenge challenge = users.challenge("mesh", clientNonce);
        final SecurityException blocked = assertThrows(SecurityException.class,
            () -> users.prove(challenge, proofFor(challenge, clientNonce, "mesh-secret"), "10.0.0.9"));
        assertTrue(blocked.getMessage().contains("too many failed logins"), blocked.getMessage());
    }

    @Test
    void shouldRefuseIterationsAMemberCouldStallTheDiallingNodeWith()
    {
        final IllegalArgumentException tooMany = assertThrows(IllegalArgumentException.class,
            () -> ClusterProof.saltedPassword("p", new byte[16], Integer.MAX_VALUE));
        assertTrue(tooMany.getMessage().contains("at most " + ClusterProof.MAX_ITERATIONS), tooMany.getMessage());
        assertThrows(IllegalArgumentException.class, () -> ClusterProof.saltedPassword("p", new byte[16], 1));
    }
}
