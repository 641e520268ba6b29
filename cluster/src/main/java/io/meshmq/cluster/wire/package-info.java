/**
 * The cluster's frames on the wire: one encoder ({@link io.meshmq.cluster.wire.ClusterFrameEncoder}) and one decoder
 * ({@link io.meshmq.cluster.wire.ClusterFrameDecoder}) for every CLUSTER_* frame, whichever side sends it. Stateless:
 * used on the processor thread, the cluster's event loop and the acceptor's I/O threads alike.
 */
package io.meshmq.cluster.wire;
