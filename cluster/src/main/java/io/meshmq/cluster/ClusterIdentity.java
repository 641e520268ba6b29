package io.meshmq.cluster;

/**
 * Who this node is in its cluster.
 *
 * @param clusterName  nodes join only nodes of the same cluster name.
 * @param nodeId       unique and kept across restarts (the data directory's).
 * @param nodeName     for people: logs and status.
 * @param incarnation  counted up at every start; the high bits of the sequence numbers of forwarded messages.
 * @param members      each member (HOST:PORT) and the state of this node's link to it, as the cluster layer last
 *                     wrote it (a concurrent map: written by its threads, read for status).
 * @param url          HOST:PORT where other members reach this node.
 * @param definitions  file keeping the cluster connections defined at run time; null for none.
 * @param onDefinitions told (on the processor thread) the cluster connections defined at run time, whenever they
 *                     change; the cluster layer sets it.
 */
public record ClusterIdentity(String clusterName, String nodeId, String nodeName, long incarnation,
    java.util.Map<String, String> members, java.util.function.Supplier<String> url, java.nio.file.Path definitions,
    java.util.concurrent.atomic.AtomicReference<java.util.function.Consumer<java.util.List<MemberDefinition>>> onDefinitions)
{
}
