package io.meshmq.broker.cli;

import io.meshmq.admin.MeshAdmin;
import io.meshmq.bridge.Bridges;
import io.meshmq.protocol.AdminTable;
import io.meshmq.protocol.AdminVerbs;
import jakarta.jms.JMSException;

import java.io.PrintStream;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Set;

/**
 * {@code meshmq queue create|delete|purge|move|list}, {@code meshmq topic create|delete|list} and
 * {@code meshmq subscription list} and {@code meshmq xa list|commit|rollback}: management of a running broker
 * through {@link MeshAdmin}.
 */
public final class AdminCommand
{
    public static final String QUEUE_USAGE = "queue (create|delete|purge) NAME | queue move SOURCE TARGET " +
        "[--selector S] | queue list  [--url URL] [--user U --password P]   (move: the waiting messages, or those " +
        "the selector matches, to another queue)";
    public static final String TOPIC_USAGE = "topic (create|delete) NAME | topic list  [--url URL] [--user U --password P]";
    public static final String SUBSCRIPTION_USAGE = "subscription list  [--url URL] [--user U --password P]";
    public static final String XA_USAGE = "xa (commit|rollback) XID | xa list  [--url URL] [--user U --password P]" +
        "   (completing a prepared branch by hand is a heuristic decision its transaction manager is told of)";

    public static final String CLUSTER_USAGE = "cluster status | cluster list | cluster bindings | " +
        "cluster add HOST:PORT [--inactive] | cluster remove HOST:PORT | cluster suspend NODE | " +
        "cluster resume NODE | cluster force-remove NODE  [--url URL] [--user U --password P]   (status: every " +
        "node, its link and the messages waiting to cross it; bindings: the other nodes' queues and subscriptions " +
        "this node routes to; add and remove spread to every member and survive restarts; suspend: NODE takes no " +
        "new work another node can take and sends its clients to other nodes, until resumed; force-remove: forgets " +
        "a node that is down for good and says what it held)";

    public static final String CONNECTION_USAGE = "connection list | connection close ID  [--url URL] " +
        "[--user U --password P]   (close: as if its network went; its unacknowledged messages go back)";
    public static final String BRIDGE_USAGE = "bridge create NAME source-queue=Q target-url=URL [KEY=VALUE ...] | " +
        "bridge delete NAME | bridge list | bridge status  [--url URL] [--user U --password P]   (the keys of " +
        "bridge.NAME.KEY in the configuration file; a bridge made here is kept across restarts)";

    private static final Map<String, String> VERBS = Map.ofEntries(
        Map.entry("bridge create", Bridges.CREATE), Map.entry("bridge delete", Bridges.DELETE),
        Map.entry("bridge list", Bridges.LIST), Map.entry("bridge status", Bridges.STATUS),
        Map.entry("connection list", AdminVerbs.CONNECTION_LIST),
        Map.entry("connection close", AdminVerbs.CONNECTION_CLOSE),
        Map.entry("queue create", AdminVerbs.QUEUE_CREATE), Map.entry("queue delete", AdminVerbs.QUEUE_DELETE),
        Map.entry("queue purge", AdminVerbs.QUEUE_PURGE), Map.entry("queue list", AdminVerbs.QUEUE_LIST),
        Map.entry("queue move", AdminVerbs.QUEUE_MOVE),
        Map.entry("topic create", AdminVerbs.TOPIC_CREATE), Map.entry("topic delete", AdminVerbs.TOPIC_DELETE),
        Map.entry("topic list", AdminVerbs.TOPIC_LIST), Map.entry("subscription list", AdminVerbs.SUBSCRIPTION_LIST),
        Map.entry("xa list", AdminVerbs.XA_LIST), Map.entry("xa commit", AdminVerbs.XA_COMMIT),
        Map.entry("xa rollback", AdminVerbs.XA_ROLLBACK), Map.entry("cluster status", AdminVerbs.CLUSTER_STATUS),
        Map.entry("cluster list", AdminVerbs.CLUSTER_LIST), Map.entry("cluster add", AdminVerbs.CLUSTER_ADD),
        Map.entry("cluster bindings", AdminVerbs.CLUSTER_BINDINGS),
        Map.entry("cluster remove", AdminVerbs.CLUSTER_REMOVE),
        Map.entry("cluster suspend", AdminVerbs.CLUSTER_SUSPEND),
        Map.entry("cluster resume", AdminVerbs.CLUSTER_RESUME),
        Map.entry("cluster force-remove", AdminVerbs.CLUSTER_FORCE_REMOVE));

    private AdminCommand()
    {
    }

    public static int run(final String[] args, final PrintStream out) throws UsageException, JMSException
    {
        final String noun = args[0];
        if (args.length < 2 || args[1].startsWith("--"))
        {
            throw new UsageException(noun + ": say what to do, e.g. meshmq " + usageOf(noun));
        }
        final String verb = VERBS.get(noun + " " + args[1]);
        if (verb == null)
        {
            throw new UsageException(noun + ": unknown action '" + args[1] + "'; usage: meshmq " + usageOf(noun));
        }
        final boolean takesName = !verb.endsWith(".list") && !verb.endsWith(".status") && !verb.endsWith(".bindings");
        if (takesName && (args.length < 3 || args[2].startsWith("--")))
        {
            throw new UsageException(noun + " " + args[1] + ": give the " + ("xa".equals(noun) ? "xid, as xa list shows it" :
                "cluster".equals(noun) ? "member as HOST:PORT" : "connection".equals(noun) ?
                "connection's id, as connection list shows it" : noun + " name"));
        }
        if (Bridges.CREATE.equals(verb))
        {
            return createBridge(args, out);
        }
        if (AdminVerbs.QUEUE_MOVE.equals(verb))
        {
            return moveMessages(args, out);
        }
        final Flags flags = Flags.parse(noun + " " + args[1], args, takesName ? 3 : 2,
            Set.of("--url", "--user", "--password"), AdminVerbs.CLUSTER_ADD.equals(verb) ? Set.of("--inactive") : Set.of());
        try (MeshAdmin admin = MeshAdmin.connect(flags.get("--url", ClientCommand.DEFAULT_URL), flags.get("--user"),
            flags.get("--password")))
        {
            final AdminTable table = !takesName ? admin.call(verb) : flags.has("--inactive") ?
                admin.call(verb, args[2], "inactive") : admin.call(verb, args[2]);
            print(table, out);
        }
        return 0;
    }

    /**
     * {@code bridge create NAME KEY=VALUE ... [--url URL] [--user U --password P]}.
     */
    private static int createBridge(final String[] args, final PrintStream out) throws UsageException, JMSException
    {
        final List<String> verbArgs = new ArrayList<>(List.of(args[2]));
        int flagsFrom = 3;
        while (flagsFrom < args.length && !args[flagsFrom].startsWith("--"))
        {
            verbArgs.add(args[flagsFrom++]);
        }
        final Flags flags = Flags.parse("bridge create", args, flagsFrom, Set.of("--url", "--user", "--password"),
            Set.of());
        try (MeshAdmin admin = MeshAdmin.connect(flags.get("--url", ClientCommand.DEFAULT_URL), flags.get("--user"),
            flags.get("--password")))
        {
            print(admin.call(Bridges.CREATE, verbArgs.toArray(new String[0])), out);
        }
        return 0;
    }

    /**
     * {@code queue move SOURCE TARGET [--selector S] [--url URL] [--user U --password P]}.
     */
    private static int moveMessages(final String[] args, final PrintStream out) throws UsageException, JMSException
    {
        if (args.length < 4 || args[3].startsWith("--"))
        {
            throw new UsageException("queue move: give the source queue and the target queue, e.g. meshmq queue move " +
                "orders.failed orders");
        }
        final Flags flags = Flags.parse("queue move", args, 4, Set.of("--url", "--user", "--password", "--selector"),
            Set.of());
        try (MeshAdmin admin = MeshAdmin.connect(flags.get("--url", ClientCommand.DEFAULT_URL), flags.get("--user"),
            flags.get("--password")))
        {
            print(flags.has("--selector") ?
                admin.call(AdminVerbs.QUEUE_MOVE, args[2], args[3], flags.get("--selector")) :
                admin.call(AdminVerbs.QUEUE_MOVE, args[2], args[3]), out);
        }
        return 0;
    }

    private static String usageOf(final String noun)
    {
        switch (noun)
        {
            case "queue": return QUEUE_USAGE;
            case "topic": return TOPIC_USAGE;
            case "xa": return XA_USAGE;
            case "cluster": return CLUSTER_USAGE;
            case "bridge": return BRIDGE_USAGE;
            case "connection": return CONNECTION_USAGE;
            default: return SUBSCRIPTION_USAGE;
        }
    }

    /**
     * Prints a table in aligned columns, a header line first.
     */
    static void print(final AdminTable table, final PrintStream out)
    {
        final List<String> columns = table.columns();
        final List<String[]> lines = new ArrayList<>();
        lines.add(columns.toArray(new String[0]));
        for (final List<Object> row : table.rows())
        {
            final String[] cells = new String[row.size()];
            for (int i = 0; i < cells.length; i++)
            {
                cells[i] = row.get(i) == null ? "-" : String.valueOf(row.get(i));
            }
            lines.add(cells);
        }
        final int[] widths = new int[columns.size()];
        for (final String[] line : lines)
        {
            for (int i = 0; i < line.length; i++)
            {
                widths[i] = Math.max(widths[i], line[i].length());
            }
        }
        for (final String[] line : lines)
        {
            final StringBuilder text = new StringBuilder();
            for (int i = 0; i < line.length; i++)
            {
                text.append(i == 0 ? "" : "  ").append(line[i]).append(" ".repeat(i == line.length - 1 ? 0 : widths[i] - line[i].length()));
            }
            out.println(text);
        }
        out.flush();
    }
}
