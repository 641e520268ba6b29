package io.meshmq.cluster.routing;

import io.meshmq.engine.processor.ServerMessage;
import io.meshmq.engine.processor.ServerQueue;

/**
 * A queue or subscription of this node, as a candidate of load balancing.
 */
record LocalBinding(ServerQueue queue) implements Binding
{
    @Override
    public boolean hasConsumerFor(final ServerMessage message)
    {
        return queue.hasConsumerFor(message);
    }

    /**
     * @return true if a message added now would be delivered at once.
     */
    boolean keepsUp()
    {
        return queue.keepsUp();
    }
}
