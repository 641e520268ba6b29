/**
 * The cluster layer, plugged into the broker through the engine's extension seam ({@link
 * io.meshmq.cluster.ClusterProvider}, found by {@link java.util.ServiceLoader} when the broker's settings name a
 * cluster). Here: who the node is ({@link io.meshmq.cluster.ClusterIdentity}), the commands other threads send its
 * routing ({@link io.meshmq.cluster.ClusterCommand}), and the mesh ({@link io.meshmq.cluster.Mesh}). Values here are
 * immutable or thread safe; {@link io.meshmq.cluster.link} runs on the cluster's event loop and the acceptor's I/O
 * threads, {@link io.meshmq.cluster.routing} on the processor thread, {@link io.meshmq.cluster.discovery} on threads of
 * its own. Grouping handlers and core bridges come with their issue.
 */
package io.meshmq.cluster;
