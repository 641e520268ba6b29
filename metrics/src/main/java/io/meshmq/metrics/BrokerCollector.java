package io.meshmq.metrics;

import io.meshmq.engine.Broker;
import io.meshmq.protocol.AdminTable;
import io.meshmq.protocol.AdminVerbs;
import io.prometheus.metrics.model.registry.MultiCollector;
import io.prometheus.metrics.model.snapshots.CounterSnapshot;
import io.prometheus.metrics.model.snapshots.GaugeSnapshot;
import io.prometheus.metrics.model.snapshots.Labels;
import io.prometheus.metrics.model.snapshots.MetricSnapshot;
import io.prometheus.metrics.model.snapshots.MetricSnapshots;

import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import java.util.function.BiConsumer;

/**
 * At each scrape, asks the processor for its queue, topic, cluster and bridge tables (the admin verbs, through the
 * ring) and turns them into Prometheus families. A table the broker has not (no cluster, no bridges) is left out; one
 * that does not come within 5 s is left out of that scrape and logged.
 * <p>
 * Thread safe: scrapes run on the HTTP server's threads; the processor is only asked.
 */
final class BrokerCollector implements MultiCollector
{
    private static final System.Logger LOG = System.getLogger(BrokerCollector.class.getName());
    private static final long ASK_TIMEOUT_MS = 5_000;
    private static final String BRIDGE_STATUS = "bridge.status";
    private static final String THIS_NODE = "(this node)";

    private final Broker broker;

    BrokerCollector(final Broker broker)
    {
        this.broker = broker;
    }

    @Override
    public MetricSnapshots collect()
    {
        final List<MetricSnapshot> families = new ArrayList<>();
        final AdminTable queues = ask(AdminVerbs.QUEUE_LIST);
        if (queues != null)
        {
            families.add(gauge(queues, "name", "queue", "messages", "meshmq_queue_messages",
                "Messages waiting in the queue (paged ones too)"));
            families.add(gauge(queues, "name", "queue", "scheduled", "meshmq_queue_scheduled",
                "Messages of the queue waiting for their delivery time"));
            families.add(gauge(queues, "name", "queue", "delivering", "meshmq_queue_delivering",
                "Messages sent to consumers and not yet acknowledged"));
            families.add(gauge(queues, "name", "queue", "consumers", "meshmq_queue_consumers", "Open consumers"));
            families.add(counter(queues, "name", "queue", "added", "meshmq_queue_added",
                "Messages added to the queue since the broker started"));
            families.add(counter(queues, "name", "queue", "acknowledged", "meshmq_queue_acknowledged",
                "Messages consumed and acknowledged since the broker started"));
            families.add(counter(queues, "name", "queue", "expired", "meshmq_queue_expired",
                "Messages that expired in the queue since the broker started"));
            families.add(gauge(queues, "name", "queue", "paged", "meshmq_queue_paged",
                "Messages of the queue in its page files on disk"));
            families.add(gauge(queues, "name", "queue", "paged-bytes", "meshmq_queue_paged_bytes",
                "Bytes the queue's page files hold on disk"));
            families.add(counter(queues, "name", "queue", "producer-holds", "meshmq_queue_producer_holds",
                "Times the queue's producers were held for its consumers to catch up"));
        }
        final AdminTable topics = ask(AdminVerbs.TOPIC_LIST);
        if (topics != null)
        {
            families.add(counter(topics, "name", "topic", "published", "meshmq_topic_published",
                "Messages published to the topic since the broker started"));
            families.add(gauge(topics, "name", "topic", "subscriptions", "meshmq_topic_subscriptions",
                "Subscriptions of the topic"));
        }
        if (broker.extension() != null)
        {
            final AdminTable links = ask(AdminVerbs.CLUSTER_STATUS);
            if (links != null)
            {
                families.add(gauge(links, "node", "node", "backlog", "meshmq_cluster_link_backlog",
                    "Messages waiting to cross to the node or not yet confirmed by it"));
                families.add(counter(links, "node", "node", "forwarded", "meshmq_cluster_link_forwarded",
                    "Messages the node confirmed it stored since this broker started"));
                families.add(linkMeasures(links, "round-trip-us", 1e-6, false, "meshmq_cluster_link_round_trip_seconds",
                    "The last ping's round trip on this node's link to the node"));
                families.add(linkMeasures(links, "replica-lag-ms", 1e-3, true, "meshmq_replication_lag_seconds",
                    "How long the oldest change not yet stored by this node's replica (in sync) has waited"));
            }
        }
        final AdminTable bridges = ask(BRIDGE_STATUS);
        if (bridges != null && !bridges.rows().isEmpty())
        {
            families.add(gauge(bridges, "bridge", "bridge", "backlog", "meshmq_bridge_backlog",
                "Messages waiting in the bridge's source queue"));
            families.add(counter(bridges, "bridge", "bridge", "forwarded", "meshmq_bridge_forwarded",
                "Messages the bridge's target confirmed since the broker started"));
            families.add(counter(bridges, "bridge", "bridge", "dead-lettered", "meshmq_bridge_dead_lettered",
                "Messages the target refused, sent to the dead-letter address"));
        }
        return new MetricSnapshots(families);
    }

    private AdminTable ask(final String verb)
    {
        try
        {
            return broker.admin(verb).get(ASK_TIMEOUT_MS, TimeUnit.MILLISECONDS);
        }
        catch (final ExecutionException ex)
        {
            return null; // the broker has no such table (no cluster, no bridges)
        }
        catch (final TimeoutException ex)
        {
            LOG.log(System.Logger.Level.WARNING, "metrics: the broker did not answer " + verb + " within " +
                ASK_TIMEOUT_MS + " ms; left out of this scrape");
            return null;
        }
        catch (final InterruptedException ex)
        {
            Thread.currentThread().interrupt();
            return null;
        }
    }

    /**
     * A gauge from one column of the cluster status, in seconds, for this node's row or the other nodes' rows; a row
     * whose value is -1 (not measured, no replica in sync) has no point.
     */
    private static GaugeSnapshot linkMeasures(final AdminTable links, final String column, final double toSeconds,
        final boolean thisNode, final String name, final String help)
    {
        final GaugeSnapshot.Builder family = GaugeSnapshot.builder().name(name).help(help);
        for (int r = 0; r < links.rows().size(); r++)
        {
            final String node = String.valueOf(links.value(r, "node"));
            final double value = number(links.value(r, column));
            if (value >= 0 && node.endsWith(THIS_NODE) == thisNode)
            {
                final Labels labels = thisNode ? Labels.EMPTY : Labels.of("node", node);
                family.dataPoint(GaugeSnapshot.GaugeDataPointSnapshot.builder().value(value * toSeconds)
                    .labels(labels).build());
            }
        }
        return family.build();
    }

    private static GaugeSnapshot gauge(final AdminTable table, final String keyColumn, final String label,
        final String column, final String name, final String help)
    {
        final GaugeSnapshot.Builder family = GaugeSnapshot.builder().name(name).help(help);
        eachRow(table, keyColumn, label, column, (value, labels) ->
            family.dataPoint(GaugeSnapshot.GaugeDataPointSnapshot.builder().value(value).labels(labels).build()));
        return family.build();
    }

    private static CounterSnapshot counter(final AdminTable table, final String keyColumn, final String label,
        final String column, final String name, final String help)
    {
        final CounterSnapshot.Builder family = CounterSnapshot.builder().name(name).help(help);
        eachRow(table, keyColumn, label, column, (value, labels) ->
            family.dataPoint(CounterSnapshot.CounterDataPointSnapshot.builder().value(value).labels(labels).build()));
        return family.build();
    }

    /**
     * Hands over each row's {@code column} as a number, labelled {@code label} = the row's {@code keyColumn}.
     */
    private static void eachRow(final AdminTable table, final String keyColumn, final String label,
        final String column, final BiConsumer<Double, Labels> point)
    {
        for (int r = 0; r < table.rows().size(); r++)
        {
            point.accept(number(table.value(r, column)), Labels.of(label, String.valueOf(table.value(r, keyColumn))));
        }
    }

    private static double number(final Object value)
    {
        return value instanceof Number number ? number.doubleValue() : 0;
    }
}
