package io.meshmq.cluster.quorum;

import org.junit.jupiter.api.Test;

import java.util.concurrent.atomic.AtomicLong;

import static java.util.concurrent.TimeUnit.MILLISECONDS;
import static java.util.concurrent.TimeUnit.SECONDS;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * The register's rules, without Ratis: who may change a journal's ownership, at which epoch.
 */
class OwnershipRegisterTest
{
    private final OwnershipRegister register = new OwnershipRegister(0);
    private static final long DEPOSED_READS_NS = SECONDS.toNanos(1);
    private final AtomicLong nowNs = new AtomicLong(SECONDS.toNanos(7));
    private final TestLeadership leadership = new TestLeadership();

    /** Leads in term 2, unless the test says otherwise. */
    private static final class TestLeadership implements OwnershipRegister.Leadership
    {
        long term = 2;

        @Override
        public long leadingTerm()
        {
            return term;
        }

        @Override
        public String leader()
        {
            return term < 0 ? "voter-b" : "voter-a";
        }
    }

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
    void aGrantedClaimSaysHowLongTheLeaderWentWithoutAReadOfTheJournal()
    {
        final OwnershipRegister led = new OwnershipRegister(leadership, nowNs::get, DEPOSED_READS_NS);
        final Ownership opened = led.applyLogged(RegisterCommand.open("j1", "live", "h1:1")).ownership();
        led.applyLogged(RegisterCommand.synced(opened, "backup"));
        led.read(RegisterCommand.get("j1")); // leading from now
        nowNs.addAndGet(DEPOSED_READS_NS);
        assertEquals(opened.owner(), led.read(RegisterCommand.leaseRead("j1", "live")).ownership().owner());
        nowNs.addAndGet(MILLISECONDS.toNanos(40));
        led.applyLogged(RegisterCommand.open("j2", "other", "h:2"));
        led.read(RegisterCommand.leaseRead("j2", "other"));
        assertEquals("live", led.read(RegisterCommand.get("j1")).ownership().owner());
        led.read(RegisterCommand.leaseRead("j1", "backup"));
        nowNs.addAndGet(MILLISECONDS.toNanos(300));

        final RegisterAnswer claimed = led.applyLogged(RegisterCommand.claim("j1", 1, "backup", "h2:1"));
        assertTrue(claimed.isDone(), claimed.toString());
        assertEquals(MILLISECONDS.toNanos(340), claimed.unreadNs(),
            "since the owner's last read of j1: not of j2, not of anyone but the owner");
        assertEquals(0, led.applyLogged(RegisterCommand.open("j3", "x", "h:3")).unreadNs(), "only a claim tells");
    }

    @Test
    void aLeaderNewInItsTermCountsFromWhenADeposedLeaderMayLastHaveAnsweredTheOwner()
    {
        final OwnershipRegister led = new OwnershipRegister(leadership, nowNs::get, DEPOSED_READS_NS);
        final Ownership opened = led.applyLogged(RegisterCommand.open("j1", "live", "h1:1")).ownership();
        led.applyLogged(RegisterCommand.synced(opened, "backup"));
        led.read(RegisterCommand.leaseRead("j1", "live"));
        nowNs.addAndGet(MILLISECONDS.toNanos(2_500));
        leadership.term = 3; // another voter led meanwhile, and may still answer the live's reads, deposed
        led.read(RegisterCommand.get("j2"));
        nowNs.addAndGet(MILLISECONDS.toNanos(200));
        final OwnershipRegister early = new OwnershipRegister(leadership, nowNs::get, DEPOSED_READS_NS);
        early.applyLogged(RegisterCommand.open("j1", "live", "h1:1"));
        early.applyLogged(RegisterCommand.synced(opened, "backup"));
        early.read(RegisterCommand.get("j1"));
        nowNs.addAndGet(MILLISECONDS.toNanos(200));

        assertEquals(0, early.applyLogged(RegisterCommand.claim("j1", 1, "backup", "h2:1")).unreadNs(),
            "within the deposed leader's reads: a whole lease");
        nowNs.addAndGet(DEPOSED_READS_NS);
        assertEquals(MILLISECONDS.toNanos(400),
            led.applyLogged(RegisterCommand.claim("j1", 1, "backup", "h2:1")).unreadNs(),
            "from the end of the deposed leader's reads, not from the owner's last read before this term");
    }

    @Test
    void aClaimAppliedWhereNothingWasReadThisTermTellsNothing()
    {
        final OwnershipRegister led = new OwnershipRegister(leadership, nowNs::get, DEPOSED_READS_NS);
        final Ownership opened = led.applyLogged(RegisterCommand.open("j1", "live", "h1:1")).ownership();
        led.applyLogged(RegisterCommand.synced(opened, "backup"));
        nowNs.addAndGet(MILLISECONDS.toNanos(2_900));
        assertEquals(0, led.applyLogged(RegisterCommand.claim("j1", 1, "backup", "h2:1")).unreadNs(),
            "it knows of no moment it led before");
    }

    @Test
    void aFollowerAnswersNoReadButNamesTheLeaderAndTellsNothingOfAClaim()
    {
        final OwnershipRegister follower = new OwnershipRegister(leadership, nowNs::get, DEPOSED_READS_NS);
        leadership.term = -1;
        final Ownership opened = follower.applyLogged(RegisterCommand.open("j1", "live", "h1:1")).ownership();
        follower.applyLogged(RegisterCommand.synced(opened, "backup"));
        final RegisterAnswer read = follower.read(RegisterCommand.get("j1"));
        assertEquals(RegisterAnswer.Outcome.NOT_LEADER, read.outcome());
        assertEquals("voter-b", read.leader());
        assertNull(read.ownership());
        nowNs.addAndGet(MILLISECONDS.toNanos(900));
        final RegisterAnswer claimed = follower.applyLogged(RegisterCommand.claim("j1", 1, "backup", "h2:1"));
        assertTrue(claimed.isDone());
        assertEquals(0, claimed.unreadNs());
    }

    @Test
    void commandsAndAnswersSurviveTheirEncodingAndGarbageIsRefused()
    {
        final RegisterCommand command = RegisterCommand.claim("j1", 7, "backup", "[::1]:7918");
        assertEquals(command, RegisterCommand.decode(command.encode()));
        final RegisterAnswer answer = new RegisterAnswer(RegisterAnswer.Outcome.FENCED,
            new Ownership("j1", 3, "a", "h:1", "b"));
        assertEquals(answer, RegisterAnswer.decode(answer.encode()));
        final RegisterAnswer claimed = new RegisterAnswer(RegisterAnswer.Outcome.DONE,
            new Ownership("j1", 4, "b", "h:2", null), 123_456_789L, "");
        assertEquals(claimed, RegisterAnswer.decode(claimed.encode()));
        final RegisterAnswer notLeader = RegisterAnswer.notLeader("voter-127.0.0.1_9");
        assertEquals(notLeader, RegisterAnswer.decode(notLeader.encode()));
        final byte[] older = java.util.Arrays.copyOf(answer.encode(), answer.encode().length - 10);
        assertEquals(answer, RegisterAnswer.decode(older), "an answer from a voter of the version before");
        assertThrows(IllegalArgumentException.class, () -> RegisterCommand.decode(new byte[] {9, 0, 0}));
        assertThrows(IllegalArgumentException.class, () -> RegisterCommand.decode(new byte[] {1, 0}));
        final byte[] longer = java.util.Arrays.copyOf(command.encode(), command.encode().length + 1);
        assertThrows(IllegalArgumentException.class, () -> RegisterCommand.decode(longer));
    }
}
