package io.meshmq.metrics.jmx;

import io.meshmq.engine.Broker;
import io.meshmq.metrics.AdminCalls;
import io.meshmq.protocol.AdminTable;
import io.meshmq.protocol.AdminVerbs;

/**
 * The broker's MBean: its destinations, and making and deleting them through the admin verbs (so with their checks:
 * a queue with consumers is not deleted, and the refusal says so).
 */
final class BrokerControl implements BrokerControlMBean
{
    private final Broker broker;
    private final AdminCalls admin;
    private final String version;
    private final Runnable changed;

    /**
     * @param changed told after a destination was made or deleted, so its MBean comes or goes at once.
     */
    BrokerControl(final Broker broker, final AdminCalls admin, final String version, final Runnable changed)
    {
        this.broker = broker;
        this.admin = admin;
        this.version = version;
        this.changed = changed;
    }

    @Override
    public String getName()
    {
        return broker.name();
    }

    @Override
    public String getVersion()
    {
        return version;
    }

    @Override
    public String getUrl()
    {
        return broker.url();
    }

    @Override
    public String[] getQueueNames()
    {
        return names(admin.call(AdminVerbs.QUEUE_LIST));
    }

    @Override
    public String[] getTopicNames()
    {
        return names(admin.call(AdminVerbs.TOPIC_LIST));
    }

    @Override
    public long getConnectionCount()
    {
        return admin.call(AdminVerbs.CONNECTION_LIST).rows().size();
    }

    @Override
    public String[] listConnections()
    {
        final AdminTable table = admin.call(AdminVerbs.CONNECTION_LIST);
        final String[] lines = new String[table.rows().size()];
        for (int r = 0; r < lines.length; r++)
        {
            lines[r] = "id=" + table.value(r, "id") + " address=" + table.value(r, "address") + " user=" +
                table.value(r, "user") + " client-id=" + table.value(r, "client-id") + " kind=" +
                table.value(r, "kind") + " consumers=" + table.value(r, "consumers");
        }
        return lines;
    }

    @Override
    public void closeConnection(final long id)
    {
        admin.call(AdminVerbs.CONNECTION_CLOSE, Long.toString(id));
    }

    @Override
    public boolean createQueue(final String name)
    {
        final boolean created = Boolean.TRUE.equals(admin.call(AdminVerbs.QUEUE_CREATE, name).value(0, "created"));
        changed.run();
        return created;
    }

    @Override
    public long deleteQueue(final String name)
    {
        final long dropped = ((Number)admin.call(AdminVerbs.QUEUE_DELETE, name).value(0, "dropped")).longValue();
        changed.run();
        return dropped;
    }

    @Override
    public boolean createTopic(final String name)
    {
        final boolean created = Boolean.TRUE.equals(admin.call(AdminVerbs.TOPIC_CREATE, name).value(0, "created"));
        changed.run();
        return created;
    }

    @Override
    public void deleteTopic(final String name)
    {
        admin.call(AdminVerbs.TOPIC_DELETE, name);
        changed.run();
    }

    private static String[] names(final AdminTable table)
    {
        final String[] names = new String[table.rows().size()];
        for (int r = 0; r < names.length; r++)
        {
            names[r] = String.valueOf(table.value(r, "name"));
        }
        return names;
    }
}
