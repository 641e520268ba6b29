package io.meshmq.metrics.jmx;

import io.meshmq.engine.Broker;
import io.meshmq.protocol.AdminTable;

import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;

/**
 * The admin verbs as JMX calls them: answered by the processor through the ring, within 10 s. A refusal comes back as
 * the {@link IllegalArgumentException} or {@link IllegalStateException} the verb threw, which JMX clients show with
 * its message.
 */
final class AdminCalls
{
    private static final long TIMEOUT_MS = 10_000;

    private final Broker broker;

    AdminCalls(final Broker broker)
    {
        this.broker = broker;
    }

    AdminTable call(final String verb, final String... args)
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
    long number(final String verb, final String name, final String column)
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
