package io.meshmq.bridge;

import io.meshmq.engine.BrokerContext;
import io.meshmq.engine.extension.AdminHandler;
import io.meshmq.protocol.AdminTable;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.TreeMap;
import java.util.concurrent.ConcurrentHashMap;

/**
 * The broker's core bridges: those of its configuration file and those made at run time ({@code bridge create}, kept
 * in {@code DATA/bridges.properties} across restarts). Answers the {@code bridge.*} admin verbs.
 * <p>
 * Thread safe: the admin verbs come on the processor thread (they start and stop bridge threads, and write the small
 * file of run-time bridges there, so that an answer means it is kept), the rest from the launcher's thread.
 */
public final class Bridges implements AdminHandler, AutoCloseable
{
    public static final String CREATE = "bridge.create";
    public static final String DELETE = "bridge.delete";
    public static final String LIST = "bridge.list";
    public static final String STATUS = "bridge.status";

    private final BrokerContext context;
    private final BridgeStore store;
    private final Map<String, Bridge> bridges = new ConcurrentHashMap<>();
    /** Names defined in the configuration file: they cannot be deleted at run time (they would come back). */
    private final Map<String, Boolean> configured = new ConcurrentHashMap<>();
    private volatile String sourceUrl;
    private volatile boolean closed;

    /**
     * Reads the bridges of the configuration and of the data directory; call before the broker starts (it reads the
     * address settings the processor owns once it runs).
     *
     * @throws IllegalArgumentException if a bridge kept in the data directory is no longer valid, naming it.
     * @throws UncheckedIOException     if the kept bridges cannot be read.
     */
    public Bridges(final BrokerContext context, final Path dataDirectory)
    {
        this.context = context;
        this.store = new BridgeStore(dataDirectory.resolve("bridges.properties"));
        context.bridgeSettings().forEach((name, settings) ->
        {
            add(BridgeDefinition.of(name, settings));
            configured.put(name, true);
        });
        try
        {
            store.read().forEach((name, settings) ->
            {
                if (bridges.containsKey(name))
                {
                    throw new IllegalArgumentException("bridge '" + name + "' is in the configuration file and in " +
                        store + " (made by bridge create): remove one");
                }
                add(BridgeDefinition.of(name, settings));
            });
        }
        catch (final IOException ex)
        {
            throw new UncheckedIOException("cannot read the bridges in " + store + ": " + ex.getMessage(), ex);
        }
    }

    /**
     * Starts every bridge, each reaching this broker at {@code sourceUrl} (in-VM where it can).
     */
    public void start(final String sourceUrl)
    {
        this.sourceUrl = sourceUrl;
        bridges.values().forEach(bridge -> bridge.start(sourceUrl));
    }

    /**
     * @return how many bridges it keeps.
     */
    public int size()
    {
        return bridges.size();
    }

    @Override
    public AdminTable admin(final String verb, final String[] args, final Broker broker)
    {
        switch (verb)
        {
            case CREATE: return create(args, broker);
            case DELETE: return delete(args, broker);
            case LIST: return list();
            case STATUS: return status(broker);
            default: return null;
        }
    }

    private AdminTable create(final String[] args, final Broker broker)
    {
        if (args.length < 1)
        {
            throw new IllegalArgumentException("bridge create: give the bridge's name and KEY=VALUE settings");
        }
        final String name = args[0];
        final Map<String, String> settings = new LinkedHashMap<>();
        for (int i = 1; i < args.length; i++)
        {
            final int eq = args[i].indexOf('=');
            if (eq <= 0)
            {
                throw new IllegalArgumentException("bridge create " + name + ": '" + args[i] + "' is not KEY=VALUE");
            }
            settings.put(args[i].substring(0, eq).strip(), args[i].substring(eq + 1));
        }
        final BridgeDefinition definition = BridgeDefinition.of(name, settings);
        if (closed)
        {
            throw new IllegalStateException("the broker is stopping");
        }
        if (bridges.containsKey(name))
        {
            throw new IllegalStateException("there is a bridge '" + name + "' already; delete it first");
        }
        final Bridge bridge = add(definition);
        try
        {
            save(broker);
        }
        catch (final IOException ex)
        {
            bridges.remove(name);
            throw new IllegalStateException("bridge '" + name + "' not made: cannot keep it in " + store + ": " +
                ex.getMessage(), ex);
        }
        final String url = sourceUrl;
        if (url != null)
        {
            bridge.start(url);
        }
        return new AdminTable("bridge", "created").row(name, true);
    }

    private AdminTable delete(final String[] args, final Broker broker)
    {
        if (args.length != 1)
        {
            throw new IllegalArgumentException("bridge delete: give the bridge's name");
        }
        final String name = args[0];
        if (configured.containsKey(name))
        {
            throw new IllegalStateException("bridge '" + name + "' is defined in the configuration file: remove it " +
                "there (it would come back at the next start)");
        }
        final Bridge bridge = bridges.remove(name);
        if (bridge == null)
        {
            throw new IllegalArgumentException("there is no bridge '" + name + "'");
        }
        try
        {
            save(broker);
        }
        catch (final IOException ex)
        {
            bridges.put(name, bridge);
            throw new IllegalStateException("bridge '" + name + "' not deleted: cannot write " + store + ": " +
                ex.getMessage(), ex);
        }
        // Stopping waits for its thread: not on the processor thread that answers this.
        final Thread stopping = new Thread(bridge::stop, "meshmq-bridge-stop-" + name);
        stopping.setDaemon(true);
        stopping.start();
        return new AdminTable("bridge", "deleted").row(name, true);
    }

    private AdminTable list()
    {
        final AdminTable table = new AdminTable("bridge", "source-queue", "target-url", "target-address", "filter",
            "defined");
        for (final Bridge bridge : new TreeMap<>(bridges).values())
        {
            final BridgeDefinition definition = bridge.definition();
            table.row(definition.name(), definition.sourceQueue(), definition.shownTargetUrl(),
                definition.targetAddress(), definition.filter(),
                configured.containsKey(definition.name()) ? "configuration" : "bridge create");
        }
        return table;
    }

    private AdminTable status(final Broker broker)
    {
        final AdminTable table = new AdminTable("bridge", "state", "backlog", "forwarded", "dead-lettered",
            "last-error");
        for (final Bridge bridge : new TreeMap<>(bridges).values())
        {
            final Bridge.Status status = bridge.status();
            table.row(bridge.definition().name(), status.state(), broker.depthOf(bridge.definition().sourceQueue()),
                status.forwarded(), status.deadLettered(), status.lastError());
        }
        return table;
    }

    private Bridge add(final BridgeDefinition definition)
    {
        final String deadLetters = context.addressSettings().resolve(definition.sourceQueue()).deadLetterAddress();
        final Bridge bridge = new Bridge(definition, deadLetters);
        bridges.put(definition.name(), bridge);
        return bridge;
    }

    private synchronized void save(final Broker broker) throws IOException
    {
        final Map<String, Map<String, String>> runtime = new TreeMap<>();
        for (final Bridge bridge : bridges.values())
        {
            if (!configured.containsKey(bridge.definition().name()))
            {
                runtime.put(bridge.definition().name(), bridge.definition().settings());
            }
        }
        store.write(runtime, broker);
    }

    /**
     * Stops every bridge; what each received and had not forwarded stays on its source queue.
     */
    @Override
    public void close()
    {
        closed = true;
        bridges.values().forEach(Bridge::stop);
    }
}
