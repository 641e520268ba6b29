package io.meshmq.cluster;

import io.meshmq.cluster.quorum.Quorum;
import io.meshmq.cluster.quorum.QuorumMember;
import io.meshmq.cluster.quorum.QuorumSettings;
import io.meshmq.engine.BrokerContext;
import io.meshmq.engine.BrokerStartException;
import io.meshmq.engine.DataDirectory;

import java.io.IOException;
import java.util.List;
import java.util.TreeSet;

/**
 * A member of a cluster whose journals are replicated among its members ({@code ha = replication}): one process, one
 * vote, two {@link HaNode}s. Its own node serves its journal (in {@code DATA/journal}, at the node's address); its
 * colocated backup ({@code NAME-backup}, in {@code DATA/colocated}) keeps a replica of the next member's journal (the
 * members sorted by address, the last followed by the first) and, when the quorum grants it, serves that journal
 * at {@code ha.backup-bind}. So every journal has a place in two processes, and three processes survive the loss of
 * any one: the dead one's journal is served by its neighbour's backup until it returns, then the returning node keeps
 * its replica (and takes it back only when that neighbour dies in turn: no fail-back).
 */
public final class ColocatedNode implements AutoCloseable
{
    /** Under the data directory: the colocated backup's own data directory. */
    public static final String COLOCATED = "colocated";
    private static final String BACKUP_SUFFIX = "-backup";

    private final QuorumMember member;
    private final Quorum quorum;
    private final HaNode node;
    private final HaNode backup;

    private ColocatedNode(final QuorumMember member, final Quorum quorum, final HaNode node, final HaNode backup)
    {
        this.member = member;
        this.quorum = quorum;
        this.node = node;
        this.backup = backup;
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
        final QuorumSettings settings = HaNode.quorumSettings(context);
        final DataDirectory nodeLock = HaNode.lock(context);
        DataDirectory backupLock = null;
        QuorumMember member = null;
        try
        {
            backupLock = HaNode.lock(backupContext);
            member = QuorumMember.start(settings, context.dataDir());
        }
        catch (final BrokerStartException | IOException | RuntimeException ex)
        {
            if (backupLock != null)
            {
                backupLock.close();
            }
            nodeLock.close();
            throw ex;
        }
        final Quorum quorum = new Quorum(settings);
        final ColocatedNode colocated = new ColocatedNode(member, quorum,
            HaNode.sharing(context, events, nodeLock, member, quorum),
            HaNode.sharing(backupContext, events, backupLock, member, quorum));
        colocated.node.sibling(colocated.backup::describeBackup);
        colocated.backup.sibling(colocated.node::describeBackup);
        colocated.node.begin();
        colocated.backup.begin();
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
        final Member backupBind = context.haBackupBind() != null ? Member.parse(context.haBackupBind()) :
            new Member(context.host(), context.port() + BrokerContext.DEFAULT_BACKUP_PORT_OFFSET);
        final int port = backupBind.port();
        if (port > 65535)
        {
            throw new IllegalArgumentException("ha = replication serves a journal taken over at port " + port + " (this " +
                "node's port + " + BrokerContext.DEFAULT_BACKUP_PORT_OFFSET + "), past 65535: set ha.backup-bind");
        }
        if (backupBind.equals(new Member(context.host(), context.port())))
        {
            throw new IllegalArgumentException("ha.backup-bind " + backupBind + " is where this node listens; it " +
                "needs a port of its own");
        }
        final String advertise = context.clusterAdvertise() == null ? null :
            context.clusterAdvertise().substring(0, context.clusterAdvertise().lastIndexOf(':') + 1) + port;
        return context.copy()
            .name(context.name() + BACKUP_SUFFIX)
            .host(backupBind.host())
            .port(port)
            .dataDir(context.dataDir().resolve(COLOCATED))
            .vmId(null)
            .clusterAdvertise(advertise)
            .haBackup(true)
            .haLive(next);
    }

    /**
     * @return the nodes of this process: its own, then its colocated backup.
     */
    public List<HaNode> nodes()
    {
        return List.of(node, backup);
    }

    @Override
    public void close()
    {
        backup.close();
        node.close();
        HaNode.closeQuorum(quorum, member, node.name());
    }
}
