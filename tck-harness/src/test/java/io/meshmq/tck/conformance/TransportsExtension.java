package io.meshmq.tck.conformance;

import io.meshmq.engine.Broker;
import io.meshmq.engine.BrokerContext;
import org.junit.jupiter.api.extension.ExtensionContext;
import org.junit.jupiter.api.extension.ParameterContext;
import org.junit.jupiter.api.extension.ParameterResolver;
import org.junit.jupiter.api.extension.TestTemplateInvocationContext;
import org.junit.jupiter.api.extension.TestTemplateInvocationContextProvider;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Comparator;
import java.util.List;
import java.util.stream.Stream;

/**
 * Starts one broker per test class (a free TCP port, its own data directory, in-VM id {@code 0}; some address
 * settings the delivery cases rely on) and runs each {@link EachTransport} case over both transports.
 */
final class TransportsExtension implements TestTemplateInvocationContextProvider
{
    private static final ExtensionContext.Namespace NAMESPACE = ExtensionContext.Namespace.create(TransportsExtension.class);

    @Override
    public boolean supportsTestTemplate(final ExtensionContext context)
    {
        return true;
    }

    @Override
    public Stream<TestTemplateInvocationContext> provideTestTemplateInvocationContexts(final ExtensionContext context)
    {
        final RunningBroker broker = context.getParent().orElseThrow().getStore(NAMESPACE)
            .getOrComputeIfAbsent(RunningBroker.class, k -> RunningBroker.start(), RunningBroker.class);
        final String tcp = broker.broker.url();
        return Stream.of(invocation("tcp", tcp, tcp), invocation("vm", "vm://0", tcp));
    }

    private static TestTemplateInvocationContext invocation(final String transport, final String url, final String adminUrl)
    {
        return new TestTemplateInvocationContext()
        {
            @Override
            public String getDisplayName(final int invocationIndex)
            {
                return transport;
            }

            @Override
            public List<org.junit.jupiter.api.extension.Extension> getAdditionalExtensions()
            {
                return List.of(new ParameterResolver()
                {
                    @Override
                    public boolean supportsParameter(final ParameterContext parameter, final ExtensionContext extension)
                    {
                        return parameter.getParameter().getType() == Conformance.class;
                    }

                    @Override
                    public Object resolveParameter(final ParameterContext parameter, final ExtensionContext extension)
                    {
                        final Conformance conformance = new Conformance(transport, url, url, adminUrl);
                        extension.getStore(NAMESPACE).put(Conformance.class,
                            (ExtensionContext.Store.CloseableResource)conformance::close);
                        return conformance;
                    }
                });
            }
        };
    }

    /**
     * The class's broker, closed with the class's extension store.
     */
    static final class RunningBroker implements ExtensionContext.Store.CloseableResource
    {
        /** Small limits so the dead-letter and redelivery-delay cases finish fast; names say which. */
        static final String DLQ_PREFIX = "dlq-limited.";
        static final String DELAYED_PREFIX = "redelivery-delayed.";
        static final long REDELIVERY_DELAY_MS = 300;

        final Broker broker;
        final Path dataDir;

        private RunningBroker(final Broker broker, final Path dataDir)
        {
            this.broker = broker;
            this.dataDir = dataDir;
        }

        static RunningBroker start()
        {
            try
            {
                final Path dir = Files.createTempDirectory("meshmq-conformance-");
                final BrokerContext context = new BrokerContext().port(0).dataDir(dir).vmId("0").ioThreads(2);
                context.addressSettings()
                    .set(DLQ_PREFIX + "*", "max-delivery-attempts", "3")
                    .set(DLQ_PREFIX + "*", "dead-letter-address", "conformance.DLQ")
                    .set(DELAYED_PREFIX + "*", "redelivery-delay", String.valueOf(REDELIVERY_DELAY_MS))
                    .set("*", "expiry-address", "conformance.ExpiryQueue");
                return new RunningBroker(Broker.start(context), dir);
            }
            catch (final Exception ex)
            {
                throw new IllegalStateException("conformance broker did not start: " + ex.getMessage(), ex);
            }
        }

        @Override
        public void close()
        {
            broker.close();
            try (Stream<Path> paths = Files.walk(dataDir))
            {
                paths.sorted(Comparator.reverseOrder()).forEach(p -> p.toFile().delete());
            }
            catch (final IOException ex)
            {
                throw new UncheckedIOException(ex);
            }
        }
    }
}
