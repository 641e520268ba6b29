package io.meshmq.engine.vm;

import io.meshmq.engine.Broker;
import io.netty.channel.local.LocalAddress;

import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ConcurrentMap;

/**
 * The brokers of this JVM that accept in-VM connections, by id.
 */
public final class VmBrokers
{
    private static final ConcurrentMap<String, Broker> BROKERS = new ConcurrentHashMap<>();

    private VmBrokers()
    {
    }

    public static LocalAddress address(final String vmId)
    {
        return new LocalAddress("meshmq-vm-" + vmId);
    }

    /**
     * @return false if another broker already holds the id.
     */
    public static boolean register(final String vmId, final Broker broker)
    {
        return BROKERS.putIfAbsent(vmId, broker) == null;
    }

    public static void unregister(final String vmId, final Broker broker)
    {
        BROKERS.remove(vmId, broker);
    }

    public static Broker get(final String vmId)
    {
        return BROKERS.get(vmId);
    }
}
