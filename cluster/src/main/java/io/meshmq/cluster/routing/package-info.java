/**
 * The cluster inside the processor, one room per job: {@link io.meshmq.cluster.routing.Cluster} (the processor
 * extension, handing each command and hook to its part), {@link io.meshmq.cluster.routing.Router} and a
 * {@link io.meshmq.cluster.routing.LoadBalancer} per policy (where a message goes, choosing among
 * {@link io.meshmq.cluster.routing.Binding}s), {@link io.meshmq.cluster.routing.Bridge} (store and forward to one
 * node: window, sequence, retry), {@link io.meshmq.cluster.routing.Receiver} (other nodes' forwards, stored once),
 * {@link io.meshmq.cluster.routing.Peers} (telling nodes that joined of this node's queues),
 * {@link io.meshmq.cluster.routing.Membership}, {@link io.meshmq.cluster.routing.Redistributor}, and the
 * {@link io.meshmq.cluster.routing.Topology} they share. Every class here runs on the processor thread only and
 * reaches the engine only through {@link io.meshmq.engine.extension.EngineControl}.
 */
package io.meshmq.cluster.routing;
