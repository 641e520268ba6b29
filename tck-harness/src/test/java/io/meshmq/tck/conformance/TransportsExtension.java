package io.meshmq.tck.conformance;

import io.meshmq.admin.MeshAdmin;
import io.meshmq.cluster.Mesh;
import io.meshmq.engine.Broker;
import io.meshmq.engine.BrokerContext;
import io.meshmq.protocol.AdminTable;
import io.meshmq.protocol.AdminVerbs;
import jakarta.jms.JMSException;
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
 * settings the delivery cases rely on) and runs each {@link EachTransport} case over both transports; then, on
 * a two-node cluster also started once per class, with the producer on one node and the consumer and the admin
 * tools on the other.
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
        final ExtensionContext.Store store = context.getParent().orElseThrow().getStore(NAMESPACE);
        final RunningBroker broker = store.getOrComputeIfAbsent(RunningBroker.class, k -> RunningBroker.start(), RunningBroker.class);
        final String tcp = broker.broker.url();
        final Stream<TestTemplateInvocationContext> oneBroker =
            Stream.of(invocation("tcp", tcp, tcp, tcp), invocation("vm", "vm://0", "vm://0", tcp));
        if (context.getRequiredTestMethod().isAnnotationPresent(OneNode.class))
        {
            return oneBroker;
        }
        final RunningCluster cluster = store.getOrComputeIfAbsent(RunningCluster.class, k -> RunningCluster.start(),
            RunningCluster.class);
        final String producerNode = cluster.nodes[0].broker.url();
        final String consumerNode = cluster.nodes[1].broker.url();
        return Stream.concat(oneBroker, Stream.of(invocation("two-nodes", producerNode, consumerNode, consumerNode)));
    }

    private static TestTemplateInvocationContext invocation(final String transport, final String producerUrl,
        final String consumerUrl, final String adminUrl)
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
                        final Conformance conformance = new Conformance(transport, producerUrl, consumerUrl, adminUrl);
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
        final Mesh mesh;
        final Path dataDir;

        private RunningBroker(final Broker broker, final Mesh mesh, final Path dataDir)
        {
            this.broker = broker;
            this.mesh = mesh;
            this.dataDir = dataDir;
        }

        static RunningBroker start()
        {
            return start(new BrokerContext().vmId("0"));
        }

        /**
         * @param context the broker's own settings (name, vm id, cluster); the conformance settings are added.
         */
        static RunningBroker start(final BrokerContext context)
        {
            Path dir = null;
            try
            {
                dir = Files.createTempDirectory("meshmq-conformance-");
                context.port(0).dataDir(dir).ioThreads(2).addressSettings()
                    .set(DLQ_PREFIX + "*", "max-delivery-attempts", "3")
                    .set(DLQ_PREFIX + "*", "dead-letter-address", "conformance.DLQ")
                    .set(DELAYED_PREFIX + "*", "redelivery-delay", String.valueOf(REDELIVERY_DELAY_MS))
                    .set("*", "expiry-address", "conformance.ExpiryQueue");
                final Broker broker = Broker.start(context);
                return new RunningBroker(broker, Mesh.start(broker), dir);
            }
            catch (final Exception ex)
            {
                delete(dir);
                throw new IllegalStateException("conformance broker did not start: " + ex.getMessage(), ex);
            }
        }

        @Override
        public void close()
        {
            if (mesh != null)
            {
                mesh.close();
            }
            broker.close();
            delete(dataDir);
        }

        private static void delete(final Path dir)
        {
            if (dir == null)
            {
                return;
            }
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

    /**
     * Two nodes of one cluster, linked both ways before any case runs: the producer's node and the consumer's.
     * The second lists the first as its member; the first learns the second from its join.
     */
    static final class RunningCluster implements ExtensionContext.Store.CloseableResource
    {
        private static final long LINK_TIMEOUT_NS = 30_000_000_000L;

        final RunningBroker[] nodes = new RunningBroker[2];

        static RunningCluster start()
        {
            final RunningCluster cluster = new RunningCluster();
            try
            {
                cluster.nodes[0] = RunningBroker.start(new BrokerContext().name("p1").vmId(null).clusterName("conformance"));
                cluster.nodes[1] = RunningBroker.start(new BrokerContext().name("c2").vmId(null).clusterName("conformance")
                    .clusterMember(member(cluster.nodes[0].broker)));
                cluster.awaitLink(cluster.nodes[0], "c2");
                cluster.awaitLink(cluster.nodes[1], "p1");
                return cluster;
            }
            catch (final RuntimeException ex)
            {
                cluster.close();
                throw ex;
            }
        }

        private static String member(final Broker broker)
        {
            return broker.boundAddress().getHostString() + ":" + broker.port();
        }

        private void awaitLink(final RunningBroker from, final String to)
        {
            final long deadline = System.nanoTime() + LINK_TIMEOUT_NS;
            String last = "no status";
            while (System.nanoTime() < deadline)
            {
                try (MeshAdmin admin = MeshAdmin.connect(from.broker.url(), null, null))
                {
                    final AdminTable status = admin.call(AdminVerbs.CLUSTER_STATUS);
                    last = status.toString();
                    for (int r = 0; r < status.rows().size(); r++)
                    {
                        if (to.equals(status.value(r, "node")) && "up".equals(status.value(r, "state")))
                        {
                            return;
                        }
                    }
                    Thread.sleep(20);
                }
                catch (final JMSException ex)
                {
                    last = ex.toString();
                }
                catch (final InterruptedException ex)
                {
                    Thread.currentThread().interrupt();
                    break;
                }
            }
            throw new IllegalStateException(from.broker.name() + "'s link to " + to + " did not come up: " + last);
        }

        @Override
        public void close()
        {
            // Every mesh first, so no link sees its peer go and logs it as a failure.
            for (final RunningBroker node : nodes)
            {
                if (node != null && node.mesh != null)
                {
                    node.mesh.close();
                }
            }
            for (int i = nodes.length - 1; i >= 0; i--)
            {
                if (nodes[i] != null)
                {
                    nodes[i].close();
                }
            }
        }
    }
}
