/**
 * The quorum that decides which process serves each journal: an Apache Ratis (Raft) group of the cluster's voters
 * (lives, backups, witnesses) holding one small replicated register, {@link io.meshmq.cluster.quorum.OwnershipRegister}.
 * Every change to who owns a journal, and whether it has a replica in sync, is a compare-and-set committed by a
 * majority, so of two processes racing (a live dropping its lost replica, the replica claiming the live's journal)
 * exactly one wins, and every takeover gets a higher epoch.
 * <p>
 * Threads: Ratis's own (the register is applied on them); {@link io.meshmq.cluster.quorum.Quorum}'s calls block the
 * caller (the HA thread), never an event loop or the processor.
 */
package io.meshmq.cluster.quorum;
