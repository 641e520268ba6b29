package io.meshmq.engine;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Comparator;
import java.util.UUID;
import java.util.function.Consumer;
import java.util.stream.Stream;

/**
 * A broker on a free port with its own temporary data directory and in-VM id, removed on close.
 */
public final class TestBroker implements AutoCloseable
{
    private final Path dataDir;
    private final String vmId;
    private final Consumer<BrokerContext> settings;
    private Broker broker;

    private TestBroker(final Path dataDir, final String vmId, final Consumer<BrokerContext> settings)
    {
        this.dataDir = dataDir;
        this.vmId = vmId;
        this.settings = settings;
    }

    public static TestBroker start() throws Exception
    {
        return start(context -> { });
    }

    /**
     * @param settings changes to the test defaults, applied again on every {@link #restart()}.
     */
    public static TestBroker start(final Consumer<BrokerContext> settings) throws Exception
    {
        final TestBroker test = new TestBroker(Files.createTempDirectory("meshmq-test-"), "test-" + UUID.randomUUID(), settings);
        test.broker = Broker.start(test.context(0));
        return test;
    }

    private BrokerContext context(final int port)
    {
        final BrokerContext context = new BrokerContext().port(port).dataDir(dataDir).vmId(vmId).ioThreads(2);
        settings.accept(context);
        return context;
    }

    /**
     * Stops the broker cleanly and starts it again on the same port and data directory.
     */
    public void restart() throws Exception
    {
        final int port = broker.port();
        broker.close();
        broker = Broker.start(context(port));
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
