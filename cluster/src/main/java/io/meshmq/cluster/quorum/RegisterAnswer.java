package io.meshmq.cluster.quorum;

import java.io.ByteArrayInputStream;
import java.io.ByteArrayOutputStream;
import java.io.DataInputStream;
import java.io.DataOutputStream;
import java.io.IOException;
import java.io.UncheckedIOException;

/**
 * What the register answered: whether the command applied, and the journal's ownership after it (null if the
 * register knows no such journal, or if a voter that does not lead was asked to read).
 *
 * @param unreadNs for a claim granted: how long the old owner's lease had gone without a renewal, at least, when the
 *                 quorum's leader applied it (since it last answered the owner's lease read, or since a deposed leader
 *                 may last have: see {@link OwnershipRegister}); the lease runs out at most a lease after the claim
 *                 was applied, less this. 0 if the voter that applied it cannot tell (it does not lead; it began to
 *                 lead too recently); ignore for anything else.
 * @param leader   for {@link Outcome#NOT_LEADER}: the voter that leads, as the one asked knows (its Ratis peer id), or
 *                 "" during an election.
 */
public record RegisterAnswer(Outcome outcome, Ownership ownership, long unreadNs, String leader)
{
    public enum Outcome
    {
        /** Applied (or, for GET, read). */
        DONE,
        /** The caller is not the owner at that epoch: someone took the journal over. */
        FENCED,
        /** A claim by a process that is not the owner's replica in sync, or for an epoch that is not current. */
        REFUSED,
        /** No such journal. */
        UNKNOWN,
        /**
         * A read asked of a voter that does not lead: only the leader answers reads, so that it knows when each
         * journal's lease was last renewed. Ask {@link #leader}.
         */
        NOT_LEADER
    }

    public RegisterAnswer(final Outcome outcome, final Ownership ownership)
    {
        this(outcome, ownership, 0, "");
    }

    public static RegisterAnswer notLeader(final String leader)
    {
        return new RegisterAnswer(Outcome.NOT_LEADER, null, 0, leader);
    }

    RegisterAnswer unreadFor(final long unreadNs)
    {
        return new RegisterAnswer(outcome, ownership, Math.max(0, unreadNs), leader);
    }

    public boolean isDone()
    {
        return outcome == Outcome.DONE;
    }

    public byte[] encode()
    {
        final ByteArrayOutputStream bytes = new ByteArrayOutputStream(96);
        try (DataOutputStream out = new DataOutputStream(bytes))
        {
            out.writeByte(outcome.ordinal());
            out.writeBoolean(ownership != null);
            if (ownership != null)
            {
                out.writeUTF(ownership.journal());
                out.writeLong(ownership.epoch());
                out.writeUTF(ownership.owner());
                out.writeUTF(ownership.address());
                out.writeUTF(ownership.replica() == null ? "" : ownership.replica());
            }
            out.writeLong(unreadNs);
            out.writeUTF(leader);
        }
        catch (final IOException ex)
        {
            throw new UncheckedIOException(ex);
        }
        return bytes.toByteArray();
    }

    public static RegisterAnswer decode(final byte[] encoded)
    {
        try (DataInputStream in = new DataInputStream(new ByteArrayInputStream(encoded)))
        {
            final Outcome outcome = Outcome.values()[in.readByte()];
            Ownership ownership = null;
            if (in.readBoolean())
            {
                final String journal = in.readUTF();
                final long epoch = in.readLong();
                final String owner = in.readUTF();
                final String address = in.readUTF();
                final String replica = in.readUTF();
                ownership = new Ownership(journal, epoch, owner, address, replica.isEmpty() ? null : replica);
            }
            if (in.available() == 0)
            {
                return new RegisterAnswer(outcome, ownership); // from a voter of the version before these two
            }
            return new RegisterAnswer(outcome, ownership, in.readLong(), in.readUTF());
        }
        catch (final IOException | ArrayIndexOutOfBoundsException ex)
        {
            throw new IllegalArgumentException("not a register answer: " + ex, ex);
        }
    }
}
