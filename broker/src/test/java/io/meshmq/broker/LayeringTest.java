package io.meshmq.broker;

import org.junit.jupiter.api.Test;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.Stream;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * The modules' layering, read from the sources of every module's main code: the protocol at the bottom, imported
 * by client, engine and cluster alike; the engine and the cluster never see the JMS client; the engine never sees
 * the cluster. A new import across a line fails the build here, naming the file and the line.
 */
class LayeringTest
{
    private static final Pattern REFERENCE = Pattern.compile("\\b(io\\.meshmq\\.[a-z]+(?:\\.[a-z]+)*)\\.[A-Z*]");
    private static final Pattern IMPORT = Pattern.compile("^import (?:static )?([\\w.]+)[.;]");
    private static final Path ROOT = Path.of(System.getProperty("user.dir")).getParent();

    @Test
    void shouldFindEveryModule()
    {
        for (final String module : List.of("protocol", "jms-provider", "broker-engine", "cluster", "broker"))
        {
            assertTrue(Files.isDirectory(ROOT.resolve(module).resolve("src/main/java")), module + " under " + ROOT);
        }
    }

    @Test
    void shouldKeepTheProtocolPackageToJavaSeAgronaAndNettyBuffers()
    {
        // javax.transaction.xa is Java SE's own (module java.transaction.xa): the XID an XA frame carries.
        assertEquals(List.of(), importsOutside("protocol", "io/meshmq/protocol",
            "java.", "javax.transaction.xa.", "javax.crypto.", "org.agrona.", "io.netty.buffer.", "io.meshmq.protocol."));
    }

    @Test
    void shouldKeepSelectorsToJava()
    {
        assertEquals(List.of(), importsOutside("protocol", "io/meshmq/selector", "java.", "io.meshmq.selector."));
    }

    @Test
    void shouldKeepTransportGlueToNettyAndTheProtocol()
    {
        assertEquals(List.of(), importsOutside("protocol", "io/meshmq/transport",
            "java.", "javax.net.ssl.", "org.agrona.", "io.netty.", "io.meshmq.protocol.", "io.meshmq.transport."));
    }

    @Test
    void shouldKeepTheEngineAndTheClusterAwayFromTheClient()
    {
        final List<String> found = new ArrayList<>();
        for (final String module : List.of("broker-engine", "cluster"))
        {
            found.addAll(references(module, "io/meshmq", "io.meshmq.client", "io.meshmq.jms", "io.meshmq.admin"));
        }
        assertEquals(List.of(), found);
    }

    @Test
    void shouldKeepTheEngineUnawareOfTheCluster()
    {
        assertEquals(List.of(), references("broker-engine", "io/meshmq", "io.meshmq.cluster"));
        assertTrue(Files.notExists(ROOT.resolve("broker-engine/src/main/java/io/meshmq/engine/cluster")),
            "the cluster's code lives in the cluster module");
    }

    @Test
    void shouldKeepTheClusterOnTheEnginesExtensionSeam()
    {
        // The cluster sees the engine through its extension seam and public model; the processor's helpers, the
        // journal's writer and the acceptor are the engine's own.
        assertEquals(List.of(), references("cluster", "io/meshmq", "io.meshmq.engine.paging", "io.meshmq.engine.security",
            "io.meshmq.engine.vm"));
    }

    @Test
    void shouldKeepTheProcessorSideOfTheClusterOffTheNetwork()
    {
        // Routing runs on the processor thread: it writes to connections only through the engine, never to a channel.
        assertEquals(List.of(), importsOutside("cluster", "io/meshmq/cluster/routing",
            "java.", "org.agrona.", "io.meshmq.protocol.", "io.meshmq.selector.", "io.meshmq.engine.extension.",
            "io.meshmq.engine.processor.", "io.meshmq.engine.ring.", "io.meshmq.engine.journal.JournalWriteException",
            "io.meshmq.cluster."));
        // The links' event loop reaches routing state only through the ring.
        assertEquals(List.of(), references("cluster", "io/meshmq/cluster/link", "io.meshmq.cluster.routing",
            "io.meshmq.cluster.replication", "io.meshmq.engine.processor"));
        // The live's side of replication runs on the processor thread too: the engine's seam, never a channel.
        assertEquals(List.of(), importsOutside("cluster", "io/meshmq/cluster/replication",
            "java.", "io.meshmq.protocol.", "io.meshmq.engine.extension.", "io.meshmq.engine.mirror.",
            "io.meshmq.engine.ring.", "io.meshmq.cluster.wire."));
    }

    @Test
    void shouldBeginFramesOnlyInTheEncoders()
    {
        // Each frame family has one encoder: a frame begun by hand elsewhere is a second, diverging copy of a layout.
        final List<String> found = new ArrayList<>();
        for (final String module : List.of("protocol", "jms-provider", "broker-engine", "cluster", "broker"))
        {
            forEachLine(module, "io/meshmq", (file, number, line) ->
            {
                final String name = file.getFileName().toString();
                if (line.contains(".beginFrame(") && !name.equals("BrokerCommandEncoder.java") &&
                    !name.equals("BrokerEventEncoder.java") && !name.equals("ClusterFrameEncoder.java") &&
                    !name.equals("ReplicaFrameEncoder.java"))
                {
                    found.add(file + ":" + number + ": " + line.trim());
                }
            });
        }
        assertEquals(List.of(), found);
    }

    /**
     * @return "file:line: import" for every import of a package under {@code packageDir} not starting with one of
     * {@code allowed}.
     */
    private static List<String> importsOutside(final String module, final String packageDir, final String... allowed)
    {
        final List<String> found = new ArrayList<>();
        forEachLine(module, packageDir, (file, number, line) ->
        {
            final Matcher matcher = IMPORT.matcher(line);
            if (matcher.find() && Stream.of(allowed).noneMatch(prefix -> (matcher.group(1) + ".").startsWith(prefix)))
            {
                found.add(file + ":" + number + ": " + line.trim());
            }
        });
        return found;
    }

    /**
     * @return "file:line: text" for every line of code (imports or qualified names, not comments) that names a
     * package under one of {@code forbidden}.
     */
    private static List<String> references(final String module, final String packageDir, final String... forbidden)
    {
        final List<String> found = new ArrayList<>();
        forEachLine(module, packageDir, (file, number, line) ->
        {
            final String code = line.trim();
            if (code.startsWith("*") || code.startsWith("/*") || code.startsWith("//"))
            {
                return;
            }
            final Matcher matcher = REFERENCE.matcher(code);
            while (matcher.find())
            {
                final String name = matcher.group(1) + ".";
                if (Stream.of(forbidden).anyMatch(prefix -> name.startsWith(prefix + ".")))
                {
                    found.add(file + ":" + number + ": " + code);
                }
            }
        });
        return found;
    }

    private interface LineVisitor
    {
        void visit(Path file, int number, String line);
    }

    private static void forEachLine(final String module, final String packageDir, final LineVisitor visitor)
    {
        final Path dir = ROOT.resolve(module).resolve("src/main/java").resolve(packageDir);
        assertTrue(Files.isDirectory(dir), "no sources at " + dir);
        try (Stream<Path> files = Files.walk(dir))
        {
            for (final Path file : (Iterable<Path>)files.filter(f -> f.toString().endsWith(".java"))::iterator)
            {
                final List<String> lines = Files.readAllLines(file);
                for (int i = 0; i < lines.size(); i++)
                {
                    visitor.visit(ROOT.relativize(file), i + 1, lines.get(i));
                }
            }
        }
        catch (final IOException ex)
        {
            throw new UncheckedIOException(ex);
        }
    }
}
