package io.meshmq.cluster.quorum;

import org.apache.ratis.client.RaftClient;
import org.apache.ratis.client.RaftClientConfigKeys;
import org.apache.ratis.conf.RaftProperties;
import org.apache.ratis.protocol.Message;
import org.apache.ratis.protocol.RaftClientReply;
import org.apache.ratis.protocol.RaftPeerId;
import org.apache.ratis.protocol.exceptions.LeaderSteppingDownException;
import org.apache.ratis.protocol.exceptions.TransferLeadershipException;
import org.apache.ratis.retry.RetryPolicy;
import org.apache.ratis.thirdparty.com.google.protobuf.ByteString;
import org.apache.ratis.util.TimeDuration;

import java.io.IOException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.locks.LockSupport;

/**
 * Asks the quorum: commits changes to the ownership register and reads it (linearizably: a read answered means a
 * majority was reachable just now; only the leader answers, a follower names it and the call asks it). Each call
 * tries for about {@link #DEADLINE_MS} (through an election: the leader may be the node that died), then throws: an
 * unreachable majority is an answer too. The calls block and go one at a time per thread, never queued behind one
 * that is still being retried; a change that timed out may still have been committed: every change is a
 * compare-and-set, and callers read the register again before they act on a doubt.
 * <p>
 * Thread safe; calls block the caller, so never call from an event loop or the processor.
 */
public final class Quorum implements AutoCloseable
{
    /** How long one call keeps trying. */
    public static final long DEADLINE_MS = 3_000;
    /**
     * Between attempts: after the leader's loss an attempt may go to the dead leader, or to a follower that still
     * names it. Measured with five voters on loopback, a client still naming the dead leader, a new one ready: the
     * call was answered after 110-160 ms with 100 ms between attempts, after 35-50 ms with 20. Cheap: an attempt to a
     * voter that is gone is refused at once, one to a voter that does not answer waits out the request timeout.
     */
    private static final long RETRY_SLEEP_MS = 20;
    private static final long HAND_OVER_RETRY_MS = 25;
    private static final RetryPolicy.Action SLEEP_THEN_RETRY = () -> TimeDuration.valueOf(RETRY_SLEEP_MS,
        TimeUnit.MILLISECONDS);
    /** When the calling thread's call gives up; Ratis asks the retry policy on the caller's thread. */
    private static final ThreadLocal<Long> DEADLINE_NS = new ThreadLocal<>();

    private final QuorumSettings settings;
    private volatile RaftClient client;

    public Quorum(final QuorumSettings settings)
    {
        this.settings = settings;
        this.client = newClient();
    }

    private RaftClient newClient()
    {
        return newClient(null);
    }

    /**
     * @param leader the voter to ask first, or null for Ratis's choice.
     */
    private RaftClient newClient(final RaftPeerId leader)
    {
        final RaftProperties properties = QuorumMember.properties();
        // Short attempts: one sent to a voter that is gone must leave time to find the leader within the deadline.
        RaftClientConfigKeys.Rpc.setRequestTimeout(properties, TimeDuration.valueOf(500, TimeUnit.MILLISECONDS));
        return RaftClient.newBuilder()
            .setProperties(properties)
            .setParameters(settings.parameters())
            .setRaftGroup(settings.group())
            .setRetryPolicy(Quorum::retryUntilDeadline)
            .setLeaderId(leader)
            .build();
    }

    /**
     * A call that found no majority may have left the client believing in a leader that is gone (it goes on asking it
     * first): the next call starts from a new client, which looks for the leader afresh.
     */
    private synchronized void renewClient(final RaftClient failed)
    {
        if (client != failed)
        {
            return;
        }
        replace(failed, null);
    }

    /**
     * A voter that does not lead was asked to read: Ratis's client learns of a new leader only from a change refused,
     * and would go on asking the follower; the next calls go to the leader it named.
     */
    private synchronized void askLeader(final RaftClient asked, final String leader)
    {
        final RaftPeerId id = leader.isEmpty() ? null : RaftPeerId.valueOf(leader);
        if (client != asked || id == null || settings.group().getPeer(id) == null)
        {
            return; // renewed meanwhile; or none known yet (an election): ask again
        }
        replace(asked, id);
    }

    private void replace(final RaftClient old, final RaftPeerId leader)
    {
        client = newClient(leader);
        try
        {
            old.close();
        }
        catch (final IOException ignore)
        {
            // it is dropped either way
        }
    }

    /**
     * @throws IOException if no majority committed it in time (it may still be committed later: read to know).
     */
    public RegisterAnswer change(final RegisterCommand command) throws IOException
    {
        return call(command, false);
    }

    /**
     * @throws IOException if no majority could be reached in time.
     */
    public RegisterAnswer read(final String journal) throws IOException
    {
        return call(RegisterCommand.get(journal), true);
    }

    /**
     * A read by the journal's owner to renew its lease (only such reads may: the leader notes them, see
     * {@link RegisterAnswer#unreadNs}).
     *
     * @throws IOException if no majority could be reached in time.
     */
    public RegisterAnswer readLease(final String journal, final String owner) throws IOException
    {
        return call(RegisterCommand.leaseRead(journal, owner), true);
    }

    /**
     * Makes this process's vote the quorum's leader, so that its own reads are answered where it runs and the loss of
     * another voter never holds an election under it: for a node that serves a journal.
     *
     * @param withinMs how long the leader may hand over: it refuses every call meanwhile (lease reads included), so
     *                 this must stay well within a lease; a voter that cannot win that soon stays a follower.
     * @throws IOException if the leadership did not move (the caller goes on: it is an optimisation).
     */
    public void lead(final long withinMs) throws IOException
    {
        DEADLINE_NS.set(System.nanoTime() + TimeUnit.MILLISECONDS.toNanos(DEADLINE_MS));
        try
        {
            final RaftClientReply reply = client.admin().transferLeadership(settings.selfId(), withinMs);
            if (!reply.isSuccess())
            {
                throw new IOException("the quorum's leadership did not move here: " + reply.getException());
            }
        }
        finally
        {
            DEADLINE_NS.remove();
        }
    }

    private RegisterAnswer call(final RegisterCommand command, final boolean readOnly) throws IOException
    {
        final long deadlineNs = System.nanoTime() + TimeUnit.MILLISECONDS.toNanos(DEADLINE_MS);
        DEADLINE_NS.set(deadlineNs);
        RaftClient client = this.client;
        try
        {
            final Message message = Message.valueOf(ByteString.copyFrom(command.encode()));
            String named = null;
            while (true)
            {
                final RaftClientReply reply = sendThroughHandOver(client, message, readOnly, deadlineNs);
                if (!reply.isSuccess())
                {
                    throw new IOException("the quorum refused " + command + ": " + reply.getException());
                }
                final RegisterAnswer answer = RegisterAnswer.decode(reply.getMessage().getContent().toByteArray());
                if (answer.outcome() != RegisterAnswer.Outcome.NOT_LEADER)
                {
                    return answer;
                }
                if (System.nanoTime() + TimeUnit.MILLISECONDS.toNanos(RETRY_SLEEP_MS) >= deadlineNs)
                {
                    throw new IOException("no voter that leads answered " + command + " (the last one asked names " +
                        (answer.leader().isEmpty() ? "none" : answer.leader()) + ")");
                }
                // Named again: the leader it names may have died (a follower learns so only at its election
                // timeout); each round makes a client, so not in a tight loop.
                final boolean again = answer.leader().equals(named);
                named = answer.leader();
                askLeader(client, named);
                if (again || this.client == client)
                {
                    LockSupport.parkNanos(TimeUnit.MILLISECONDS.toNanos(RETRY_SLEEP_MS));
                }
                client = this.client;
            }
        }
        catch (final IOException ex)
        {
            renewClient(client);
            throw new IOException("no majority of the quorum answered within " + DEADLINE_MS + " ms (" +
                ex.getClass().getSimpleName() + ")", ex);
        }
        finally
        {
            DEADLINE_NS.remove();
        }
    }

    /**
     * Sends, asking again while the leader hands its leadership over: Ratis's client gives up at once then, but a
     * hand-over takes an election (a fraction of a second), and a takeover's claim should not wait longer.
     */
    private static RaftClientReply sendThroughHandOver(final RaftClient client, final Message message,
        final boolean readOnly, final long deadlineNs) throws IOException
    {
        while (true)
        {
            try
            {
                return readOnly ? client.io().sendReadOnly(message) : client.io().send(message);
            }
            catch (final LeaderSteppingDownException | TransferLeadershipException handingOver)
            {
                if (System.nanoTime() + TimeUnit.MILLISECONDS.toNanos(HAND_OVER_RETRY_MS) >= deadlineNs)
                {
                    throw handingOver;
                }
                LockSupport.parkNanos(TimeUnit.MILLISECONDS.toNanos(HAND_OVER_RETRY_MS));
            }
        }
    }

    private static RetryPolicy.Action retryUntilDeadline(final RetryPolicy.Event event)
    {
        final Long deadline = DEADLINE_NS.get();
        return deadline != null && System.nanoTime() + TimeUnit.MILLISECONDS.toNanos(RETRY_SLEEP_MS) < deadline ?
            SLEEP_THEN_RETRY : RetryPolicy.NO_RETRY_ACTION;
    }

    @Override
    public synchronized void close() throws IOException
    {
        client.close();
    }
}
