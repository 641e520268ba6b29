package io.meshmq.engine;

import io.meshmq.engine.extension.AdminHandler;
import io.meshmq.engine.journal.Journal;
import io.meshmq.engine.mirror.DataMirror;
import io.meshmq.engine.net.Acceptor;
import io.meshmq.engine.processor.AddressSettingsMatcher;
import io.meshmq.engine.processor.Durability;
import io.meshmq.engine.security.Authorizer;
import io.meshmq.engine.security.SecuritySettings;
import io.meshmq.engine.security.UserStore;
import io.meshmq.transport.TlsSettings;

import java.lang.management.ManagementFactory;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.function.LongConsumer;

/**
 * A broker's settings, with the defaults that make {@code ./meshmq run} work with no configuration.
 * Set what differs, then {@link Broker#start(BrokerContext)} validates it once ({@link #conclude()}).
 * Not thread safe until started; not changed after.
 */
public final class BrokerContext
{
    public static final String DEFAULT_NAME = "meshmq";
    public static final String DEFAULT_HOST = "127.0.0.1";
    public static final int DEFAULT_PORT = 7918;
    public static final long DEFAULT_HA_LEASE_MS = 1_500;
    public static final long DEFAULT_DISCOVERY_BROADCAST_PERIOD_MS = 2_000;
    public static final long DEFAULT_DISCOVERY_REFRESH_TIMEOUT_MS = 10_000;
    public static final long DEFAULT_CLUSTER_SEND_TIMEOUT_MS = 30_000;
    public static final long DEFAULT_CLUSTER_IDLE_LINK_TIMEOUT_MS = 300_000;
    public static final long DEFAULT_GROUPING_TIMEOUT_MS = 5_000;
    public static final long DEFAULT_GROUPING_REAPER_PERIOD_MS = 30_000;
    /** With ha = replication and no ha.backup-bind: the port a taken-over journal is served at, past the node's own. */
    public static final int DEFAULT_BACKUP_PORT_OFFSET = 100;
    /** With ha = replication and no ha.spare-bind: the port a journal the spare took over is served at. */
    public static final int DEFAULT_SPARE_PORT_OFFSET = 200;
    /** With ha = replication: how long a journal goes without a replica before a spare adopts it. */
    public static final long DEFAULT_HA_RE_REPLICATE_AFTER_MS = 60_000;
    public static final Path DEFAULT_DATA_DIR = Path.of("data");
    public static final String DEFAULT_VM_ID = "0";
    /** Commands the ring holds; a power of two. */
    public static final int DEFAULT_RING_SIZE = 16 * 1024;
    public static final long DEFAULT_HANDSHAKE_TIMEOUT_MS = 10_000;
    /** Where the process's file descriptor limit cannot be read. */
    public static final int DEFAULT_MAX_CONNECTIONS = 10_000;

    private String name = DEFAULT_NAME;
    private String host = DEFAULT_HOST;
    private int port = DEFAULT_PORT;
    private boolean tcpEnabled = true;
    private Path dataDir = DEFAULT_DATA_DIR;
    private String vmId = DEFAULT_VM_ID;
    private int ringSize = DEFAULT_RING_SIZE;
    private int ioThreads = Math.max(1, Runtime.getRuntime().availableProcessors());
    private int maxFrameLength = io.meshmq.protocol.FrameDescriptor.DEFAULT_MAX_FRAME_LENGTH;
    private long handshakeTimeoutMs = DEFAULT_HANDSHAKE_TIMEOUT_MS;
    private int duplicateIdCacheSize = io.meshmq.engine.processor.ProcessorContext.DEFAULT_DUPLICATE_ID_CACHE_SIZE;
    private int largeMessageThreshold = io.meshmq.engine.large.LargeStore.DEFAULT_THRESHOLD;
    private int maxConnections = defaultMaxConnections();
    /** Negative until set: then half of {@link #maxConnections}. */
    private int maxConnectionsPerAddress = Integer.MIN_VALUE;
    private boolean autoCreateDestinations = true;
    private final List<String> queues = new ArrayList<>();
    private final List<String> topics = new ArrayList<>();
    private AddressSettingsMatcher addressSettings = new AddressSettingsMatcher();
    private UserStore users = new UserStore();
    private SecuritySettings security = new SecuritySettings();
    private TlsSettings tls;
    private boolean defaultAcceptorTls;
    private boolean clusterTls;
    private final List<Acceptor> acceptors = new ArrayList<>();
    private Durability.SyncPolicy journalSync = Durability.SyncPolicy.FORCE;
    private int journalSegmentSize = Journal.DEFAULT_SEGMENT_SIZE;
    private boolean journalSkipCorrupt;
    private long globalMaxSize = defaultGlobalMaxSize();
    private Journal.FileOpener journalFileOpener = java.nio.channels.FileChannel::open;
    private DataMirror dataMirror = DataMirror.NONE;
    /** ha.role = backup: this process keeps a replica of {@link #haLive} instead of being a broker. */
    private boolean haBackup;
    private String haLive;
    /** ha.role = witness: this process only votes in the quorum. */
    private boolean haWitness;
    private final List<String> haQuorum = new ArrayList<>();
    private String haQuorumBind;
    private long haLeaseMs = DEFAULT_HA_LEASE_MS;
    /** ha = replication: this process serves its journal and keeps a replica of another member's (colocated). */
    private boolean haReplication;
    /** ha.replica-fault = wait (true, the default) or alone. */
    private boolean haReplicaFaultWaits = true;
    private boolean haFailback;
    private String haBackupBind;
    private String haSpareBind;
    private long haReReplicateAfterMs = DEFAULT_HA_RE_REPLICATE_AFTER_MS;
    private String clusterName;
    private String clusterGroup = "";
    private long clusterSendTimeoutMs = DEFAULT_CLUSTER_SEND_TIMEOUT_MS;
    private boolean clusterPartial;
    private long clusterIdleLinkTimeoutMs = DEFAULT_CLUSTER_IDLE_LINK_TIMEOUT_MS;
    private String groupingType = "none";
    private long groupingTimeoutMs = DEFAULT_GROUPING_TIMEOUT_MS;
    private long groupingGroupTimeoutMs = -1;
    private long groupingReaperPeriodMs = DEFAULT_GROUPING_REAPER_PERIOD_MS;
    private final List<String> clusterMembers = new ArrayList<>();
    private String clusterUser;
    private String clusterPassword;
    private String clusterAdvertise;
    private String discoveryGroup;
    private String discoveryLocalBind;
    private volatile AdminHandler adminHandler = AdminHandler.NONE;
    private LongConsumer journalForceObserver = nanos -> { };
    private String metricsBind;
    private String consoleBind;
    private boolean jmx = true;
    private ProcessorWait processorWait = ProcessorWait.BLOCK;
    /** bridge.NAME.KEY settings of the configuration file, by bridge name: the bridges module reads them. */
    private final Map<String, Map<String, String>> bridgeSettings = new LinkedHashMap<>();
    private String discoveryJGroupsFile;
    private String discoveryJGroupsChannel;
    private long discoveryBroadcastPeriodMs = DEFAULT_DISCOVERY_BROADCAST_PERIOD_MS;
    private long discoveryRefreshTimeoutMs = DEFAULT_DISCOVERY_REFRESH_TIMEOUT_MS;

    public String name()
    {
        return name;
    }

    public BrokerContext name(final String name)
    {
        this.name = name;
        return this;
    }

    public String host()
    {
        return host;
    }

    public BrokerContext host(final String host)
    {
        this.host = host;
        return this;
    }

    public int port()
    {
        return port;
    }

    /**
     * @param port 0 picks a free port; {@link Broker#port()} tells which.
     */
    public BrokerContext port(final int port)
    {
        this.port = port;
        return this;
    }

    public boolean tcpEnabled()
    {
        return tcpEnabled;
    }

    /**
     * @param enabled false for an in-VM-only broker (no listening socket).
     */
    public BrokerContext tcpEnabled(final boolean enabled)
    {
        this.tcpEnabled = enabled;
        return this;
    }

    public Path dataDir()
    {
        return dataDir;
    }

    public BrokerContext dataDir(final Path dataDir)
    {
        this.dataDir = dataDir;
        return this;
    }

    public String vmId()
    {
        return vmId;
    }

    /**
     * @param vmId the id clients in this JVM reach the broker by ({@code vm://ID}); null for none.
     */
    public BrokerContext vmId(final String vmId)
    {
        this.vmId = vmId;
        return this;
    }

    public int ringSize()
    {
        return ringSize;
    }

    public BrokerContext ringSize(final int ringSize)
    {
        this.ringSize = ringSize;
        return this;
    }

    public int ioThreads()
    {
        return ioThreads;
    }

    public BrokerContext ioThreads(final int ioThreads)
    {
        this.ioThreads = ioThreads;
        return this;
    }

    public int maxFrameLength()
    {
        return maxFrameLength;
    }

    public BrokerContext maxFrameLength(final int maxFrameLength)
    {
        this.maxFrameLength = maxFrameLength;
        return this;
    }

    public int duplicateIdCacheSize()
    {
        return duplicateIdCacheSize;
    }

    /**
     * @param size message ids remembered per address, so a send a failed-over client makes again is stored once;
     *             0 turns duplicate detection off.
     */
    public BrokerContext duplicateIdCacheSize(final int size)
    {
        if (size < 0)
        {
            throw new IllegalArgumentException("duplicate id cache size " + size + " must not be negative");
        }
        this.duplicateIdCacheSize = size;
        return this;
    }

    public int largeMessageThreshold()
    {
        return largeMessageThreshold;
    }

    /**
     * @param bytes bodies above it are streamed by clients into a file of their own (never held in the heap); 0: the
     *              broker takes no large messages. A broker serves at most its maximum frame length less 1 KiB, so a
     *              body below the threshold always fits in a frame.
     */
    public BrokerContext largeMessageThreshold(final int bytes)
    {
        if (bytes < 0)
        {
            throw new IllegalArgumentException("large message threshold " + bytes + " must not be negative");
        }
        this.largeMessageThreshold = bytes;
        return this;
    }

    public long handshakeTimeoutMs()
    {
        return handshakeTimeoutMs;
    }

    /**
     * @param ms how long a new connection may take to say HELLO before it is closed.
     */
    public BrokerContext handshakeTimeoutMs(final long ms)
    {
        this.handshakeTimeoutMs = ms;
        return this;
    }

    /**
     * @return connections the broker holds at most; -1 for no limit.
     */
    public int maxConnections()
    {
        return maxConnections;
    }

    /**
     * @param max connections the broker holds at most; -1 for no limit. The default leaves a quarter of the process's
     *            file descriptors (at most 1,024) for the journal, page files and the rest.
     */
    public BrokerContext maxConnections(final int max)
    {
        this.maxConnections = max;
        return this;
    }

    /**
     * @return connections one remote address holds at most; -1 for no limit. The default is half of
     * {@link #maxConnections()}, so one host can never take them all.
     */
    public int maxConnectionsPerAddress()
    {
        if (maxConnectionsPerAddress != Integer.MIN_VALUE)
        {
            return maxConnectionsPerAddress;
        }
        return maxConnections < 0 ? -1 : Math.max(1, maxConnections / 2);
    }

    public BrokerContext maxConnectionsPerAddress(final int max)
    {
        this.maxConnectionsPerAddress = max;
        return this;
    }

    private static int defaultMaxConnections()
    {
        try
        {
            if (ManagementFactory.getOperatingSystemMXBean() instanceof com.sun.management.UnixOperatingSystemMXBean unix)
            {
                final long descriptors = unix.getMaxFileDescriptorCount();
                return (int)Math.min(Integer.MAX_VALUE, Math.max(64, descriptors - Math.min(1024, descriptors / 4)));
            }
        }
        catch (final LinkageError ex)
        {
            // No jdk.management module: the limit cannot be read.
        }
        return DEFAULT_MAX_CONNECTIONS;
    }

    public boolean autoCreateDestinations()
    {
        return autoCreateDestinations;
    }

    public BrokerContext autoCreateDestinations(final boolean autoCreate)
    {
        this.autoCreateDestinations = autoCreate;
        return this;
    }

    public List<String> queues()
    {
        return queues;
    }

    public List<String> topics()
    {
        return topics;
    }

    /**
     * @return per-address delivery limits, delays, dead-letter and expiry addresses; change before start.
     */
    public AddressSettingsMatcher addressSettings()
    {
        return addressSettings;
    }

    /**
     * @return the users who may connect; with none, security is off. Change before start.
     */
    public UserStore users()
    {
        return users;
    }

    /**
     * @return which roles hold which permissions on which addresses (used once users exist). Change before start.
     */
    public SecuritySettings security()
    {
        return security;
    }

    /**
     * @return the broker's TLS (its key store, the trust store for client certificates, whether clients must present
     * one), used by TLS acceptors and by cluster links; null for none.
     */
    public TlsSettings tls()
    {
        return tls;
    }

    public BrokerContext tls(final TlsSettings settings)
    {
        this.tls = settings;
        return this;
    }

    /**
     * @return whether this node's cluster links speak TLS (with {@link #tls()}'s trust store, and key store for
     * members that want client certificates).
     */
    public boolean clusterTls()
    {
        return clusterTls;
    }

    public BrokerContext clusterTls(final boolean tls)
    {
        this.clusterTls = tls;
        return this;
    }

    /**
     * @return whether the default listener ({@link #host()}:{@link #port()}) speaks TLS.
     */
    public boolean defaultAcceptorTls()
    {
        return defaultAcceptorTls;
    }

    public BrokerContext defaultAcceptorTls(final boolean tls)
    {
        this.defaultAcceptorTls = tls;
        return this;
    }

    /**
     * @return listeners beside the default one; add before start.
     */
    public List<Acceptor> acceptors()
    {
        return acceptors;
    }

    /**
     * @return for the start-up line: whether security is on, what becomes of connections without credentials, and
     * which permissions hold.
     */
    public String describeSecurity()
    {
        return new Authorizer(users, security).describe();
    }

    public Durability.SyncPolicy journalSync()
    {
        return journalSync;
    }

    /**
     * @param sync {@code FORCE} (default): a persistent send or a commit is confirmed once forced to disk.
     *             {@code NONE}: confirmed once written to the operating system, which survives the broker's
     *             death but not the machine's (a power cut can lose what was confirmed).
     */
    public BrokerContext journalSync(final Durability.SyncPolicy sync)
    {
        this.journalSync = sync;
        return this;
    }

    public int journalSegmentSize()
    {
        return journalSegmentSize;
    }

    public BrokerContext journalSegmentSize(final int bytes)
    {
        this.journalSegmentSize = bytes;
        return this;
    }

    /**
     * @return half the heap: room for the messages and everything else the broker keeps.
     */
    public static long defaultGlobalMaxSize()
    {
        return Runtime.getRuntime().maxMemory() / 2;
    }

    public long globalMaxSize()
    {
        return globalMaxSize;
    }

    /**
     * @param bytes how many bytes of messages all queues together may hold waiting before sends are refused
     *              with a {@code ResourceAllocationException}; -1 for no limit (a backlog can then exhaust the heap).
     */
    public BrokerContext globalMaxSize(final long bytes)
    {
        if (bytes < -1)
        {
            throw new IllegalArgumentException("global-max-size " + bytes + " must be -1 (no limit) or a number of bytes");
        }
        this.globalMaxSize = bytes;
        return this;
    }

    public boolean journalSkipCorrupt()
    {
        return journalSkipCorrupt;
    }

    /**
     * @param skip on a corrupt record in the middle of the journal, log it, drop the rest of that segment and
     *             start, instead of refusing to start. The records dropped are lost.
     */
    public BrokerContext journalSkipCorrupt(final boolean skip)
    {
        this.journalSkipCorrupt = skip;
        return this;
    }

    Journal.FileOpener journalFileOpener()
    {
        return journalFileOpener;
    }

    /**
     * Where journal files are opened; tests inject I/O failures here.
     */
    BrokerContext journalFileOpener(final Journal.FileOpener opener)
    {
        this.journalFileOpener = opener;
        return this;
    }

    /**
     * @return whether this process is a backup (ha.role = backup), keeping a replica of {@link #haLive()}.
     */
    public boolean haBackup()
    {
        return haBackup;
    }

    public BrokerContext haBackup(final boolean backup)
    {
        this.haBackup = backup;
        return this;
    }

    /**
     * @return HOST:PORT of the live a backup keeps a replica of, or null if not given.
     */
    public String haLive()
    {
        return haLive;
    }

    public BrokerContext haLive(final String live)
    {
        this.haLive = live;
        return this;
    }

    /**
     * @return whether this process is a witness (ha.role = witness): a voter of the quorum that keeps no messages.
     */
    public boolean haWitness()
    {
        return haWitness;
    }

    public BrokerContext haWitness(final boolean witness)
    {
        this.haWitness = witness;
        return this;
    }

    /**
     * @return HOST:PORT of every voter of the quorum that decides which process serves a journal (ha.quorum), the same
     * list on each; empty when takeover is by hand. Mutable, like {@link #clusterMembers()}.
     */
    public List<String> haQuorum()
    {
        return haQuorum;
    }

    /**
     * @return which of {@link #haQuorum()} this process is (ha.quorum-bind: where its vote listens), or null.
     */
    public String haQuorumBind()
    {
        return haQuorumBind;
    }

    public BrokerContext haQuorumBind(final String hostPort)
    {
        this.haQuorumBind = hostPort;
        return this;
    }

    /**
     * @return how long a live serves after it last heard from a majority of the quorum (ha.lease); a replica that took
     * it over waits as long before it serves.
     */
    public long haLeaseMs()
    {
        return haLeaseMs;
    }

    public BrokerContext haLeaseMs(final long leaseMs)
    {
        this.haLeaseMs = leaseMs;
        return this;
    }

    /**
     * @return whether this process is a member of a cluster whose journals are replicated among its members (ha =
     * replication): it serves its own journal and keeps a replica of the next member's, ready to take it over.
     */
    public boolean haReplication()
    {
        return haReplication;
    }

    public BrokerContext haReplication(final boolean replication)
    {
        this.haReplication = replication;
        return this;
    }

    /**
     * @return HOST:PORT where, with ha = replication, this process serves the journal it took over (ha.backup-bind);
     * null for the host it listens on and its port + {@link #DEFAULT_BACKUP_PORT_OFFSET}.
     */
    public String haBackupBind()
    {
        return haBackupBind;
    }

    public BrokerContext haBackupBind(final String hostPort)
    {
        this.haBackupBind = hostPort;
        return this;
    }

    /**
     * @return HOST:PORT where, with ha = replication, this process serves a journal its spare took over
     * (ha.spare-bind); null for the host it listens on and its port + {@link #DEFAULT_SPARE_PORT_OFFSET}.
     */
    public String haSpareBind()
    {
        return haSpareBind;
    }

    public BrokerContext haSpareBind(final String hostPort)
    {
        this.haSpareBind = hostPort;
        return this;
    }

    /**
     * @return ms a journal of the cluster goes without a replica in sync before this process's spare adopts it
     * (ha.re-replicate-after); -1: the spare never does.
     */
    public long haReReplicateAfterMs()
    {
        return haReReplicateAfterMs;
    }

    public BrokerContext haReReplicateAfterMs(final long ms)
    {
        this.haReReplicateAfterMs = ms;
        return this;
    }

    /**
     * @return what a live does when its replica in sync says it cannot store what it is sent (its disk is full):
     * true (ha.replica-fault = wait, the default) holds every confirmation until a replica is in sync again; false
     * (alone) lets the replica go, with a warning, and confirms with its own disk alone.
     */
    public boolean haReplicaFaultWaits()
    {
        return haReplicaFaultWaits;
    }

    public BrokerContext haReplicaFaultWaits(final boolean waits)
    {
        this.haReplicaFaultWaits = waits;
        return this;
    }

    /**
     * @return true if a live whose journal was taken over takes it back once its copy is in sync again (ha.failback).
     */
    public boolean haFailback()
    {
        return haFailback;
    }

    public BrokerContext haFailback(final boolean failback)
    {
        this.haFailback = failback;
        return this;
    }

    /**
     * @return a copy to change for another broker of the same process (a colocated backup's): the same users,
     * security and address settings (shared, as they are not changed once started); lists copied; no extra acceptors,
     * whose ports belong to this one.
     */
    public BrokerContext copy()
    {
        final BrokerContext copy = new BrokerContext();
        copy.name = name;
        copy.host = host;
        copy.port = port;
        copy.tcpEnabled = tcpEnabled;
        copy.dataDir = dataDir;
        copy.vmId = vmId;
        copy.ringSize = ringSize;
        copy.ioThreads = ioThreads;
        copy.maxFrameLength = maxFrameLength;
        copy.handshakeTimeoutMs = handshakeTimeoutMs;
        copy.duplicateIdCacheSize = duplicateIdCacheSize;
        copy.largeMessageThreshold = largeMessageThreshold;
        copy.maxConnections = maxConnections;
        copy.maxConnectionsPerAddress = maxConnectionsPerAddress;
        copy.autoCreateDestinations = autoCreateDestinations;
        copy.queues.addAll(queues);
        copy.topics.addAll(topics);
        copy.addressSettings = addressSettings;
        copy.users = users;
        copy.security = security;
        copy.tls = tls;
        copy.defaultAcceptorTls = defaultAcceptorTls;
        copy.clusterTls = clusterTls;
        copy.journalSync = journalSync;
        copy.journalSegmentSize = journalSegmentSize;
        copy.journalSkipCorrupt = journalSkipCorrupt;
        copy.globalMaxSize = globalMaxSize;
        copy.journalFileOpener = journalFileOpener;
        copy.dataMirror = dataMirror;
        copy.haBackup = haBackup;
        copy.haLive = haLive;
        copy.haWitness = haWitness;
        copy.haQuorum.addAll(haQuorum);
        copy.haQuorumBind = haQuorumBind;
        copy.haLeaseMs = haLeaseMs;
        copy.haReplication = haReplication;
        copy.haBackupBind = haBackupBind;
        copy.haSpareBind = haSpareBind;
        copy.haReReplicateAfterMs = haReReplicateAfterMs;
        copy.haReplicaFaultWaits = haReplicaFaultWaits;
        copy.haFailback = haFailback;
        copy.clusterName = clusterName;
        copy.clusterMembers.addAll(clusterMembers);
        copy.clusterUser = clusterUser;
        copy.clusterPassword = clusterPassword;
        copy.clusterAdvertise = clusterAdvertise;
        copy.discoveryGroup = discoveryGroup;
        copy.discoveryLocalBind = discoveryLocalBind;
        copy.discoveryJGroupsFile = discoveryJGroupsFile;
        copy.discoveryJGroupsChannel = discoveryJGroupsChannel;
        copy.discoveryBroadcastPeriodMs = discoveryBroadcastPeriodMs;
        copy.discoveryRefreshTimeoutMs = discoveryRefreshTimeoutMs;
        copy.clusterGroup = clusterGroup;
        copy.clusterSendTimeoutMs = clusterSendTimeoutMs;
        copy.clusterPartial = clusterPartial;
        copy.clusterIdleLinkTimeoutMs = clusterIdleLinkTimeoutMs;
        copy.groupingType = groupingType;
        copy.groupingTimeoutMs = groupingTimeoutMs;
        copy.groupingGroupTimeoutMs = groupingGroupTimeoutMs;
        copy.groupingReaperPeriodMs = groupingReaperPeriodMs;
        bridgeSettings.forEach((bridge, settings) -> copy.bridgeSettings.put(bridge, new LinkedHashMap<>(settings)));
        return copy;
    }

    public DataMirror dataMirror()
    {
        return dataMirror;
    }

    /**
     * @param mirror told every durable change to the data directory (the journal, durable queues' pages, the node's
     *               identity), for a replica.
     */
    public BrokerContext dataMirror(final DataMirror mirror)
    {
        this.dataMirror = mirror;
        return this;
    }

    /**
     * @return the cluster this node belongs to, or null for none.
     */
    public String clusterName()
    {
        return clusterName;
    }

    public BrokerContext clusterName(final String name)
    {
        this.clusterName = name == null || name.isBlank() ? null : name.strip();
        return this;
    }

    /**
     * @return the named group of nodes this node belongs to ({@code cluster.group}), "" for none: a send to
     * {@code QUEUE@group:NAME} is balanced among the group's nodes.
     */
    public String clusterGroup()
    {
        return clusterGroup;
    }

    public BrokerContext clusterGroup(final String group)
    {
        this.clusterGroup = group == null ? "" : group.strip();
        return this;
    }

    /**
     * @return ms a send whose address says {@code unreachable-node = fail} waits for another node to store it
     * ({@code cluster.send-timeout}) before its sender is told it failed.
     */
    public long clusterSendTimeoutMs()
    {
        return clusterSendTimeoutMs;
    }

    public BrokerContext clusterSendTimeoutMs(final long timeoutMs)
    {
        this.clusterSendTimeoutMs = timeoutMs;
        return this;
    }

    /**
     * @return true for a partial repository ({@code cluster.repository = partial}): it links to the full
     * repositories its members name, asks them for the nodes of the addresses it uses and links to those alone.
     */
    public boolean clusterPartial()
    {
        return clusterPartial;
    }

    public BrokerContext clusterPartial(final boolean partial)
    {
        this.clusterPartial = partial;
        return this;
    }

    /**
     * @return ms after which a partial node closes a link it opened on demand and has not used since
     * ({@code cluster.idle-link-timeout}).
     */
    public long clusterIdleLinkTimeoutMs()
    {
        return clusterIdleLinkTimeoutMs;
    }

    public BrokerContext clusterIdleLinkTimeoutMs(final long timeoutMs)
    {
        this.clusterIdleLinkTimeoutMs = timeoutMs;
        return this;
    }

    /**
     * @return this node's part in keeping message groups on one node cluster-wide ({@code grouping.type}): "local"
     * (it decides where each group goes), "remote" (it asks the local one), or "none".
     */
    public String groupingType()
    {
        return groupingType;
    }

    public BrokerContext groupingType(final String type)
    {
        this.groupingType = type;
        return this;
    }

    /**
     * @return ms a grouped send waits for the local grouping handler to decide its group ({@code grouping.timeout}).
     */
    public long groupingTimeoutMs()
    {
        return groupingTimeoutMs;
    }

    public BrokerContext groupingTimeoutMs(final long timeoutMs)
    {
        this.groupingTimeoutMs = timeoutMs;
        return this;
    }

    /**
     * @return ms after which a group no message used is forgotten ({@code grouping.group-timeout}); -1 never.
     */
    public long groupingGroupTimeoutMs()
    {
        return groupingGroupTimeoutMs;
    }

    public BrokerContext groupingGroupTimeoutMs(final long timeoutMs)
    {
        this.groupingGroupTimeoutMs = timeoutMs;
        return this;
    }

    /**
     * @return ms between looks for groups to forget ({@code grouping.reaper-period}).
     */
    public long groupingReaperPeriodMs()
    {
        return groupingReaperPeriodMs;
    }

    public BrokerContext groupingReaperPeriodMs(final long periodMs)
    {
        this.groupingReaperPeriodMs = periodMs;
        return this;
    }

    /**
     * @return HOST:PORT of every member this node connects to (its own address may be among them).
     */
    public List<String> clusterMembers()
    {
        return clusterMembers;
    }

    public BrokerContext clusterMember(final String hostPort)
    {
        clusterMembers.add(hostPort);
        return this;
    }

    /**
     * @return the user this node's cluster connections authenticate as (it needs role "cluster" where
     * security is on), or null.
     */
    public String clusterUser()
    {
        return clusterUser;
    }

    public String clusterPassword()
    {
        return clusterPassword;
    }

    /**
     * @return the UDP multicast group (GROUP:PORT) this node announces itself on and learns members from, or null.
     */
    public String discoveryGroup()
    {
        return discoveryGroup;
    }

    public BrokerContext discoveryGroup(final String groupAndPort)
    {
        this.discoveryGroup = groupAndPort;
        return this;
    }

    /**
     * @return the local address whose interface discovery sends and listens on, or null for the system's choice.
     */
    public String discoveryLocalBind()
    {
        return discoveryLocalBind;
    }

    public BrokerContext discoveryLocalBind(final String address)
    {
        this.discoveryLocalBind = address;
        return this;
    }

    /**
     * @return the configuration file's {@code bridge.NAME.KEY} settings by bridge name, in order; modifiable.
     */
    public Map<String, Map<String, String>> bridgeSettings()
    {
        return bridgeSettings;
    }

    /**
     * @return how the processor waits for commands when it has none.
     */
    public ProcessorWait processorWait()
    {
        return processorWait;
    }

    public BrokerContext processorWait(final ProcessorWait wait)
    {
        this.processorWait = wait;
        return this;
    }

    /**
     * @return true if the launcher registers the broker's MBeans in the platform MBean server (the default).
     */
    public boolean jmx()
    {
        return jmx;
    }

    public BrokerContext jmx(final boolean on)
    {
        this.jmx = on;
        return this;
    }

    /**
     * @return HOST:PORT of the Prometheus endpoint, or null for none (the default).
     */
    public String metricsBind()
    {
        return metricsBind;
    }

    public BrokerContext metricsBind(final String hostAndPort)
    {
        this.metricsBind = hostAndPort;
        return this;
    }

    /**
     * @return HOST:PORT of the web console, or null for none (the default).
     */
    public String consoleBind()
    {
        return consoleBind;
    }

    public BrokerContext consoleBind(final String hostAndPort)
    {
        this.consoleBind = hostAndPort;
        return this;
    }

    /**
     * @return told how long each journal force took, in ns, on the journal's syncer thread (metrics).
     */
    public LongConsumer journalForceObserver()
    {
        return journalForceObserver;
    }

    /**
     * Sets who is told how long each journal force took; before the broker starts. It must be quick and thread safe.
     */
    public BrokerContext journalForceObserver(final LongConsumer observer)
    {
        this.journalForceObserver = observer;
        return this;
    }

    /**
     * @return admin verbs answered beside the processor's own (the core bridges').
     */
    public AdminHandler adminHandler()
    {
        return adminHandler;
    }

    /**
     * Sets what answers admin verbs beside the processor's own; before the broker starts.
     */
    public BrokerContext adminHandler(final AdminHandler handler)
    {
        this.adminHandler = handler;
        return this;
    }

    /**
     * @return the JGroups stack file (a path, or a resource JGroups ships) discovery announces on instead of a UDP
     *         multicast group, or null.
     */
    public String discoveryJGroupsFile()
    {
        return discoveryJGroupsFile;
    }

    /**
     * @return the JGroups channel discovery announces on, or null.
     */
    public String discoveryJGroupsChannel()
    {
        return discoveryJGroupsChannel;
    }

    /**
     * Discovery over a JGroups channel instead of UDP multicast.
     */
    public BrokerContext discoveryJGroups(final String stackFile, final String channel)
    {
        this.discoveryJGroupsFile = stackFile;
        this.discoveryJGroupsChannel = channel;
        return this;
    }

    /**
     * @return true if this node announces itself and discovers members (on a UDP group or a JGroups channel).
     */
    public boolean discovers()
    {
        return discoveryGroup != null || discoveryJGroupsChannel != null;
    }

    public long discoveryBroadcastPeriodMs()
    {
        return discoveryBroadcastPeriodMs;
    }

    public BrokerContext discoveryBroadcastPeriodMs(final long ms)
    {
        this.discoveryBroadcastPeriodMs = ms;
        return this;
    }

    /**
     * @return ms after which a discovered member not heard from is dropped from the mesh.
     */
    public long discoveryRefreshTimeoutMs()
    {
        return discoveryRefreshTimeoutMs;
    }

    public BrokerContext discoveryRefreshTimeoutMs(final long ms)
    {
        this.discoveryRefreshTimeoutMs = ms;
        return this;
    }

    /**
     * @return HOST:PORT other members are told to reach this node at, or null for the address it listens on.
     */
    public String clusterAdvertise()
    {
        return clusterAdvertise;
    }

    /**
     * @param hostPort HOST:PORT other members reach this node at (needed where it listens on every interface,
     *                 or behind a translated address); null for the address it listens on.
     */
    public BrokerContext clusterAdvertise(final String hostPort)
    {
        this.clusterAdvertise = hostPort;
        return this;
    }

    public BrokerContext clusterCredentials(final String user, final String password)
    {
        this.clusterUser = user;
        this.clusterPassword = password;
        return this;
    }

    /**
     * Checks every setting.
     *
     * @throws IllegalArgumentException naming the setting and what is accepted.
     */
    public BrokerContext conclude()
    {
        if (name == null || name.isBlank())
        {
            throw new IllegalArgumentException("name must not be blank");
        }
        if (tcpEnabled && (host == null || host.isBlank()))
        {
            throw new IllegalArgumentException("bind host must not be blank");
        }
        if (port < 0 || port > 65535)
        {
            throw new IllegalArgumentException("bind port " + port + " is outside 0-65535");
        }
        if (dataDir == null)
        {
            throw new IllegalArgumentException("data directory must be set");
        }
        if (ringSize < 2 || Integer.bitCount(ringSize) != 1)
        {
            throw new IllegalArgumentException("ring size " + ringSize + " must be a power of two");
        }
        if (ioThreads < 1)
        {
            throw new IllegalArgumentException("io threads " + ioThreads + " must be at least 1");
        }
        if (maxFrameLength < 1024)
        {
            throw new IllegalArgumentException("max frame length " + maxFrameLength + " must be at least 1024");
        }
        if (handshakeTimeoutMs < 1)
        {
            throw new IllegalArgumentException("handshake timeout " + handshakeTimeoutMs + " ms must be at least 1 ms");
        }
        if (maxConnections < -1 || maxConnections == 0)
        {
            throw new IllegalArgumentException("max connections " + maxConnections + " must be at least 1, or -1 for none");
        }
        if (maxConnectionsPerAddress() < -1 || maxConnectionsPerAddress() == 0)
        {
            throw new IllegalArgumentException("max connections per address " + maxConnectionsPerAddress() +
                " must be at least 1, or -1 for none");
        }
        if (journalSync == null)
        {
            throw new IllegalArgumentException("journal sync policy must be set");
        }
        if (journalSegmentSize < Journal.MIN_SEGMENT_SIZE)
        {
            throw new IllegalArgumentException("journal segment size " + journalSegmentSize + " must be at least " +
                Journal.MIN_SEGMENT_SIZE);
        }
        if (!tcpEnabled && vmId == null)
        {
            throw new IllegalArgumentException("a broker with neither TCP nor an in-VM id cannot be reached");
        }
        if (clusterName == null && !clusterMembers.isEmpty())
        {
            throw new IllegalArgumentException("cluster members are listed but no cluster name is set (--cluster NAME)");
        }
        return this;
    }
}
