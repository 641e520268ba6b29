package io.meshmq.engine.extension;

import io.meshmq.engine.processor.ServerQueue;

/**
 * Takes a queue's messages instead of consumers (an extension's store-and-forward queue, say): when dispatch looks at
 * a drained queue it calls the drain, which takes what it can in order.
 * <p>
 * Not thread safe: called on the processor thread.
 */
public interface QueueDrain
{
    void drain(ServerQueue queue);

    /**
     * @return for people: where the queue's messages go (admin output, refusals).
     */
    String describe();
}
