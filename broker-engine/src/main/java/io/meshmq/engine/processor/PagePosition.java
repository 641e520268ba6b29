package io.meshmq.engine.processor;

import io.meshmq.engine.journal.JournalEntry;
import io.meshmq.engine.paging.PageStore;

/**
 * How far a durable queue's page files were read into the journal: after a restart reading goes on from
 * here. Lives in the segment of the newest DEPAGE record while the queue pages.
 * <p>
 * Not thread safe: owned by the processor thread.
 */
final class PagePosition extends JournalEntry
{
    final ServerQueue queue;
    PageStore.Cursor cursor;

    PagePosition(final ServerQueue queue, final PageStore.Cursor cursor)
    {
        this.queue = queue;
        this.cursor = cursor;
    }

    @Override
    public String toString()
    {
        return "page position of " + queue.name + " at " + cursor;
    }
}
