package io.meshmq.jmh;

import io.meshmq.jmh.brokers.BrokerUnderTest;
import io.meshmq.jmh.shaped.PacedRequestReply;
import org.HdrHistogram.Histogram;
import org.openjdk.jmh.results.Result;
import org.openjdk.jmh.results.RunResult;
import org.openjdk.jmh.results.format.ResultFormatType;
import org.openjdk.jmh.runner.Runner;
import org.openjdk.jmh.runner.options.ChainedOptionsBuilder;
import org.openjdk.jmh.runner.options.OptionsBuilder;
import org.openjdk.jmh.runner.options.TimeValue;
import org.openjdk.jmh.util.Statistics;

import java.io.PrintStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Collection;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.TreeMap;
import java.util.function.ToDoubleFunction;

/**
 * The end-to-end suite, MeshMQ beside Artemis in one run: {@code jmh/run.sh [--quick] [--only TEXT]}. Prints a
 * Markdown table (median and min-max over all measured iterations of all forks, and MeshMQ's median over
 * Artemis's), writes each workload's raw JMH JSON to {@code jmh/target/results/}, and then measures, outside JMH,
 * request/reply latency at a fixed rate (as services do it, {@link PacedRequestReply}; and the open loop of
 * {@link RequestReplyAtFixedRate}) and start-up time and resident memory ({@link IdleFootprint}) of both brokers. The
 * application-shaped rows (A1-A6, {@code io.meshmq.jmh.shaped}) come first: they are the headline.
 */
public final class Suite
{
    /**
     * @param reference the broker kind the others are compared with ("MeshMQ" in the table).
     * @param warmups   how many more warm-up iterations than the suite's default it needs to reach steady state.
     */
    private record Workload(String label, String include, Map<String, String[]> params, String reference, int warmups,
        String score)
    {
        Workload(final String label, final String include, final Map<String, String[]> params)
        {
            this(label, include, params, "meshmq", 0, null);
        }

        Workload(final String label, final String include, final Map<String, String[]> params, final String reference,
            final int warmups)
        {
            this(label, include, params, reference, warmups, null);
        }

        /**
         * An application-shaped group (ApplicationShapedBenchmark), scored by its delivering thread's operations. Both
         * brokers still climb for 12-15 s from a fork's start (a fresh message per send keeps the client's and the
         * brokers' compilers busy; A1 per 3 s iteration, MeshMQ 35k, 123k, 204k, 334k, then 326-373k; Artemis 8k, 9k,
         * 15k, 26k, then 34-40k): {@link #SHAPED_WARMUPS} more warm-ups than the default, so the measured iterations are
         * past the climb.
         */
        static Workload shaped(final String label, final String group, final String score)
        {
            return new Workload(label, "ApplicationShapedBenchmark." + group, Map.of("broker",
                new String[] {"meshmq", "artemis"}), "meshmq", SHAPED_WARMUPS, group + score);
        }
    }

    private record Row(String label, String params, Map<String, Statistics> byBroker, String unit, boolean latency,
        String reference)
    {
    }

    /** Warm-up iterations the application-shaped rows take beyond the suite's default (2). */
    private static final int SHAPED_WARMUPS = 3;
    private static final List<Workload> WORKLOADS = List.of(
        Workload.shaped("A1 app queue 1P-1C non-persistent, listener", "queueListener", "Delivered"),
        Workload.shaped("A2 app queue 1P-1C non-persistent, receive()", "queueReceive", "Received"),
        Workload.shaped("A3 app queue 4P-4C non-persistent, listeners", "queueFourToFour", "Delivered"),
        Workload.shaped("A4 app topic 1-4 non-persistent, listeners (deliveries/s)", "topicOneToFour", "Delivered"),
        Workload.shaped("A5 app queue 1P-1C persistent, sync sends, listener", "queuePersistent", "Delivered"),
        new Workload("1/6 queue 1P-1C non-persistent (reused message, batch then wait)",
            "QueueThroughputBenchmark.nonPersistent",
            Map.of("broker", new String[] {"meshmq", "artemis"}, "size", new String[] {"1024", "128", "65536"})),
        new Workload("2 queue 1P-1C persistent, sync sends (reused message, batch then wait)",
            "QueueThroughputBenchmark.persistentSync",
            Map.of("broker", new String[] {"meshmq", "meshmq-replicated", "artemis", "artemis-tuned",
                "artemis-replicated"}, "size", new String[] {"1024"})),
        new Workload("2 queue 1P-1C persistent, async sends (reused message, batch then wait)",
            "QueueThroughputBenchmark.persistentAsync",
            Map.of("broker", new String[] {"meshmq", "meshmq-replicated", "artemis", "artemis-replicated"}, "size",
                new String[] {"1024"})),
        new Workload("3 queue 4P-4C non-persistent (reused message, batch then wait)", "ManyToManyBenchmark.fourToFour",
            Map.of("broker", new String[] {"meshmq", "artemis"})),
        new Workload("4 topic 1-4 non-persistent, deliveries/s (reused message, batch then wait)",
            "TopicFanOutBenchmark.oneToFour",
            Map.of("broker", new String[] {"meshmq", "artemis"})),
        new Workload("7 in-VM 1P-1C non-persistent", "InVmThroughputBenchmark.nonPersistent",
            Map.of("broker", new String[] {"meshmq", "artemis"})),
        new Workload("5 request/reply, closed loop (one at a time), round trip", "RequestReplyBenchmark.roundTrip",
            Map.of("broker", new String[] {"meshmq", "artemis"})),
        // TLS is still being compiled after 6 s of warm-up (AES-GCM, the SSLEngine): four more iterations.
        new Workload("9 queue 1P-1C non-persistent over TLS", "QueueThroughputBenchmark.nonPersistent",
            Map.of("broker", new String[] {"meshmq-tls", "meshmq-tls-openssl", "meshmq", "artemis-tls",
                "artemis-tls-openssl"}, "size", new String[] {"1024"}), "meshmq-tls", 4));

    /** Workload 5's fixed rate: modest, a request every 500 µs, below what one closed-loop requester manages here. */
    private static final int REQUEST_RATE = 2000;
    private static final double[] LATENCY_PERCENTILES = {50, 99, 99.9};
    private static final int IDLE_QUEUES = 10_000;
    private static final int IDLE_CONNECTIONS = 1_000;

    private Suite()
    {
    }

    public static void main(final String[] args) throws Exception
    {
        boolean quick = false;
        String only = null;
        for (int i = 0; i < args.length; i++)
        {
            if (args[i].equals("--quick"))
            {
                quick = true;
            }
            else if (args[i].equals("--only") && i + 1 < args.length)
            {
                only = args[++i];
            }
            else
            {
                System.err.println("usage: jmh/run.sh [--quick] [--only TEXT]   (TEXT: part of a workload's benchmark name, " +
                    "or latency, or footprint)");
                System.exit(2);
            }
        }
        final Path results = Path.of("jmh", "target", "results");
        Files.createDirectories(results);
        final List<Row> rows = new ArrayList<>();
        for (final Workload workload : WORKLOADS)
        {
            if (only != null && !workload.include().contains(only) && !workload.label().contains(only))
            {
                continue;
            }
            final ChainedOptionsBuilder options = new OptionsBuilder()
                .include(workload.include() + "$")
                .forks(quick ? 1 : 2)
                .warmupIterations((quick ? 1 : 2) + workload.warmups())
                .warmupTime(TimeValue.seconds(quick ? 2 : 3))
                .measurementIterations(quick ? 2 : 3)
                .measurementTime(TimeValue.seconds(quick ? 2 : 3))
                .resultFormat(ResultFormatType.JSON)
                .result(results.resolve(workload.label().replaceAll("[^A-Za-z0-9.-]+", "_") + ".json").toString());
            workload.params().forEach(options::param);
            rows.addAll(rowsOf(workload, new Runner(options.build()).run()));
        }
        final Map<String, Map<String, List<double[]>>> latency = only == null || "latency".contains(only) ?
            latencies(quick ? 1 : 2, quick ? 5 : 10, quick ? 10 : 20) : Map.of();
        final Map<String, List<IdleFootprint.Measured>> footprint = only == null || "footprint".contains(only) ?
            footprints(quick ? 2 : 3) : Map.of();
        print(rows, latency, footprint, quick, System.out);
    }

    private static List<Row> rowsOf(final Workload workload, final Collection<RunResult> runs)
    {
        final Map<String, Row> rows = new LinkedHashMap<>();
        for (final RunResult run : runs)
        {
            final Map<String, String> params = new TreeMap<>();
            for (final String key : run.getParams().getParamsKeys())
            {
                if (!key.equals("broker"))
                {
                    params.put(key, run.getParams().getParam(key));
                }
            }
            final Result<?> primary = workload.score() == null ? run.getPrimaryResult() :
                run.getSecondaryResults().get(workload.score());
            final boolean latency = primary.getScoreUnit().contains("/op");
            final Row row = rows.computeIfAbsent(params.toString(),
                p -> new Row(workload.label(), p.equals("{}") ? "" : p, new LinkedHashMap<>(), primary.getScoreUnit(), latency,
                    workload.reference()));
            row.byBroker().put(run.getParams().getParam("broker"), primary.getStatistics());
        }
        return new ArrayList<>(rows.values());
    }

    /**
     * @return per broker kind, one {@link IdleFootprint.Measured} per start.
     */
    private static Map<String, List<IdleFootprint.Measured>> footprints(final int starts) throws Exception
    {
        final Map<String, List<IdleFootprint.Measured>> measured = new LinkedHashMap<>();
        for (final String kind : List.of("meshmq", "artemis"))
        {
            final List<IdleFootprint.Measured> values = new ArrayList<>();
            for (int i = 0; i < starts; i++)
            {
                values.add(IdleFootprint.measure(kind, IDLE_QUEUES, IDLE_CONNECTIONS));
            }
            measured.put(kind, values);
        }
        return measured;
    }

    /** Measures one round of request/reply at a rate: broker kind, rate, warm-up and measured seconds. */
    private interface LatencyShape
    {
        Histogram measure(String kind, int rate, int warmupSeconds, int measureSeconds) throws Exception;
    }

    /**
     * @return per shape's label, per broker kind, per round: the p50, p99 and p99.9 round trip in microseconds, then
     *         the count of round trips. The brokers alternate round by round.
     */
    private static Map<String, Map<String, List<double[]>>> latencies(final int rounds, final int warmupSeconds,
        final int measureSeconds) throws Exception
    {
        final Map<String, LatencyShape> shapes = new LinkedHashMap<>();
        shapes.put("A6 app request/reply at %,d/s, receive() on both sides, new messages".formatted(REQUEST_RATE),
            PacedRequestReply::measure);
        shapes.put("5 request/reply at %,d/s, open loop, listeners (reused request)".formatted(REQUEST_RATE),
            RequestReplyAtFixedRate::measure);
        final Map<String, Map<String, List<double[]>>> measured = new LinkedHashMap<>();
        for (final Map.Entry<String, LatencyShape> shape : shapes.entrySet())
        {
            final Map<String, List<double[]>> byKind = new LinkedHashMap<>();
            // The paced shape is also measured in the opt-in low-latency mode, beside the defaults.
            final List<String> kinds = shape.getKey().startsWith("A6") ? List.of("meshmq", "meshmq-low-latency",
                "artemis") : List.of("meshmq", "artemis");
            for (int i = 0; i < rounds; i++)
            {
                for (final String kind : kinds)
                {
                    final Histogram histogram = shape.getValue().measure(kind, REQUEST_RATE, warmupSeconds,
                        measureSeconds);
                    final double[] percentiles = new double[LATENCY_PERCENTILES.length + 1];
                    for (int p = 0; p < LATENCY_PERCENTILES.length; p++)
                    {
                        percentiles[p] = histogram.getValueAtPercentile(LATENCY_PERCENTILES[p]) / 1000.0;
                    }
                    percentiles[LATENCY_PERCENTILES.length] = histogram.getTotalCount();
                    byKind.computeIfAbsent(kind, k -> new ArrayList<>()).add(percentiles);
                }
            }
            measured.put(shape.getKey(), byKind);
        }
        return measured;
    }

    private static void print(final List<Row> rows, final Map<String, Map<String, List<double[]>>> latency,
        final Map<String, List<IdleFootprint.Measured>> footprint, final boolean quick, final PrintStream out)
    {
        out.println();
        out.println("| workload | params | MeshMQ median [min-max] | Artemis median [min-max] | MeshMQ / Artemis | unit |");
        out.println("|---|---|---|---|---|---|");
        for (final Row row : rows)
        {
            final Statistics mesh = row.byBroker().get(row.reference());
            for (final Map.Entry<String, Statistics> other : row.byBroker().entrySet())
            {
                if (other.getKey().equals(row.reference()))
                {
                    continue;
                }
                final Statistics artemis = other.getValue();
                if (row.latency())
                {
                    for (final double percentile : new double[] {50, 99, 99.9})
                    {
                        out.printf(Locale.ROOT, "| %s p%s | %s | %s | %s | %.2f | %s |%n", row.label(), trim(percentile),
                            row.params(), number(mesh.getPercentile(percentile)), number(artemis.getPercentile(percentile)),
                            mesh.getPercentile(percentile) / artemis.getPercentile(percentile), row.unit());
                    }
                }
                else
                {
                    out.printf(Locale.ROOT, "| %s%s | %s | %s | %s | %.2f | %s |%n", row.label(),
                        other.getKey().equals("artemis") ? "" : " (vs " + other.getKey() + ")", row.params(), spread(mesh),
                        spread(artemis), mesh.getPercentile(50) / artemis.getPercentile(50), row.unit());
                }
            }
        }
        for (final Map.Entry<String, Map<String, List<double[]>>> shape : latency.entrySet())
        {
            final List<double[]> artemis = shape.getValue().get("artemis");
            for (final String kind : shape.getValue().keySet())
            {
                if (kind.equals("artemis"))
                {
                    continue;
                }
                final List<double[]> mesh = shape.getValue().get(kind);
                final String label = kind.equals("meshmq") ? shape.getKey() : shape.getKey() + ", MeshMQ low-latency " +
                    "mode (processor.wait = " + BrokerUnderTest.LOW_LATENCY_WAIT + ", receiveSpin=" +
                    BrokerUnderTest.LOW_LATENCY_SPIN_MICROS + ")";
                for (int p = 0; p < LATENCY_PERCENTILES.length; p++)
                {
                    final int at = p;
                    out.printf(Locale.ROOT, "| %s, p%s | %s | %s | %s | %.2f | us |%n", label,
                        trim(LATENCY_PERCENTILES[p]),
                        "%,.0f round trips".formatted(mesh.get(0)[LATENCY_PERCENTILES.length]), range(mesh, v -> v[at]),
                        range(artemis, v -> v[at]), median(mesh, v -> v[at]) / median(artemis, v -> v[at]));
                }
            }
        }
        if (!footprint.isEmpty())
        {
            final List<IdleFootprint.Measured> mesh = footprint.get("meshmq");
            final List<IdleFootprint.Measured> artemis = footprint.get("artemis");
            final String starts = mesh.size() + " starts";
            out.printf(Locale.ROOT, "| 8 start-up to accepting connections | %s | %s | %s | %.2f | ms |%n", starts,
                range(mesh, IdleFootprint.Measured::startupMs), range(artemis, IdleFootprint.Measured::startupMs),
                median(mesh, IdleFootprint.Measured::startupMs) / median(artemis, IdleFootprint.Measured::startupMs));
            out.printf(Locale.ROOT, "| 8 idle resident memory | after 1 s idle | %s | %s | %.2f | kB |%n",
                range(mesh, IdleFootprint.Measured::idleKb), range(artemis, IdleFootprint.Measured::idleKb),
                median(mesh, IdleFootprint.Measured::idleKb) / median(artemis, IdleFootprint.Measured::idleKb));
            out.printf(Locale.ROOT, "| 8 resident memory, %,d idle queues and %,d idle connections | %s | %s | %s | %.2f | kB |%n",
                IDLE_QUEUES, IDLE_CONNECTIONS, starts, range(mesh, IdleFootprint.Measured::loadedKb),
                range(artemis, IdleFootprint.Measured::loadedKb),
                median(mesh, IdleFootprint.Measured::loadedKb) / median(artemis, IdleFootprint.Measured::loadedKb));
        }
        out.println();
        out.println(quick ? "(--quick: JMH 1 fork, 1 warm-up and 2 measured iterations of 2 s each; latency 1 round of 5 s " +
            "warm-up and 10 s measured per broker; footprint 2 starts)" :
            "(JMH 2 forks, 2 warm-up and 3 measured iterations of 3 s each, " + (2 + SHAPED_WARMUPS) + " warm-ups for " +
            "A1-A5; latency 2 rounds of 10 s warm-up and 20 s measured per broker; footprint 3 starts)");
    }

    private static String spread(final Statistics statistics)
    {
        return number(statistics.getPercentile(50)) + " [" + number(statistics.getMin()) + "-" + number(statistics.getMax()) + "]";
    }

    private static String number(final double value)
    {
        return value >= 100 ? String.format(Locale.ROOT, "%,.0f", value) : String.format(Locale.ROOT, "%.1f", value);
    }

    private static String trim(final double percentile)
    {
        return percentile == Math.rint(percentile) ? String.valueOf((long)percentile) : String.valueOf(percentile);
    }

    private static <T> double median(final List<T> values, final ToDoubleFunction<T> field)
    {
        final double[] sorted = values.stream().mapToDouble(field).sorted().toArray();
        final int count = sorted.length;
        return count % 2 == 1 ? sorted[count / 2] : (sorted[count / 2 - 1] + sorted[count / 2]) / 2.0;
    }

    private static <T> String range(final List<T> values, final ToDoubleFunction<T> field)
    {
        final double[] sorted = values.stream().mapToDouble(field).sorted().toArray();
        return number(median(values, field)) + " [" + number(sorted[0]) + "-" + number(sorted[sorted.length - 1]) + "]";
    }
}
