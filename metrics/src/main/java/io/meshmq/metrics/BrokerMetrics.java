package io.meshmq.metrics;

import io.meshmq.engine.Broker;
import io.meshmq.engine.BrokerContext;
import io.prometheus.metrics.core.metrics.Histogram;
import io.prometheus.metrics.exporter.httpserver.HTTPServer;
import io.prometheus.metrics.instrumentation.jvm.JvmMetrics;
import io.prometheus.metrics.model.registry.PrometheusRegistry;

import java.io.IOException;
import java.io.UncheckedIOException;

/**
 * The broker's metrics, served for Prometheus at {@code http://BIND/metrics}: per queue and topic counts, cluster
 * links, bridges, journal forces (a latency histogram) and the JVM's.
 * <p>
 * Thread safe: {@link #prepare}, {@link #start} and {@link #stop} on the launcher's (or an HA node's) thread, scrapes
 * on the HTTP server's. An HA node that stops serving and serves again later stops and starts them again.
 */
public final class BrokerMetrics implements AutoCloseable
{
    private static final System.Logger LOG = System.getLogger(BrokerMetrics.class.getName());

    private final String bind;
    private final PrometheusRegistry registry = new PrometheusRegistry();
    private boolean jvmRegistered;
    private BrokerCollector collector;
    private HTTPServer server;

    private BrokerMetrics(final String bind)
    {
        this.bind = bind;
    }

    /**
     * Makes the metrics a broker needs before it starts (the journal's force histogram); null if
     * {@code metrics.bind} is not set.
     */
    public static BrokerMetrics prepare(final BrokerContext context)
    {
        if (context.metricsBind() == null)
        {
            return null;
        }
        final BrokerMetrics metrics = new BrokerMetrics(context.metricsBind());
        final Histogram forces = Histogram.builder()
            .name("meshmq_journal_force_seconds")
            .help("How long each force of the journal to disk took (group commit: one force covers many sends)")
            .classicUpperBounds(0.0001, 0.00025, 0.0005, 0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 1)
            .register(metrics.registry);
        context.journalForceObserver(nanos -> forces.observe(nanos / 1e9));
        return metrics;
    }

    /**
     * Starts serving the broker's metrics.
     *
     * @throws UncheckedIOException naming the address if it cannot listen there.
     */
    public synchronized void start(final Broker broker)
    {
        if (!jvmRegistered)
        {
            JvmMetrics.builder().register(registry);
            jvmRegistered = true;
        }
        collector = new BrokerCollector(broker);
        registry.register(collector);
        final int colon = bind.lastIndexOf(':');
        try
        {
            server = HTTPServer.builder().hostname(bind.substring(0, colon))
                .port(Integer.parseInt(bind.substring(colon + 1))).registry(registry).buildAndStart();
        }
        catch (final IOException ex)
        {
            stop();
            throw new UncheckedIOException("metrics.bind = " + bind + ": cannot listen there: " + ex.getMessage(), ex);
        }
        LOG.log(System.Logger.Level.INFO, "metrics for Prometheus at " + url());
    }

    /**
     * @return where Prometheus scrapes, e.g. http://127.0.0.1:9404/metrics.
     */
    public String url()
    {
        return "http://" + bind.substring(0, bind.lastIndexOf(':')) + ":" + server.getPort() + "/metrics";
    }

    /**
     * Stops serving (the broker stopped); {@link #start} may serve another broker later.
     */
    public synchronized void stop()
    {
        if (server != null)
        {
            server.close();
            server = null;
        }
        if (collector != null)
        {
            registry.unregister(collector);
            collector = null;
        }
    }

    @Override
    public void close()
    {
        stop();
    }
}
