package io.meshmq.engine.processor;

import io.meshmq.engine.extension.ProcessorExtension;
import io.meshmq.engine.ring.ConnectionOutput;
import io.meshmq.engine.ring.EngineEvent;
import io.meshmq.engine.security.Authorizer;
import io.meshmq.protocol.AdminTable;
import io.meshmq.protocol.ErrorCode;
import org.agrona.collections.Long2ObjectHashMap;

import java.util.ArrayList;
import java.util.Comparator;
import java.util.HashMap;
import java.util.List;
import java.util.Map;

/**
 * The open connections, by id and by client id (unique among them): opening one (the handshake's answer), setting its
 * client id, and forgetting it once closed.
 * <p>
 * Not thread safe: processor thread only.
 */
final class Connections
{
    private final Long2ObjectHashMap<ConnectionState> connections = new Long2ObjectHashMap<>();
    private final Map<String, ConnectionState> connectionsByClientId = new HashMap<>();
    private final ConnectionWriter writer;
    private final String brokerName;
    /** Told to clients in the handshake, for the names of their temporary destinations; null for none. */
    private final String temporaryScope;
    /** Knows the cluster's live members, which clients that fail over are told of. */
    private final ProcessorExtension extension;
    private final Authorizer authorizer;
    private int clients;

    Connections(final ConnectionWriter writer, final String brokerName, final ProcessorExtension extension,
        final Authorizer authorizer)
    {
        this.authorizer = authorizer;
        this.writer = writer;
        this.brokerName = brokerName;
        this.temporaryScope = extension.temporaryScope();
        this.extension = extension;
    }

    /**
     * @return the state of the connection the event came from, or null if it closed (or never opened).
     */
    ConnectionState get(final EngineEvent event)
    {
        return connections.get(event.connection.id());
    }

    boolean isOpen(final ConnectionOutput output)
    {
        return connections.containsKey(output.id());
    }

    int size()
    {
        return connections.size();
    }

    /**
     * @return every connection: id, remote address, user, client id, kind (client or cluster) and consumers.
     */
    AdminTable table()
    {
        final AdminTable table = new AdminTable("id", "address", "user", "client-id", "kind", "consumers");
        final List<ConnectionState> byId = new ArrayList<>(connections.values());
        byId.sort(Comparator.comparingLong(ConnectionState::id));
        for (final ConnectionState connection : byId)
        {
            table.row(connection.id(), connection.output.remoteAddress(), connection.user, connection.clientId,
                connection.client ? "client" : "cluster", connection.consumers.size());
        }
        return table;
    }

    /**
     * Closes a connection as if its network went: what it held goes back to the queues once its close comes round.
     *
     * @throws IllegalArgumentException if there is no such connection.
     */
    AdminTable close(final long id)
    {
        final ConnectionState connection = connections.get(id);
        if (connection == null)
        {
            throw new IllegalArgumentException("there is no connection " + id + " (connection list shows them)");
        }
        connection.output.close();
        return new AdminTable("connection", "closed").row(id, true);
    }

    /**
     * @return the open connections of applications, not of other cluster nodes.
     */
    int clients()
    {
        return clients;
    }

    /**
     * @return how many application connections that fail over by the topology were told why and closed (their
     * closing is handled as any other's).
     */
    int sendClientsAway(final String reason)
    {
        int closed = 0;
        for (final ConnectionState connection : connections.values())
        {
            if (connection.client && connection.wantsTopology)
            {
                writer.goingAway(connection.output, ErrorCode.SHUTTING_DOWN, reason);
                connection.output.close();
                closed++;
            }
        }
        return closed;
    }

    /**
     * The cluster's live members changed: every client that wants to know is told.
     */
    void announceTopology()
    {
        final List<String> members = extension.clientTopology();
        final List<String> journals = extension.clientTopologyJournals();
        final String own = extension.journalServed();
        for (final ConnectionState connection : connections.values())
        {
            tellTopology(connection, members, journals, own);
        }
    }

    /**
     * Tells a client that wants to know of the cluster's live members; nothing outside a cluster.
     */
    private void tellTopology(final ConnectionState connection, final List<String> members,
        final List<String> journals, final String own)
    {
        if (connection.wantsTopology && !members.isEmpty())
        {
            writer.topology(connection.output, members, journals, own);
        }
    }

    void onConnectionOpened(final EngineEvent event)
    {
        final ConnectionOutput output = event.connection;
        if (event.clientId != null && connectionsByClientId.containsKey(event.clientId))
        {
            writer.error(output, 0, ErrorCode.INVALID_CLIENT_ID,
                "client id '" + event.clientId + "' is already in use by another connection");
            output.close();
            return;
        }
        final ConnectionState connection =
            new ConnectionState(output, event.user, authorizer.rolesOf(event.user), event.clientId, !event.clusterRole,
                event.wantsTopology);
        connections.put(output.id(), connection);
        if (connection.client)
        {
            clients++;
        }
        if (event.clientId != null)
        {
            connectionsByClientId.put(event.clientId, connection);
        }
        writer.helloOk(output, brokerName, temporaryScope);
        if (connection.wantsTopology)
        {
            tellTopology(connection, extension.clientTopology(), extension.clientTopologyJournals(),
                extension.journalServed());
        }
    }

    void onSetClientId(final EngineEvent event)
    {
        final ConnectionState connection = get(event);
        if (connection == null)
        {
            return;
        }
        if (connection.clientId != null)
        {
            writer.error(event.connection, event.correlationId, ErrorCode.ILLEGAL_STATE,
                "this connection's client id is already '" + connection.clientId + "'");
            return;
        }
        if (connectionsByClientId.containsKey(event.clientId))
        {
            writer.error(event.connection, event.correlationId, ErrorCode.INVALID_CLIENT_ID,
                "client id '" + event.clientId + "' is already in use by another connection");
            return;
        }
        connection.clientId = event.clientId;
        connectionsByClientId.put(event.clientId, connection);
        writer.ok(event.connection, event.correlationId);
    }

    /**
     * @return the closed connection's state, forgotten here; null if it was not open.
     */
    ConnectionState remove(final long connectionId)
    {
        final ConnectionState connection = connections.remove(connectionId);
        if (connection != null && connection.client)
        {
            clients--;
        }
        if (connection != null && connection.clientId != null)
        {
            connectionsByClientId.remove(connection.clientId, connection);
        }
        return connection;
    }
}
