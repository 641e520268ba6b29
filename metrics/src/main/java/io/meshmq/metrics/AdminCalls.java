package io.meshmq.metrics;

import io.meshmq.engine.Broker;
import io.meshmq.protocol.AdminTable;

import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;

/**
 * The admin verbs as JMX and the web console call them (one management service with the command line): answered by
 * the processor through the ring, within 10 s. A refusal comes back as the {@link IllegalArgumentException} or
 * {@link IllegalStateException} the verb threw, whose message says why.
 * <p>
 * Thread safe: any thread but the processor's.
 */
public final class AdminCalls
{
    private static final long TIMEOUT_MS = 10_000;

    private final Broker broker;

    public AdminCalls(final Broker broker)
    {
        this.broker = broker;
    }

    public AdminTable call(final String verb, final String... args)
    {
        try
        {
            return broker.admin(verb, args).get(TIMEOUT_MS, TimeUnit.MILLISECONDS);
        }
        catch (final ExecutionException ex)
        {
            throw ex.getCause() instanceof RuntimeException runtime ? runtime :
                new IllegalStateException(ex.getCause().getMessage(), ex.getCause());
        }
        catch (final TimeoutException ex)
        {
            throw new IllegalStateException("the broker did not answer " + verb + " within " + TIMEOUT_MS + " ms");
        }
        catch (final InterruptedException ex)
        {
            Thread.currentThread().interrupt();
            throw new IllegalStateException("interrupted while asking " + verb);
        }
    }

    /**
     * @return the value in the row whose {@code name} column is {@code name}; -1 if there is none (it went).
     */
    public long number(final String verb, final String name, final String column)
    {
        final AdminTable table = call(verb);
        for (int r = 0; r < table.rows().size(); r++)
        {
            if (name.equals(table.value(r, "name")))
            {
                return table.value(r, column) instanceof Number number ? number.longValue() : -1;
            }
        }
        return -1;
    }
}
