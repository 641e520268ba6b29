package io.meshmq.engine.processor;

import io.meshmq.engine.ring.EngineEvent;
import io.meshmq.protocol.ErrorCode;
import org.agrona.concurrent.EpochClock;

import java.util.HashMap;
import java.util.Map;

/**
 * What the processor does when a command, or its own work between commands, throws: a bug or a hostile input must cost
 * that one command, never the processor thread and with it every connection. The command's caller is told it failed;
 * the failure is logged with its stack trace the first time, then counted and summed up at most once a minute, so a
 * client repeating it cannot fill the disk with traces. Errors after which the processor's state cannot be trusted
 * (out of memory, an internal error of the JVM) are thrown on: the broker stops rather than carry on in an unknown
 * state.
 * <p>
 * Not thread safe: processor thread only.
 */
final class ProcessorFailures
{
    static final long REPEAT_LOG_INTERVAL_MS = 60_000;
    private static final System.Logger LOG = System.getLogger(ProcessorFailures.class.getName());

    /**
     * How often one kind of failure happened since it was last logged.
     */
    private static final class Seen
    {
        long loggedAtMs;
        long since;
    }

    private final EpochClock clock;
    private final ConnectionWriter writer;
    private final Map<String, Seen> seen = new HashMap<>();

    ProcessorFailures(final EpochClock clock, final ConnectionWriter writer)
    {
        this.clock = clock;
        this.writer = writer;
    }

    /**
     * @return true for a throwable after which the processor's state cannot be trusted.
     */
    static boolean isFatal(final Throwable ex)
    {
        return ex instanceof VirtualMachineError && !(ex instanceof StackOverflowError);
    }

    /**
     * A command threw: its caller is told, the failure logged (once a minute at most), and the processor goes on.
     *
     * @throws Error if it is {@link #isFatal fatal}.
     */
    void commandFailed(final EngineEvent event, final Throwable ex)
    {
        rethrowIfFatal(ex);
        log("command " + event.type, ex);
        if (event.connection != null && event.correlationId != 0)
        {
            writer.error(event.connection, event.correlationId, ErrorCode.GENERIC, "broker failed: " + ex);
        }
    }

    /**
     * The processor's own work ({@code what}: dispatch, the batch's end) threw: logged (once a minute at most), and
     * the processor goes on.
     *
     * @throws Error if it is {@link #isFatal fatal}.
     */
    void workFailed(final String what, final Throwable ex)
    {
        rethrowIfFatal(ex);
        log(what, ex);
    }

    private static void rethrowIfFatal(final Throwable ex)
    {
        if (isFatal(ex))
        {
            throw (Error)ex;
        }
    }

    private void log(final String what, final Throwable ex)
    {
        final String key = what + ": " + ex.getClass().getName();
        final long nowMs = clock.time();
        final Seen last = seen.get(key);
        if (last == null)
        {
            final Seen first = new Seen();
            first.loggedAtMs = nowMs;
            seen.put(key, first);
            LOG.log(System.Logger.Level.ERROR, what + " failed; the processor goes on (the same failure is logged " +
                "again at most once a minute)", ex);
            return;
        }
        last.since++;
        if (nowMs - last.loggedAtMs >= REPEAT_LOG_INTERVAL_MS)
        {
            LOG.log(System.Logger.Level.ERROR, what + " failed " + last.since + " more times in the last " +
                (nowMs - last.loggedAtMs) / 1000 + " s with " + ex);
            last.loggedAtMs = nowMs;
            last.since = 0;
        }
    }
}
