/**
 * What an external conformance suite (the Jakarta Messaging TCK, or any JMS test kit) needs to drive MeshMQ:
 * {@link io.meshmq.tck.MeshTckAdmin} starts and stops an embedded broker, creates and deletes destinations
 * through the broker's admin API, and binds objects in JNDI. Used from the suite's own threads; thread safe.
 */
package io.meshmq.tck;
