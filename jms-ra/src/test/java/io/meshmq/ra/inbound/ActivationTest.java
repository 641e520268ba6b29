package io.meshmq.ra.inbound;

import io.meshmq.engine.Broker;
import io.meshmq.engine.BrokerContext;
import io.meshmq.jms.MeshConnectionFactory;
import jakarta.jms.Connection;
import jakarta.jms.Message;
import jakarta.jms.MessageListener;
import jakarta.jms.Session;
import jakarta.jms.TextMessage;
import jakarta.resource.spi.endpoint.MessageEndpoint;
import jakarta.resource.spi.endpoint.MessageEndpointFactory;
import jakarta.resource.spi.work.ExecutionContext;
import jakarta.resource.spi.work.Work;
import jakarta.resource.spi.work.WorkListener;
import jakarta.resource.spi.work.WorkManager;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.lang.reflect.Method;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.List;
import java.util.UUID;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.function.BooleanSupplier;
import javax.transaction.xa.XAResource;
import javax.transaction.xa.Xid;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * An activation driven as a container drives it, with the container's transactions played by the test, against a
 * real broker: what it delivers inside a transaction is consumed only when that transaction commits.
 */
class ActivationTest
{
    @TempDir
    static Path dataDir;
    private static Broker broker;
    private final ExecutorService threads = Executors.newCachedThreadPool();

    @BeforeAll
    static void startBroker() throws Exception
    {
        broker = Broker.start(new BrokerContext().port(0).dataDir(dataDir).ioThreads(1)
            .vmId("ra-inbound-" + UUID.randomUUID()));
    }

    @AfterAll
    static void stopBroker()
    {
        broker.close();
    }

    @AfterEach
    void stopThreads()
    {
        threads.shutdownNow();
    }

    @Test
    void shouldNotConsumeAMessageWhoseDeliveryTheContainerDidNotEnlist() throws Exception
    {
        send("unenlisted", "order-1");
        final Container container = new Container();
        container.enlistmentsToFail.set(1);
        final Activation activation = activate("unenlisted", container);
        try
        {
            await(() -> container.committed.contains("order-1"), "the order delivered again, in a transaction");
        }
        finally
        {
            activation.stop();
        }
        assertEquals(1, container.refusedDeliveries.get(), "the container began no branch for the first delivery");
        assertEquals(List.of(), container.outsideTransactions, "nothing reaches the MDB outside a transaction");
        assertEquals(List.of("order-1"), container.delivered);
        assertEquals(List.of(), browse("unenlisted"), "consumed once its transaction committed");
    }

    private static void send(final String queue, final String text) throws Exception
    {
        try (Connection connection = new MeshConnectionFactory(broker.url()).createConnection())
        {
            final Session session = connection.createSession();
            session.createProducer(session.createQueue(queue)).send(session.createTextMessage(text));
        }
    }

    private static List<String> browse(final String queue) throws Exception
    {
        try (Connection connection = new MeshConnectionFactory(broker.url()).createConnection())
        {
            final Session session = connection.createSession();
            final List<String> texts = new java.util.ArrayList<>();
            final var messages = session.createBrowser(session.createQueue(queue)).getEnumeration();
            while (messages.hasMoreElements())
            {
                texts.add(((TextMessage)messages.nextElement()).getText());
            }
            return texts;
        }
    }

    private Activation activate(final String queue, final Container container) throws Exception
    {
        final MeshActivationSpec spec = new MeshActivationSpec();
        spec.setDestination(queue);
        spec.setDestinationType("jakarta.jms.Queue");
        spec.setConnectionURL(broker.url());
        spec.setMaxSession(1);
        final Activation activation = new Activation(new Threads(threads), container, spec);
        activation.start();
        return activation;
    }

    private static void await(final BooleanSupplier condition, final String what) throws InterruptedException
    {
        final long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(20);
        while (!condition.getAsBoolean())
        {
            assertTrue(System.nanoTime() < deadline, "not within 20 s: " + what);
            Thread.sleep(10);
        }
    }

    /**
     * A work manager running each work on a thread of its own.
     */
    private record Threads(ExecutorService threads) implements WorkManager
    {
        @Override
        public void doWork(final Work work)
        {
            work.run();
        }

        @Override
        public void doWork(final Work work, final long startTimeout, final ExecutionContext context,
            final WorkListener listener)
        {
            work.run();
        }

        @Override
        public long startWork(final Work work)
        {
            threads.execute(work);
            return 0;
        }

        @Override
        public long startWork(final Work work, final long startTimeout, final ExecutionContext context,
            final WorkListener listener)
        {
            return startWork(work);
        }

        @Override
        public void scheduleWork(final Work work)
        {
            threads.execute(work);
        }

        @Override
        public void scheduleWork(final Work work, final long startTimeout, final ExecutionContext context,
            final WorkListener listener)
        {
            scheduleWork(work);
        }
    }

    /**
     * The container's side: an MDB whose deliveries are transacted, each in a branch the container starts on the
     * adapter's XA resource in beforeDelivery and commits in afterDelivery — except the first
     * {@code enlistmentsToFail} deliveries, for which it began no branch (as when its enlistment failed).
     */
    private static final class Container implements MessageEndpointFactory
    {
        private static final AtomicInteger XIDS = new AtomicInteger();

        final AtomicInteger enlistmentsToFail = new AtomicInteger();
        final List<String> delivered = new CopyOnWriteArrayList<>();
        final List<String> outsideTransactions = new CopyOnWriteArrayList<>();
        final List<String> committed = new CopyOnWriteArrayList<>();
        final AtomicInteger refusedDeliveries = new AtomicInteger();

        @Override
        public MessageEndpoint createEndpoint(final XAResource xaResource)
        {
            return createEndpoint(xaResource, 0);
        }

        @Override
        public MessageEndpoint createEndpoint(final XAResource xaResource, final long timeout)
        {
            return new Endpoint(this, xaResource);
        }

        @Override
        public boolean isDeliveryTransacted(final Method method)
        {
            return true;
        }

        @Override
        public String getActivationName()
        {
            return "ActivationTest";
        }

        @Override
        public Class<?> getEndpointClass()
        {
            return Endpoint.class;
        }
    }

    private static final class Endpoint implements MessageEndpoint, MessageListener
    {
        private final Container container;
        private final XAResource xaResource;
        private Xid xid;
        private String received;

        Endpoint(final Container container, final XAResource xaResource)
        {
            this.container = container;
            this.xaResource = xaResource;
        }

        @Override
        public void beforeDelivery(final Method method)
        {
            if (container.enlistmentsToFail.getAndDecrement() > 0)
            {
                container.refusedDeliveries.incrementAndGet();
                return;
            }
            xid = new TestXid(("tx-" + Container.XIDS.incrementAndGet()).getBytes(StandardCharsets.UTF_8));
            try
            {
                xaResource.start(xid, XAResource.TMNOFLAGS);
            }
            catch (final Exception ex)
            {
                throw new IllegalStateException(ex);
            }
        }

        @Override
        public void onMessage(final Message message)
        {
            try
            {
                received = ((TextMessage)message).getText();
                (xid == null ? container.outsideTransactions : container.delivered).add(received);
            }
            catch (final Exception ex)
            {
                throw new IllegalStateException(ex);
            }
        }

        @Override
        public void afterDelivery()
        {
            if (xid == null)
            {
                return;
            }
            try
            {
                xaResource.end(xid, XAResource.TMSUCCESS);
                xaResource.commit(xid, true);
                if (received != null)
                {
                    container.committed.add(received);
                }
            }
            catch (final Exception ex)
            {
                throw new IllegalStateException(ex);
            }
            finally
            {
                xid = null;
                received = null;
            }
        }

        @Override
        public void release()
        {
        }
    }

    private record TestXid(byte[] global) implements Xid
    {
        @Override
        public int getFormatId()
        {
            return 0x5241;
        }

        @Override
        public byte[] getGlobalTransactionId()
        {
            return global.clone();
        }

        @Override
        public byte[] getBranchQualifier()
        {
            return new byte[] {1};
        }
    }
}
