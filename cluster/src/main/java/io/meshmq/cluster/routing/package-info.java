/**
 * The cluster inside the processor ({@link io.meshmq.cluster.routing.Cluster}, a processor extension): what other
 * nodes have, where a message goes among the nodes, the store-and-forward queues to each node, receiving other nodes'
 * forwards, telling them of this node's queues, and redistribution. Every class here runs on the processor thread
 * only and reaches the engine only through {@link io.meshmq.engine.extension.EngineControl}.
 */
package io.meshmq.cluster.routing;
