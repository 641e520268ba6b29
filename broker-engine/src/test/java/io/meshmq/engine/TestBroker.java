package io.meshmq.engine;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Comparator;
import java.util.UUID;
import java.util.stream.Stream;

/**
 * A broker on a free port with its own temporary data directory and in-VM id, removed on close.
 */
public final class TestBroker implements AutoCloseable
{
    private final Broker broker;
    private final Path dataDir;
    private final String vmId;

    private TestBroker(final Broker broker, final Path dataDir, final String vmId)
    {
        this.broker = broker;
        this.dataDir = dataDir;
        this.vmId = vmId;
    }

    public static TestBroker start() throws Exception
    {
        final Path dir = Files.createTempDirectory("meshmq-test-");
        final String vmId = "test-" + UUID.randomUUID();
        final Broker broker = Broker.start(new BrokerContext().port(0).dataDir(dir).vmId(vmId).ioThreads(2));
        return new TestBroker(broker, dir, vmId);
    }

    public Broker broker()
    {
        return broker;
    }

    public String tcpUrl()
    {
        return broker.url();
    }

    public String vmUrl()
    {
        return "vm://" + vmId;
    }

    public Path dataDir()
    {
        return dataDir;
    }

    @Override
    public void close()
    {
        broker.close();
        deleteRecursively(dataDir);
    }

    static void deleteRecursively(final Path dir)
    {
        try (Stream<Path> paths = Files.walk(dir))
        {
            paths.sorted(Comparator.reverseOrder()).forEach(p -> p.toFile().delete());
        }
        catch (final IOException ex)
        {
            throw new UncheckedIOException(ex);
        }
    }
}
