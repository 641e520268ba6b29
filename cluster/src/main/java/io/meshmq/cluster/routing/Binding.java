package io.meshmq.cluster.routing;

import io.meshmq.engine.processor.ServerMessage;

/**
 * Where a message routed to an address may go: a queue or subscription of this node ({@link LocalBinding}) or of
 * another ({@link RemoteBinding}). Load balancing chooses among the bindings of one routing key without knowing which
 * kind it holds.
 * <p>
 * Not thread safe: processor thread only.
 */
interface Binding
{
    /**
     * @return true if it has a consumer now that would take the message.
     */
    boolean hasConsumerFor(ServerMessage message);

    /**
     * @return false while its node cannot be reached (this node's bindings always can).
     */
    boolean isReachable();

    /**
     * @return its node's share of the address's messages against the other candidates' weights.
     */
    int weight();

    /**
     * @return 1 for the first choice: only reachable candidates of the best rank are chosen.
     */
    int rank();
}
