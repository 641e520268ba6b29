/**
 * The cluster layer: the mesh of core connections between brokers, discovery, load balancing and
 * redistribution, grouping handlers, core bridges and HA. It sits between the engine and the runnable
 * broker in the dependency graph; its contents come with the cluster issues.
 */
package io.meshmq.cluster;
