package io.meshmq.engine.processor;

import io.meshmq.engine.ring.ConnectionOutput;
import io.meshmq.protocol.BrokerEventEncoder;
import io.meshmq.protocol.ErrorCode;
import io.meshmq.protocol.WireWriter;

import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.function.Consumer;

/**
 * Every frame the processor sends to connections (the handshake's answer, replies, deliveries, flow control, and
 * frames encoded elsewhere, such as the cluster's), and the one flush per batch of each connection written to.
 * <p>
 * Not thread safe: used only on the processor thread.
 */
final class ConnectionWriter
{
    private static final System.Logger LOG = System.getLogger(ConnectionWriter.class.getName());
    /** The same failure told at connection level is logged again only after this long. */
    static final long REPEAT_LOG_NS = 60_000_000_000L;
    /** Failures remembered for that, at most; past it they are forgotten (and logged again). */
    private static final int LOGGED_MAX = 1024;

    private final WireWriter out = new WireWriter(64 * 1024);
    private final List<ConnectionOutput> dirty = new ArrayList<>();
    /** Each failure logged, by its message: when (ns), and how many like it were not logged since. */
    private final Map<String, long[]> logged = new HashMap<>();
    /** Lends each large body delivered to its connection; set by the processor. */
    LargeBodies large = new LargeBodies(null);
    /** Answers confirmations with OK, and their failures with an ERROR saying the store failed. */
    private final Durability.Confirmer confirmer = new Durability.Confirmer()
    {
        @Override
        public void confirmed(final ConnectionOutput output, final long correlationId)
        {
            ok(output, correlationId);
        }

        @Override
        public void failed(final ConnectionOutput output, final long correlationId, final String reason)
        {
            error(output, correlationId, ErrorCode.STORAGE, reason);
        }
    };

    Durability.Confirmer confirmer()
    {
        return confirmer;
    }

    void helloOk(final ConnectionOutput output, final String brokerName, final String temporaryScope)
    {
        write(output, BrokerEventEncoder.helloOk(out, output.id(), brokerName, temporaryScope,
            large.store() == null ? 0 : large.store().threshold()));
    }

    void topology(final ConnectionOutput output, final List<String> members, final List<String> journals,
        final String own)
    {
        write(output, BrokerEventEncoder.topology(out, members, journals, own));
    }

    /**
     * Answers a call that returns nothing; nothing is sent for correlation id 0 (nobody waits).
     */
    void ok(final ConnectionOutput output, final long correlationId)
    {
        if (correlationId != 0)
        {
            write(output, BrokerEventEncoder.ok(out, correlationId));
        }
    }

    void error(final ConnectionOutput output, final long correlationId, final int code, final String message)
    {
        if (correlationId == 0)
        {
            // Nobody waits for an answer: the failure is a fire-and-forget send the client cannot be told of
            // individually, so it is told at connection level and the connection stays up.
            log(output, message, System.nanoTime());
        }
        write(output, BrokerEventEncoder.error(out, correlationId, code, message));
    }

    /**
     * Logs a failure told at connection level; the same one again (from a client or a backup that retries with new
     * connections, say) only after {@link #REPEAT_LOG_NS}, saying how many there were meanwhile.
     */
    void log(final ConnectionOutput output, final String message, final long nowNs)
    {
        final long[] last = logged.get(message);
        if (last != null && nowNs - last[0] < REPEAT_LOG_NS)
        {
            last[1]++;
            return;
        }
        if (logged.size() >= LOGGED_MAX)
        {
            logged.clear();
        }
        logged.put(message, new long[] {nowNs, 0});
        LOG.log(System.Logger.Level.WARNING, "connection " + output.remoteAddress() + ": " + message +
            (last == null || last[1] == 0 ? " (the same is logged again only after a minute)" : " (and " + last[1] +
                " times more in the last minute, not logged)"));
    }

    /**
     * Tells a connection why it is being closed (the caller logs it once for all).
     */
    void goingAway(final ConnectionOutput output, final int code, final String reason)
    {
        write(output, BrokerEventEncoder.error(out, 0, code, reason));
    }

    /**
     * Answers with OK now, or, when the journal forces its writes, once everything it wrote up to {@code mark} is
     * forced.
     */
    void confirm(final Durability durability, final ConnectionOutput output, final long correlationId, final long mark)
    {
        if (!durability.deferConfirmation(output, correlationId, mark))
        {
            ok(output, correlationId);
        }
    }

    /**
     * Answers with a REPLY frame whose result {@code result} writes.
     */
    void reply(final ConnectionOutput output, final long correlationId, final Consumer<WireWriter> result)
    {
        result.accept(BrokerEventEncoder.beginReply(out, correlationId));
        write(output, out.endFrame());
    }

    void deliver(final ConnectionOutput output, final long consumerId, final long deliveryId, final int deliveryCount,
        final byte[] encoded)
    {
        large.lend(output, encoded);
        write(output, BrokerEventEncoder.deliver(out, consumerId, deliveryId, deliveryCount, encoded));
    }

    void browseEnd(final ConnectionOutput output, final long browserId)
    {
        write(output, BrokerEventEncoder.browseEnd(out, browserId));
    }

    /**
     * Tells a producer's connection that an address under the BLOCK policy is full ({@code blocked}) or has room.
     */
    void flow(final ConnectionOutput output, final byte destinationType, final String name, final boolean blocked)
    {
        write(output, BrokerEventEncoder.flow(out, destinationType, name, blocked));
    }

    /**
     * Appends a whole frame encoded elsewhere; it is sent at the end of the batch.
     */
    void write(final ConnectionOutput output, final WireWriter frame)
    {
        if (output.write(frame))
        {
            dirty.add(output);
        }
    }

    /**
     * Sends what this batch wrote.
     */
    void flush()
    {
        for (int i = 0; i < dirty.size(); i++)
        {
            dirty.get(i).flush();
        }
        dirty.clear();
    }
}
