package io.meshmq.tck.crash;

import org.junit.jupiter.api.Assumptions;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.concurrent.TimeUnit;

import static org.junit.jupiter.api.Assertions.fail;

/**
 * A small tmpfs mounted for a test that fills a disk: mounting needs root, so the test is skipped, saying why,
 * elsewhere (CI runs as root).
 */
public final class SmallDisk implements AutoCloseable
{
    private final Path path;

    private SmallDisk(final Path path)
    {
        this.path = path;
    }

    /**
     * @param size as mount takes it, e.g. "24m".
     */
    public static SmallDisk mount(final Path at, final String size) throws IOException, InterruptedException
    {
        Assumptions.assumeTrue("root".equals(System.getProperty("user.name")),
            "mounting a small tmpfs to fill needs root (CI runs as root)");
        final Path path = Files.createDirectory(at);
        run("mount", "-t", "tmpfs", "-o", "size=" + size, "tmpfs", path.toString());
        return new SmallDisk(path);
    }

    public Path path()
    {
        return path;
    }

    @Override
    public void close() throws IOException, InterruptedException
    {
        run("umount", "-l", path.toString());
    }

    private static void run(final String... command) throws IOException, InterruptedException
    {
        final Process process = new ProcessBuilder(command).redirectErrorStream(true).start();
        final String output = new String(process.getInputStream().readAllBytes());
        if (!process.waitFor(30, TimeUnit.SECONDS) || process.exitValue() != 0)
        {
            fail(String.join(" ", command) + " failed: " + output);
        }
    }
}
