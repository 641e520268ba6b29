package io.meshmq.engine.processor;

import io.meshmq.protocol.FrameType;
import io.meshmq.protocol.WireWriter;

import java.util.ArrayList;
import java.util.HashMap;
import java.util.Iterator;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.function.BiConsumer;
import java.util.function.BiPredicate;

/**
 * The BLOCK policy: a connection that sends to a full address is told to send nothing more to it (a FLOW
 * frame), and told again once the address has room. What was already on its way is taken, so an address can
 * go over its limit by what its producers had in flight.
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
     *
     * @param write writes a frame to a connection.
     */
    void block(final ConnectionState connection, final byte type, final String name, final WireWriter out,
        final BiConsumer<ConnectionOutput, WireWriter> write)
    {
        if (told.computeIfAbsent(new Address(type, name), a -> new LinkedHashSet<>()).add(connection))
        {
            write.accept(connection.output, frame(out, type, name, true));
        }
    }

    /**
     * Tells the producers of every address that has room again that they may send.
     *
     * @param full whether an address (type, name) is still full.
     */
    void releaseWhereRoom(final BiPredicate<Byte, String> full, final WireWriter out,
        final BiConsumer<ConnectionOutput, WireWriter> write)
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
                write.accept(connection.output, frame(out, address.type(), address.name(), false));
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

    private static WireWriter frame(final WireWriter out, final byte type, final String name, final boolean blocked)
    {
        return out.reset().beginFrame(FrameType.FLOW).writeByte(type).writeString(name).writeBoolean(blocked).endFrame();
    }
}
