package io.meshmq.tck.crash;

import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStreamReader;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * A broker in its own JVM ({@code io.meshmq.broker.Main run}) on a free port and a given data directory, so a
 * test can kill it with SIGKILL the way a crash would, and start another on the same directory.
 */
public final class BrokerProcess implements AutoCloseable
{
    /** A broker's start-up line gives its URL; a backup's, the live it replicates (HOST:PORT); a witness's, its vote's. */
    private static final Pattern LISTENING =
        Pattern.compile("(?:listening on|MeshMQ backup '[^']*' of|MeshMQ witness '[^']*' voting at) " +
            "((?:tcp|tls)://[^ ]+|[^ :]+:[0-9]+)");

    private final Process process;
    private final String url;
    private final List<String> output;

    private BrokerProcess(final Process process, final String url, final List<String> output)
    {
        this.process = process;
        this.url = url;
        this.output = output;
    }

    /**
     * @return the broker's last lines of output, for a failure message.
     */
    public String recentOutput()
    {
        synchronized (output)
        {
            return String.join("\n", output.subList(Math.max(0, output.size() - 40), output.size()));
        }
    }

    /**
     * @return every line of the broker's output so far.
     */
    public List<String> output()
    {
        synchronized (output)
        {
            return List.copyOf(output);
        }
    }

    /**
     * @return every line of the broker's output so far that contains {@code text}.
     */
    public List<String> linesContaining(final String text)
    {
        synchronized (output)
        {
            return output.stream().filter(line -> line.contains(text)).toList();
        }
    }

    /**
     * Starts a broker and waits until it listens.
     *
     * @param settings configuration lines ({@code key = value}) beyond the test defaults.
     * @throws IllegalStateException with the broker's output if it exits or does not listen within 30 s.
     */
    public static BrokerProcess start(final Path dataDir, final String... settings) throws IOException, InterruptedException
    {
        return startWithHeap(dataDir, "256m", settings);
    }

    /**
     * Starts a named broker on a given port (0 for a free one), e.g. a cluster node whose address the other
     * members must know beforehand.
     */
    public static BrokerProcess startNode(final Path dataDir, final String name, final int port, final String... settings)
        throws IOException, InterruptedException
    {
        return start(dataDir, List.of("-Xmx256m"), name, port, settings);
    }

    /**
     * Starts a named broker through a command that runs another (e.g. {@code ip netns exec NS}), listening on
     * {@code host}: a node in a network namespace of the test's own.
     */
    public static BrokerProcess startNodeIn(final List<String> runner, final Path dataDir, final String name,
        final String host, final int port, final String... settings) throws IOException, InterruptedException
    {
        return start(runner, dataDir, List.of("-Xmx256m"), name, host, port, settings);
    }

    /**
     * @param heap the broker JVM's -Xmx, e.g. "64m".
     */
    static BrokerProcess startWithHeap(final Path dataDir, final String heap, final String... settings)
        throws IOException, InterruptedException
    {
        return startWithJvmOptions(dataDir, List.of("-Xmx" + heap), settings);
    }

    /**
     * @param jvmOptions the broker JVM's options, e.g. its heap and system properties.
     */
    public static BrokerProcess startWithJvmOptions(final Path dataDir, final List<String> jvmOptions,
        final String... settings) throws IOException, InterruptedException
    {
        return start(dataDir, jvmOptions, "crash", 0, settings);
    }

    /**
     * A named node on a given port with JVM options of its own (JMX's, say).
     */
    public static BrokerProcess startNodeWithJvmOptions(final Path dataDir, final String name, final int port,
        final List<String> jvmOptions, final String... settings) throws IOException, InterruptedException
    {
        return start(dataDir, jvmOptions, name, port, settings);
    }

    private static BrokerProcess start(final Path dataDir, final List<String> jvmOptions, final String name, final int port,
        final String... settings) throws IOException, InterruptedException
    {
        return start(List.of(), dataDir, jvmOptions, name, "127.0.0.1", port, settings);
    }

    private static BrokerProcess start(final List<String> runner, final Path dataDir, final List<String> jvmOptions,
        final String name, final String host, final int port, final String... settings) throws IOException,
        InterruptedException
    {
        final Path config = dataDir.resolveSibling(dataDir.getFileName() + ".conf");
        final List<String> lines = new ArrayList<>(List.of("vm-id = none"));
        lines.addAll(List.of(settings));
        Files.write(config, lines);
        final List<String> command = new ArrayList<>(runner);
        command.add(Path.of(System.getProperty("java.home"), "bin", "java").toString());
        command.addAll(jvmOptions);
        // For a look inside a broker under test, e.g. MESHMQ_TEST_BROKER_OPTS=-Dmeshmq.quorum.log=INFO.
        final String extra = System.getenv().getOrDefault("MESHMQ_TEST_BROKER_OPTS", "").strip();
        if (!extra.isEmpty())
        {
            command.addAll(List.of(extra.split("\\s+")));
        }
        command.addAll(List.of("-cp", System.getProperty("java.class.path"), "io.meshmq.broker.Main", "run", "--config",
            config.toString(), "--name", name, "--bind", host + ":" + port, "--data", dataDir.toString()));
        final Process process = new ProcessBuilder(command).redirectErrorStream(true).start();
        final List<String> output = new ArrayList<>();
        final CompletableFuture<String> listening = new CompletableFuture<>();
        final Thread reader = new Thread(() ->
        {
            try (BufferedReader in = new BufferedReader(new InputStreamReader(process.getInputStream(), StandardCharsets.UTF_8)))
            {
                String line;
                while ((line = in.readLine()) != null)
                {
                    synchronized (output)
                    {
                        output.add(line);
                    }
                    final Matcher matcher = LISTENING.matcher(line);
                    if (matcher.find())
                    {
                        listening.complete(matcher.group(1).replaceAll("[,]$", ""));
                    }
                }
            }
            catch (final IOException ignore)
            {
                // the process is gone
            }
            listening.complete(null);
        }, "broker-output");
        reader.setDaemon(true);
        reader.start();
        final String url;
        try
        {
            url = listening.get(30, TimeUnit.SECONDS);
        }
        catch (final TimeoutException | java.util.concurrent.ExecutionException ex)
        {
            process.destroyForcibly().waitFor();
            synchronized (output)
            {
                throw new IllegalStateException("broker did not start listening within 30 s: " + String.join("\n", output));
            }
        }
        if (url == null)
        {
            process.waitFor(10, TimeUnit.SECONDS);
            synchronized (output)
            {
                throw new IllegalStateException("broker exited before listening: " + String.join("\n", output));
            }
        }
        return new BrokerProcess(process, url, output);
    }

    /**
     * Runs a broker that is expected to refuse to start.
     *
     * @return its output; fails if it starts listening.
     */
    public static String startExpectingFailure(final Path dataDir, final String... settings)
        throws IOException, InterruptedException
    {
        try (BrokerProcess unexpected = start(dataDir, settings))
        {
            throw new AssertionError("the broker started (" + unexpected.url() + ") but should have refused to");
        }
        catch (final IllegalStateException expected)
        {
            return expected.getMessage();
        }
    }

    public String url()
    {
        return url;
    }

    /**
     * SIGKILL: no shutdown hook, no flush, no goodbye.
     */
    public void kill() throws InterruptedException
    {
        process.destroyForcibly();
        if (!process.waitFor(30, TimeUnit.SECONDS))
        {
            throw new IllegalStateException("broker did not die within 30 s of SIGKILL");
        }
    }

    /**
     * SIGSTOP: the process and its sockets stay, nothing answers (a hung machine, a pulled cable).
     */
    public void pause() throws IOException, InterruptedException
    {
        signal("STOP");
    }

    /**
     * SIGCONT after {@link #pause()}.
     */
    public void resume() throws IOException, InterruptedException
    {
        signal("CONT");
    }

    private void signal(final String name) throws IOException, InterruptedException
    {
        final Process kill = new ProcessBuilder("kill", "-" + name, Long.toString(process.pid())).inheritIO().start();
        if (kill.waitFor() != 0)
        {
            throw new IllegalStateException("kill -" + name + " " + process.pid() + " failed");
        }
    }

    /**
     * @return the port it listens on.
     */
    public int port()
    {
        return Integer.parseInt(url.substring(url.lastIndexOf(':') + 1));
    }

    /**
     * @return the broker's threads and their stacks now (jstack), for a failure message about a broker that stalls.
     */
    public String threadDump() throws IOException, InterruptedException
    {
        final Path jstack = Path.of(System.getProperty("java.home"), "bin", "jstack");
        final Process dump = new ProcessBuilder(jstack.toString(), Long.toString(process.pid())).redirectErrorStream(true)
            .start();
        final String stacks = new String(dump.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
        dump.waitFor(30, TimeUnit.SECONDS);
        return stacks;
    }

    public boolean isAlive()
    {
        return process.isAlive();
    }

    @Override
    public void close() throws InterruptedException
    {
        kill();
    }
}
