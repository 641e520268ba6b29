/**
 * The cluster layer: the mesh of core connections between brokers ({@link io.meshmq.cluster.Mesh}, one
 * {@link io.meshmq.cluster.link.CoreLink} per member, on the cluster's own Netty event loop). Routing among
 * nodes, forwarding and redistribution run on the engine's processor thread ({@code
 * io.meshmq.engine.processor.Cluster}); this layer only carries what the links hear into the engine ring.
 * Discovery, grouping handlers, core bridges and HA come with their issues.
 */
package io.meshmq.cluster;
