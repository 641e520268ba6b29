/**
 * The journal: append-only, segmented, checksummed files under the data directory that hold every durable
 * change, and the recovery scan that reads them back at start.
 * <p>
 * Threads: {@link io.meshmq.engine.journal.Journal} is used only by the processor thread (appends, segment
 * roll, deletion) and, before the processor starts, by the starting thread (recovery).
 * {@link io.meshmq.engine.journal.JournalSyncer} owns one thread that forces written segments to disk and
 * reports back. The record layout is in {@link io.meshmq.engine.journal.JournalRecordDescriptor}.
 */
package io.meshmq.engine.journal;
