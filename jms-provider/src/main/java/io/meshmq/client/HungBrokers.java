package io.meshmq.client;

import java.util.ArrayList;
import java.util.List;

/**
 * The brokers whose handshake timed out during one failover. A hung process (stopped, a frozen machine) still has
 * its listening socket, so the kernel accepts each connection to it and every attempt costs a whole handshake wait;
 * tried in every round, it keeps the client that long from a broker that starts serving meanwhile (the one taking
 * the hung broker's journal over, say). So it rests for that long before it is tried again.
 * <p>
 * Reconnect thread only.
 */
final class HungBrokers
{
    private record Rest(ConnectionUrl broker, long untilNs)
    {
    }

    private final List<Rest> rests = new ArrayList<>();

    /**
     * @param restNs how long it is left out: about its handshake wait.
     */
    void timedOut(final ConnectionUrl url, final long nowNs, final long restNs)
    {
        final int i = indexOf(url);
        final Rest rest = new Rest(url, nowNs + restNs);
        if (i >= 0)
        {
            rests.set(i, rest);
        }
        else
        {
            rests.add(rest);
        }
    }

    /**
     * @return true while a broker that timed out rests.
     */
    boolean isResting(final ConnectionUrl url, final long nowNs)
    {
        final int i = indexOf(url);
        return i >= 0 && nowNs - rests.get(i).untilNs() < 0;
    }

    private int indexOf(final ConnectionUrl url)
    {
        for (int i = 0; i < rests.size(); i++)
        {
            if (rests.get(i).broker().sameBroker(url))
            {
                return i;
            }
        }
        return -1;
    }
}
