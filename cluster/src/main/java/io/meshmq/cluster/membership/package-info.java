/**
 * The cluster connections defined at run time ({@code cluster add|remove}) as this node keeps them in its data
 * directory: read once at start, merged and saved on the processor thread.
 */
package io.meshmq.cluster.membership;
