package io.meshmq.transport;

import org.junit.jupiter.api.Test;

import static io.meshmq.transport.QuietBudget.QUIET_NS;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

class QuietBudgetTest
{
    @Test
    void shouldEarnADirectWriteByQuietTimeAndAtMostABurstOfThem()
    {
        final QuietBudget budget = new QuietBudget();
        long now = 1_000_000_000L;
        assertTrue(budget.earned(now), "a connection that never wrote was quiet");
        budget.spend();
        now += 10 * QUIET_NS;
        for (int i = 0; i < QuietBudget.BURST; i++)
        {
            assertTrue(budget.earned(now), "direct write " + i + " of a burst after a long quiet");
            budget.spend();
        }
        assertFalse(budget.earned(now), "a burst is all a long quiet earns");
        now += QUIET_NS;
        assertTrue(budget.earned(now), "another quiet time, another direct write");
    }

    @Test
    void shouldLetABusyWriterWriteDirectlyAtMostOncePerQuietTime()
    {
        final QuietBudget budget = new QuietBudget();
        long now = 0;
        budget.earned(now);
        int direct = 0;
        for (int i = 0; i < 1_000; i++)
        {
            now += QUIET_NS / 10;
            if (budget.earned(now))
            {
                budget.spend();
                direct++;
            }
        }
        assertEquals(100, direct, "a write every tenth of the quiet time: one in ten directly");
    }

    @Test
    void shouldKeepWhatWasNotSpent()
    {
        final QuietBudget budget = new QuietBudget();
        long now = 5 * QUIET_NS;
        assertTrue(budget.earned(now));
        // Not written directly (something else was being written): the earned write stays for the next.
        now += 1;
        assertTrue(budget.earned(now));
    }

    @Test
    void shouldEarnFromTheFirstQuietWhateverTheClocksOrigin()
    {
        final QuietBudget budget = new QuietBudget();
        long now = Long.MIN_VALUE / 2;
        budget.earned(now);
        now += QUIET_NS;
        assertTrue(budget.earned(now), "a clock reading below zero leaves no debt");
    }
}
