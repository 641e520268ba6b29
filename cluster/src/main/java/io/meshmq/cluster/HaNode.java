package io.meshmq.cluster;

import io.meshmq.cluster.link.ReplicaLink;
import io.meshmq.cluster.quorum.Ownership;
import io.meshmq.cluster.quorum.Quorum;
import io.meshmq.cluster.quorum.QuorumMember;
import io.meshmq.cluster.quorum.QuorumSettings;
import io.meshmq.cluster.quorum.RegisterAnswer;
import io.meshmq.cluster.quorum.RegisterCommand;
import io.meshmq.cluster.replication.ReplicaQuorum;
import io.meshmq.engine.Broker;
import io.meshmq.engine.BrokerContext;
import io.meshmq.engine.BrokerStartException;
import io.meshmq.engine.DataDirectory;
import io.meshmq.engine.NodeIdentity;
import io.meshmq.engine.mirror.DataMirror;
import io.meshmq.engine.net.NativeTransport;
import io.netty.channel.EventLoopGroup;
import io.netty.util.concurrent.DefaultThreadFactory;

import java.io.IOException;
import java.net.ConnectException;
import java.net.InetSocketAddress;
import java.net.Socket;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.util.Set;
import java.util.concurrent.Executors;
import java.util.concurrent.RejectedExecutionException;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.ScheduledFuture;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.function.Supplier;

/**
 * A process whose takeovers a quorum decides (ha.quorum): a witness, which only votes; or a node that serves a
 * journal ({@link #JOURNAL} under its data directory) while the quorum says it owns it, and otherwise keeps a replica
 * of the journal's owner, ready to take it over.
 * <ul>
 * <li>Serving: the node holds a lease, renewed by reading its ownership from a majority every fifth of
 * {@code ha.lease}; a node that could not for a whole lease, or that reads that another took its journal over, stops
 * its broker (closing its clients) and asks the quorum again what it is. Its replica's state is recorded in the
 * quorum as it changes ({@link ReplicaQuorum}).</li>
 * <li>Backing up: a {@link ReplicaLink} to the owner. When the link is lost (the owner died, stopped, or is cut away)
 * the node claims the journal, which the quorum grants only to the replica it holds in sync at the current epoch
 * and only if the owner has not recorded the replica's loss first. A granted claim is a new epoch: the node waits
 * until the old owner's lease has run out (a lease after the owner's last lease read the quorum's leader answered, as
 * far as the leader can tell; at most a lease), moves its copy into place and serves it.</li>
 * </ul>
 * A process with {@code ha = replication} holds three ({@link ColocatedNode}), sharing its vote: its own, a backup of
 * the next member's journal, and a spare, which serves nothing and backs nobody up until a journal served by another
 * process has gone without a replica for {@code ha.re-replicate-after}: then it copies that journal (adopts it) and,
 * once in sync, is its replica like any other; it lets go of a copy the quorum does not hold in sync.
 * <p>
 * Threads: the HA thread makes every decision and the blocking calls to the quorum that change it; the renewal thread
 * only reads the ownership (so a slow change never holds up the lease); the lease clock only watches the lease run
 * out; the link runs on its own event loop.
 */
public final class HaNode implements AutoCloseable
{
    /** Under the data directory: the journal this node serves (the broker's data directory). */
    public static final String JOURNAL = "journal";
    /** Where the journal this node served goes once another took it over and this node took it back: for a look. */
    public static final String FENCED = "journal.fenced";
    private static final String LOCK_FILE = "ha.lock";
    /** Before a replica claims from a live that does not answer: one that lost only the link records the loss first. */
    private static final long CLAIM_GRACE_MS = 200;
    private static final long RETRY_MS = 250;
    /**
     * How long before the old owner's lease runs out a takeover reads its own lease: the read is off the path from
     * the lease's end to the first client served, and leaves the new owner most of a lease before it renews.
     */
    private static final long LEASE_READ_AHEAD_MS = 200;
    /** How often an idle spare looks at the register for a journal without a replica. */
    private static final long ADOPT_CHECK_MS = 500;
    private static final System.Logger LOG = System.getLogger(HaNode.class.getName());

    /**
     * What the process tells its user, on the HA thread.
     */
    public interface Events
    {
        /**
         * A node is about to serve a journal (in {@code node.dataDir()}): what runs beside its broker and must be
         * handed to it at its start (an admin handler) is made now.
         */
        default void starting(final BrokerContext node)
        {
        }

        /**
         * @param node the settings of the node that serves (a process with a colocated backup has two).
         */
        void serving(BrokerContext node, Broker broker, Ownership ownership, String how);

        void backingUp(BrokerContext node, String live, Path copy);

        void stoppedServing(BrokerContext node, String why);

        /**
         * The node cannot go on (a broker that cannot start on its journal): the process should exit.
         */
        void failed(String why, Throwable cause);
    }

    private final BrokerContext context;
    private final Path base;
    private final String name;
    private final String address;
    private final Events events;
    private final DataDirectory lock;
    private final QuorumMember member;
    private final Quorum quorum;
    /** False where the process's other node closes the vote they share. */
    private final boolean ownsQuorum;
    private final ScheduledExecutorService ha;
    private final ScheduledExecutorService renewer;
    private final ScheduledExecutorService leaseClock;
    private final EventLoopGroup linkLoop;
    private final AtomicBoolean takeoverPending = new AtomicBoolean();
    /** A spare's watch on the journals without a replica; null for a node that is not a spare. */
    private final UnreplicatedJournals unreplicated;
    private volatile boolean closed;

    // Serving, or not (written on the HA thread under the lock, read by the lease clock).
    private Broker broker;
    private Mesh mesh;
    private volatile Ownership owned;
    private volatile long leaseFromNs;
    private ScheduledFuture<?> renewals;

    // Backing up (HA thread only).
    private ReplicaLink link;
    /** The journal a spare adopted, while it copies or holds it; else null. */
    private String adopted;
    /** An idle spare's next look at the register; null or done when none is due. */
    private ScheduledFuture<?> lookout;
    /** A claim waiting out the grace after a link's loss, which a later loss may cut short. */
    private ScheduledFuture<?> graceWait;
    /** When this node last tried the live's address; a link refused over and over must not probe as often. */
    private long probedNs;
    private boolean promoting;
    /** A taken-over journal's broker, recovered and waiting for the old owner's lease to run out; else null. */
    private volatile Broker prepared;
    private String lastNote;
    /** What this node does when not serving, for status (the other node of its process tells it). */
    private volatile String backupState = "starting";
    private volatile Supplier<String> sibling = () -> null;

    private HaNode(final BrokerContext context, final Events events, final DataDirectory lock, final QuorumMember member,
        final Quorum quorum, final boolean ownsQuorum, final UnreplicatedJournals unreplicated)
    {
        this.ownsQuorum = ownsQuorum;
        this.unreplicated = unreplicated;
        this.context = context;
        this.base = context.dataDir();
        this.name = context.name();
        this.address = addressOf(context);
        this.events = events;
        this.lock = lock;
        this.member = member;
        this.quorum = quorum;
        this.ha = Executors.newSingleThreadScheduledExecutor(new DefaultThreadFactory("meshmq-ha-" + name, true));
        this.renewer = Executors.newSingleThreadScheduledExecutor(new DefaultThreadFactory("meshmq-renew-" + name,
            true));
        this.leaseClock = Executors.newSingleThreadScheduledExecutor(new DefaultThreadFactory("meshmq-lease-" + name,
            true));
        this.linkLoop = context.haWitness() ? null : NativeTransport.group(1, new DefaultThreadFactory("meshmq-backup-" +
            name, true));
    }

    /**
     * Joins the quorum and, unless a witness, decides (on the HA thread) whether to serve or back up.
     *
     * @throws IllegalArgumentException naming the setting that is wrong or missing.
     * @throws BrokerStartException     if the data directory cannot be made or is in use.
     * @throws IOException              if the quorum's port cannot be bound or its log read.
     */
    public static HaNode start(final BrokerContext context, final Events events) throws BrokerStartException,
        IOException
    {
        check(context);
        final QuorumSettings settings = quorumSettings(context);
        final DataDirectory lock = lock(context);
        final QuorumMember member;
        try
        {
            member = QuorumMember.start(settings, context.dataDir());
        }
        catch (final IOException | RuntimeException ex)
        {
            lock.close();
            throw ex;
        }
        final HaNode node = new HaNode(context, events, lock, member, new Quorum(settings), true, null);
        node.begin();
        return node;
    }

    /**
     * @throws IllegalArgumentException naming the setting that is wrong or missing.
     */
    static void check(final BrokerContext context)
    {
        checkNode(context);
        if (!context.haWitness() && context.haBackup() && context.haLive() == null)
        {
            throw new IllegalArgumentException("ha.role = backup needs ha.live = HOST:PORT, the live it starts as a " +
                "replica of");
        }
    }

    /**
     * The checks for any node, a spare's included (which starts a replica of no live in particular).
     *
     * @throws IllegalArgumentException naming the setting that is wrong or missing.
     */
    static void checkNode(final BrokerContext context)
    {
        if (context.clusterName() == null)
        {
            throw new IllegalArgumentException("ha.quorum needs cluster = NAME: the quorum is the cluster's");
        }
        if (context.haQuorumBind() == null)
        {
            throw new IllegalArgumentException("ha.quorum needs ha.quorum-bind = HOST:PORT, which of its voters this " +
                "process is");
        }
        if (!context.haWitness() && context.port() == 0)
        {
            throw new IllegalArgumentException("with ha.quorum a node needs a fixed port (bind = HOST:PORT): its " +
                "replica and the clients that fail over find it there");
        }
        final Path base = context.dataDir();
        if (!context.haWitness() && NodeIdentity.existingId(base) != null && !Files.exists(base.resolve(JOURNAL)))
        {
            throw new IllegalArgumentException(base.toAbsolutePath() + " holds a broker's data at its top; with " +
                "ha.quorum a node serves " + base.resolve(JOURNAL).toAbsolutePath() + ": move the broker's files there " +
                "(or start with another data directory)");
        }
    }

    /**
     * @return the quorum's settings: its voters, this process's vote, and mutual TLS where the cluster speaks TLS.
     * @throws IllegalArgumentException naming the setting that is wrong or missing.
     */
    static QuorumSettings quorumSettings(final BrokerContext context)
    {
        if (context.clusterTls() && (context.tls() == null || context.tls().keyStore() == null))
        {
            throw new IllegalArgumentException("cluster.tls with ha.quorum needs tls.keystore (and tls.truststore): " +
                "every voter proves itself to the others with its certificate");
        }
        return new QuorumSettings(context.clusterName(), context.haQuorum(), context.haQuorumBind(),
            context.clusterTls() ? context.tls() : null);
    }

    /**
     * @return the lock on the node's data directory, held until it is closed.
     */
    static DataDirectory lock(final BrokerContext context) throws BrokerStartException
    {
        return DataDirectory.lock(context.dataDir(), LOCK_FILE, "node");
    }

    /**
     * A node of a process that holds more than one, sharing the process's vote; {@link #begin()} it once made.
     */
    static HaNode sharing(final BrokerContext context, final Events events, final DataDirectory lock,
        final QuorumMember member, final Quorum quorum)
    {
        return new HaNode(context, events, lock, member, quorum, false, null);
    }

    /**
     * A process's spare (see the class comment), sharing the process's vote; {@link #begin()} it once made.
     *
     * @param ownNodes the names of every node of its process: it adopts no journal they serve.
     */
    static HaNode spare(final BrokerContext context, final Events events, final DataDirectory lock,
        final QuorumMember member, final Quorum quorum, final Set<String> ownNodes)
    {
        return new HaNode(context, events, lock, member, quorum, false,
            new UnreplicatedJournals(ownNodes, context.haReReplicateAfterMs()));
    }

    void begin()
    {
        if (!context.haWitness())
        {
            ha.execute(this::decide);
            leaseClock.scheduleAtFixedRate(this::watchLease, 20, 20, TimeUnit.MILLISECONDS);
        }
    }

    // ---- deciding -----------------------------------------------------------------------------------------

    /**
     * At start, and whenever this node stopped serving: the quorum says whether its journal is still its own.
     */
    private void decide()
    {
        final Path journalDir = base.resolve(JOURNAL);
        final String journal = NodeIdentity.existingId(journalDir);
        if (journal == null && unreplicated != null)
        {
            resumeSpare();
            return;
        }
        if (journal == null)
        {
            if (context.haBackup())
            {
                backUp(context.haLive());
                return;
            }
            try
            {
                open(NodeIdentity.idOf(journalDir, DataMirror.NONE));
            }
            catch (final IOException | IllegalArgumentException ex)
            {
                events.failed("cannot read or make the journal's id in " + journalDir.toAbsolutePath() + ": " + ex, ex);
            }
            return;
        }
        final RegisterAnswer known = readUntilAnswered(journal);
        if (known == null)
        {
            return;
        }
        if (known.outcome() == RegisterAnswer.Outcome.UNKNOWN)
        {
            if (context.haBackup() && unreplicated == null)
            {
                backUp(context.haLive());
            }
            else
            {
                open(journal);
            }
        }
        else if (known.ownership().isOwnedBy(name))
        {
            open(journal);
        }
        else
        {
            LOG.log(System.Logger.Level.WARNING, "'" + name + "': the journal in " + journalDir.toAbsolutePath() +
                " was taken over (" + known.ownership() + "); this node becomes a replica of its owner");
            backUp(known.ownership().address());
        }
    }

    private void open(final String journal)
    {
        while (!closed)
        {
            try
            {
                final RegisterAnswer answer = quorum.change(RegisterCommand.open(journal, name, address));
                if (answer.isDone())
                {
                    serve(answer.ownership(), "serving journal " + journal + " at epoch " +
                        answer.ownership().epoch());
                }
                else
                {
                    LOG.log(System.Logger.Level.WARNING, "'" + name + "': journal " + journal + " is no longer this " +
                        "node's (" + answer.ownership() + "); this node becomes a replica of its owner");
                    backUp(answer.ownership().address());
                }
                return;
            }
            catch (final IOException ex)
            {
                note("waiting for a majority of the quorum to open journal " + journal + ": " + ex.getMessage());
                pause();
            }
        }
    }

    /**
     * @return the ownership as a majority knows it, asking until one answers; null once closed.
     */
    private RegisterAnswer readUntilAnswered(final String journal)
    {
        while (!closed)
        {
            try
            {
                return quorum.read(journal);
            }
            catch (final IOException ex)
            {
                note("waiting for a majority of the quorum: " + ex.getMessage());
                pause();
            }
        }
        return null;
    }

    // ---- serving ------------------------------------------------------------------------------------------

    private void serve(final Ownership ownership, final String how)
    {
        closeLink();
        if (closed)
        {
            return;
        }
        final Broker prepared = prepare(ownership);
        if (prepared != null)
        {
            // At start-up only a process of its own leads: members of a colocated cluster all start serving at once,
            // and each taking the lead in turn would stall the others' lease reads (long enough, seen once, to stop
            // a healthy member).
            serve(ownership, how, prepared, ownsQuorum, null);
        }
    }

    /**
     * Opens and recovers the journal in {@link #JOURNAL}: a broker that serves nobody yet.
     *
     * @return null (after saying why) if it cannot be.
     */
    private Broker prepare(final Ownership ownership)
    {
        context.dataDir(base.resolve(JOURNAL));
        events.starting(context);
        try
        {
            return Broker.prepare(context);
        }
        catch (final BrokerStartException ex)
        {
            events.failed("cannot serve journal " + ownership.journal() + ": " + ex.getMessage(), ex);
            return null;
        }
    }

    /**
     * A read of the register made before serving, and when it was asked: the lease of whoever it names runs from then.
     */
    private record LeaseRead(long askedNs, RegisterAnswer answer)
    {
    }

    /**
     * @return the journal's ownership as the quorum has it now; null (after saying so, and closing the broker that
     * was to serve it) if no majority answered.
     */
    private LeaseRead readLease(final String journal, final Broker toClose)
    {
        final long askedNs = System.nanoTime();
        try
        {
            return new LeaseRead(askedNs, quorum.readLease(journal, name));
        }
        catch (final IOException ex)
        {
            toClose.close();
            note("stopped again at once: " + ex.getMessage());
            ha.execute(this::decide);
            return null;
        }
    }

    /**
     * Serves a prepared broker's journal while the quorum says this node owns it.
     *
     * @param lead whether to make this process's vote the quorum's leader once serving ({@link Quorum#lead}).
     * @param early the lease read made ahead (a takeover's, while the old owner's lease ran out), or null to read now.
     */
    private void serve(final Ownership ownership, final String how, final Broker prepared, final boolean lead,
        final LeaseRead early)
    {
        if (closed)
        {
            prepared.close();
            return;
        }
        final Broker started = prepared;
        try
        {
            started.open();
        }
        catch (final BrokerStartException ex)
        {
            events.failed("cannot serve journal " + ownership.journal() + ": " + ex.getMessage(), ex);
            return;
        }
        // The lease starts from a read made now (or just before the old owner's lease ran out): opening the journal,
        // an election or the broker's start may have taken longer than a lease.
        final LeaseRead read = early != null ? early : readLease(ownership.journal(), started);
        if (read == null)
        {
            return;
        }
        final long askedNs = read.askedNs();
        final RegisterAnswer now = read.answer();
        if (!isStillMine(now, ownership.epoch()))
        {
            started.close();
            notMine(now);
            return;
        }
        synchronized (this)
        {
            broker = started;
            owned = now.ownership();
            leaseFromNs = askedNs;
            backupState = "serving journal " + ownership.journal();
            mesh = Mesh.start(started);
            ((ClusterNode)started.extension()).replicaQuorum(new LiveQuorum(ownership.journal()));
            final long every = Math.max(1, context.haLeaseMs() / 5);
            renewals = renewer.scheduleWithFixedDelay(this::renewLease, every, every, TimeUnit.MILLISECONDS);
        }
        lastNote = null;
        events.serving(context, started, ownership, how);
        if (lead)
        {
            leadQuorum();
        }
    }

    /**
     * The quorum named another owner of a journal this node was about to serve, or none: it follows the owner.
     */
    private void notMine(final RegisterAnswer answer)
    {
        if (answer.ownership() == null)
        {
            ha.execute(this::decide);
        }
        else
        {
            backUp(answer.ownership().address());
        }
    }

    /**
     * Makes this process's vote the quorum's leader; an optimisation, so a failure only says so. The hand-over gets a
     * third of a lease: the leader refuses the lives' lease reads while it lasts (a whole lease would stop them).
     */
    private void leadQuorum()
    {
        try
        {
            quorum.lead(Math.max(1, context.haLeaseMs() / 3));
        }
        catch (final IOException ex)
        {
            LOG.log(System.Logger.Level.INFO, "'" + name + "': the quorum's leader stays elsewhere: " + ex.getMessage());
        }
    }

    /**
     * @return true if the quorum answered that this node still owns the journal at that epoch.
     */
    private boolean isStillMine(final RegisterAnswer answer, final long epoch)
    {
        return answer.isDone() && answer.ownership().isOwnedBy(name) && answer.ownership().epoch() == epoch;
    }

    private void renewLease()
    {
        final Ownership mine = owned;
        if (mine == null)
        {
            return;
        }
        final long askedNs = System.nanoTime();
        final RegisterAnswer answer;
        try
        {
            answer = quorum.readLease(mine.journal(), name);
        }
        catch (final IOException ex)
        {
            return; // the lease clock stops serving once the lease runs out
        }
        if (isStillMine(answer, mine.epoch()))
        {
            leaseFromNs = Math.max(leaseFromNs, askedNs);
        }
        else
        {
            ha.execute(() -> fenced(answer));
        }
    }

    /**
     * Lease clock: a node that has not reached a majority for a whole lease stops serving.
     */
    private void watchLease()
    {
        if (owned != null && System.nanoTime() - leaseFromNs > TimeUnit.MILLISECONDS.toNanos(context.haLeaseMs()))
        {
            if (stopServing("no majority of the quorum answered for " + context.haLeaseMs() + " ms (ha.lease)"))
            {
                ha.execute(this::decide);
            }
        }
    }

    private void fenced(final RegisterAnswer answer)
    {
        if (answer.ownership() == null)
        {
            if (stopServing("the quorum no longer knows this node's journal"))
            {
                decide();
            }
        }
        else if (stopServing("journal taken over: " + answer.ownership()))
        {
            backUp(answer.ownership().address());
        }
    }

    /**
     * @return true if this call stopped it (false: it was not serving).
     */
    private synchronized boolean stopServing(final String why)
    {
        if (broker == null)
        {
            return false;
        }
        owned = null;
        renewals.cancel(false);
        LOG.log(System.Logger.Level.WARNING, "'" + name + "' stops serving: " + why);
        if (mesh != null)
        {
            mesh.close();
        }
        broker.close();
        broker = null;
        mesh = null;
        events.stoppedServing(context, why);
        return true;
    }

    /**
     * Records in the quorum how the live's replica stands; on the HA thread, asked from the processor's.
     */
    private final class LiveQuorum implements ReplicaQuorum
    {
        private final String journal;
        private final ReplicaRecords records;

        LiveQuorum(final String journal)
        {
            this.journal = journal;
            this.records = new ReplicaRecords(ha, RETRY_MS, this::record, HaNode.this::note);
        }

        @Override
        public void inSync(final String backupName)
        {
            records.ask(backupName, true);
        }

        @Override
        public void lost(final String backupName)
        {
            records.ask(backupName, false);
        }

        @Override
        public String describe()
        {
            final Ownership mine = owned;
            final String other = sibling.get();
            return (mine == null ? "not serving" : "journal " + journal + " owned at epoch " + mine.epoch() +
                (mine.replica() == null ? ", no replica in sync" : ", replica " + mine.replica() + " in sync") +
                "; lease read " + TimeUnit.NANOSECONDS.toMillis(System.nanoTime() - leaseFromNs) + " ms ago") +
                (other == null ? "" : "; " + other);
        }

        private void record(final String backupName, final boolean inSync) throws IOException
        {
            final Ownership mine = owned;
            if (mine == null || !mine.journal().equals(journal))
            {
                return; // no longer serving: nothing is confirmed any more
            }
            final RegisterAnswer answer = quorum.change(inSync ? RegisterCommand.synced(mine, backupName) :
                RegisterCommand.drop(mine));
            if (!answer.isDone())
            {
                fenced(answer);
                return;
            }
            owned = answer.ownership();
            if (!inSync)
            {
                final Broker serving = broker;
                if (serving != null)
                {
                    ((ClusterNode)serving.extension()).input().replicaDropped();
                }
            }
        }
    }

    // ---- backing up ---------------------------------------------------------------------------------------

    private void backUp(final String live)
    {
        closeLink();
        promoting = false;
        link = BackupNode.link(context, live, unreplicated != null, base, linkLoop, new ReplicaLink.Watcher()
        {
            @Override
            public void inSync()
            {
                backupState = "replica of " + live + " in sync";
                ha.execute(HaNode.this::awaitReady);
            }

            @Override
            public void lost()
            {
                if (takeoverPending.compareAndSet(false, true))
                {
                    ha.execute(() -> takeOverAfterGrace(live));
                }
                else
                {
                    ha.execute(() -> probeAgain(live));
                }
            }
        });
        link.start();
        backupState = (adopted == null ? "" : "spare, adopted journal " + adopted + ": ") + "replica of " + live +
            ", copying";
        events.backingUp(context, live, base.resolve(ReplicaLink.REPLICA));
    }

    /**
     * The copy is in sync: once this node's own vote has heard from the quorum that it is the replica in sync (a vote
     * that has not heard anything yet cannot help elect a leader, so cannot help a takeover either), says it is ready.
     */
    private void awaitReady()
    {
        final ReplicaLink current = link;
        if (closed || current == null || !current.isConnected())
        {
            return;
        }
        final Path copy = completeCopy();
        final String journal = copy == null ? null : NodeIdentity.existingId(copy);
        final Ownership known = journal == null ? null : member.local(journal);
        if (known != null && name.equals(known.replica()))
        {
            LOG.log(System.Logger.Level.INFO, "'" + name + "' is ready to take over journal " + journal + " from '" +
                known.owner() + "' (" + current.live() + "): the quorum holds its copy in sync");
            backupState = "replica of " + current.live() + " in sync, ready to take over journal " + journal;
            if (context.haFailback() && isHome(journal))
            {
                failBack(journal);
            }
            return;
        }
        ha.schedule(this::awaitReady, RETRY_MS, TimeUnit.MILLISECONDS);
    }

    /**
     * @return true if the journal is this live's own (its data directory's, taken over while it was away): a backup's
     * copy never is.
     */
    private boolean isHome(final String journal)
    {
        return !context.haBackup() && journal.equals(NodeIdentity.existingId(base.resolve(JOURNAL)));
    }

    /**
     * ha.failback: this live holds its own journal in sync again, so it claims it back as a backup takes over. The
     * owner confirms nothing more once this node's link is closed (its replica gone, it cannot record the loss at its
     * old epoch), is fenced by its next lease read, and becomes this node's replica; clients follow the journal.
     */
    private void failBack(final String journal)
    {
        final ReplicaLink current = link;
        final Path copy = completeCopy();
        if (closed || promoting || current == null || !current.isConnected() || copy == null ||
            !journal.equals(NodeIdentity.existingId(copy)))
        {
            return;
        }
        try
        {
            final RegisterAnswer answer = quorum.read(journal);
            if (answer.isDone() && name.equals(answer.ownership().replica()))
            {
                claim(copy, answer.ownership(), "takes its journal " + journal + " back (ha.failback)");
            }
        }
        catch (final IOException ex)
        {
            note("cannot take journal " + journal + " back (asking again): " + ex.getMessage());
            ha.schedule(() -> failBack(journal), RETRY_MS, TimeUnit.MILLISECONDS);
        }
    }

    /**
     * Gives a live that lost only its link to this replica time to record the replica's loss before this node claims
     * its journal. A live whose address refuses connections serves nothing there any more (its process is gone, or it
     * stopped serving): no time. One that takes connections is there, just not on this link (it closed it, or it is
     * hung): a whole lease, within which it records the loss if it can reach the quorum, and stops serving if it cannot
     * (a hung one is taken over a lease later). One that does not answer (cut off by the network, say):
     * {@link #CLAIM_GRACE_MS}, which the probe's wait is part of.
     */
    private void takeOverAfterGrace(final String live)
    {
        if (!mayTakeOver())
        {
            // This node closed the link itself (it took the journal over, or follows another live): no probe.
            takeoverPending.set(false);
            return;
        }
        final long fromNs = System.nanoTime();
        probedNs = fromNs;
        final Reach reach = reach(live, CLAIM_GRACE_MS);
        final long graceMs = switch (reach)
        {
            case GONE -> 0;
            case LISTENING -> context.haLeaseMs();
            case SILENT -> CLAIM_GRACE_MS;
        };
        LOG.log(System.Logger.Level.INFO, "'" + name + "': link to " + live + " lost; its address " + reach.said +
            ": " + graceMs + " ms before a claim");
        final long leftMs = graceMs - TimeUnit.NANOSECONDS.toMillis(System.nanoTime() - fromNs);
        try
        {
            final ScheduledFuture<?> claim = ha.schedule(this::tryTakeover, Math.max(0, leftMs), TimeUnit.MILLISECONDS);
            graceWait = graceMs > 0 ? claim : null;
        }
        catch (final RejectedExecutionException closing)
        {
            // The node is closing: it takes nothing over.
        }
    }

    /**
     * The link dropped again while a claim waits out a grace: a live found listening (or silent) a moment ago may have
     * died since; if its address now refuses connections the claim goes ahead at once, rather than up to a lease
     * later. Otherwise the wait keeps its end (a hung live whose link keeps failing must not put the claim off). At
     * most one try per {@link #RETRY_MS}: a live that refuses this replica closes each of its connections at once.
     */
    private void probeAgain(final String live)
    {
        final ScheduledFuture<?> waiting = graceWait;
        final long nowNs = System.nanoTime();
        if (waiting == null || waiting.isDone() || !mayTakeOver() ||
            nowNs - probedNs < TimeUnit.MILLISECONDS.toNanos(RETRY_MS))
        {
            return;
        }
        probedNs = nowNs;
        if (reach(live, CLAIM_GRACE_MS) != Reach.GONE || !waiting.cancel(false))
        {
            return;
        }
        LOG.log(System.Logger.Level.INFO, "'" + name + "': link to " + live + " lost again; its address now " +
            Reach.GONE.said + ": claiming at once");
        tryTakeover();
    }

    /**
     * What a connection to a live's address found.
     */
    enum Reach
    {
        GONE("refuses connections"), LISTENING("takes connections"), SILENT("did not answer");

        final String said;

        Reach(final String said)
        {
            this.said = said;
        }
    }

    /**
     * @return {@link Reach#GONE} only if a connection to HOST:PORT was refused (nothing listens there),
     * {@link Reach#LISTENING} if it was taken, else {@link Reach#SILENT} (timed out, unreachable, not an address).
     */
    static Reach reach(final String hostPort, final long timeoutMs)
    {
        final Member member;
        try
        {
            member = Member.parse(hostPort);
        }
        catch (final IllegalArgumentException ex)
        {
            return Reach.SILENT;
        }
        try (Socket socket = new Socket())
        {
            socket.connect(new InetSocketAddress(member.host(), member.port()), (int)timeoutMs);
            return Reach.LISTENING;
        }
        catch (final ConnectException ex)
        {
            // Also thrown for a few other errors: only a refusal counts.
            return ex.getMessage() != null && ex.getMessage().contains("refused") ? Reach.GONE : Reach.SILENT;
        }
        catch (final IOException ex)
        {
            return Reach.SILENT;
        }
    }

    /**
     * @return true while this node holds a link to a live that is down, and is neither closing nor promoting.
     */
    private boolean mayTakeOver()
    {
        return !closed && !promoting && link != null && !link.isConnected();
    }

    private void tryTakeover()
    {
        takeoverPending.set(false);
        if (!mayTakeOver())
        {
            return;
        }
        final Path copy = completeCopy();
        final String journal = copy == null ? null : NodeIdentity.existingId(copy);
        if (journal == null && unreplicated != null)
        {
            abandon("the copy from " + link.live() + " ended before it was in sync");
            return;
        }
        if (journal == null)
        {
            note("cannot take over from " + link.live() + ": this node holds no complete copy of its journal (the " +
                "copy was not in sync yet); waiting for the live to return");
            return;
        }
        final Ownership current;
        try
        {
            final RegisterAnswer answer = quorum.read(journal);
            if (answer.outcome() == RegisterAnswer.Outcome.UNKNOWN)
            {
                note("cannot take over from " + link.live() + ": the quorum knows no journal " + journal);
                return;
            }
            current = answer.ownership();
        }
        catch (final IOException ex)
        {
            note("cannot take over from " + link.live() + " without a majority of the quorum: " + ex.getMessage());
            tryTakeoverLater();
            return;
        }
        if (current.isOwnedBy(name))
        {
            // A claim committed after this node had stopped waiting for its answer: it knows only that the old
            // owner's lease was last renewed before now.
            promote(copy, current, System.nanoTime() + TimeUnit.MILLISECONDS.toNanos(context.haLeaseMs()));
            return;
        }
        if (!name.equals(current.replica()))
        {
            if (!current.address().equals(link.live()))
            {
                LOG.log(System.Logger.Level.INFO, "'" + name + "': journal " + journal + " moved (" + current +
                    "); following it");
                backUp(current.address());
                return;
            }
            if (unreplicated != null)
            {
                abandon("the quorum does not hold its copy of journal " + journal + " as in sync (" + current + ")");
                return;
            }
            note("not taking over from " + link.live() + ": the quorum does not hold this node's copy as in sync (" +
                current + "); waiting for the live to return");
            return;
        }
        try
        {
            claim(copy, current, "took journal " + journal + " over");
        }
        catch (final IOException ex)
        {
            note("claim of journal " + journal + " not answered (asking again): " + ex.getMessage());
            tryTakeoverLater();
        }
    }

    /**
     * Claims the journal whose copy this node holds in sync from its owner, at the owner's epoch; serves it once
     * granted and the old owner's lease has run out: a lease after the quorum's leader last answered the owner's
     * lease read ({@link RegisterAnswer#unreadNs}), counted from the answer's arrival (the leader applied the claim
     * before; the two clocks are taken to run at one rate, as every lease does).
     */
    private void claim(final Path copy, final Ownership current, final String what) throws IOException
    {
        final String journal = current.journal();
        final RegisterAnswer claim = quorum.change(RegisterCommand.claim(journal, current.epoch(), name, address));
        final long answeredNs = System.nanoTime();
        if (claim.isDone())
        {
            final long leaseNs = TimeUnit.MILLISECONDS.toNanos(context.haLeaseMs());
            final long leftNs = leaseNs - Math.min(leaseNs, claim.unreadNs());
            LOG.log(System.Logger.Level.WARNING, "'" + name + "' " + what + " from '" + current.owner() + "' (" +
                link.live() + ") at epoch " + claim.ownership().epoch() + "; serving it once the old owner's lease (" +
                context.haLeaseMs() + " ms) has run out, in " + TimeUnit.NANOSECONDS.toMillis(leftNs) + " ms");
            promote(copy, claim.ownership(), answeredNs + leftNs);
        }
        else
        {
            note("claim of journal " + journal + " refused: " + claim.ownership());
        }
    }

    private void tryTakeoverLater()
    {
        if (takeoverPending.compareAndSet(false, true))
        {
            ha.schedule(this::tryTakeover, RETRY_MS, TimeUnit.MILLISECONDS);
        }
    }

    /**
     * Takes over a journal whose claim the quorum granted: the copy moves into place and its broker recovers it at
     * once (nothing writes the copy any more: the link is closed), but serves only once the old owner's lease has run
     * out, so the two never serve at once.
     *
     * @param leaseEndNs when the old owner's lease has run out at the latest.
     */
    private void promote(final Path claimed, final Ownership ownership, final long leaseEndNs)
    {
        promoting = true;
        adopted = null;
        closeLink();
        awaitLinkClosed();
        // Until its link was closed a new connection could set the copy aside (a new copy begins) or finish one and
        // drop the one set aside: the complete copy is looked for again, now that nothing moves it.
        final Path copy = completeCopy();
        if (copy == null || !ownership.journal().equals(NodeIdentity.existingId(copy)))
        {
            events.failed("took journal " + ownership.journal() + " over but holds no complete copy of it any more (" +
                claimed + " went while the link to its live closed)", null);
            return;
        }
        final Path journalDir = base.resolve(JOURNAL);
        try
        {
            if (Files.exists(journalDir))
            {
                ReplicaLink.deleteTree(base.resolve(FENCED));
                Files.move(journalDir, base.resolve(FENCED), StandardCopyOption.ATOMIC_MOVE);
            }
            Files.move(copy, journalDir, StandardCopyOption.ATOMIC_MOVE);
            Files.deleteIfExists(journalDir.resolve(ReplicaLink.SYNCED));
        }
        catch (final IOException ex)
        {
            events.failed("cannot move the copy " + copy + " into place as " + journalDir + ": " + ex, ex);
            return;
        }
        final Broker recovered = closed ? null : prepare(ownership);
        if (recovered == null)
        {
            return;
        }
        prepared = recovered;
        final long readInNs = leaseEndNs - TimeUnit.MILLISECONDS.toNanos(LEASE_READ_AHEAD_MS) - System.nanoTime();
        schedulePromoted(() -> serveAtLeaseEnd(ownership, recovered, leaseEndNs), readInNs, recovered);
    }

    /**
     * Reads this node's lease shortly before the old owner's runs out, then serves the recovered journal once it has.
     */
    private void serveAtLeaseEnd(final Ownership ownership, final Broker recovered, final long leaseEndNs)
    {
        final LeaseRead read = readLease(ownership.journal(), recovered);
        if (read == null)
        {
            prepared = null;
            promoting = false;
            return;
        }
        schedulePromoted(() ->
        {
            prepared = null;
            promoting = false;
            serve(ownership, "took journal " + ownership.journal() + " over at epoch " + ownership.epoch(),
                recovered, true, read);
        }, leaseEndNs - System.nanoTime(), recovered);
    }

    private void schedulePromoted(final Runnable step, final long inNs, final Broker recovered)
    {
        try
        {
            ha.schedule(step, Math.max(0, inNs), TimeUnit.NANOSECONDS);
        }
        catch (final RejectedExecutionException closing)
        {
            // The node closed while the journal was recovered: it never serves.
            prepared = null;
            recovered.close();
        }
    }

    // ---- a spare --------------------------------------------------------------------------------------------

    /**
     * A spare at its start: it goes on with the copy it holds (the quorum may hold it as the only one in sync), or
     * waits for a journal to adopt.
     */
    private void resumeSpare()
    {
        final Path copy = completeCopy();
        final String journal = copy == null ? null : NodeIdentity.existingId(copy);
        if (journal != null)
        {
            final RegisterAnswer known = readUntilAnswered(journal);
            if (known == null)
            {
                return;
            }
            if (known.isDone() && !unreplicated.isOwnNode(known.ownership().owner()))
            {
                adopted = journal;
                backUp(known.ownership().address());
                return;
            }
        }
        abandon(journal == null ? "starting" : "its copy of journal " + journal + " is no longer needed");
    }

    /**
     * An idle spare, on the HA thread every {@link #ADOPT_CHECK_MS}: adopts the journal without a replica the longest,
     * once that is {@code ha.re-replicate-after}, if the quorum confirms it still has none.
     */
    private void lookForAdoption()
    {
        lookout = null;
        if (closed || link != null || promoting || owned != null)
        {
            return; // busy: it looks again once idle
        }
        if (context.haReReplicateAfterMs() < 0)
        {
            backupState = "spare, idle (ha.re-replicate-after = never)";
            return;
        }
        final long nowNs = System.nanoTime();
        final String journal = unreplicated.toAdopt(member.localAll(), nowNs);
        if (journal != null)
        {
            try
            {
                final RegisterAnswer answer = quorum.read(journal);
                if (answer.isDone() && unreplicated.isAdoptable(answer.ownership()))
                {
                    LOG.log(System.Logger.Level.WARNING, "'" + name + "': " + answer.ownership() + " for " +
                        unreplicated.longestWaitMs(nowNs) + " ms (ha.re-replicate-after = " +
                        context.haReReplicateAfterMs() + "): this spare copies it, to be its replica");
                    adopted = journal;
                    backUp(answer.ownership().address());
                    return;
                }
            }
            catch (final IOException ex)
            {
                note("spare: cannot ask the quorum about journal " + journal + " without a replica: " +
                    ex.getMessage());
            }
        }
        final long waitMs = unreplicated.longestWaitMs(nowNs);
        backupState = "spare, idle" + (waitMs == 0 ? "" : " (a journal of another process has had no replica for " +
            waitMs + " ms; adopted after " + context.haReReplicateAfterMs() + ")");
        lookAgain();
    }

    private void lookAgain()
    {
        if (!closed && (lookout == null || lookout.isDone()))
        {
            lookout = ha.schedule(this::lookForAdoption, ADOPT_CHECK_MS, TimeUnit.MILLISECONDS);
        }
    }

    /**
     * A spare lets go of what it copied (it can never take it over) and looks for a journal to adopt again.
     */
    private void abandon(final String why)
    {
        closeLink();
        if (adopted != null)
        {
            LOG.log(System.Logger.Level.INFO, "'" + name + "' lets go of journal " + adopted + ": " + why);
            unreplicated.restart(adopted, System.nanoTime());
            adopted = null;
        }
        try
        {
            ReplicaLink.deleteTree(base.resolve(ReplicaLink.REPLICA));
            ReplicaLink.deleteTree(base.resolve(ReplicaLink.PREVIOUS));
        }
        catch (final IOException ex)
        {
            LOG.log(System.Logger.Level.WARNING, "'" + name + "': cannot delete a copy it let go of: " + ex);
        }
        backupState = "spare, idle";
        lookAgain();
    }

    /**
     * @return the newest copy known complete (the one being made if it is, else the one kept aside), or null.
     */
    private Path completeCopy()
    {
        for (final String candidate : new String[] {ReplicaLink.REPLICA, ReplicaLink.PREVIOUS})
        {
            final Path copy = base.resolve(candidate);
            if (Files.exists(copy.resolve(ReplicaLink.SYNCED)))
            {
                return copy;
            }
        }
        return null;
    }

    private void closeLink()
    {
        if (link != null)
        {
            link.close();
            link = null;
        }
    }

    /**
     * Waits until the link's thread has closed its connection (the close is a task on it) and done with anything it
     * read before: the copy is no longer written or moved.
     */
    private void awaitLinkClosed()
    {
        try
        {
            if (!linkLoop.submit(() -> { }).await(10, TimeUnit.SECONDS))
            {
                LOG.log(System.Logger.Level.WARNING, "'" + name + "': the link's thread did not answer within 10 s");
            }
        }
        catch (final InterruptedException ex)
        {
            Thread.currentThread().interrupt();
        }
        catch (final RejectedExecutionException closing)
        {
            // The node is closing: its link's thread is gone, and with it anything that could move the copy.
        }
    }

    /**
     * @return HOST:PORT where the node's clients and replica reach it: its advertised address, or where it listens.
     */
    static String addressOf(final BrokerContext context)
    {
        return context.clusterAdvertise() != null ? context.clusterAdvertise() :
            new Member(context.host(), context.port()).toString();
    }

    static void closeQuorum(final Quorum quorum, final QuorumMember member, final String name)
    {
        try
        {
            quorum.close();
            member.close();
        }
        catch (final IOException ex)
        {
            LOG.log(System.Logger.Level.WARNING, "'" + name + "': closing its quorum member: " + ex);
        }
    }

    // ---- helpers ------------------------------------------------------------------------------------------

    /**
     * Logs what this node waits for, once per change of reason.
     */
    private void note(final String what)
    {
        backupState = what;
        if (!what.equals(lastNote))
        {
            LOG.log(System.Logger.Level.WARNING, "'" + name + "': " + what);
            lastNote = what;
        }
    }

    private static void pause()
    {
        try
        {
            Thread.sleep(RETRY_MS);
        }
        catch (final InterruptedException ex)
        {
            Thread.currentThread().interrupt();
        }
    }

    String name()
    {
        return name;
    }

    /**
     * @return for status: what this node does when it does not serve (copying, in sync, ready, waiting and why).
     */
    String describeBackup()
    {
        return "'" + name + "': " + backupState;
    }

    /**
     * @param other what the other node of this process does, for this node's status while it serves.
     */
    void sibling(final Supplier<String> other)
    {
        sibling = other;
    }

    /**
     * @return the broker this node serves now, or null.
     */
    public synchronized Broker broker()
    {
        return broker;
    }

    @Override
    public void close()
    {
        if (closed)
        {
            return;
        }
        closed = true;
        stopServing("the process stops");
        leaseClock.shutdownNow();
        renewer.shutdownNow();
        ha.shutdownNow();
        try
        {
            ha.awaitTermination(5, TimeUnit.SECONDS);
        }
        catch (final InterruptedException ex)
        {
            Thread.currentThread().interrupt();
        }
        closeLink();
        final Broker waiting = prepared;
        if (waiting != null)
        {
            // Its serving was scheduled on the HA thread, shut down above: it never served.
            waiting.close();
        }
        if (linkLoop != null)
        {
            linkLoop.shutdownGracefully(0, 2, TimeUnit.SECONDS).syncUninterruptibly();
        }
        if (ownsQuorum)
        {
            closeQuorum(quorum, member, name);
        }
        lock.close();
    }
}
