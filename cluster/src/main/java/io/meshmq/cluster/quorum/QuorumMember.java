package io.meshmq.cluster.quorum;

import org.apache.ratis.RaftConfigKeys;
import org.apache.ratis.conf.RaftProperties;
import org.apache.ratis.grpc.GrpcConfigKeys;
import org.apache.ratis.rpc.SupportedRpcType;
import org.apache.ratis.server.RaftServer;
import org.apache.ratis.server.RaftServerConfigKeys;
import org.apache.ratis.server.storage.RaftStorage;
import org.apache.ratis.util.SizeInBytes;
import org.apache.ratis.util.TimeDuration;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.logging.Level;
import java.util.logging.Logger;

/**
 * This process's vote: a Ratis server of the quorum's group, keeping its log (a few KB) under its data directory.
 * Lives, backups and witnesses all run one.
 */
public final class QuorumMember implements AutoCloseable
{
    /** Under the data directory: the member's Raft log. */
    public static final String DIRECTORY = "quorum";

    /**
     * Ratis tells of every election, configuration key and retried request at INFO (and of a voter it cannot reach,
     * with a stack trace, at every retry): the broker's log says what the quorum decided instead
     * ({@code -Dmeshmq.quorum.log=INFO} shows Ratis's elections). Held here, as java.util.logging forgets a
     * logger's level once nothing references it.
     */
    private static final Logger RATIS_LOG = quiet("org.apache.ratis",
        Level.parse(System.getProperty("meshmq.quorum.log", "WARNING")));
    private static final Logger RATIS_CLIENT_LOG = quiet("org.apache.ratis.client", Level.OFF);
    private static final Logger RATIS_APPENDER_LOG = quiet("org.apache.ratis.server.leader", Level.SEVERE);

    private static final long RPC_TIMEOUT_MAX_MS = 600;
    /**
     * How long a leader cut off from the others may go on answering reads after another began to lead. Ratis (3.2)
     * answers a read without a new round of heartbeats while its commit index has not moved since the last read a
     * majority confirmed; a leader steps down once no majority has answered it for the rpc timeout's maximum, and
     * checks that whenever it has waited as long for something else to do: two of them, and a margin for a busy
     * machine. The other voters' election came after the last answer it had.
     */
    static final long DEPOSED_READS_MS = 2 * RPC_TIMEOUT_MAX_MS + 300;

    private final RaftServer server;
    private final OwnershipRegister register;

    private QuorumMember(final RaftServer server, final OwnershipRegister register)
    {
        this.server = server;
        this.register = register;
    }

    /**
     * @throws IOException if the log cannot be read or the port cannot be bound.
     */
    public static QuorumMember start(final QuorumSettings settings, final Path dataDir) throws IOException
    {
        final Path storage = dataDir.resolve(DIRECTORY);
        Files.createDirectories(storage);
        final OwnershipRegister register = new OwnershipRegister(TimeUnit.MILLISECONDS.toNanos(DEPOSED_READS_MS));
        final RaftProperties properties = properties();
        RaftServerConfigKeys.setStorageDir(properties, List.of(storage.toFile()));
        GrpcConfigKeys.Server.setHost(properties, settings.host());
        GrpcConfigKeys.Server.setPort(properties, settings.port());
        // Elections well within a lease keep a takeover short; wider than Ratis's 150-300 ms so that a busy two-core
        // machine does not hold elections for nothing.
        RaftServerConfigKeys.Rpc.setTimeoutMin(properties, TimeDuration.valueOf(300, TimeUnit.MILLISECONDS));
        RaftServerConfigKeys.Rpc.setTimeoutMax(properties, TimeDuration.valueOf(RPC_TIMEOUT_MAX_MS,
            TimeUnit.MILLISECONDS));
        // A read is answered only once a majority confirmed the leader is still the leader (or had confirmed it at the
        // same commit index: see DEPOSED_READS_MS): a live that can read its ownership could reach a majority just now,
        // which is what its lease rests on.
        RaftServerConfigKeys.Read.setOption(properties, RaftServerConfigKeys.Read.Option.LINEARIZABLE);
        // Each read confirmed by a majority, never on the leader's own lease: OwnershipRegister's claims count on it.
        RaftServerConfigKeys.Read.setLeaderLeaseEnabled(properties, false);
        // A leader that lost its majority sits out elections this long (Ratis: 10 s). Of two voters left, one may have
        // the shorter log and cannot win: the other must stand again soon, or the quorum is gone for that long.
        RaftServerConfigKeys.LeaderElection.setLeaderStepDownWaitTime(properties,
            TimeDuration.valueOf(1, TimeUnit.SECONDS));
        RaftServerConfigKeys.Read.setTimeout(properties, TimeDuration.valueOf(2, TimeUnit.SECONDS));
        RaftServerConfigKeys.Log.setPreallocatedSize(properties, SizeInBytes.valueOf("64KB"));
        RaftServerConfigKeys.Log.setSegmentSizeMax(properties, SizeInBytes.valueOf("1MB"));
        final RaftServer server = RaftServer.newBuilder()
            .setGroup(settings.group())
            .setServerId(settings.selfId())
            .setProperties(properties)
            .setParameters(settings.parameters())
            .setStateMachine(register)
            .setOption(RaftStorage.StartupOption.RECOVER)
            .build();
        server.start();
        return new QuorumMember(server, register);
    }

    private static Logger quiet(final String name, final Level level)
    {
        final Logger logger = Logger.getLogger(name);
        logger.setLevel(level);
        return logger;
    }

    static RaftProperties properties()
    {
        final RaftProperties properties = new RaftProperties();
        RaftConfigKeys.Rpc.setType(properties, SupportedRpcType.GRPC);
        return properties;
    }

    /**
     * @return the journal's ownership as this vote's own copy of the register holds it (what the log has brought here
     * so far: maybe behind the quorum's), or null if it holds none.
     */
    public Ownership local(final String journal)
    {
        return register.apply(RegisterCommand.get(journal)).ownership();
    }

    /**
     * @return every journal's ownership as this vote's own copy of the register holds it (maybe behind the quorum's).
     */
    public List<Ownership> localAll()
    {
        return register.all();
    }

    @Override
    public void close() throws IOException
    {
        server.close();
    }
}
