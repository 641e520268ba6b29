package io.meshmq.engine.processor;

import io.meshmq.protocol.DestinationType;
import io.meshmq.protocol.MessageDescriptor;
import io.meshmq.protocol.ProtocolException;
import io.meshmq.protocol.WireReader;
import org.agrona.concurrent.UnsafeBuffer;

import java.util.HashMap;
import java.util.LinkedHashSet;
import java.util.Map;

/**
 * Duplicate detection: the ids of the last messages stored per address (a queue, or a topic), so that a send made
 * again by a client that failed over (its first answer lost with the connection) is confirmed without being stored
 * twice. A message is known by the id its producer gave it. The cache is rebuilt at start-up from the messages the
 * journal holds, consumed ones included, so it survives a restart for as long as their records are kept.
 * <p>
 * Not thread safe: processor thread only.
 */
final class DuplicateIds
{
    private final int capacity;
    private final Map<String, LinkedHashSet<String>> queues = new HashMap<>();
    private final Map<String, LinkedHashSet<String>> topics = new HashMap<>();

    /**
     * @param capacity ids kept per address, the oldest forgotten first; 0 turns detection off.
     */
    DuplicateIds(final int capacity)
    {
        this.capacity = capacity;
    }

    /**
     * @return true if a message of this id was stored at this address already.
     */
    boolean isDuplicate(final byte type, final String address, final String id)
    {
        if (id == null || capacity == 0)
        {
            return false;
        }
        final LinkedHashSet<String> ids = byType(type).get(address);
        return ids != null && ids.contains(id);
    }

    /**
     * Remembers a message stored at an address.
     */
    void stored(final byte type, final String address, final String id)
    {
        if (id == null || capacity == 0)
        {
            return;
        }
        final LinkedHashSet<String> ids = byType(type).computeIfAbsent(address, a -> new LinkedHashSet<>());
        if (ids.add(id) && ids.size() > capacity)
        {
            ids.remove(ids.iterator().next());
        }
    }

    /**
     * Remembers a message the journal holds, at the address its header names.
     */
    void recovered(final byte[] encoded)
    {
        if (capacity == 0)
        {
            return;
        }
        try
        {
            final WireReader reader = new WireReader().wrap(new UnsafeBuffer(encoded), 0, encoded.length);
            reader.skip(MessageDescriptor.FIXED_HEADER_LENGTH);
            final String id = reader.readString();
            final byte correlationKind = reader.readByte();
            if (correlationKind == MessageDescriptor.CORRELATION_STRING)
            {
                reader.readString();
            }
            else if (correlationKind == MessageDescriptor.CORRELATION_BYTES)
            {
                reader.readBytes();
            }
            reader.readString();
            final byte type = reader.readByte();
            if (type != DestinationType.NONE)
            {
                stored(type, reader.readRequiredString("destination name"), id);
            }
        }
        catch (final ProtocolException ex)
        {
            // Recovery checks every message itself; one it cannot read has no id to remember.
        }
    }

    /**
     * Forgets the ids of an address that was deleted.
     */
    void deleted(final byte type, final String address)
    {
        byType(type).remove(address);
    }

    private Map<String, LinkedHashSet<String>> byType(final byte type)
    {
        return DestinationType.isTopic(type) ? topics : queues;
    }
}
