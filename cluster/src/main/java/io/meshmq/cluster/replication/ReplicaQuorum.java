package io.meshmq.cluster.replication;

/**
 * What a live whose takeover is decided by a quorum must have the quorum record before its replica counts, or stops
 * counting: only a replica the quorum knows to be in sync may take over, and the live confirms with its own disk alone
 * only once the quorum knows that replica may not.
 * <p>
 * Called on the processor thread; the answers come later, through the ring.
 */
public interface ReplicaQuorum
{
    /**
     * The replica is in sync: confirmations wait for it; the quorum records it as the one that may take over.
     */
    void inSync(String backupName);

    /**
     * The replica that was in sync is lost. Once the quorum recorded that it may no longer take over, the processor is
     * told ({@code ReplicaDropped}) and confirmations wait for the local disk alone; if the replica took over first,
     * this live is fenced and stops.
     */
    void lost(String backupName);

    /**
     * @return for status, from any thread: the journal's ownership as this node last read it from the quorum, and
     * how its process stands otherwise (a colocated backup's copy).
     */
    String describe();
}
