package io.meshmq.admin;

import io.meshmq.client.BrokerList;
import io.meshmq.client.ClientConnection;
import io.meshmq.client.ClientException;
import io.meshmq.jms.JmsExceptions;
import io.meshmq.protocol.AdminTable;
import io.meshmq.protocol.AdminVerbs;
import jakarta.jms.JMSException;

import java.util.ArrayList;
import java.util.List;

/**
 * Management of a running broker over the wire; the CLI's {@code queue} and {@code topic} verbs use it.
 * <pre>
 * try (MeshAdmin admin = MeshAdmin.connect("tcp://127.0.0.1:7918", null, null))
 * {
 *     admin.createQueue("orders");
 *     long waiting = admin.queue("orders").messages();
 * }
 * </pre>
 * Thread safe.
 */
public final class MeshAdmin implements AutoCloseable
{
    private final ClientConnection connection;

    private MeshAdmin(final ClientConnection connection)
    {
        this.connection = connection;
    }

    /**
     * @param url  a broker URL as for {@link io.meshmq.jms.MeshConnectionFactory}.
     * @param user null for the broker's default user.
     */
    public static MeshAdmin connect(final String url, final String user, final String password) throws JMSException
    {
        try
        {
            return new MeshAdmin(ClientConnection.open(BrokerList.parse(url), user, password, null, null));
        }
        catch (final IllegalArgumentException ex)
        {
            throw new JMSException(ex.getMessage());
        }
        catch (final ClientException ex)
        {
            throw JmsExceptions.from(ex);
        }
    }

    /**
     * Creates a queue; nothing happens if it exists.
     *
     * @return true if it was created.
     */
    public boolean createQueue(final String name) throws JMSException
    {
        return (Boolean)call(AdminVerbs.QUEUE_CREATE, name).value(0, "created");
    }

    /**
     * Deletes a queue and drops its messages; refused (IllegalStateException) while it has consumers.
     *
     * @return how many messages were dropped.
     */
    public long deleteQueue(final String name) throws JMSException
    {
        return (Long)call(AdminVerbs.QUEUE_DELETE, name).value(0, "dropped");
    }

    /**
     * Drops every message waiting in a queue (not those being delivered).
     *
     * @return how many were dropped.
     */
    public long purgeQueue(final String name) throws JMSException
    {
        return (Long)call(AdminVerbs.QUEUE_PURGE, name).value(0, "dropped");
    }

    public boolean createTopic(final String name) throws JMSException
    {
        return (Boolean)call(AdminVerbs.TOPIC_CREATE, name).value(0, "created");
    }

    /**
     * Deletes a topic and its subscriptions, durable ones included; refused while one has consumers.
     */
    public void deleteTopic(final String name) throws JMSException
    {
        call(AdminVerbs.TOPIC_DELETE, name);
    }

    public List<QueueInfo> queues() throws JMSException
    {
        final AdminTable table = call(AdminVerbs.QUEUE_LIST);
        final List<QueueInfo> queues = new ArrayList<>();
        for (int row = 0; row < table.rows().size(); row++)
        {
            queues.add(new QueueInfo((String)table.value(row, "name"), (String)table.value(row, "kind"),
                (Long)table.value(row, "messages"), (Long)table.value(row, "scheduled"),
                (Long)table.value(row, "delivering"), (Integer)table.value(row, "consumers"),
                (Long)table.value(row, "added"), (Long)table.value(row, "acknowledged"), (Long)table.value(row, "expired")));
        }
        return queues;
    }

    /**
     * @return the queue's figures, or null if there is no such queue.
     */
    public QueueInfo queue(final String name) throws JMSException
    {
        for (final QueueInfo queue : queues())
        {
            if (queue.name().equals(name))
            {
                return queue;
            }
        }
        return null;
    }

    /**
     * @return the raw listing for a verb of {@link AdminVerbs}, for tools that print tables.
     */
    public AdminTable call(final String verb, final String... args) throws JMSException
    {
        try
        {
            return connection.admin(verb, args);
        }
        catch (final ClientException ex)
        {
            throw JmsExceptions.from(ex);
        }
    }

    @Override
    public void close()
    {
        connection.close();
    }

    /**
     * One queue's figures at the moment of the call.
     *
     * @param messages     waiting to be delivered.
     * @param scheduled    waiting for their delivery time or redelivery delay.
     * @param delivering   sent to consumers and not yet acknowledged.
     */
    public record QueueInfo(String name, String kind, long messages, long scheduled, long delivering, int consumers,
        long added, long acknowledged, long expired)
    {
    }
}
