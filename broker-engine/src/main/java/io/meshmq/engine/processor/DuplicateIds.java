package io.meshmq.engine.processor;

import io.meshmq.protocol.DestinationType;
import io.meshmq.protocol.MessageDescriptor;
import io.meshmq.protocol.MessageFields;
import io.meshmq.protocol.MessageHeaderFlyweight;
import io.meshmq.protocol.ProtocolException;

import java.util.HashMap;
import java.util.LinkedHashSet;
import java.util.Map;

/**
 * Duplicate detection: the ids of the last messages stored per address (a queue, or a topic), so that a send made
 * again by a client that failed over (its first answer lost with the connection) is confirmed without being stored
 * twice, and a message an application sends twice with the same duplicate id of its own is stored once. A message is
 * known by that id if it has one, else by the id its producer gave it. The cache is rebuilt at start-up from the
 * messages the journal holds, consumed ones included, so it survives a restart for as long as their records are
 * kept.
 * <p>
 * Not thread safe: processor thread only.
 */
final class DuplicateIds
{
    static final int COMMITS = 65_536;
    private final int capacity;
    private final Map<String, LinkedHashSet<String>> queues = new HashMap<>();
    private final Map<String, LinkedHashSet<String>> topics = new HashMap<>();
    /**
     * The ids clients gave their commits, oldest first, at most {@value #COMMITS}: kept whatever the capacity for
     * messages (a transaction that only consumed has no message id to look it up by).
     */
    private final LinkedHashSet<String> commits = new LinkedHashSet<>();

    /**
     * @param capacity ids kept per address, the oldest forgotten first; 0 turns detection off.
     */
    DuplicateIds(final int capacity)
    {
        this.capacity = capacity;
    }

    /**
     * @param header wrapped around {@code encoded}.
     * @return what a single send is known by for duplicate detection, or null if it is not checked: detection is
     * off, or the message is non-persistent (never sent again by a client that fails over) and the application gave
     * it no duplicate id of its own.
     */
    String idOf(final MessageHeaderFlyweight header, final byte[] encoded)
    {
        if (capacity == 0 || header.deliveryMode() != MessageDescriptor.PERSISTENT && !header.hasDuplicateId())
        {
            return null;
        }
        return MessageFields.duplicateIdOf(header, encoded);
    }

    /**
     * @return false when detection is off: then a send need not read its message's id.
     */
    boolean isOn()
    {
        return capacity > 0;
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
     * Remembers a commit applied.
     *
     * @param commitId null for a commit its client gave no id.
     */
    void committed(final String commitId)
    {
        if (commitId != null && commits.add(commitId) && commits.size() > COMMITS)
        {
            commits.remove(commits.iterator().next());
        }
    }

    /**
     * @return true if a commit of that id was applied here, as far as this remembers.
     */
    boolean isCommitted(final String commitId)
    {
        return commits.contains(commitId);
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
            final MessageFields.Address address = MessageFields.addressOf(encoded);
            if (address.destinationName() != null)
            {
                stored(address.destinationType(), address.destinationName(), address.duplicateId());
            }
        }
        catch (final ProtocolException ex)
        {
            // Recovery checks every message itself; one it cannot read has no id to remember.
        }
    }

    /**
     * Forgets one id: the message of that id was stored nowhere after all (its send failed and was withdrawn), so a
     * retry of it is no duplicate.
     */
    void withdrawn(final byte type, final String address, final String id)
    {
        final LinkedHashSet<String> ids = id == null ? null : byType(type).get(address);
        if (ids != null)
        {
            ids.remove(id);
        }
    }

    /**
     * Forgets the ids of an address that was deleted (a temporary queue with its connection, say).
     */
    void forget(final byte type, final String address)
    {
        byType(type).remove(address);
    }

    private Map<String, LinkedHashSet<String>> byType(final byte type)
    {
        return DestinationType.isTopic(type) ? topics : queues;
    }
}
