package io.meshmq.cluster;

import io.meshmq.cluster.quorum.Ownership;
import org.junit.jupiter.api.Test;

import java.util.List;
import java.util.Set;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * Which journal a spare adopts: one another process serves, without a replica for at least ha.re-replicate-after,
 * the longest waiting first; the wait starts again when a journal gets a replica or an adoption ends.
 */
class UnreplicatedJournalsTest
{
    private static final long MS = 1_000_000L;

    private final UnreplicatedJournals journals = new UnreplicatedJournals(Set.of("n1", "n1-backup", "n1-spare"),
        1_000);

    @Test
    void shouldAdoptOnlyAJournalOfAnotherProcessThatHadNoReplicaForTheWholeWait()
    {
        final List<Ownership> register = List.of(
            new Ownership("a", 2, "n1-backup", "h:1", null),
            new Ownership("b", 1, "n2", "h:2", "n3-backup"),
            new Ownership("c", 1, "n3", "h:3", null));
        assertNull(journals.toAdopt(register, 0), "the wait starts");
        assertNull(journals.toAdopt(register, 999 * MS));
        assertEquals("c", journals.toAdopt(register, 1_000 * MS), "a's live is in this process: its replica here " +
            "would die with it; b has one");
        assertEquals(1_000, journals.longestWaitMs(1_000 * MS));
        assertTrue(journals.isOwnNode("n1-spare"));
        assertFalse(journals.isOwnNode("n3"));
    }

    @Test
    void shouldWaitAgainWhenAJournalGotAReplicaMeanwhileOrItsAdoptionEnded()
    {
        final Ownership without = new Ownership("c", 1, "n3", "h:3", null);
        final Ownership with = new Ownership("c", 1, "n3", "h:3", "n2-backup");
        journals.toAdopt(List.of(without), 0);
        journals.toAdopt(List.of(with), 500 * MS);
        assertNull(journals.toAdopt(List.of(without), 1_200 * MS), "it had a replica at 500 ms: it waits anew");
        assertEquals("c", journals.toAdopt(List.of(without), 2_200 * MS));

        journals.restart("c", 2_300 * MS);
        assertNull(journals.toAdopt(List.of(without), 3_000 * MS), "refused or lost: asked again only after a wait");
        assertEquals("c", journals.toAdopt(List.of(without), 3_300 * MS));
    }

    @Test
    void shouldAdoptTheJournalWithoutAReplicaTheLongestFirst()
    {
        final Ownership older = new Ownership("x", 1, "n2", "h:2", null);
        final Ownership newer = new Ownership("y", 1, "n3", "h:3", null);
        journals.toAdopt(List.of(older), 0);
        journals.toAdopt(List.of(older, newer), 100 * MS);
        assertEquals("x", journals.toAdopt(List.of(newer, older), 5_000 * MS));
        assertFalse(journals.isAdoptable(new Ownership("x", 1, "n2", "h:2", "n3-spare")));
        assertFalse(journals.isAdoptable(null));
    }
}
