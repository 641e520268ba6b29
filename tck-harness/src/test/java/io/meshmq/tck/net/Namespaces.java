package io.meshmq.tck.net;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.ThreadLocalRandom;
import java.util.concurrent.TimeUnit;

/**
 * Network namespaces of the test's own, one per node, joined by veth pairs to a bridge in the test's namespace (which
 * has an address on it too, so the test's clients reach every node): a node is cut away by taking its veth down,
 * which drops its packets without closing its connections, as a pulled cable does. Needs root (as CI runs).
 */
public final class Namespaces implements AutoCloseable
{
    private final String tag;
    private final int subnet;
    private final int count;
    private final List<String> made = new ArrayList<>();
    private boolean bridgeMade;

    private Namespaces(final int count)
    {
        this.tag = Integer.toString(ThreadLocalRandom.current().nextInt(0x10000, 0xfffff), 16);
        this.subnet = ThreadLocalRandom.current().nextInt(16, 250);
        this.count = count;
    }

    /**
     * @return null if they can be made here, else why not (for the test to say when it skips).
     */
    public static String whyNot()
    {
        try
        {
            if (!Integer.valueOf(0).equals(Files.getAttribute(Path.of("/proc/self"), "unix:uid")))
            {
                return "network namespaces and veth pairs need root (CI runs as root)";
            }
        }
        catch (final IOException | UnsupportedOperationException ex)
        {
            return "cannot tell whether this is root: " + ex;
        }
        return Files.isExecutable(Path.of("/usr/sbin/ip")) || Files.isExecutable(Path.of("/sbin/ip")) ||
            Files.isExecutable(Path.of("/usr/bin/ip")) ? null : "the ip command (iproute2) is missing";
    }

    /**
     * Makes {@code count} namespaces on a bridge, addresses 10.{random}.0.11, .12, ... (the test's side .1).
     */
    public static Namespaces create(final int count) throws IOException, InterruptedException
    {
        final Namespaces namespaces = new Namespaces(count);
        try
        {
            namespaces.make();
        }
        catch (final IOException | InterruptedException | RuntimeException ex)
        {
            namespaces.close();
            throw ex;
        }
        return namespaces;
    }

    private void make() throws IOException, InterruptedException
    {
        ip("link", "add", bridge(), "type", "bridge");
        bridgeMade = true;
        ip("addr", "add", "10." + subnet + ".0.1/24", "dev", bridge());
        ip("link", "set", bridge(), "up");
        for (int i = 0; i < count; i++)
        {
            ip("netns", "add", namespace(i));
            made.add(namespace(i));
            ip("link", "add", veth(i), "type", "veth", "peer", "name", "eth0", "netns", namespace(i));
            ip("link", "set", veth(i), "master", bridge(), "up");
            ip("-n", namespace(i), "addr", "add", address(i) + "/24", "dev", "eth0");
            ip("-n", namespace(i), "link", "set", "eth0", "up");
            ip("-n", namespace(i), "link", "set", "lo", "up");
        }
    }

    /**
     * @return the node's address, reachable from the test and the other namespaces while not cut.
     */
    public String address(final int node)
    {
        return "10." + subnet + ".0." + (11 + node);
    }

    /**
     * @return the command prefix that runs a program inside the node's namespace.
     */
    public List<String> runner(final int node)
    {
        return List.of("ip", "netns", "exec", namespace(node));
    }

    /**
     * Cuts the node away from every other and from the test: its packets are dropped, its connections stay open.
     */
    public void cut(final int node) throws IOException, InterruptedException
    {
        ip("link", "set", veth(node), "down");
    }

    public void heal(final int node) throws IOException, InterruptedException
    {
        ip("link", "set", veth(node), "up");
    }

    private String bridge()
    {
        return "mqbr" + tag;
    }

    private String namespace(final int node)
    {
        return "mqns" + tag + "-" + node;
    }

    private String veth(final int node)
    {
        return "mqv" + tag + node;
    }

    private static void ip(final String... args) throws IOException, InterruptedException
    {
        final List<String> command = new ArrayList<>();
        command.add("ip");
        command.addAll(List.of(args));
        final Process process = new ProcessBuilder(command).redirectErrorStream(true).start();
        final String output = new String(process.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
        if (!process.waitFor(30, TimeUnit.SECONDS) || process.exitValue() != 0)
        {
            throw new IOException(String.join(" ", command) + " failed: " + output.strip());
        }
    }

    @Override
    public void close() throws IOException, InterruptedException
    {
        final List<String> failures = new ArrayList<>();
        for (final String namespace : made)
        {
            try
            {
                ip("netns", "del", namespace); // takes its veth ends with it
            }
            catch (final IOException ex)
            {
                failures.add(ex.getMessage());
            }
        }
        made.clear();
        if (bridgeMade)
        {
            try
            {
                ip("link", "del", bridge());
            }
            catch (final IOException ex)
            {
                failures.add(ex.getMessage());
            }
            bridgeMade = false;
        }
        if (!failures.isEmpty())
        {
            throw new IOException("cleaning up network namespaces: " + failures);
        }
    }
}
