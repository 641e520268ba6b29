package io.meshmq.metrics.jmx;

import io.meshmq.engine.Broker;
import io.meshmq.metrics.AdminCalls;
import io.meshmq.protocol.AdminTable;
import io.meshmq.protocol.AdminVerbs;

import javax.management.JMException;
import javax.management.MBeanServer;
import javax.management.ObjectName;
import java.lang.management.ManagementFactory;
import java.util.HashSet;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;

/**
 * The broker's MBeans in the platform MBean server ({@code jmx = true}, the default): one for the broker, one per
 * queue, topic and subscription, cluster link and bridge, named under {@code io.meshmq:broker="NAME"}. Every
 * attribute and operation goes through the admin verbs the command line uses (one management service); queues,
 * topics and subscriptions made or deleted by clients are
 * picked up every {@value #REFRESH_MS} ms, those made through JMX at once.
 * <p>
 * Thread safe: refreshes on its own timer thread, calls on JMX's threads.
 */
public final class JmxManagement implements AutoCloseable
{
    private static final System.Logger LOG = System.getLogger(JmxManagement.class.getName());
    static final long REFRESH_MS = 2_000;
    private static final String BRIDGE_STATUS = "bridge.status";

    private final Broker broker;
    private final AdminCalls admin;
    private final MBeanServer server = ManagementFactory.getPlatformMBeanServer();
    private final Set<ObjectName> registered = ConcurrentHashMap.newKeySet();
    private final ScheduledExecutorService timer;
    private final String brokerKey;

    private JmxManagement(final Broker broker)
    {
        this.broker = broker;
        this.admin = new AdminCalls(broker);
        this.brokerKey = "io.meshmq:broker=" + ObjectName.quote(broker.name());
        this.timer = Executors.newSingleThreadScheduledExecutor(runnable ->
        {
            final Thread thread = new Thread(runnable, "meshmq-jmx-" + broker.name());
            thread.setDaemon(true);
            return thread;
        });
    }

    /**
     * Registers the broker's MBean and its destinations', and keeps them in step.
     *
     * @throws IllegalStateException if MBeans of a broker of that name are registered already (two in one JVM).
     */
    public static JmxManagement start(final Broker broker, final String version)
    {
        final JmxManagement management = new JmxManagement(broker);
        management.register(management.brokerKey, new BrokerControl(broker, management.admin, version,
            () -> management.timer.execute(management::refresh)), BrokerControlMBean.class);
        management.timer.scheduleWithFixedDelay(management::refresh, 0, REFRESH_MS, TimeUnit.MILLISECONDS);
        return management;
    }

    private void refresh()
    {
        try
        {
            final Set<ObjectName> wanted = new HashSet<>();
            final AdminTable queues = admin.call(AdminVerbs.QUEUE_LIST);
            for (int r = 0; r < queues.rows().size(); r++)
            {
                final String name = String.valueOf(queues.value(r, "name"));
                final ObjectName object = name("queues", "queue", name);
                wanted.add(object);
                if (!registered.contains(object))
                {
                    register(object, new QueueControl(admin, name), QueueControlMBean.class);
                }
            }
            final AdminTable topics = admin.call(AdminVerbs.TOPIC_LIST);
            for (int r = 0; r < topics.rows().size(); r++)
            {
                final String name = String.valueOf(topics.value(r, "name"));
                final ObjectName object = name("topics", "topic", name);
                wanted.add(object);
                if (!registered.contains(object))
                {
                    register(object, new TopicControl(admin, name), TopicControlMBean.class);
                }
            }
            rows(wanted, AdminVerbs.SUBSCRIPTION_LIST, "queue", "subscriptions", "subscription", "A topic " +
                "subscription: its topic, name, client id, kind, selector, messages, consumers and deliveries");
            rows(wanted, AdminVerbs.CLUSTER_STATUS, "node", "cluster-links", "node", "A cluster link: its node's " +
                "state, the messages waiting to cross it and those it forwarded");
            rows(wanted, BRIDGE_STATUS, "bridge", "bridges", "bridge", "A core bridge: its state, backlog, " +
                "messages forwarded and dead-lettered, and its last error");
            for (final ObjectName object : Set.copyOf(registered))
            {
                if (!wanted.contains(object) && !object.getCanonicalName().equals(canonical(brokerKey)))
                {
                    unregister(object);
                }
            }
        }
        catch (final RuntimeException ex)
        {
            // a periodic task that throws is never run again: log and go on
            LOG.log(System.Logger.Level.WARNING, "jmx: cannot refresh the MBeans of '" + broker.name() + "': " + ex);
        }
    }

    /**
     * An MBean per row of a table the broker may have (a cluster's, bridges'); none if it has not.
     */
    private void rows(final Set<ObjectName> wanted, final String verb, final String keyColumn, final String component,
        final String key, final String description)
    {
        final AdminTable table;
        try
        {
            table = admin.call(verb);
        }
        catch (final IllegalArgumentException | IllegalStateException none)
        {
            return; // no cluster, or no bridges on this broker
        }
        for (int r = 0; r < table.rows().size(); r++)
        {
            final String value = String.valueOf(table.value(r, keyColumn));
            if (value.endsWith("(this node)") || "?".equals(value))
            {
                continue; // this node's own row, or a member not linked to yet
            }
            final ObjectName object = name(component, key, value);
            wanted.add(object);
            if (!registered.contains(object))
            {
                registerDynamic(object, new TableRowBean(admin, verb, keyColumn, value, table.columns(), description));
            }
        }
    }

    private void registerDynamic(final ObjectName object, final TableRowBean bean)
    {
        try
        {
            server.registerMBean(bean, object);
            registered.add(object);
        }
        catch (final JMException ex)
        {
            throw new IllegalStateException("jmx: cannot register " + object + ": " + ex.getMessage(), ex);
        }
    }

    private ObjectName name(final String component, final String key, final String destination)
    {
        try
        {
            return new ObjectName(brokerKey + ",component=" + component + "," + key + "=" +
                ObjectName.quote(destination));
        }
        catch (final JMException ex)
        {
            throw new IllegalStateException(ex);
        }
    }

    private static String canonical(final String name)
    {
        try
        {
            return new ObjectName(name).getCanonicalName();
        }
        catch (final JMException ex)
        {
            throw new IllegalStateException(ex);
        }
    }

    private <T> void register(final Object name, final T bean, final Class<T> type)
    {
        try
        {
            final ObjectName object = name instanceof ObjectName given ? given : new ObjectName((String)name);
            server.registerMBean(new javax.management.StandardMBean(bean, type), object);
            registered.add(object);
        }
        catch (final JMException ex)
        {
            throw new IllegalStateException("jmx: cannot register " + name + ": " + ex.getMessage(), ex);
        }
    }

    private void unregister(final ObjectName object)
    {
        try
        {
            server.unregisterMBean(object);
        }
        catch (final JMException ex)
        {
            // already gone
        }
        registered.remove(object);
    }

    @Override
    public void close()
    {
        timer.shutdownNow();
        Set.copyOf(registered).forEach(this::unregister);
    }
}
