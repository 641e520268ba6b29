package io.meshmq.cluster.quorum;

import org.apache.ratis.protocol.Message;
import org.apache.ratis.protocol.RaftClientRequest;
import org.apache.ratis.server.protocol.TermIndex;
import org.apache.ratis.statemachine.TransactionContext;
import org.apache.ratis.statemachine.impl.BaseStateMachine;
import org.apache.ratis.thirdparty.com.google.protobuf.ByteString;

import java.io.IOException;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;

/**
 * The quorum's replicated state: every journal's {@link Ownership}. Each change is a compare-and-set on the epoch
 * and the caller's role, applied in log order on every voter, so all of them agree on who won a race. The log is
 * small (a few entries per start, sync, loss and takeover) and replayed whole at start-up: no snapshots.
 * <p>
 * Thread safe: Ratis applies and queries on its own threads.
 */
public final class OwnershipRegister extends BaseStateMachine
{
    private final Map<String, Ownership> journals = new HashMap<>();

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
            answer = apply(RegisterCommand.decode(entry.getStateMachineLogEntry().getLogData().toByteArray()));
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
            final RegisterAnswer answer;
            synchronized (this)
            {
                answer = apply(command);
            }
            return CompletableFuture.completedFuture(Message.valueOf(ByteString.copyFrom(answer.encode())));
        }
        catch (final IllegalArgumentException ex)
        {
            return CompletableFuture.failedFuture(ex);
        }
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
}
