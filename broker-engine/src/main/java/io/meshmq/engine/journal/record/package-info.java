/**
 * One class per journal record type: its payload's encoding (used by the processor's writer) and its decoding (used by
 * recovery, and by anything else that reads the journal, such as a replica), so a record's layout is written down in
 * one place. Encoders write into the caller's {@link io.meshmq.protocol.WireWriter} without allocating; decoders make
 * plain values. {@link io.meshmq.engine.journal.JournalRecordDescriptor} describes the layouts and the segment format.
 * <p>
 * Stateless: used on whichever thread writes or reads the journal.
 */
package io.meshmq.engine.journal.record;
