package io.meshmq.engine.processor;

import io.meshmq.engine.ring.ConnectionOutput;
import org.junit.jupiter.api.Test;

import java.util.ArrayList;
import java.util.List;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

class ConfirmationTrackerTest
{
    private final ConfirmationTracker tracker = new ConfirmationTracker();
    private final List<String> answers = new ArrayList<>();
    private final Durability.Confirmer confirmer = new Durability.Confirmer()
    {
        @Override
        public void confirmed(final ConnectionOutput output, final long correlationId)
        {
            answers.add("ok " + correlationId);
        }

        @Override
        public void failed(final ConnectionOutput output, final long correlationId, final String reason)
        {
            answers.add("failed " + correlationId + ": " + reason);
        }
    };
    private final ConnectionOutput output = new SilentOutput(1);

    @Test
    void shouldReleaseAnswersInOrderOnlyUpToThePositionThatPassed()
    {
        tracker.waitFor(3, output, 1);
        tracker.waitFor(5, output, 2);
        tracker.afterwards(5, () -> answers.add("action"));
        tracker.waitFor(8, output, 3);
        tracker.requested(8);
        tracker.passed(ConfirmationTracker.Condition.FORCED, 5, confirmer);
        assertEquals(List.of("ok 1", "ok 2", "action"), answers);
        tracker.passed(ConfirmationTracker.Condition.FORCED, 8, confirmer);
        assertEquals(List.of("ok 1", "ok 2", "action", "ok 3"), answers);
    }

    @Test
    void shouldRunAtOnceWhatWaitsForAPositionAlreadySafe()
    {
        tracker.waitFor(3, output, 1);
        tracker.requested(3);
        tracker.passed(ConfirmationTracker.Condition.FORCED, 3, confirmer);
        tracker.afterwards(3, () -> answers.add("action"));
        assertEquals(List.of("ok 1", "action"), answers, "no force would come to release it");

        tracker.waitFor(6, output, 2);
        tracker.afterwards(3, () -> answers.add("after 2"));
        assertEquals(List.of("ok 1", "action"), answers, "after the answer waiting before it, in order");
        tracker.requested(6);
        tracker.passed(ConfirmationTracker.Condition.FORCED, 6, confirmer);
        assertEquals(List.of("ok 1", "action", "ok 2", "after 2"), answers);
    }

    @Test
    void shouldWaitForEveryRequiredCondition()
    {
        tracker.require(ConfirmationTracker.Condition.REPLICATED);
        tracker.waitFor(4, output, 1);
        tracker.passed(ConfirmationTracker.Condition.FORCED, 10, confirmer);
        assertEquals(List.of(), answers, "forced but not yet on the replica");
        tracker.passed(ConfirmationTracker.Condition.REPLICATED, 4, confirmer);
        assertEquals(List.of("ok 1"), answers);
    }

    @Test
    void shouldTellAnswersNotYetAskedForFromThoseInFlight()
    {
        tracker.waitFor(2, output, 1);
        tracker.requested(2);
        assertFalse(tracker.hasUnrequested());
        tracker.waitFor(3, output, 2);
        assertTrue(tracker.hasUnrequested());

        tracker.releaseUnrequested(confirmer);
        assertEquals(List.of("ok 2"), answers, "the one in flight still waits for its force");
        tracker.passed(ConfirmationTracker.Condition.FORCED, 2, confirmer);
        assertEquals(List.of("ok 2", "ok 1"), answers);
    }

    @Test
    void shouldFailOnlyWhatAFailedForceCoveredAndDropActions()
    {
        tracker.waitFor(2, output, 1);
        tracker.afterwards(2, () -> answers.add("action"));
        tracker.requested(2);
        tracker.waitFor(4, output, 2);
        tracker.failUpTo(2, "disk", confirmer);
        assertEquals(List.of("failed 1: disk"), answers);
        tracker.failUnrequested("pages", confirmer);
        assertEquals(List.of("failed 1: disk", "failed 2: pages"), answers);
    }

    @Test
    void shouldTellAnActionThatAsksToHearOfAFailureThatItsPositionWasNotMadeSafe()
    {
        tracker.afterwards(2, () -> answers.add("forced 2"), () -> answers.add("not forced 2"));
        tracker.requested(2);
        tracker.afterwards(4, () -> answers.add("forced 4"), () -> answers.add("not forced 4"));
        tracker.failUpTo(2, "disk", confirmer);
        assertEquals(List.of("not forced 2"), answers);
        tracker.failUnrequested("pages", confirmer);
        assertEquals(List.of("not forced 2", "not forced 4"), answers);
    }
}
