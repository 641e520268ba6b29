package io.meshmq.engine.processor;

/**
 * Who this node is in its cluster.
 *
 * @param clusterName  nodes join only nodes of the same cluster name.
 * @param nodeId       unique and kept across restarts (the data directory's).
 * @param nodeName     for people: logs and status.
 * @param incarnation  counted up at every start; the high bits of the sequence numbers of forwarded messages.
 */
public record ClusterIdentity(String clusterName, String nodeId, String nodeName, long incarnation)
{
}
