package io.meshmq.cluster.quorum;

import org.junit.jupiter.api.Test;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;

/**
 * The register's rules, without Ratis: who may change a journal's ownership, at which epoch.
 */
class OwnershipRegisterTest
{
    private final OwnershipRegister register = new OwnershipRegister();

    @Test
    void aLiveOpensAtEpochOneAndAgainAfterARestartLosingItsReplica()
    {
        final Ownership opened = register.apply(RegisterCommand.open("j1", "live", "h1:1")).ownership();
        assertEquals(new Ownership("j1", 1, "live", "h1:1", null), opened);
        register.apply(RegisterCommand.synced(opened, "backup"));
        final RegisterAnswer again = register.apply(RegisterCommand.open("j1", "live", "h1:2"));
        assertEquals(RegisterAnswer.Outcome.DONE, again.outcome());
        assertEquals(new Ownership("j1", 1, "live", "h1:2", null), again.ownership());
    }

    @Test
    void theReplicaInSyncClaimsAtTheNextEpochAndTheOldLiveIsFenced()
    {
        final Ownership opened = register.apply(RegisterCommand.open("j1", "live", "h1:1")).ownership();
        final Ownership synced = register.apply(RegisterCommand.synced(opened, "backup")).ownership();
        assertEquals("backup", synced.replica());

        final RegisterAnswer claimed = register.apply(RegisterCommand.claim("j1", 1, "backup", "h2:1"));
        assertEquals(new Ownership("j1", 2, "backup", "h2:1", null), claimed.ownership());

        assertEquals(RegisterAnswer.Outcome.FENCED, register.apply(RegisterCommand.drop(opened)).outcome());
        assertEquals(RegisterAnswer.Outcome.FENCED, register.apply(RegisterCommand.synced(opened, "x")).outcome());
        final RegisterAnswer reopened = register.apply(RegisterCommand.open("j1", "live", "h1:1"));
        assertEquals(RegisterAnswer.Outcome.FENCED, reopened.outcome());
        assertEquals(claimed.ownership(), reopened.ownership());
    }

    @Test
    void aDropCommittedFirstRefusesTheClaimOfTheReplicaItDropped()
    {
        final Ownership opened = register.apply(RegisterCommand.open("j1", "live", "h1:1")).ownership();
        final Ownership synced = register.apply(RegisterCommand.synced(opened, "backup")).ownership();
        assertNull(register.apply(RegisterCommand.drop(synced)).ownership().replica());
        final RegisterAnswer claim = register.apply(RegisterCommand.claim("j1", 1, "backup", "h2:1"));
        assertEquals(RegisterAnswer.Outcome.REFUSED, claim.outcome());
        assertEquals("live", claim.ownership().owner());
    }

    @Test
    void onlyTheReplicaInSyncAtTheCurrentEpochMayClaim()
    {
        final Ownership opened = register.apply(RegisterCommand.open("j1", "live", "h1:1")).ownership();
        assertEquals(RegisterAnswer.Outcome.REFUSED, register.apply(RegisterCommand.claim("j1", 1, "backup", "h2:1"))
            .outcome(), "a copy not in sync never takes over");
        register.apply(RegisterCommand.synced(opened, "backup"));
        assertEquals(RegisterAnswer.Outcome.REFUSED, register.apply(RegisterCommand.claim("j1", 1, "other", "h3:1"))
            .outcome());
        assertEquals(RegisterAnswer.Outcome.REFUSED, register.apply(RegisterCommand.claim("j1", 0, "backup", "h2:1"))
            .outcome(), "a claim from an older view");
        assertEquals(RegisterAnswer.Outcome.UNKNOWN, register.apply(RegisterCommand.claim("j9", 1, "backup", "h2:1"))
            .outcome());
        assertEquals(RegisterAnswer.Outcome.DONE, register.apply(RegisterCommand.claim("j1", 1, "backup", "h2:1"))
            .outcome());
        assertEquals(RegisterAnswer.Outcome.REFUSED, register.apply(RegisterCommand.claim("j1", 1, "backup", "h2:1"))
            .outcome(), "claimed once only");
    }

    @Test
    void commandsAndAnswersSurviveTheirEncodingAndGarbageIsRefused()
    {
        final RegisterCommand command = RegisterCommand.claim("j1", 7, "backup", "[::1]:7918");
        assertEquals(command, RegisterCommand.decode(command.encode()));
        final RegisterAnswer answer = new RegisterAnswer(RegisterAnswer.Outcome.FENCED,
            new Ownership("j1", 3, "a", "h:1", "b"));
        assertEquals(answer, RegisterAnswer.decode(answer.encode()));
        assertThrows(IllegalArgumentException.class, () -> RegisterCommand.decode(new byte[] {9, 0, 0}));
        assertThrows(IllegalArgumentException.class, () -> RegisterCommand.decode(new byte[] {1, 0}));
        final byte[] longer = java.util.Arrays.copyOf(command.encode(), command.encode().length + 1);
        assertThrows(IllegalArgumentException.class, () -> RegisterCommand.decode(longer));
    }
}
