package io.meshmq.tck;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

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

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * Runs the launcher as a user would: {@code ./meshmq run} in a fresh directory, the CLI producer and
 * consumer against it, then SIGTERM. Uses the jars this build just packaged.
 */
class LauncherTest
{
    @TempDir
    Path workDir;

    private static Path launcher()
    {
        Path dir = Path.of("").toAbsolutePath();
        while (dir != null && !Files.isRegularFile(dir.resolve("meshmq")))
        {
            dir = dir.getParent();
        }
        if (dir == null)
        {
            throw new IllegalStateException("no ./meshmq launcher above " + Path.of("").toAbsolutePath());
        }
        return dir.resolve("meshmq");
    }

    private ProcessBuilder meshmq(final String... args)
    {
        final List<String> command = new ArrayList<>();
        command.add(launcher().toString());
        command.addAll(List.of(args));
        final ProcessBuilder builder = new ProcessBuilder(command).directory(workDir.toFile()).redirectErrorStream(true);
        builder.environment().put("MESHMQ_NO_BUILD", "1");
        return builder;
    }

    private static String runToEnd(final ProcessBuilder builder) throws Exception
    {
        final Process process = builder.start();
        final String output = new String(process.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
        assertTrue(process.waitFor(60, TimeUnit.SECONDS), "process finished");
        assertEquals(0, process.exitValue(), output);
        return output;
    }

    @Test
    void shouldRunABrokerAndMoveMessagesWithTheCommandLine() throws Exception
    {
        final int port = FreePorts.next();
        final String url = "tcp://127.0.0.1:" + port;
        final Process broker = meshmq("run", "--bind", "127.0.0.1:" + port, "--name", "cli-test").start();
        try
        {
            final BufferedReader out = new BufferedReader(new InputStreamReader(broker.getInputStream(), StandardCharsets.UTF_8));
            final String listening = CompletableFuture.supplyAsync(() ->
            {
                try
                {
                    String line;
                    while ((line = out.readLine()) != null && !line.contains("listening on"))
                    {
                        // log lines before it (journal recovery) are fine
                    }
                    return line;
                }
                catch (final IOException ex)
                {
                    return ex.toString();
                }
            }).get(60, TimeUnit.SECONDS);
            assertTrue(listening != null && listening.contains("listening on tcp://127.0.0.1:" + port), listening);
            assertTrue(listening.contains("(nio, started in"), listening);
            assertTrue(Files.isDirectory(workDir.resolve("data")), "data under ./data by default");

            final String produced = runToEnd(meshmq("produce", "--url", url, "--queue", "orders", "--count", "500", "--size", "256"));
            assertTrue(produced.contains("Sent 500 messages"), produced);
            final String consumed = runToEnd(meshmq("consume", "--url", url, "--queue", "orders", "--count", "500"));
            assertTrue(consumed.contains("Received 500 messages"), consumed);

            // A file as a large message's body, streamed both ways.
            final Path file = workDir.resolve("upload.bin");
            final byte[] content = new byte[3_000_000];
            new java.util.Random(23).nextBytes(content);
            Files.write(file, content);
            final Path saved = Files.createDirectories(workDir.resolve("saved"));
            final String sentFile = runToEnd(meshmq("produce", "--url", url, "--queue", "files", "--count", "2", "--file",
                file.toString()));
            assertTrue(sentFile.contains("Sent 2 messages"), sentFile);
            final String savedFiles = runToEnd(meshmq("consume", "--url", url, "--queue", "files", "--count", "2",
                "--save", saved.toString()));
            assertTrue(savedFiles.contains("Received 2 messages"), savedFiles);
            assertTrue(java.util.Arrays.equals(content, Files.readAllBytes(saved.resolve("message-2.body"))),
                "the second copy saved whole");

            // SIGTERM through the handle: Process.destroy() would also close our end of its output.
            assertTrue(broker.toHandle().destroy());
            assertTrue(broker.waitFor(30, TimeUnit.SECONDS), "broker stops on SIGTERM");
            final StringBuilder rest = new StringBuilder();
            String line;
            while ((line = out.readLine()) != null)
            {
                rest.append(line).append('\n');
            }
            assertTrue(rest.toString().contains("stopped"), rest.toString());
        }
        finally
        {
            broker.destroyForcibly();
        }
    }

    @Test
    void shouldRefuseABadFlagWithAMessage() throws Exception
    {
        final Process process = meshmq("run", "--bind", "localhost:notaport").start();
        final String output = new String(process.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
        assertTrue(process.waitFor(60, TimeUnit.SECONDS));
        assertEquals(2, process.exitValue());
        assertTrue(output.contains("--bind: bind port = 'notaport'"), output);
    }
}
