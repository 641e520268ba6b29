package io.meshmq.cluster;

import io.meshmq.cluster.quorum.Quorum;
import io.meshmq.cluster.quorum.QuorumMember;
import io.meshmq.cluster.quorum.QuorumSettings;
import io.meshmq.engine.BrokerContext;
import io.meshmq.engine.BrokerStartException;
import io.meshmq.engine.DataDirectory;

import java.io.IOException;
import java.util.List;
import java.util.Set;
import java.util.TreeSet;
import java.util.stream.Collectors;

/**
 * A member of a cluster whose journals are replicated among its members ({@code ha = replication}): one process, one
 * vote, three {@link HaNode}s. Its own node serves its journal (in {@code DATA/journal}, at the node's address); its
 * colocated backup ({@code NAME-backup}, in {@code DATA/colocated}) keeps a replica of the next member's journal (the
 * members sorted by address, the last followed by the first) and, when the quorum grants it, serves that journal
 * at {@code ha.backup-bind}. So every journal has a place in two processes, and three processes survive the loss of
 * any one: the dead one's journal is served by its neighbour's backup until it returns, then the returning node keeps
 * its replica (and takes it back only when that neighbour dies in turn: no fail-back).
 * <p>
 * A member that does not return leaves two journals without a replica (the one taken over, and the one it was the
 * replica of), and no backup is free to copy them. Its spare ({@code NAME-spare}, in {@code DATA/spare}) is: after
 * {@code ha.re-replicate-after} it adopts a journal of another process that has had no replica that long, and serves
 * it at {@code ha.spare-bind} if it takes it over; so a second failure later loses nothing either.
 */
public final class ColocatedNode implements AutoCloseable
{
    /** Under the data directory: the colocated backup's own data directory. */
    public static final String COLOCATED = "colocated";
    /** Under the data directory: the spare's own data directory. */
    public static final String SPARE = "spare";
    private static final String BACKUP_SUFFIX = "-backup";
    private static final String SPARE_SUFFIX = "-spare";

    private final QuorumMember member;
    private final Quorum quorum;
    private final HaNode node;
    private final HaNode backup;
    private final HaNode spare;

    private ColocatedNode(final QuorumMember member, final Quorum quorum, final HaNode node, final HaNode backup,
        final HaNode spare)
    {
        this.member = member;
        this.quorum = quorum;
        this.node = node;
        this.backup = backup;
        this.spare = spare;
    }

    /**
     * Joins the quorum and starts both nodes deciding what to serve.
     *
     * @throws IllegalArgumentException naming the setting that is wrong or missing.
     * @throws BrokerStartException     if a data directory cannot be made or is in use.
     * @throws IOException              if the quorum's port cannot be bound or its log read.
     */
    public static ColocatedNode start(final BrokerContext context, final HaNode.Events events)
        throws BrokerStartException, IOException
    {
        if (context.haWitness() || context.haBackup())
        {
            throw new IllegalArgumentException("ha = replication is for members that serve their own journal: not " +
                "with ha.role = " + (context.haWitness() ? "witness" : "backup"));
        }
        if (context.haQuorum().isEmpty())
        {
            throw new IllegalArgumentException("ha = replication needs ha.quorum = HOST:PORT,... (one voter per " +
                "member, at least three voters): the quorum decides which member serves a journal");
        }
        HaNode.check(context);
        final BrokerContext backupContext = backupOf(context);
        HaNode.check(backupContext);
        final BrokerContext spareContext = spareOf(context, backupContext);
        HaNode.checkNode(spareContext);
        final QuorumSettings settings = HaNode.quorumSettings(context);
        final DataDirectory nodeLock = HaNode.lock(context);
        DataDirectory backupLock = null;
        DataDirectory spareLock = null;
        QuorumMember member = null;
        try
        {
            backupLock = HaNode.lock(backupContext);
            spareLock = HaNode.lock(spareContext);
            member = QuorumMember.start(settings, context.dataDir());
        }
        catch (final BrokerStartException | IOException | RuntimeException ex)
        {
            for (final DataDirectory lock : new DataDirectory[] {spareLock, backupLock, nodeLock})
            {
                if (lock != null)
                {
                    lock.close();
                }
            }
            throw ex;
        }
        final Quorum quorum = new Quorum(settings);
        final ColocatedNode colocated = new ColocatedNode(member, quorum,
            HaNode.sharing(context, events, nodeLock, member, quorum),
            HaNode.sharing(backupContext, events, backupLock, member, quorum),
            HaNode.spare(spareContext, events, spareLock, member, quorum,
                Set.of(context.name(), backupContext.name(), spareContext.name())));
        for (final HaNode each : colocated.nodes())
        {
            each.sibling(() -> colocated.nodes().stream().filter(other -> other != each)
                .map(HaNode::describeBackup).collect(Collectors.joining("; ")));
        }
        colocated.nodes().forEach(HaNode::begin);
        return colocated;
    }

    /**
     * @return the settings of the node's colocated backup: a replica of the next member's journal, served (once taken
     * over) at ha.backup-bind, not in-VM, under {@code DATA/colocated}.
     * @throws IllegalArgumentException if this node's address is not among the members, or it is the only one.
     */
    static BrokerContext backupOf(final BrokerContext context)
    {
        final String self = HaNode.addressOf(context);
        final TreeSet<String> members = new TreeSet<>(context.clusterMembers());
        if (!members.contains(self))
        {
            throw new IllegalArgumentException("ha = replication needs this node's address " + self + " among " +
                "cluster.members " + context.clusterMembers() + " (each member keeps a replica of the next one's " +
                "journal, in the order of that list sorted)");
        }
        if (members.size() < 2)
        {
            throw new IllegalArgumentException("ha = replication needs at least two cluster.members (each keeps a " +
                "replica of another's journal); cluster.members is " + context.clusterMembers());
        }
        final String next = members.higher(self) != null ? members.higher(self) : members.first();
        final Member backupBind = bind(context, context.haBackupBind(), "ha.backup-bind",
            BrokerContext.DEFAULT_BACKUP_PORT_OFFSET, List.of());
        return served(context, backupBind, BACKUP_SUFFIX, COLOCATED).haLive(next);
    }

    /**
     * @return the settings of the node's spare: a replica of no live until it adopts a journal, served (once taken
     * over) at ha.spare-bind, not in-VM, under {@code DATA/spare}.
     * @throws IllegalArgumentException if its port is taken by the node or its backup, or past 65535.
     */
    static BrokerContext spareOf(final BrokerContext context, final BrokerContext backup)
    {
        final Member spareBind = bind(context, context.haSpareBind(), "ha.spare-bind",
            BrokerContext.DEFAULT_SPARE_PORT_OFFSET, List.of(new Member(backup.host(), backup.port())));
        return served(context, spareBind, SPARE_SUFFIX, SPARE).haLive(null);
    }

    /**
     * @return where a node of this process serves a journal it took over: {@code setting}'s value, or the node's host
     * and its port + {@code offset}.
     */
    private static Member bind(final BrokerContext context, final String value, final String setting,
        final int offset, final List<Member> taken)
    {
        final Member bind = value != null ? Member.parse(value) : new Member(context.host(), context.port() + offset);
        if (bind.port() > 65535)
        {
            throw new IllegalArgumentException("ha = replication serves a journal taken over at port " + bind.port() +
                " (this node's port + " + offset + "), past 65535: set " + setting);
        }
        if (bind.equals(new Member(context.host(), context.port())) || taken.contains(bind))
        {
            throw new IllegalArgumentException(setting + " " + bind + " is where " +
                (taken.contains(bind) ? "this node's backup serves" : "this node listens") + "; it needs a port of " +
                "its own");
        }
        return bind;
    }

    private static BrokerContext served(final BrokerContext context, final Member bind, final String suffix,
        final String dataDir)
    {
        final String advertise = context.clusterAdvertise() == null ? null :
            context.clusterAdvertise().substring(0, context.clusterAdvertise().lastIndexOf(':') + 1) + bind.port();
        return context.copy()
            .name(context.name() + suffix)
            .host(bind.host())
            .port(bind.port())
            .dataDir(context.dataDir().resolve(dataDir))
            .vmId(null)
            .clusterAdvertise(advertise)
            .haBackup(true);
    }

    /**
     * @return the nodes of this process: its own, its colocated backup, its spare.
     */
    public List<HaNode> nodes()
    {
        return List.of(node, backup, spare);
    }

    @Override
    public void close()
    {
        spare.close();
        backup.close();
        node.close();
        HaNode.closeQuorum(quorum, member, node.name());
    }
}
