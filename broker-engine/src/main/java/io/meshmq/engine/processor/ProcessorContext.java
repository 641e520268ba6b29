package io.meshmq.engine.processor;

import java.util.List;

/**
 * What the processor needs from the broker's configuration. Immutable.
 *
 * @param autoCreateDestinations create a queue or topic the first time it is used.
 * @param queues queues that exist from start-up.
 * @param topics topics that exist from start-up.
 */
public record ProcessorContext(boolean autoCreateDestinations, List<String> queues, List<String> topics)
{
    public ProcessorContext
    {
        queues = List.copyOf(queues);
        topics = List.copyOf(topics);
    }
}
