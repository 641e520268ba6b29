/**
 * JNDI for applications that look up connection factories and destinations by name:
 * {@link io.meshmq.jms.jndi.MeshInitialContextFactory} builds a read-mostly, in-memory context from the
 * environment, in the convention Artemis and ActiveMQ users know. Thread safe.
 */
package io.meshmq.jms.jndi;
