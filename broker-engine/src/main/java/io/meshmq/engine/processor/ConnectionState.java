package io.meshmq.engine.processor;

import org.agrona.collections.Long2ObjectHashMap;

import java.util.ArrayList;
import java.util.List;

/**
 * What the processor knows about one open connection: its consumers and the temporary destinations it owns.
 */
final class ConnectionState
{
    final ConnectionOutput output;
    final Long2ObjectHashMap<ServerConsumer> consumers = new Long2ObjectHashMap<>();
    final List<String> temporaryQueues = new ArrayList<>();
    final List<String> temporaryTopics = new ArrayList<>();

    ConnectionState(final ConnectionOutput output)
    {
        this.output = output;
    }

    long id()
    {
        return output.id();
    }
}
