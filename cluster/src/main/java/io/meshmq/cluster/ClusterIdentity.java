package io.meshmq.cluster;

import io.meshmq.cluster.replication.ReplicaQuorum;

import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.atomic.AtomicReference;
import java.util.function.Consumer;
import java.util.function.Supplier;

/**
 * Who this node is in its cluster.
 *
 * @param clusterName  nodes join only nodes of the same cluster name.
 * @param nodeId       unique and kept across restarts (the data directory's).
 * @param nodeName     for people: logs and status.
 * @param incarnation  counted up at every start; the high bits of the sequence numbers of forwarded messages.
 * @param members      each member (HOST:PORT) and the state of this node's link to it, as the cluster layer last
 *                     wrote it (a concurrent map: written by its threads, read for status).
 * @param discovered   the members discovery hears now (a concurrent set: written by the mesh, read for status); null
 *                     without discovery.
 * @param url          HOST:PORT where other members reach this node.
 * @param definitions  file keeping the cluster connections defined at run time; null for none.
 * @param onDefinitions told (on the processor thread) the cluster connections defined at run time, whenever they
 *                     change; the cluster layer sets it.
 * @param replicaQuorum where a takeover is decided by a quorum (ha.quorum): what the quorum must record about this
 *                     node's replica, set once the node owns its journal (no replica is taken before); null when
 *                     takeover is by hand.
 * @param replicaFaultWaits what this node does when its replica in sync cannot store (ha.replica-fault): true, hold
 *                     confirmations until a replica is in sync again; false, go on with its own disk alone.
 * @param roundTripsNs by node id, the last round trip (ns) of a ping on this node's link to it: the links' I/O
 *                     threads write it, status reads it.
 * @param group        the named group this node is in ({@code cluster.group}), "" for none.
 * @param sendTimeoutMs how long a send waits for another node to store it where its address says
 *                     {@code unreachable-node = fail} ({@code cluster.send-timeout}).
 * @param grouping     this node's part in keeping message groups on one node ({@code grouping.*}).
 * @param largeStaging how large bodies cross to other nodes; set once the mesh runs.
 * @param repository   whether this node is a full or a partial repository of the cluster's picture.
 */
public record ClusterIdentity(String clusterName, String nodeId, String nodeName, long incarnation,
    Map<String, String> members, Set<String> discovered, Supplier<String> url, Path definitions,
    AtomicReference<Consumer<List<MemberDefinition>>> onDefinitions, AtomicReference<ReplicaQuorum> replicaQuorum,
    boolean replicaFaultWaits, Map<String, Long> roundTripsNs, String group, long sendTimeoutMs,
    GroupingSettings grouping, AtomicReference<LargeStaging> largeStaging, RepositoryRole repository)
{
}
