package io.meshmq.engine.journal;

/**
 * Something whose journal record must be kept while it lives: a queue or topic definition, a message with
 * references left, a prepared transaction. Each entry is linked into the segment that holds its newest
 * record, so the journal knows which segments still matter and compaction can move what is left in a
 * mostly dead one.
 * <p>
 * Not thread safe: used only by the processor thread.
 */
public abstract class JournalEntry
{
    long journalId;
    JournalSegment segment;
    int recordLength;
    JournalEntry previousLive;
    JournalEntry nextLive;

    /**
     * @return the id its records carry, 0 if it was never journaled.
     */
    public final long journalId()
    {
        return journalId;
    }

    public final void journalId(final long id)
    {
        this.journalId = id;
    }

    /**
     * @return true while a journal segment holds this entry's live record.
     */
    public final boolean isJournaled()
    {
        return segment != null;
    }
}
