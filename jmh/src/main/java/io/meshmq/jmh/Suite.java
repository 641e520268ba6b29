package io.meshmq.jmh;

import io.meshmq.jmh.brokers.BrokerUnderTest;
import org.openjdk.jmh.results.Result;
import org.openjdk.jmh.results.RunResult;
import org.openjdk.jmh.results.format.ResultFormatType;
import org.openjdk.jmh.runner.Runner;
import org.openjdk.jmh.runner.options.ChainedOptionsBuilder;
import org.openjdk.jmh.runner.options.OptionsBuilder;
import org.openjdk.jmh.runner.options.TimeValue;
import org.openjdk.jmh.util.Statistics;

import java.io.IOException;
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

/**
 * The end-to-end suite, MeshMQ beside Artemis in one run: {@code jmh/run.sh [--quick] [--only TEXT]}. Prints a
 * Markdown table (median and min-max over all measured iterations of all forks, and MeshMQ's median over
 * Artemis's), writes each workload's raw JMH JSON to {@code jmh/target/results/}, and measures start-up time and
 * idle resident memory of both brokers.
 */
public final class Suite
{
    private record Workload(String label, String include, Map<String, String[]> params)
    {
    }

    private record Row(String label, String params, Map<String, Statistics> byBroker, String unit, boolean latency)
    {
    }

    private static final List<Workload> WORKLOADS = List.of(
        new Workload("1/6 queue 1P-1C non-persistent", "QueueThroughputBenchmark.nonPersistent",
            Map.of("broker", new String[] {"meshmq", "artemis"}, "size", new String[] {"1024", "128", "65536"})),
        new Workload("2 queue 1P-1C persistent, sync sends", "QueueThroughputBenchmark.persistentSync",
            Map.of("broker", new String[] {"meshmq", "artemis", "artemis-tuned"}, "size", new String[] {"1024"})),
        new Workload("2 queue 1P-1C persistent, async sends", "QueueThroughputBenchmark.persistentAsync",
            Map.of("broker", new String[] {"meshmq", "artemis"}, "size", new String[] {"1024"})),
        new Workload("3 queue 4P-4C non-persistent", "ManyToManyBenchmark.fourToFour",
            Map.of("broker", new String[] {"meshmq", "artemis"})),
        new Workload("4 topic 1-4 non-persistent (deliveries/s)", "TopicFanOutBenchmark.oneToFour",
            Map.of("broker", new String[] {"meshmq", "artemis"})),
        new Workload("7 in-VM 1P-1C non-persistent", "InVmThroughputBenchmark.nonPersistent",
            Map.of("broker", new String[] {"meshmq", "artemis"})),
        new Workload("5 request/reply round trip", "RequestReplyBenchmark.roundTrip",
            Map.of("broker", new String[] {"meshmq", "artemis"})));

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
                System.err.println("usage: jmh/run.sh [--quick] [--only TEXT]   (TEXT: part of a workload's benchmark name)");
                System.exit(2);
            }
        }
        final Path results = Path.of("jmh", "target", "results");
        Files.createDirectories(results);
        final List<Row> rows = new ArrayList<>();
        for (final Workload workload : WORKLOADS)
        {
            if (only != null && !workload.include().contains(only))
            {
                continue;
            }
            final ChainedOptionsBuilder options = new OptionsBuilder()
                .include(workload.include() + "$")
                .forks(quick ? 1 : 2)
                .warmupIterations(quick ? 1 : 2)
                .warmupTime(TimeValue.seconds(quick ? 2 : 3))
                .measurementIterations(quick ? 2 : 3)
                .measurementTime(TimeValue.seconds(quick ? 2 : 3))
                .resultFormat(ResultFormatType.JSON)
                .result(results.resolve(workload.include() + ".json").toString());
            workload.params().forEach(options::param);
            rows.addAll(rowsOf(workload, new Runner(options.build()).run()));
        }
        final Map<String, long[]> startup = only == null || "startup".contains(only) ? startup(quick ? 2 : 3) : Map.of();
        print(rows, startup, quick, System.out);
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
            final Result<?> primary = run.getPrimaryResult();
            final boolean latency = primary.getScoreUnit().contains("/op");
            final Row row = rows.computeIfAbsent(params.toString(),
                p -> new Row(workload.label(), p.equals("{}") ? "" : p, new LinkedHashMap<>(), primary.getScoreUnit(), latency));
            row.byBroker().put(run.getParams().getParam("broker"), primary.getStatistics());
        }
        return new ArrayList<>(rows.values());
    }

    /**
     * @return per broker kind: milliseconds to accepting connections, and resident kB when idle, per start.
     */
    private static Map<String, long[]> startup(final int starts) throws IOException, InterruptedException
    {
        final Map<String, long[]> measured = new LinkedHashMap<>();
        for (final String kind : List.of("meshmq", "artemis"))
        {
            final long[] values = new long[starts * 2];
            for (int i = 0; i < starts; i++)
            {
                final long began = System.nanoTime();
                try (BrokerUnderTest broker = BrokerUnderTest.start(kind))
                {
                    values[i] = (System.nanoTime() - began) / 1_000_000;
                    // Idle means after start-up has settled: a second with no clients.
                    Thread.sleep(1000);
                    values[starts + i] = residentKb(broker.pid());
                }
            }
            measured.put(kind, values);
        }
        return measured;
    }

    private static long residentKb(final long pid) throws IOException
    {
        for (final String line : Files.readAllLines(Path.of("/proc", String.valueOf(pid), "status")))
        {
            if (line.startsWith("VmRSS:"))
            {
                return Long.parseLong(line.replaceAll("[^0-9]", ""));
            }
        }
        return -1;
    }

    private static void print(final List<Row> rows, final Map<String, long[]> startup, final boolean quick,
        final PrintStream out)
    {
        out.println();
        out.println("| workload | params | MeshMQ median [min-max] | Artemis median [min-max] | MeshMQ / Artemis | unit |");
        out.println("|---|---|---|---|---|---|");
        for (final Row row : rows)
        {
            final Statistics mesh = row.byBroker().get("meshmq");
            for (final Map.Entry<String, Statistics> other : row.byBroker().entrySet())
            {
                if (other.getKey().equals("meshmq"))
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
        if (!startup.isEmpty())
        {
            final long[] mesh = startup.get("meshmq");
            final long[] artemis = startup.get("artemis");
            final int starts = mesh.length / 2;
            out.printf(Locale.ROOT, "| 8 start-up to accepting connections | %d starts | %s | %s | %.2f | ms |%n", starts,
                range(mesh, 0, starts), range(artemis, 0, starts), median(mesh, 0, starts) / median(artemis, 0, starts));
            out.printf(Locale.ROOT, "| 8 idle resident memory | after 1 s idle | %s | %s | %.2f | kB |%n",
                range(mesh, starts, starts), range(artemis, starts, starts),
                median(mesh, starts, starts) / median(artemis, starts, starts));
        }
        out.println();
        out.println(quick ? "(--quick: 1 fork, 1 warm-up and 2 measured iterations of 2 s each)" :
            "(2 forks, 2 warm-up and 3 measured iterations of 3 s each)");
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

    private static double median(final long[] values, final int from, final int count)
    {
        final long[] part = java.util.Arrays.copyOfRange(values, from, from + count);
        java.util.Arrays.sort(part);
        return count % 2 == 1 ? part[count / 2] : (part[count / 2 - 1] + part[count / 2]) / 2.0;
    }

    private static String range(final long[] values, final int from, final int count)
    {
        long min = Long.MAX_VALUE;
        long max = Long.MIN_VALUE;
        for (int i = from; i < from + count; i++)
        {
            min = Math.min(min, values[i]);
            max = Math.max(max, values[i]);
        }
        return String.format(Locale.ROOT, "%,.0f [%,d-%,d]", median(values, from, count), min, max);
    }
}
