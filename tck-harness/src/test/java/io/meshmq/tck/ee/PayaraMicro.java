package io.meshmq.tck.ee;

import java.io.IOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.concurrent.TimeUnit;

/**
 * A Payara Micro process (the Jakarta EE 10 server from the registry, copied to {@code target/jakarta-ee} by the
 * build) deploying the given archives in order, its output in a file the failures quote.
 */
final class PayaraMicro implements AutoCloseable
{
    static final Path HOME = Path.of("target", "jakarta-ee");
    private static final int KEYPOINT_INTERVAL = 20;
    /** GlassFish's notice each time an MDB endpoint is asked for before the deployment ends: noise in a failure. */
    private static final String ENDPOINT_NOT_YET = "RAR7004";

    private final Process process;
    private final Path log;
    private final int port;
    private final HttpClient http = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(5)).build();

    private PayaraMicro(final Process process, final Path log, final int port)
    {
        this.process = process;
        this.log = log;
        this.port = port;
    }

    /**
     * Starts the server in {@code workDir/payara}; started again there, it finds its transaction log and recovers
     * the transactions left in doubt (automatic recovery, off in Payara's defaults, is set before it boots).
     *
     * @param libraries       jars on the server's own class path (a JDBC driver for a server-wide pool).
     * @param preBootCommands asadmin commands run before the server boots (resources the deployments look up).
     */
    static PayaraMicro start(final Path workDir, final int port, final List<Path> libraries,
        final List<String> preBootCommands, final List<String> postDeployCommands, final Path... deployments)
        throws IOException
    {
        final Path preBoot = workDir.resolve("payara-preboot.txt");
        final List<String> preBootLines = new ArrayList<>(List.of(
            "set configs.config.server-config.transaction-service.automatic-recovery=true",
            // Payara's transaction log is read back from its last keypoint when the server starts; with the default
            // interval (65536 transactions) that is the whole log, and its reader sometimes never reaches the end
            // (seen: OutOfMemoryError in com.sun.jts.CosTransactions.LogFile.getLogRecords, the start's recovery
            // abandoned, the broker's branches left in doubt for good). Frequent keypoints keep that read short.
            "set configs.config.server-config.transaction-service.keypoint-interval=" + KEYPOINT_INTERVAL));
        preBootLines.addAll(preBootCommands);
        Files.write(preBoot, preBootLines);
        final Path postDeploy = workDir.resolve("payara-postdeploy.txt");
        Files.write(postDeploy, postDeployCommands);
        final List<String> command = new ArrayList<>(List.of(
            Path.of(System.getProperty("java.home"), "bin", "java").toString(), "-Xmx512m",
            "-jar", HOME.resolve("payara-micro.jar").toAbsolutePath().toString(),
            "--nocluster", "--port", Integer.toString(port), "--rootdir", workDir.resolve("payara").toString(),
            "--prebootcommandfile", preBoot.toString(), "--postdeploycommandfile", postDeploy.toString()));
        for (final Path library : libraries)
        {
            command.add("--addlibs");
            command.add(library.toString());
        }
        for (final Path deployment : deployments)
        {
            command.add("--deploy");
            command.add(deployment.toString());
        }
        final Path log = workDir.resolve("payara.log");
        final Process process = new ProcessBuilder(command).redirectErrorStream(true)
            .redirectOutput(ProcessBuilder.Redirect.appendTo(log.toFile())).start();
        return new PayaraMicro(process, log, port);
    }

    /**
     * Waits until {@code path} answers 200, failing with the server's output if it exits or takes too long.
     */
    void awaitAnswer(final String path, final long timeoutMs) throws IOException, InterruptedException
    {
        final long deadline = System.nanoTime() + TimeUnit.MILLISECONDS.toNanos(timeoutMs);
        while (true)
        {
            if (!process.isAlive())
            {
                throw new AssertionError("Payara Micro exited (" + process.exitValue() + "):\n" + output());
            }
            try
            {
                if (get(path).statusCode() == 200)
                {
                    return;
                }
            }
            catch (final IOException notYet)
            {
                // not listening yet
            }
            if (System.nanoTime() > deadline)
            {
                throw new AssertionError("Payara Micro did not answer " + path + " within " + timeoutMs + " ms:\n" +
                    output());
            }
            Thread.sleep(250);
        }
    }

    HttpResponse<String> get(final String path) throws IOException, InterruptedException
    {
        return http.send(HttpRequest.newBuilder(uri(path)).timeout(Duration.ofSeconds(30)).GET().build(),
            HttpResponse.BodyHandlers.ofString());
    }

    HttpResponse<String> post(final String path) throws IOException, InterruptedException
    {
        return http.send(HttpRequest.newBuilder(uri(path)).timeout(Duration.ofSeconds(60))
            .POST(HttpRequest.BodyPublishers.noBody()).build(), HttpResponse.BodyHandlers.ofString());
    }

    private URI uri(final String path)
    {
        return URI.create("http://127.0.0.1:" + port + path);
    }

    String output()
    {
        try
        {
            final List<String> lines = Files.readAllLines(log).stream()
                .filter(line -> !line.contains(ENDPOINT_NOT_YET) && !line.isBlank()).toList();
            return String.join("\n", lines.subList(Math.max(0, lines.size() - 200), lines.size()));
        }
        catch (final IOException ex)
        {
            return "(no output: " + ex + ")";
        }
    }

    /**
     * @return what the server logged about transaction recovery (the in-doubt branches it resolved when it started,
     * or why it could not), each line with the few that follow it (a stack trace's head).
     */
    String recoveryLines()
    {
        try
        {
            final List<String> lines = Files.readAllLines(log);
            final List<String> found = new ArrayList<>();
            for (int i = 0; i < lines.size(); i++)
            {
                if (lines.get(i).toLowerCase(Locale.ROOT).contains("recover"))
                {
                    found.addAll(lines.subList(i, Math.min(lines.size(), i + 4)));
                }
            }
            return String.join("\n", found);
        }
        catch (final IOException ex)
        {
            return "(no output: " + ex + ")";
        }
    }

    /**
     * Shuts the server down as an operator would (SIGTERM), killing it only if that takes more than a minute.
     */
    @Override
    public void close() throws InterruptedException
    {
        process.destroy();
        if (!process.waitFor(60, TimeUnit.SECONDS))
        {
            process.destroyForcibly();
            process.waitFor(30, TimeUnit.SECONDS);
        }
    }
}
