package io.meshmq.tck.spring;

import io.meshmq.engine.Broker;
import io.meshmq.engine.BrokerContext;
import io.meshmq.jms.MeshConnectionFactory;
import org.junit.jupiter.api.extension.AfterAllCallback;
import org.junit.jupiter.api.extension.AfterEachCallback;
import org.junit.jupiter.api.extension.BeforeAllCallback;
import org.junit.jupiter.api.extension.BeforeEachCallback;
import org.junit.jupiter.api.extension.ExtensionContext;
import org.springframework.jms.connection.CachingConnectionFactory;
import org.springframework.jms.core.JmsTemplate;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Comparator;
import java.util.UUID;
import java.util.stream.Stream;

/**
 * A broker in the test's JVM for a class of Spring tests (free port, own data directory, removed after), and for each
 * test a fresh {@code CachingConnectionFactory} and a {@code JmsTemplate} over it that waits up to 10 s to receive.
 * Register as a static field with {@code @RegisterExtension}.
 */
final class SpringBroker implements BeforeAllCallback, AfterAllCallback, BeforeEachCallback, AfterEachCallback
{
    private Path dataDir;
    private Broker broker;
    private CachingConnectionFactory caching;
    private JmsTemplate template;

    @Override
    public void beforeAll(final ExtensionContext context) throws Exception
    {
        dataDir = Files.createTempDirectory("meshmq-spring");
        broker = Broker.start(new BrokerContext().port(0).dataDir(dataDir).ioThreads(1)
            .vmId("spring-" + UUID.randomUUID()));
    }

    @Override
    public void afterAll(final ExtensionContext context) throws IOException
    {
        broker.close();
        try (Stream<Path> files = Files.walk(dataDir))
        {
            for (final Path file : files.sorted(Comparator.reverseOrder()).toList())
            {
                Files.delete(file);
            }
        }
    }

    @Override
    public void beforeEach(final ExtensionContext context)
    {
        caching = new CachingConnectionFactory(new MeshConnectionFactory(broker.url()));
        template = new JmsTemplate(caching);
        template.setReceiveTimeout(10_000);
    }

    @Override
    public void afterEach(final ExtensionContext context)
    {
        caching.destroy();
    }

    String url()
    {
        return broker.url();
    }

    /**
     * @return this test's caching factory, destroyed after the test.
     */
    CachingConnectionFactory caching()
    {
        return caching;
    }

    /**
     * @return this test's template over {@link #caching()}.
     */
    JmsTemplate template()
    {
        return template;
    }

    static String uniqueName(final String use)
    {
        return "spring-" + use + "-" + UUID.randomUUID();
    }
}
