package io.meshmq.cluster.quorum;

import org.apache.ratis.protocol.Message;
import org.apache.ratis.protocol.RaftClientRequest;
import org.apache.ratis.protocol.RaftPeerId;
import org.apache.ratis.server.DivisionInfo;
import org.apache.ratis.server.RaftServer;
import org.apache.ratis.server.protocol.TermIndex;
import org.apache.ratis.statemachine.TransactionContext;
import org.apache.ratis.statemachine.impl.BaseStateMachine;
import org.apache.ratis.thirdparty.com.google.protobuf.ByteString;

import java.io.IOException;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.function.LongSupplier;

/**
 * The quorum's replicated state: every journal's {@link Ownership}. Each change is a compare-and-set on the epoch
 * and the caller's role, applied in log order on every voter, so all of them agree on who won a race. The log is
 * small (a few entries per start, sync, loss and takeover) and replayed whole at start-up: no snapshots.
 * <p>
 * Only the leader answers reads (a follower names it instead), and it notes when it last answered the owner's read
 * of each journal. An owner renews its lease only by such a read, so the leader can tell a claim how long ago the old
 * owner's lease was renewed at the latest ({@link RegisterAnswer#unreadNs}), and the claimant waits only the rest of
 * that lease rather than a whole one. Why that is safe: an owner's read this voter answered is noted before the claim
 * is applied, or it saw the claim and renewed nothing; one another voter answered as leader came before this voter
 * began to lead, or while that voter, deposed, did not know it yet. Ratis (3.2) answers a read without asking a
 * majority again as long as its commit index has not moved since the last read it confirmed, so a leader cut off
 * from the others answers from its stale copy until it steps down for want of a majority, at most
 * {@code deposedReadsNs} after another began to lead. So the latest renewal was asked no later than the last read
 * noted here, or than that long after this voter first knew it led in its term, whichever is later. Where that is
 * after the claim, the answer says 0 and the claimant waits a whole lease from the claim, as it did before any of
 * this: a claim that soon after the owner lost the quorum follows only a refused connection (the owner serves no
 * more) or a replica link's silence longer than a deposed leader goes on answering. The times are this voter's own
 * clock, taken to run at the owner's and the claimant's rate as every lease does; they leave no trace in the log and
 * only shorten a wait.
 * <p>
 * Thread safe: Ratis applies and queries on its own threads.
 */
public final class OwnershipRegister extends BaseStateMachine
{
    /**
     * What a voter knows of the quorum's leadership: its Ratis division's, or a test's.
     */
    interface Leadership
    {
        /**
         * @return the term in which this voter leads now, or -1 if it does not lead.
         */
        long leadingTerm();

        /**
         * @return the voter that leads as far as this one knows (its Ratis peer id), or "" if it knows none.
         */
        String leader();
    }

    private final Map<String, Ownership> journals = new HashMap<>();
    /** When this voter, leading, last answered the owner's read of each journal. */
    private final Map<String, Long> lastReadNs = new HashMap<>();
    private final Leadership leadership;
    private final LongSupplier clock;
    private final long deposedReadsNs;
    /** The term this voter last knew it led in, and when it first knew. */
    private long ledTerm = -1;
    private long leadingSinceNs;

    /**
     * @param deposedReadsNs how long a leader cut off from the others may go on answering reads after another began to
     *                       lead: see the class's comment.
     */
    public OwnershipRegister(final long deposedReadsNs)
    {
        this.leadership = new DivisionLeadership();
        this.clock = System::nanoTime;
        this.deposedReadsNs = deposedReadsNs;
    }

    OwnershipRegister(final Leadership leadership, final LongSupplier clock, final long deposedReadsNs)
    {
        this.leadership = leadership;
        this.clock = clock;
        this.deposedReadsNs = deposedReadsNs;
    }

    @Override
    public TransactionContext startTransaction(final RaftClientRequest request) throws IOException
    {
        final TransactionContext transaction = super.startTransaction(request);
        try
        {
            if (RegisterCommand.decode(request.getMessage().getContent().toByteArray()).op() == RegisterCommand.GET)
            {
                transaction.setException(new IllegalArgumentException("GET is a query, not a change"));
            }
        }
        catch (final IllegalArgumentException ex)
        {
            transaction.setException(ex);
        }
        return transaction;
    }

    @Override
    public CompletableFuture<Message> applyTransaction(final TransactionContext transaction)
    {
        final var entry = transaction.getLogEntry();
        final RegisterAnswer answer;
        synchronized (this)
        {
            answer = applyLogged(RegisterCommand.decode(entry.getStateMachineLogEntry().getLogData().toByteArray()));
            updateLastAppliedTermIndex(TermIndex.valueOf(entry));
        }
        return CompletableFuture.completedFuture(Message.valueOf(ByteString.copyFrom(answer.encode())));
    }

    @Override
    public CompletableFuture<Message> query(final Message request)
    {
        try
        {
            final RegisterCommand command = RegisterCommand.decode(request.getContent().toByteArray());
            if (command.op() != RegisterCommand.GET)
            {
                throw new IllegalArgumentException("only GET is a query");
            }
            final RegisterAnswer answer = read(command);
            return CompletableFuture.completedFuture(Message.valueOf(ByteString.copyFrom(answer.encode())));
        }
        catch (final IllegalArgumentException ex)
        {
            return CompletableFuture.failedFuture(ex);
        }
    }

    /**
     * A read asked of this voter: answered if it leads, noting when the owner asked one; else it names the leader.
     */
    synchronized RegisterAnswer read(final RegisterCommand get)
    {
        final long term = leadership.leadingTerm();
        if (term < 0)
        {
            return RegisterAnswer.notLeader(leadership.leader());
        }
        final long nowNs = leadingNow(term);
        final RegisterAnswer answer = apply(get);
        if (answer.isDone() && answer.ownership().isOwnedBy(get.name()))
        {
            // Only the owner's own reads renew its lease: the replica's look before its claim, say, does not.
            lastReadNs.put(get.journal(), nowNs);
        }
        return answer;
    }

    /**
     * A change from the log: a claim granted where this voter leads says how long the journal went unread.
     */
    synchronized RegisterAnswer applyLogged(final RegisterCommand command)
    {
        final RegisterAnswer answer = apply(command);
        if (command.op() != RegisterCommand.CLAIM || !answer.isDone())
        {
            return answer;
        }
        final long term = leadership.leadingTerm();
        if (term < 0)
        {
            return answer;
        }
        final long nowNs = leadingNow(term);
        final Long readNs = lastReadNs.get(command.journal());
        final long deposedReadsEndNs = leadingSinceNs + deposedReadsNs;
        return answer.unreadFor(nowNs - (readNs == null ? deposedReadsEndNs : Math.max(deposedReadsEndNs, readNs)));
    }

    private long leadingNow(final long term)
    {
        final long nowNs = clock.getAsLong();
        if (term != ledTerm)
        {
            ledTerm = term;
            leadingSinceNs = nowNs;
        }
        return nowNs;
    }

    /**
     * @return every journal's ownership as this copy of the register holds it.
     */
    synchronized List<Ownership> all()
    {
        return List.copyOf(journals.values());
    }

    /**
     * The rules, apart from Ratis.
     */
    synchronized RegisterAnswer apply(final RegisterCommand command)
    {
        final Ownership current = journals.get(command.journal());
        switch (command.op())
        {
            case RegisterCommand.GET:
                return current == null ? new RegisterAnswer(RegisterAnswer.Outcome.UNKNOWN, null) : done(current);
            case RegisterCommand.OPEN:
                if (current == null)
                {
                    return put(new Ownership(command.journal(), 1, command.name(), command.argument(), null));
                }
                if (!current.isOwnedBy(command.name()))
                {
                    return new RegisterAnswer(RegisterAnswer.Outcome.FENCED, current);
                }
                // A restarted owner: whatever replica it had lost its connection and must copy again.
                return put(new Ownership(current.journal(), current.epoch(), current.owner(), command.argument(), null));
            case RegisterCommand.SYNCED:
            case RegisterCommand.DROP:
                if (current == null)
                {
                    return new RegisterAnswer(RegisterAnswer.Outcome.UNKNOWN, null);
                }
                if (!current.isOwnedBy(command.name()) || current.epoch() != command.epoch())
                {
                    return new RegisterAnswer(RegisterAnswer.Outcome.FENCED, current);
                }
                return put(new Ownership(current.journal(), current.epoch(), current.owner(), current.address(),
                    command.op() == RegisterCommand.SYNCED ? command.argument() : null));
            case RegisterCommand.CLAIM:
                if (current == null)
                {
                    return new RegisterAnswer(RegisterAnswer.Outcome.UNKNOWN, null);
                }
                if (current.epoch() != command.epoch() || !command.name().equals(current.replica()))
                {
                    return new RegisterAnswer(RegisterAnswer.Outcome.REFUSED, current);
                }
                return put(new Ownership(current.journal(), current.epoch() + 1, command.name(), command.argument(),
                    null));
            default:
                throw new IllegalArgumentException("unknown register operation " + command.op());
        }
    }

    private RegisterAnswer put(final Ownership ownership)
    {
        journals.put(ownership.journal(), ownership);
        return done(ownership);
    }

    private static RegisterAnswer done(final Ownership ownership)
    {
        return new RegisterAnswer(RegisterAnswer.Outcome.DONE, ownership);
    }

    /**
     * The leadership as this voter's Ratis division knows it.
     */
    private final class DivisionLeadership implements Leadership
    {
        private volatile DivisionInfo info;

        @Override
        public long leadingTerm()
        {
            final DivisionInfo known = info();
            if (known == null)
            {
                return -1;
            }
            final long term = known.getCurrentTerm();
            // The role and the term are read apart: the term read on both sides of the role keeps them of one term.
            return known.isLeader() && known.getCurrentTerm() == term ? term : -1;
        }

        @Override
        public String leader()
        {
            final DivisionInfo known = info();
            final RaftPeerId leader = known == null ? null : known.getLeaderId();
            return leader == null ? "" : leader.toString();
        }

        private DivisionInfo info()
        {
            DivisionInfo known = info;
            final RaftServer server = getServer().getNow(null);
            if (known == null && server != null)
            {
                try
                {
                    known = server.getDivision(getGroupId()).getInfo();
                    info = known;
                }
                catch (final IOException ex)
                {
                    return null; // not started yet: it leads nothing
                }
            }
            return known;
        }
    }
}
