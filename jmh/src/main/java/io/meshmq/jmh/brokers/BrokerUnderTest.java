package io.meshmq.jmh.brokers;

import jakarta.jms.ConnectionFactory;

import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStreamReader;
import java.io.UncheckedIOException;
import java.net.ServerSocket;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.Stream;

/**
 * A broker the end-to-end benchmarks run against, in a process of its own with the same JVM settings for
 * both: MeshMQ through its launcher's main class, or Artemis through {@link ArtemisMain}. Each gets a fresh data
 * directory, deleted when it stops.
 */
public final class BrokerUnderTest implements AutoCloseable
{
    /** The heap both brokers get, so neither wins by memory. */
    public static final String HEAP = "-Xmx1g";
    private static final Pattern LISTENING = Pattern.compile("listening on (tcp://[0-9.]+:[0-9]+)");

    private final String kind;
    private final Process process;
    private final Path data;
    private final String url;

    private BrokerUnderTest(final String kind, final Process process, final Path data, final String url)
    {
        this.kind = kind;
        this.process = process;
        this.data = data;
        this.url = url;
    }

    /**
     * @param kind "meshmq" (or "meshmq-no-dup-ids": duplicate detection off, for an A/B of its cost), or "artemis"
     *             (or "artemis-tuned": its journal buffer timeout set for this disk).
     */
    public static BrokerUnderTest start(final String kind) throws IOException, InterruptedException
    {
        final Path data = Files.createTempDirectory("meshmq-bench-" + kind + "-");
        final String java = Path.of(System.getProperty("java.home"), "bin", "java").toString();
        final List<String> command = new ArrayList<>(List.of(java, HEAP, "-XX:+UseG1GC"));
        // For profiling the broker, say -Dmeshmq.bench.brokerJvmArgs="-XX:StartFlightRecording=filename=b.jfr".
        final String extra = System.getProperty("meshmq.bench.brokerJvmArgs", "").trim();
        if (!extra.isEmpty())
        {
            command.addAll(List.of(extra.split("\\s+")));
        }
        command.addAll(List.of("-cp", System.getProperty("java.class.path")));
        switch (kind)
        {
            case "meshmq":
            case "meshmq-no-dup-ids":
            {
                final Path config = data.resolveSibling(data.getFileName() + ".conf");
                Files.writeString(config, "vm-id = none\n" +
                    (kind.equals("meshmq-no-dup-ids") ? "duplicate-id-cache-size = 0\n" : ""));
                command.addAll(List.of("io.meshmq.broker.Main", "run", "--config", config.toString(), "--name", "bench",
                    "--bind", "127.0.0.1:0", "--data", data.toString()));
                break;
            }
            case "artemis":
            case "artemis-tuned":
                command.addAll(List.of(ArtemisMain.class.getName(), data.toString(), String.valueOf(freePort())));
                if (kind.equals("artemis-tuned"))
                {
                    // One fsync of 4 KiB takes about 100 µs here: wait no longer than that for more records.
                    command.add("100000");
                }
                break;
            default:
                throw new IllegalArgumentException("unknown broker kind '" + kind + "'");
        }
        final Process process = new ProcessBuilder(command).redirectErrorStream(true).start();
        final CompletableFuture<String> listening = new CompletableFuture<>();
        final List<String> output = new ArrayList<>();
        final Thread reader = new Thread(() ->
        {
            try (BufferedReader in = new BufferedReader(new InputStreamReader(process.getInputStream(), StandardCharsets.UTF_8)))
            {
                String line;
                while ((line = in.readLine()) != null)
                {
                    synchronized (output)
                    {
                        if (output.size() < 200)
                        {
                            output.add(line);
                        }
                    }
                    final Matcher matcher = LISTENING.matcher(line);
                    if (matcher.find())
                    {
                        listening.complete(matcher.group(1));
                    }
                }
            }
            catch (final IOException ignore)
            {
                // the process is gone
            }
            listening.complete(null);
        }, kind + "-output");
        reader.setDaemon(true);
        reader.start();
        String url = null;
        try
        {
            url = listening.get(60, TimeUnit.SECONDS);
        }
        catch (final Exception ex)
        {
            url = null;
        }
        if (url == null)
        {
            process.destroyForcibly().waitFor();
            synchronized (output)
            {
                throw new IllegalStateException(kind + " did not start: " + String.join("\n", output));
            }
        }
        return new BrokerUnderTest(kind, process, data, url);
    }

    private static int freePort() throws IOException
    {
        try (ServerSocket socket = new ServerSocket(0, 1, java.net.InetAddress.getLoopbackAddress()))
        {
            return socket.getLocalPort();
        }
    }

    /**
     * @return a JMS connection factory of the broker's own client.
     */
    public ConnectionFactory connectionFactory()
    {
        if (kind.startsWith("meshmq"))
        {
            return new io.meshmq.jms.MeshConnectionFactory(url);
        }
        // Artemis's defaults, which match MeshMQ's: a persistent send waits for the broker, a non-persistent one
        // does not.
        return new org.apache.activemq.artemis.jms.client.ActiveMQConnectionFactory(url);
    }

    public String kind()
    {
        return kind;
    }

    public long pid()
    {
        return process.pid();
    }

    @Override
    public void close() throws InterruptedException
    {
        process.destroy();
        if (!process.waitFor(30, TimeUnit.SECONDS))
        {
            process.destroyForcibly().waitFor();
        }
        try (Stream<Path> files = Files.walk(data))
        {
            files.sorted(Comparator.reverseOrder()).forEach(path -> path.toFile().delete());
        }
        catch (final IOException ex)
        {
            throw new UncheckedIOException(ex);
        }
        data.resolveSibling(data.getFileName() + ".conf").toFile().delete();
    }
}
