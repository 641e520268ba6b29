package io.meshmq.engine.processor;

import io.meshmq.engine.ring.ConnectionOutput;
import org.agrona.collections.Long2ObjectHashMap;

import java.util.ArrayList;
import java.util.List;
import java.util.Set;

/**
 * What the processor knows about one open connection: its client id, its consumers and the temporary
 * destinations it owns. Not thread safe: owned by the processor thread.
 */
final class ConnectionState
{
    final ConnectionOutput output;
    final String user;
    /** The user's roles, for its permissions; fixed when the connection opened. */
    final Set<String> roles;
    /** False for another node's cluster connection. */
    final boolean client;
    /** Told the cluster's live members whenever they change. */
    final boolean wantsTopology;
    final Long2ObjectHashMap<ServerConsumer> consumers = new Long2ObjectHashMap<>();
    final List<String> temporaryQueues = new ArrayList<>();
    final List<String> temporaryTopics = new ArrayList<>();
    String clientId;
    /** Stopped: its consumers (browsers aside) are sent nothing. */
    boolean paused;

    ConnectionState(final ConnectionOutput output, final String user, final Set<String> roles, final String clientId,
        final boolean client, final boolean wantsTopology)
    {
        this.output = output;
        this.user = user;
        this.roles = roles;
        this.clientId = clientId;
        this.client = client;
        this.wantsTopology = wantsTopology;
    }

    long id()
    {
        return output.id();
    }
}
