package io.meshmq.engine.ring;

import org.junit.jupiter.api.Test;

import java.util.concurrent.atomic.AtomicInteger;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

class RingShareTest
{
    private final AtomicInteger resumed = new AtomicInteger();
    private final RingShare share = new RingShare(8, resumed::incrementAndGet);

    @Test
    void shouldResumeOnceWhenTheProcessorHandledHalfOfAPausedConnectionsCommands()
    {
        publish(8);
        assertTrue(share.isOverLimit());
        share.pause();
        assertTrue(share.isPaused());
        handle(3);
        assertEquals(0, resumed.get(), "five still wait: more than half the share");
        handle(1);
        assertEquals(1, resumed.get(), "four wait: read again");
        assertFalse(share.isPaused());
        handle(4);
        assertEquals(1, resumed.get(), "resumed once");
        assertEquals(0, share.waiting());
    }

    @Test
    void shouldResumeAtOnceWhenTheProcessorCaughtUpBeforeThePause()
    {
        publish(8);
        handle(6);
        share.pause();
        assertEquals(1, resumed.get(), "nobody else would resume it");
        assertFalse(share.isPaused());
    }

    @Test
    void shouldNeverResumeAConnectionThatWasNotPaused()
    {
        publish(20);
        handle(20);
        assertEquals(0, resumed.get());
    }

    @Test
    void shouldRefuseAShareTooSmallToHalve()
    {
        final IllegalArgumentException refused = assertThrows(IllegalArgumentException.class,
            () -> new RingShare(1, () -> { }));
        assertTrue(refused.getMessage().contains("at least 2"), refused.getMessage());
    }

    private void publish(final int commands)
    {
        for (int i = 0; i < commands; i++)
        {
            share.published();
        }
    }

    private void handle(final int commands)
    {
        for (int i = 0; i < commands; i++)
        {
            share.handled();
        }
    }
}
