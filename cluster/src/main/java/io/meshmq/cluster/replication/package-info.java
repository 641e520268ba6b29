/**
 * A live node's side of replication, on the processor thread: {@link io.meshmq.cluster.replication.Replication}
 * takes a backup that asks to be this node's replica, and {@link io.meshmq.cluster.replication.ReplicaFeed} copies
 * the data directory to it and then describes every durable change as the engine makes it. The backup's side, which
 * dials and stores, runs on its own event loop in {@link io.meshmq.cluster.link.ReplicaLink}.
 */
package io.meshmq.cluster.replication;
