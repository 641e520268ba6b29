package io.meshmq.engine.journal;

import org.agrona.DirectBuffer;

/**
 * Receives the journal's records in the order they were written, during recovery.
 */
@FunctionalInterface
public interface JournalRecordHandler
{
    /**
     * @param payload the record's payload is {@code [offset, offset + length)} of this buffer, valid only
     *                during the call.
     * @throws RuntimeException if the payload cannot be decoded; recovery reports the record as corrupt.
     */
    void onRecord(byte type, DirectBuffer payload, int offset, int length, JournalSegment segment);
}
