package io.meshmq.engine.processor;


import java.util.ArrayList;
import java.util.HashMap;
import java.util.Iterator;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.function.BiPredicate;

/**
 * The BLOCK policy, and {@link BacklogHold}'s holds: a connection that sends to a full address (or one whose
 * consumers fall behind) is told to send nothing more to it (a FLOW frame), and told again once it may. What was
 * already on its way is taken, so an address can go over its limit by what its producers had in flight.
 * <p>
 * Not thread safe: processor thread only.
 */
final class BlockedProducers
{
    private record Address(byte type, String name)
    {
    }

    private final Map<Address, Set<ConnectionState>> told = new HashMap<>();

    /**
     * The connection sent to a full address: tell it to wait, unless it was told already.
     */
    void block(final ConnectionState connection, final byte type, final String name, final ConnectionWriter writer)
    {
        if (told.computeIfAbsent(new Address(type, name), a -> new LinkedHashSet<>()).add(connection))
        {
            writer.flow(connection.output, type, name, true);
        }
    }

    /**
     * Tells the producers of every address that has room again (and holds them no more) that they may send.
     *
     * @param full whether the producers of an address (type, name) must still wait.
     */
    void releaseWhereRoom(final BiPredicate<Byte, String> full, final ConnectionWriter writer)
    {
        if (told.isEmpty())
        {
            return;
        }
        final Iterator<Map.Entry<Address, Set<ConnectionState>>> entries = told.entrySet().iterator();
        while (entries.hasNext())
        {
            final Map.Entry<Address, Set<ConnectionState>> entry = entries.next();
            final Address address = entry.getKey();
            if (full.test(address.type(), address.name()))
            {
                continue;
            }
            for (final ConnectionState connection : entry.getValue())
            {
                writer.flow(connection.output, address.type(), address.name(), false);
            }
            entries.remove();
        }
    }

    void forget(final ConnectionState connection)
    {
        final List<Address> empty = new ArrayList<>();
        for (final Map.Entry<Address, Set<ConnectionState>> entry : told.entrySet())
        {
            if (entry.getValue().remove(connection) && entry.getValue().isEmpty())
            {
                empty.add(entry.getKey());
            }
        }
        empty.forEach(told::remove);
    }
}
