package io.meshmq.broker.cli;

import io.meshmq.engine.Broker;
import io.meshmq.engine.BrokerContext;
import io.meshmq.jms.MeshConnectionMetaData;
import io.meshmq.metrics.BrokerMetrics;
import io.meshmq.metrics.console.WebConsole;
import io.meshmq.metrics.jmx.JmxManagement;

import java.io.UncheckedIOException;

/**
 * What a serving broker is managed and watched through, as its configuration asks: its MBeans ({@code jmx}), its
 * Prometheus endpoint ({@code metrics.bind}) and its web console ({@code console.bind}). Started when a broker serves
 * (at start-up, or when an HA node takes a journal over) and closed before it stops.
 * <p>
 * Thread safe enough for its use: started and closed on the thread that starts or stops the broker.
 */
final class NodeManagement implements AutoCloseable
{
    private final JmxManagement jmx;
    private final BrokerMetrics metrics;
    private final WebConsole console;

    private NodeManagement(final JmxManagement jmx, final BrokerMetrics metrics, final WebConsole console)
    {
        this.jmx = jmx;
        this.metrics = metrics;
        this.console = console;
    }

    /**
     * @param metrics prepared before the broker started (its journal's force histogram), or null for none.
     * @param listens false for a node that shares its process's addresses with another (a colocated backup): MBeans
     *                only, no endpoint or console of its own.
     * @throws UncheckedIOException naming {@code metrics.bind} or {@code console.bind} if it cannot listen there
     * (nothing is left started then).
     */
    static NodeManagement start(final BrokerContext context, final Broker broker, final BrokerMetrics metrics,
        final boolean listens)
    {
        final JmxManagement jmx = context.jmx() ?
            JmxManagement.start(broker, MeshConnectionMetaData.PROVIDER_VERSION) : null;
        final BrokerMetrics endpoint = listens ? metrics : null;
        try
        {
            if (endpoint != null)
            {
                endpoint.start(broker);
            }
            final WebConsole console = listens && context.consoleBind() != null ? WebConsole.start(broker, context) :
                null;
            return new NodeManagement(jmx, endpoint, console);
        }
        catch (final UncheckedIOException ex)
        {
            if (endpoint != null)
            {
                endpoint.stop();
            }
            if (jmx != null)
            {
                jmx.close();
            }
            throw ex;
        }
    }

    /**
     * @return for the start-up line: where metrics and the console are served; "" for neither.
     */
    String describe()
    {
        return (metrics == null ? "" : "; metrics at " + metrics.url()) +
            (console == null ? "" : "; web console at " + console.url());
    }

    @Override
    public void close()
    {
        if (console != null)
        {
            console.close();
        }
        if (metrics != null)
        {
            metrics.stop();
        }
        if (jmx != null)
        {
            jmx.close();
        }
    }
}
