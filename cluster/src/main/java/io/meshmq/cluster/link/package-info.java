/**
 * The links between nodes: one {@link io.meshmq.cluster.link.CoreLink} per member, on the cluster's own Netty event
 * loop, which carries what it hears into the engine ring ({@link io.meshmq.cluster.link.ClusterInput}); a second
 * connection per member for large bodies only, opened when one must cross
 * ({@link io.meshmq.cluster.link.LargeLinks}); and the decoding of what other nodes' links send this node's acceptor ({@link io.meshmq.cluster.link.ClusterFrames}, on its
 * I/O threads). Nothing here touches routing state: that is the processor thread's.
 */
package io.meshmq.cluster.link;
