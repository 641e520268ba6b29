/**
 * How members find each other without being listed: {@link io.meshmq.cluster.discovery.UdpDiscovery} announces this
 * node on a UDP multicast group and hears the others. It runs on threads of its own (a receiver and a timer) and
 * tells the mesh the members it currently hears; the mesh links to them on its event loop.
 */
package io.meshmq.cluster.discovery;
