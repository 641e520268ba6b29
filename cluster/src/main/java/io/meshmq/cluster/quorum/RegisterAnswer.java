package io.meshmq.cluster.quorum;

import java.io.ByteArrayInputStream;
import java.io.ByteArrayOutputStream;
import java.io.DataInputStream;
import java.io.DataOutputStream;
import java.io.IOException;
import java.io.UncheckedIOException;

/**
 * What the register answered: whether the command applied, and the journal's ownership after it (null if the
 * register knows no such journal).
 */
public record RegisterAnswer(Outcome outcome, Ownership ownership)
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
        UNKNOWN
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
            return new RegisterAnswer(outcome, ownership);
        }
        catch (final IOException | ArrayIndexOutOfBoundsException ex)
        {
            throw new IllegalArgumentException("not a register answer: " + ex, ex);
        }
    }
}
