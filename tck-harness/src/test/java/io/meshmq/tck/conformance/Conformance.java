package io.meshmq.tck.conformance;

import io.meshmq.admin.MeshAdmin;
import io.meshmq.jms.MeshConnectionFactory;
import io.meshmq.protocol.AdminTable;
import io.meshmq.protocol.AdminVerbs;
import jakarta.jms.Connection;
import jakarta.jms.JMSException;
import jakarta.jms.Queue;
import jakarta.jms.Topic;

import java.util.ArrayList;
import java.util.List;
import java.util.UUID;
import java.util.function.BooleanSupplier;

/**
 * What a conformance case runs against: factories for the producing and the consuming side (the same broker
 * here; different cluster nodes when the cluster suite reuses these cases), the admin API, and unique names
 * so cases never see each other's messages. Connections made through it are closed after the case.
 */
public final class Conformance implements AutoCloseable
{
    private final String transport;
    private final String producerUrl;
    private final String consumerUrl;
    private final String adminUrl;
    private final List<AutoCloseable> opened = new ArrayList<>();
    private final String prefix = UUID.randomUUID().toString().substring(0, 8);

    Conformance(final String transport, final String producerUrl, final String consumerUrl, final String adminUrl)
    {
        this.transport = transport;
        this.producerUrl = producerUrl;
        this.consumerUrl = consumerUrl;
        this.adminUrl = adminUrl;
    }

    public String transport()
    {
        return transport;
    }

    /**
     * @return a name unique to this case, for queues, topics and subscriptions.
     */
    public String name(final String base)
    {
        return base + "." + prefix;
    }

    public MeshConnectionFactory producerFactory()
    {
        return new MeshConnectionFactory(producerUrl);
    }

    public MeshConnectionFactory consumerFactory()
    {
        return new MeshConnectionFactory(consumerUrl);
    }

    /**
     * @param options URL options such as {@code clientID=cts}, or null.
     */
    public MeshConnectionFactory consumerFactory(final String options)
    {
        return new MeshConnectionFactory(options == null ? consumerUrl : consumerUrl + "?" + options);
    }

    public Connection producerConnection() throws JMSException
    {
        return track(producerFactory().createConnection());
    }

    public Connection consumerConnection() throws JMSException
    {
        return track(consumerFactory().createConnection());
    }

    /**
     * @return the URL management tools (the CLI) reach the broker at.
     */
    public String adminUrl()
    {
        return adminUrl;
    }

    public MeshAdmin admin() throws JMSException
    {
        return track(MeshAdmin.connect(adminUrl, null, null));
    }

    public <T extends AutoCloseable> T track(final T closeable)
    {
        opened.add(closeable);
        return closeable;
    }

    /**
     * Waits until the producer's node knows exactly {@code subscriptions} subscriptions of the topic on the consumer's
     * node, with {@code consumers} consumers in all. Across nodes a subscription made (or ended) on the consumer's
     * node is heard of on the producer's a moment later, and a message published before then misses it (or is sent
     * to it), as with any clustered broker. On one broker: at once.
     */
    public void awaitSubscriptions(final Topic topic, final int subscriptions, final long consumers) throws Exception
    {
        awaitBindings(topic.getTopicName(), subscriptions, consumers);
    }

    /**
     * Waits until the producer's node knows the queue on the consumer's node has {@code consumers} consumers; at
     * once on one broker. Until then, a message sent to it on the producer's node stays there.
     */
    public void awaitConsumers(final Queue queue, final long consumers) throws Exception
    {
        awaitBindings(queue.getQueueName(), 1, consumers);
    }

    private void awaitBindings(final String name, final int subscriptions, final long consumers) throws Exception
    {
        if (producerUrl.equals(consumerUrl))
        {
            return;
        }
        try (MeshAdmin admin = MeshAdmin.connect(producerUrl, null, null))
        {
            await(subscriptions + " queues or subscriptions of '" + name + "' with " + consumers +
                " consumers, as the producer's node sees them", () ->
            {
                try
                {
                    final AdminTable bindings = admin.call(AdminVerbs.CLUSTER_BINDINGS);
                    int seen = 0;
                    long seenConsumers = 0;
                    for (int r = 0; r < bindings.rows().size(); r++)
                    {
                        if (name.equals(bindings.value(r, "address")))
                        {
                            seen++;
                            seenConsumers += ((Number)bindings.value(r, "consumers")).longValue();
                        }
                    }
                    return seen == subscriptions && seenConsumers == consumers;
                }
                catch (final JMSException ex)
                {
                    throw new AssertionError(ex);
                }
            });
        }
    }

    /**
     * Waits for a condition with a deadline, never for a fixed time.
     */
    public static void await(final String what, final BooleanSupplier condition) throws InterruptedException
    {
        final long deadline = System.nanoTime() + 10_000_000_000L;
        while (!condition.getAsBoolean())
        {
            if (System.nanoTime() > deadline)
            {
                throw new AssertionError("timed out after 10 s waiting for " + what);
            }
            Thread.sleep(5);
        }
    }

    @Override
    public void close() throws Exception
    {
        for (int i = opened.size() - 1; i >= 0; i--)
        {
            opened.get(i).close();
        }
        opened.clear();
    }

    @Override
    public String toString()
    {
        return transport;
    }
}
