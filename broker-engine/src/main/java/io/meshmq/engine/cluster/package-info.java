/**
 * The engine's cluster seam, for the cluster module: who this node is in its cluster ({@link
 * io.meshmq.engine.cluster.ClusterIdentity}), the cluster connections defined at run time, the typed commands the
 * cluster layer sends the processor ({@link io.meshmq.engine.cluster.ClusterCommand}) and the thread-safe door it
 * sends them through ({@link io.meshmq.engine.cluster.ClusterInput}, called from the cluster's event loop).
 * {@link io.meshmq.engine.cluster.MemberDefinitions} is owned by the processor thread; the rest are values or
 * thread safe.
 */
package io.meshmq.engine.cluster;
