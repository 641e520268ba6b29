/**
 * Cluster connections defined at run time ({@code cluster add|remove}): kept in the data directory, merged on the
 * processor thread, spread to every member. Their encoding is read on the threads that decode frames.
 */
package io.meshmq.cluster.membership;
