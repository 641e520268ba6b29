package io.meshmq.broker.config;

import io.meshmq.bridge.BridgeDefinition;
import io.meshmq.engine.BrokerContext;
import io.meshmq.engine.ProcessorWait;
import io.meshmq.engine.journal.Journal;
import io.meshmq.engine.processor.AddressSettingsMatcher;
import io.meshmq.engine.processor.Durability;
import io.meshmq.engine.security.Permission;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.InvalidPathException;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Set;

/**
 * Applies settings to a {@link BrokerContext}, from a configuration file and from flags.
 * <p>
 * The file has one {@code key = value} per line; {@code #} starts a comment; blank lines are ignored. Keys:
 * <pre>
 * name             = n1                  broker (node) name
 * bind             = 127.0.0.1:7918      TCP listen address, HOST:PORT (PORT 0 picks a free one)
 * data             = ./data              data directory
 * vm-id            = 0                   in-VM id (vm://ID); "none" for no in-VM acceptor
 * io-threads       = 2                   Netty I/O threads
 * ring-size        = 16384               engine ring slots, a power of two
 * max-frame-length = 104857600           largest frame accepted, bytes
 * handshake-timeout = 10000              ms a new connection may take to say HELLO before it is closed
 * duplicate-id-cache-size = 4096         message ids remembered per address: a send made again is stored once
 * large-message-threshold = 102400       bodies above it are streamed to a file of their own, not held in the heap
 *                                        (at most max-frame-length less 1 KiB); 0: no large messages
 * max-connections  = 19456               connections held at most (default: the file descriptor limit
 *                                        less a quarter of it, at most 1024); -1 for no limit
 * max-connections-per-address = 9728     connections one remote address holds at most (default half
 *                                        of max-connections); -1 for no limit
 * auto-create      = true                create queues and topics on first use
 * queues           = orders, invoices    queues that exist from start-up
 * topics           = prices              topics that exist from start-up
 * default-user     = guest               user of connections without credentials once users exist; unset or
 *                                        empty: they are refused
 * user.NAME        = pbkdf2-sha256:...   a user and its password hash (./meshmq hash-password);
 *                                        with no user.* keys security is off
 * user.NAME.roles  = admin, app          the user's roles
 * user.NAME.certificate-subject = CN=app a TLS client whose verified certificate has this subject, and
 *                                        that gives no user name, is this user (see {@link TlsKeys} for TLS)
 * security.PATTERN.PERMISSION = app, ops the roles that hold a permission on the addresses PATTERN
 *                                        matches (a name, a prefix ending in '*', or '*' for all;
 *                                        the most specific pattern decides, unlisted = nobody; role '*'
 *                                        = every user); PERMISSION is send, consume, browse,
 *                                        createDurableQueue, deleteDurableQueue, createNonDurableQueue,
 *                                        createAddress, deleteAddress or manage (admin and cluster verbs,
 *                                        on address meshmq.management). With no security.* keys every
 *                                        user may do everything but manage, which needs role admin
 * address.PATTERN.SETTING = VALUE        per-address settings; PATTERN is a name, a prefix ending
 *                                        in '*', or '*' for all; SETTING is max-delivery-attempts
 *                                        (default 10, -1 no limit), redelivery-delay (ms, default 0),
 *                                        dead-letter-address (default DLQ), expiry-address (default
 *                                        ExpiryQueue); an empty address drops such messages;
 *                                        max-size-bytes (default -1, none): bytes one queue of the
 *                                        address may hold waiting in memory; address-full-policy
 *                                        (PAGE, the default: what does not fit goes to page files
 *                                        and comes back in order; BLOCK: producers wait for room;
 *                                        FAIL: the send is refused)
 * global-max-size  = 268435456           bytes of waiting messages all queues together may hold in
 *                                        memory before addresses page or refuse (default half the
 *                                        heap; -1 none)
 * journal.sync     = force               force: confirm persistent sends and commits once forced
 *                                        to disk; none: once written to the OS (survives the
 *                                        broker's death, not a power cut)
 * journal.segment-size = 16777216        bytes per journal file (at least 65536)
 * journal.skip-corrupt = false           true: start despite a corrupt record in the middle of the
 *                                        journal, losing the rest of that file (it is logged)
 * cluster          = prod                the cluster this node joins (none by default)
 * cluster.members  = h1:7918, h2:7918    members it keeps a core connection to (may include itself)
 * cluster.advertise = 10.0.0.1:7918     where other members reach this node (default: where it listens;
 *                                       needed when it listens on 0.0.0.0 and the mesh is defined at run time)
 * cluster.user     = mesh                user its cluster connections authenticate as (needs role
 * cluster.password = secret              "cluster" on the other nodes when they have users)
 * cluster.tls      = true                cluster links speak TLS (tls.* keys: trust store, and key store
 *                                        for members that want client certificates)
 * cluster.group    = eu                  the named group this node is in: QUEUE@group:eu balances among its nodes
 * cluster.send-timeout = 30000           ms a send waits for another node to store it where the address's
 *                                        unreachable-node is fail (QUEUE@NODE by default); then it fails
 * cluster.repository = partial          full (the default): links to every member and knows every node's
 *                                        queues; partial: links to the full repositories cluster.members
 *                                        names (or discovery finds), asks them for the nodes of what it
 *                                        uses, links to those alone
 * cluster.idle-link-timeout = 300000     ms after which a partial node closes a link it opened on demand and
 *                                        has not used since
 * grouping.type    = local               message groups (JMSXGroupID) of a clustered queue go to one node: the
 *                                        local handler (one node) decides which, remote ones ask it; none
 *                                        (the default): each node keeps the groups of what it routes itself
 * grouping.timeout = 5000                ms a grouped send on a remote node waits for the local one to decide
 * grouping.group-timeout = -1            ms after which a group no message used is forgotten (-1 never)
 * grouping.reaper-period = 30000         ms between looks for groups to forget
 * cluster.weight   = 2                   this node's share of balanced messages against other nodes'
 *                                        weights (default 1; 1-1000); per address: address.P.cluster-weight
 * cluster.rank     = 2                   1 (the default) is the first choice: messages go only to reachable
 *                                        nodes of the best rank, e.g. rank 2 for a standby site (1-9); per
 *                                        address: address.P.cluster-rank
 * discovery.group-address = 239.7.9.18  UDP multicast group this node announces itself on (every
 * discovery.group-port = 9876            discovery.broadcast-period ms, default 2000) and learns members
 *                                        from; a member not heard for discovery.refresh-timeout ms (default
 *                                        10000) is dropped from the mesh
 * discovery.local-bind-address = 10.0.0.1  the interface discovery uses (default: the system's choice)
 * discovery.jgroups-file = stack.xml     instead of a multicast group: announce and discover on a JGroups
 * discovery.jgroups-channel = meshmq     channel (a stack file's path, or tcp.xml/udp.xml from JGroups, and
 *                                        the channel's name; both needed), where multicast is not allowed
 * ha               = replication         every member serves its journal and keeps a replica of the next
 *                                        member's (by cluster.members), taking it over when the quorum
 *                                        agrees (needs ha.quorum); none (the default): no colocated replica
 * ha.backup-bind   = h1:8018             with ha = replication: where a journal taken over is served
 *                                        (default: this node's host, its port + 100)
 * ha.replica-fault = wait               when a replica in sync cannot store (its disk is full): the live
 *                                        confirms nothing until a replica is in sync again; alone: it goes on
 *                                        with its own disk alone, logging a warning
 * ha.failback     = true                a live whose journal was taken over takes it back once it holds an
 *                                        in-sync copy again (default false: it stays the replica)
 * ha.role          = backup              this process keeps a replica of a live's data directory (under
 *                                        DATA/replica) instead of being a broker; live (the default): a
 *                                        broker, which takes a backup that asks to be its replica;
 *                                        witness: only a vote of the quorum (ha.quorum), no data
 * ha.quorum        = h1:7928,h2:7928,h3:7928  every voter's quorum address (the same list on each; at
 *                                        least three): takeover is automatic, agreed by a majority
 * ha.quorum-bind   = h1:7928             which of ha.quorum this process is (where its vote listens)
 * ha.lease         = 1500                ms a live serves after it last reached a majority; a replica
 *                                        that took over waits as long before it serves
 * ha.live          = h1:7918             the live a backup replicates (its cluster port; the same cluster
 *                                        user and TLS settings as the live's members)
 * address.PATTERN.load-balancing = ON_DEMAND   in a cluster: OFF, STRICT or ON_DEMAND (default)
 * address.PATTERN.redistribution-delay = 1000  in a cluster: ms without consumers before waiting
 *                                        messages move to another node's consumers (-1 never)
 * processor.wait   = yield                how the processor waits when idle: block (the default, no CPU while
 *                                        idle), yield or spin (lower latency for a core of its own)
 * jmx              = false                no MBeans (by default the broker, its queues and topics are in the
 *                                        platform MBean server under io.meshmq:broker="NAME")
 * metrics.bind     = 127.0.0.1:9404       serve metrics for Prometheus at http://HOST:PORT/metrics (off by
 *                                        default): queues, topics, cluster links, bridges, journal forces, JVM
 * console.bind     = 127.0.0.1:8161       serve the web console at http://HOST:PORT/ (off by default): log in as a
 *                                        user with manage on meshmq.management (anyone while security is off)
 * bridge.NAME.source-queue = orders      a core bridge: forwards this queue's messages, once and only once, to
 * bridge.NAME.target-url = tcp://h:7918  another broker (a URL list fails over); more bridge.NAME. keys:
 *                                        target-address (default the queue's name; topic:NAME for a topic),
 *                                        filter, retry-interval, retry-interval-multiplier, max-retry-interval,
 *                                        reconnect-attempts, confirmation-window, user, password (the
 *                                        target's), source-user, source-password (this broker's, with users)
 * address.PATTERN.prefer-local = true    with ON_DEMAND: a message stays here while a local consumer keeps
 *                                        up (the default); false: balanced by weight among every node with
 *                                        a consumer of the best rank
 * </pre>
 * Keys are case insensitive; user names and address patterns keep their case.
 */
public final class BrokerSettings
{
    public static final List<String> KEYS = List.of(
        "name", "bind", "data", "vm-id", "io-threads", "ring-size", "max-frame-length", "handshake-timeout",
        "duplicate-id-cache-size", "large-message-threshold",
        "max-connections", "max-connections-per-address", "auto-create", "queues", "topics",
        "default-user", "user.NAME", "user.NAME.roles", "security.PATTERN.PERMISSION", "address.PATTERN.SETTING",
        "bridge.NAME.KEY", "metrics.bind", "console.bind", "jmx", "processor.wait", "journal.sync",
        "journal.segment-size",
        "journal.skip-corrupt", "global-max-size", "cluster", "cluster.members", "cluster.advertise", "cluster.user",
        "cluster.password", "cluster.tls", "cluster.weight", "cluster.rank", "cluster.group", "cluster.send-timeout",
        "cluster.repository", "cluster.idle-link-timeout",
        "grouping.type", "grouping.timeout", "grouping.group-timeout", "grouping.reaper-period",
        "discovery.group-address",
        "discovery.group-port", "discovery.local-bind-address", "discovery.jgroups-file", "discovery.jgroups-channel",
        "discovery.broadcast-period", "discovery.refresh-timeout", "ha",
        "ha.backup-bind", "ha.spare-bind", "ha.re-replicate-after", "ha.failback", "ha.replica-fault", "ha.role",
        "ha.live",
        "ha.quorum", "ha.quorum-bind", "ha.lease", "user.NAME.certificate-subject",
        "tls, tls.*, acceptor.NAME.*");

    private BrokerSettings()
    {
    }

    /**
     * Reads a configuration file and applies it.
     *
     * @throws ConfigException naming the file, line and key of the first error.
     */
    public static void applyFile(final Path file, final BrokerContext context) throws ConfigException
    {
        final List<String> lines;
        try
        {
            lines = Files.readAllLines(file, StandardCharsets.UTF_8);
        }
        catch (final NoSuchFileException ex)
        {
            throw new ConfigException("configuration file " + file + " does not exist");
        }
        catch (final IOException ex)
        {
            throw new ConfigException("cannot read configuration file " + file + ": " + ex.getMessage());
        }
        applyLines(file.toString(), lines, context);
    }

    /**
     * @param source where the lines come from, for errors ("FILE:LINE").
     * @throws ConfigException naming the source, line and key of the first error.
     */
    static void applyLines(final String source, final List<String> lines, final BrokerContext context)
        throws ConfigException
    {
        final Map<String, Integer> seen = new LinkedHashMap<>();
        for (int i = 0; i < lines.size(); i++)
        {
            final int lineNumber = i + 1;
            final String where = source + ":" + lineNumber;
            String line = lines.get(i);
            final int comment = line.indexOf('#');
            if (comment >= 0)
            {
                line = line.substring(0, comment);
            }
            line = line.strip();
            if (line.isEmpty())
            {
                continue;
            }
            final int eq = line.indexOf('=');
            if (eq <= 0)
            {
                throw new ConfigException(where + ": expected 'key = value', found '" + lines.get(i).strip() + "'");
            }
            final String key = normaliseKey(line.substring(0, eq).strip());
            final String value = line.substring(eq + 1).strip();
            final Integer previous = seen.put(key, lineNumber);
            if (previous != null)
            {
                throw new ConfigException(where + ": key '" + key + "' is already set on line " + previous);
            }
            apply(key, value, where, context);
        }
        checkDiscovery(source, seen);
        checkRepository(source, seen, context);
        checkBridges(source, seen, context);
    }

    private static boolean isFile(final String path)
    {
        try
        {
            return Files.isRegularFile(Path.of(path));
        }
        catch (final InvalidPathException ex)
        {
            return false;
        }
    }

    /**
     * Keys that only make sense together, or never together.
     */
    private static void checkDiscovery(final String source, final Map<String, Integer> seen) throws ConfigException
    {
        final Integer file = seen.get("discovery.jgroups-file");
        final Integer channel = seen.get("discovery.jgroups-channel");
        if (file != null && channel == null || channel != null && file == null)
        {
            throw new ConfigException(source + ":" + (file != null ? file : channel) + ": discovery over JGroups " +
                "needs both discovery.jgroups-file and discovery.jgroups-channel");
        }
        final Integer group = seen.get("discovery.group-address");
        if (channel != null && group != null)
        {
            throw new ConfigException(source + ":" + Math.max(channel, group) + ": discovery.group-address (line " +
                group + ") and discovery.jgroups-channel (line " + channel + ") both set: discovery uses one, a UDP " +
                "multicast group or a JGroups channel");
        }
    }

    /**
     * A partial repository learns the cluster from the full repositories it is given or discovers.
     */
    private static void checkRepository(final String source, final Map<String, Integer> seen,
        final BrokerContext context) throws ConfigException
    {
        final Integer partial = seen.get("cluster.repository");
        if (partial == null || !context.clusterPartial())
        {
            return;
        }
        if (!seen.containsKey("cluster.members") && !seen.containsKey("discovery.group-address") &&
            !seen.containsKey("discovery.jgroups-channel"))
        {
            throw new ConfigException(source + ":" + partial + ": cluster.repository = partial needs cluster.members " +
                "naming the full repositories (one or more nodes with cluster.repository = full), or discovery to " +
                "find them");
        }
    }

    /**
     * @return the key in lower case, but for the user name or address pattern inside it.
     */
    static String normaliseKey(final String key)
    {
        final String lower = key.toLowerCase(Locale.ROOT);
        if (lower.startsWith("user."))
        {
            for (final String suffix : List.of(".roles", ".certificate-subject"))
            {
                if (lower.endsWith(suffix) && key.length() > "user.".length() + suffix.length() + 1)
                {
                    return "user." + key.substring(5, key.length() - suffix.length()) + suffix;
                }
            }
            return "user." + key.substring(5);
        }
        if (lower.startsWith("address.") || lower.startsWith("security.") || lower.startsWith("bridge."))
        {
            final int prefix = lower.indexOf('.') + 1;
            final int lastDot = key.lastIndexOf('.');
            return lastDot > prefix ? lower.substring(0, prefix) + key.substring(prefix, lastDot) + lower.substring(lastDot) :
                lower;
        }
        return lower;
    }

    /**
     * Applies one setting.
     *
     * @param where the origin for error messages ("file:line", or "--flag").
     */
    public static void apply(final String key, final String value, final String where, final BrokerContext context)
        throws ConfigException
    {
        final String at = where + ": " + key;
        switch (key)
        {
            case "name":
                if (value.isEmpty() || !value.matches("[A-Za-z0-9._-]+"))
                {
                    throw new ConfigException(at + " = '" + value + "': expected letters, digits, '.', '_' or '-'");
                }
                context.name(value);
                break;
            case "bind":
                applyBind(value, at, context);
                break;
            case "processor.wait":
                switch (value.toLowerCase(Locale.ROOT))
                {
                    case "block": context.processorWait(ProcessorWait.BLOCK); break;
                    case "yield": context.processorWait(ProcessorWait.YIELD); break;
                    case "spin": context.processorWait(ProcessorWait.SPIN); break;
                    default: throw new ConfigException(at + " = '" + value + "': expected block (the default), yield " +
                        "or spin");
                }
                break;
            case "jmx":
                context.jmx(bool(value, at));
                break;
            case "metrics.bind":
            {
                final String[] hostPort = hostPort(value, at);
                context.metricsBind(hostPort[0] + ":" + hostPort[1]);
                break;
            }
            case "console.bind":
            {
                final String[] hostPort = hostPort(value, at);
                context.consoleBind(hostPort[0] + ":" + hostPort[1]);
                break;
            }
            case "data":
                if (value.isEmpty())
                {
                    throw new ConfigException(at + ": expected a directory path");
                }
                try
                {
                    context.dataDir(Path.of(value));
                }
                catch (final InvalidPathException ex)
                {
                    throw new ConfigException(at + ": '" + value + "' is not a path here: " + ex.getReason());
                }
                break;
            case "vm-id":
                if (value.isEmpty())
                {
                    throw new ConfigException(at + ": expected an id, or 'none'");
                }
                context.vmId("none".equals(value) ? null : value);
                break;
            case "io-threads":
                context.ioThreads(integer(value, at, 1, 256));
                break;
            case "ring-size":
            {
                final int size = integer(value, at, 2, 1 << 24);
                if (Integer.bitCount(size) != 1)
                {
                    throw new ConfigException(at + " = " + value + ": expected a power of two (1024, 2048, ...)");
                }
                context.ringSize(size);
                break;
            }
            case "max-frame-length":
                context.maxFrameLength(integer(value, at, 1024, Integer.MAX_VALUE - 8));
                break;
            case "duplicate-id-cache-size":
                context.duplicateIdCacheSize(integer(value, at, 0, Integer.MAX_VALUE));
                break;
            case "large-message-threshold":
                context.largeMessageThreshold(integer(value, at, 0, Integer.MAX_VALUE));
                break;
            case "handshake-timeout":
                context.handshakeTimeoutMs(integer(value, at, 1, Integer.MAX_VALUE));
                break;
            case "max-connections":
                context.maxConnections(limit(value, at));
                break;
            case "max-connections-per-address":
                context.maxConnectionsPerAddress(limit(value, at));
                break;
            case "auto-create":
                context.autoCreateDestinations(bool(value, at));
                break;
            case "queues":
                context.queues().addAll(names(value, at));
                break;
            case "topics":
                context.topics().addAll(names(value, at));
                break;
            case "default-user":
                context.users().defaultUser(value);
                break;
            case "journal.sync":
                switch (value.toLowerCase(Locale.ROOT))
                {
                    case "force": context.journalSync(Durability.SyncPolicy.FORCE); break;
                    case "none": context.journalSync(Durability.SyncPolicy.NONE); break;
                    default: throw new ConfigException(at + " = '" + value + "': expected force or none");
                }
                break;
            case "journal.segment-size":
                context.journalSegmentSize(integer(value, at, Journal.MIN_SEGMENT_SIZE, 1 << 30));
                break;
            case "journal.skip-corrupt":
                context.journalSkipCorrupt(bool(value, at));
                break;
            case "cluster":
                if (!value.matches("[A-Za-z0-9._-]+"))
                {
                    throw new ConfigException(at + " = '" + value + "': expected a cluster name of letters, digits, '.', '_' or '-'");
                }
                context.clusterName(value);
                break;
            case "cluster.members":
                context.clusterMembers().clear();
                for (final String member : names(value, at))
                {
                    try
                    {
                        context.clusterMember(io.meshmq.cluster.Member.parse(member).toString());
                    }
                    catch (final IllegalArgumentException ex)
                    {
                        throw new ConfigException(at + ": " + ex.getMessage());
                    }
                }
                break;
            case "discovery.group-address":
                discoveryGroup(context, value, at, true);
                break;
            case "discovery.group-port":
                discoveryGroup(context, value, at, false);
                break;
            case "discovery.local-bind-address":
                try
                {
                    context.discoveryLocalBind(java.net.InetAddress.getByName(value).getHostAddress());
                }
                catch (final java.net.UnknownHostException ex)
                {
                    throw new ConfigException(at + " = '" + value + "': no such address on this machine's resolver");
                }
                break;
            case "discovery.jgroups-file":
                if (!isFile(value) && BrokerSettings.class.getClassLoader().getResource(value) == null)
                {
                    throw new ConfigException(at + " = '" + value + "': no such file (nor a stack JGroups ships, " +
                        "such as tcp.xml or udp.xml)");
                }
                context.discoveryJGroups(value, context.discoveryJGroupsChannel());
                break;
            case "discovery.jgroups-channel":
                if (value.isEmpty())
                {
                    throw new ConfigException(at + ": expected the JGroups channel's name");
                }
                context.discoveryJGroups(context.discoveryJGroupsFile(), value);
                break;
            case "discovery.broadcast-period":
                context.discoveryBroadcastPeriodMs(integer(value, at, 10, 600_000));
                break;
            case "discovery.refresh-timeout":
                context.discoveryRefreshTimeoutMs(integer(value, at, 100, 3_600_000));
                break;
            case "cluster.send-timeout":
                context.clusterSendTimeoutMs(integer(value, at, 100, 3_600_000));
                break;
            case "cluster.repository":
                switch (value.toLowerCase(Locale.ROOT))
                {
                    case "full":
                        context.clusterPartial(false);
                        break;
                    case "partial":
                        context.clusterPartial(true);
                        break;
                    default:
                        throw new ConfigException(at + " = '" + value + "': expected full (links to every member, " +
                            "knows every node) or partial (asks the full repositories in cluster.members)");
                }
                break;
            case "cluster.idle-link-timeout":
                context.clusterIdleLinkTimeoutMs(integer(value, at, 1_000, 86_400_000));
                break;
            case "grouping.type":
                final String type = value.toLowerCase(java.util.Locale.ROOT);
                if (!type.equals("local") && !type.equals("remote") && !type.equals("none"))
                {
                    throw new ConfigException(at + " = '" + value + "': expected local (the node that decides where " +
                        "each group goes), remote (a node that asks it) or none");
                }
                context.groupingType(type);
                break;
            case "grouping.timeout":
                context.groupingTimeoutMs(integer(value, at, 10, 3_600_000));
                break;
            case "grouping.group-timeout":
                final long idle = integer(value, at, -1, Integer.MAX_VALUE);
                if (idle == 0)
                {
                    throw new ConfigException(at + " = 0: -1 (never forget a group) or a number of milliseconds");
                }
                context.groupingGroupTimeoutMs(idle);
                break;
            case "grouping.reaper-period":
                context.groupingReaperPeriodMs(integer(value, at, 100, 86_400_000));
                break;
            case "cluster.advertise":
                try
                {
                    context.clusterAdvertise(value.isEmpty() ? null : io.meshmq.cluster.Member.parse(value).toString());
                }
                catch (final IllegalArgumentException ex)
                {
                    throw new ConfigException(at + ": " + ex.getMessage());
                }
                break;
            case "cluster.user":
                context.clusterCredentials(value.isEmpty() ? null : value, context.clusterPassword());
                break;
            case "cluster.password":
                context.clusterCredentials(context.clusterUser(), value.isEmpty() ? null : value);
                break;
            case "cluster.tls":
                context.clusterTls(bool(value, at));
                break;
            case "cluster.weight":
                nodeDefault(AddressSettingsMatcher.CLUSTER_WEIGHT, value, at, context);
                break;
            case "cluster.rank":
                nodeDefault(AddressSettingsMatcher.CLUSTER_RANK, value, at, context);
                break;
            case "cluster.group":
                if (!value.matches("[A-Za-z0-9_.-]+"))
                {
                    throw new ConfigException(at + " = '" + value + "': a group name is letters, digits, '_', '.' " +
                        "and '-'");
                }
                context.clusterGroup(value);
                break;
            case "ha":
                switch (value.toLowerCase(java.util.Locale.ROOT))
                {
                    case "replication":
                        context.haReplication(true);
                        break;
                    case "none":
                        context.haReplication(false);
                        break;
                    default:
                        throw new ConfigException(at + " = '" + value + "': expected replication or none");
                }
                break;
            case "ha.backup-bind":
                context.haBackupBind(fixedPort(value, at, " (clients and the journal's next replica find a journal " +
                    "taken over there)"));
                break;
            case "ha.spare-bind":
                context.haSpareBind(fixedPort(value, at, " (clients find a journal the spare took over there)"));
                break;
            case "ha.re-replicate-after":
                try
                {
                    context.haReReplicateAfterMs("never".equalsIgnoreCase(value.strip()) ? -1 :
                        integer(value, at, 0, 86_400_000));
                }
                catch (final ConfigException ex)
                {
                    throw new ConfigException(at + " = '" + value + "': expected ms without a replica before a " +
                        "spare adopts a journal (0-86400000), or never");
                }
                break;
            case "ha.failback":
                context.haFailback(bool(value, at));
                break;
            case "ha.replica-fault":
                switch (value.toLowerCase(java.util.Locale.ROOT))
                {
                    case "wait":
                        context.haReplicaFaultWaits(true);
                        break;
                    case "alone":
                        context.haReplicaFaultWaits(false);
                        break;
                    default:
                        throw new ConfigException(at + " = '" + value + "': expected wait or alone");
                }
                break;
            case "ha.role":
                switch (value.toLowerCase(java.util.Locale.ROOT))
                {
                    case "live":
                        context.haBackup(false).haWitness(false);
                        break;
                    case "backup":
                        context.haBackup(true).haWitness(false);
                        break;
                    case "witness":
                        context.haBackup(false).haWitness(true);
                        break;
                    default:
                        throw new ConfigException(at + " = '" + value + "': expected live, backup or witness");
                }
                break;
            case "ha.live":
                hostPort(value, at);
                context.haLive(value);
                break;
            case "ha.quorum":
                context.haQuorum().clear();
                for (final String voter : names(value, at))
                {
                    if (Integer.parseInt(hostPort(voter, at)[1]) == 0)
                    {
                        throw new ConfigException(at + ": voter '" + voter + "' needs a fixed port, not 0");
                    }
                    context.haQuorum().add(voter);
                }
                if (context.haQuorum().size() < 3)
                {
                    throw new ConfigException(at + " = '" + value + "': a quorum needs at least three voters (a live, " +
                        "its backup and a witness), so that a majority survives the loss of any one");
                }
                break;
            case "ha.quorum-bind":
                context.haQuorumBind(fixedPort(value, at, ""));
                break;
            case "ha.lease":
                context.haLeaseMs(integer(value, at, 100, 60_000));
                break;
            case "global-max-size":
                try
                {
                    context.globalMaxSize(Long.parseLong(value.strip()));
                }
                catch (final NumberFormatException ex)
                {
                    throw new ConfigException(at + " = '" + value + "': expected a number of bytes, or -1 for no limit");
                }
                catch (final IllegalArgumentException ex)
                {
                    throw new ConfigException(at + ": " + ex.getMessage());
                }
                break;
            default:
                if (key.startsWith("user.") && key.length() > 5)
                {
                    applyUser(key.substring(5), value, at, context);
                }
                else if (key.startsWith("address.") && key.length() > 8)
                {
                    applyAddress(key.substring(8), value, at, context);
                }
                else if (key.startsWith("bridge.") && key.length() > 7)
                {
                    applyBridge(key.substring(7), value, at, context);
                }
                else if (key.startsWith("security.") && key.length() > 9)
                {
                    applySecurity(key.substring(9), value, at, context);
                }
                else if (TlsKeys.apply(key, value, at, context))
                {
                    break;
                }
                else
                {
                    throw new ConfigException(where + ": unknown key '" + key + "'; known keys: " + String.join(", ", KEYS));
                }
        }
    }

    private static void applyUser(final String rest, final String value, final String at, final BrokerContext context)
        throws ConfigException
    {
        try
        {
            if (rest.endsWith(".certificate-subject") && rest.length() > 20)
            {
                context.users().certificateSubject(rest.substring(0, rest.length() - 20), value);
            }
            else if (rest.endsWith(".roles") && rest.length() > 6)
            {
                context.users().roles(rest.substring(0, rest.length() - 6), Set.copyOf(names(value, at)));
            }
            else
            {
                context.users().addUser(rest, value);
            }
        }
        catch (final IllegalArgumentException ex)
        {
            throw new ConfigException(at + ": " + ex.getMessage());
        }
    }

    private static void applyBridge(final String rest, final String value, final String at, final BrokerContext context)
        throws ConfigException
    {
        final int dot = rest.lastIndexOf('.');
        if (dot <= 0 || !BridgeDefinition.KEYS.contains(rest.substring(dot + 1)))
        {
            throw new ConfigException(at + ": expected bridge.NAME.KEY with KEY one of " +
                String.join(", ", BridgeDefinition.KEYS));
        }
        context.bridgeSettings().computeIfAbsent(rest.substring(0, dot), name -> new LinkedHashMap<>())
            .put(rest.substring(dot + 1), value);
    }

    /**
     * Each bridge's keys together make a valid bridge; an error names the line of its first key.
     */
    private static void checkBridges(final String source, final Map<String, Integer> seen, final BrokerContext context)
        throws ConfigException
    {
        for (final Map.Entry<String, Map<String, String>> bridge : context.bridgeSettings().entrySet())
        {
            try
            {
                BridgeDefinition.of(bridge.getKey(), bridge.getValue());
            }
            catch (final IllegalArgumentException ex)
            {
                int line = Integer.MAX_VALUE;
                for (final String key : bridge.getValue().keySet())
                {
                    line = Math.min(line, seen.getOrDefault("bridge." + bridge.getKey() + "." + key, line));
                }
                throw new ConfigException(source + ":" + line + ": " + ex.getMessage());
            }
        }
    }

    private static void nodeDefault(final String key, final String value, final String at, final BrokerContext context)
        throws ConfigException
    {
        try
        {
            context.addressSettings().nodeDefault(key, value);
        }
        catch (final IllegalArgumentException ex)
        {
            throw new ConfigException(at + ": " + ex.getMessage());
        }
    }

    private static void applyAddress(final String rest, final String value, final String at, final BrokerContext context)
        throws ConfigException
    {
        final int dot = rest.lastIndexOf('.');
        if (dot <= 0)
        {
            throw new ConfigException(at + ": expected address.PATTERN.SETTING with SETTING one of " +
                String.join(", ", AddressSettingsMatcher.KEYS));
        }
        try
        {
            context.addressSettings().set(rest.substring(0, dot), rest.substring(dot + 1), value);
        }
        catch (final IllegalArgumentException ex)
        {
            throw new ConfigException(at + ": " + ex.getMessage());
        }
    }

    private static void applySecurity(final String rest, final String value, final String at,
        final BrokerContext context) throws ConfigException
    {
        final int dot = rest.lastIndexOf('.');
        if (dot <= 0)
        {
            throw new ConfigException(at + ": expected security.PATTERN.PERMISSION = ROLES, e.g. security.orders.send = app");
        }
        try
        {
            context.security().grant(rest.substring(0, dot), Permission.named(rest.substring(dot + 1)),
                Set.copyOf(names(value, at)));
        }
        catch (final IllegalArgumentException ex)
        {
            throw new ConfigException(at + ": " + ex.getMessage());
        }
    }

    private static void applyBind(final String value, final String at, final BrokerContext context) throws ConfigException
    {
        final String[] hostPort = hostPort(value, at);
        context.host(hostPort[0]);
        context.port(Integer.parseInt(hostPort[1]));
    }

    /**
     * @return the host (brackets of an IPv6 address removed) and the port, checked, of HOST:PORT.
     */
    static String[] hostPort(final String value, final String at) throws ConfigException
    {
        final int colon = value.lastIndexOf(':');
        if (colon <= 0 || colon == value.length() - 1)
        {
            throw new ConfigException(at + " = '" + value + "': expected HOST:PORT, e.g. 127.0.0.1:7918");
        }
        String host = value.substring(0, colon);
        if (host.startsWith("[") && host.endsWith("]"))
        {
            host = host.substring(1, host.length() - 1);
        }
        return new String[] {host, Integer.toString(integer(value.substring(colon + 1), at + " port", 0, 65535))};
    }

    /**
     * @return {@code value}, a HOST:PORT whose port is not 0.
     * @throws ConfigException naming the key and line, and {@code why} the port must be fixed.
     */
    private static String fixedPort(final String value, final String at, final String why) throws ConfigException
    {
        if (Integer.parseInt(hostPort(value, at)[1]) == 0)
        {
            throw new ConfigException(at + " = '" + value + "': needs a fixed port, not 0" + why);
        }
        return value;
    }

    private static int integer(final String value, final String at, final int min, final int max) throws ConfigException
    {
        try
        {
            final int parsed = Integer.parseInt(value.strip());
            if (parsed < min || parsed > max)
            {
                throw new NumberFormatException();
            }
            return parsed;
        }
        catch (final NumberFormatException ex)
        {
            throw new ConfigException(at + " = '" + value + "': expected a whole number " + min + "-" + max);
        }
    }

    /**
     * @return a limit: a whole number of at least 1, or -1 for none.
     */
    private static int limit(final String value, final String at) throws ConfigException
    {
        if ("-1".equals(value.strip()))
        {
            return -1;
        }
        try
        {
            return integer(value, at, 1, Integer.MAX_VALUE);
        }
        catch (final ConfigException ex)
        {
            throw new ConfigException(at + " = '" + value + "': expected a whole number of at least 1, or -1 for no limit");
        }
    }

    /**
     * Sets the group's address or its port, keeping the other part: GROUP:PORT, 0 for a part not given yet.
     */
    private static void discoveryGroup(final BrokerContext context, final String value, final String at,
        final boolean address) throws ConfigException
    {
        final String current = context.discoveryGroup() == null ? ":0" : context.discoveryGroup();
        final int colon = current.lastIndexOf(':');
        String group = current.substring(0, colon);
        String port = current.substring(colon + 1);
        if (address)
        {
            try
            {
                final java.net.InetAddress parsed = java.net.InetAddress.getByName(value);
                if (!parsed.isMulticastAddress())
                {
                    throw new ConfigException(at + " = '" + value + "': not a multicast address (224.0.0.0/4, " +
                        "or ff00::/8)");
                }
                group = parsed.getHostAddress();
            }
            catch (final java.net.UnknownHostException ex)
            {
                throw new ConfigException(at + " = '" + value + "': not an address");
            }
        }
        else
        {
            port = Integer.toString(integer(value, at, 1, 65_535));
        }
        context.discoveryGroup(group + ":" + port);
    }

    static boolean bool(final String value, final String at) throws ConfigException
    {
        switch (value.toLowerCase(Locale.ROOT))
        {
            case "true": return true;
            case "false": return false;
            default: throw new ConfigException(at + " = '" + value + "': expected true or false");
        }
    }

    private static List<String> names(final String value, final String at) throws ConfigException
    {
        final List<String> names = new ArrayList<>();
        for (final String name : Arrays.asList(value.split(",")))
        {
            final String n = name.strip();
            if (n.isEmpty())
            {
                throw new ConfigException(at + " = '" + value + "': expected names separated by commas");
            }
            names.add(n);
        }
        return names;
    }
}
