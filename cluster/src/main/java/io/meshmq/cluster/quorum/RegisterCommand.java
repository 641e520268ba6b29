package io.meshmq.cluster.quorum;

import java.io.ByteArrayOutputStream;
import java.io.DataInputStream;
import java.io.DataOutputStream;
import java.io.IOException;
import java.io.UncheckedIOException;

/**
 * A change to (or a look at) one journal's {@link Ownership}, as it travels through the quorum's log.
 *
 * @param op       what to do: {@link #OPEN}, {@link #SYNCED}, {@link #DROP}, {@link #CLAIM}, {@link #GET}.
 * @param epoch    the epoch the caller serves or saw (not used by OPEN and GET).
 * @param name     the caller: the live (OPEN, SYNCED, DROP), the replica claiming (CLAIM), the owner renewing its
 *                 lease (GET; else empty).
 * @param argument the address (OPEN, CLAIM) or the replica's name (SYNCED).
 */
public record RegisterCommand(byte op, String journal, long epoch, String name, String argument)
{
    /** A live starts serving its journal: made at epoch 1 if new, taken again if it is the owner; any replica goes. */
    public static final byte OPEN = 1;
    /** The owner's replica is in sync. */
    public static final byte SYNCED = 2;
    /** The owner lost its replica: from now on it confirms with its own disk alone. */
    public static final byte DROP = 3;
    /** The replica in sync takes the journal over: it becomes the owner at the next epoch, with no replica. */
    public static final byte CLAIM = 4;
    /** Only reads (a query, not logged). */
    public static final byte GET = 5;

    public static RegisterCommand open(final String journal, final String name, final String address)
    {
        return new RegisterCommand(OPEN, journal, 0, name, address);
    }

    public static RegisterCommand synced(final Ownership owned, final String replica)
    {
        return new RegisterCommand(SYNCED, owned.journal(), owned.epoch(), owned.owner(), replica);
    }

    public static RegisterCommand drop(final Ownership owned)
    {
        return new RegisterCommand(DROP, owned.journal(), owned.epoch(), owned.owner(), "");
    }

    public static RegisterCommand claim(final String journal, final long epoch, final String replica,
        final String address)
    {
        return new RegisterCommand(CLAIM, journal, epoch, replica, address);
    }

    public static RegisterCommand get(final String journal)
    {
        return new RegisterCommand(GET, journal, 0, "", "");
    }

    /**
     * A read by the process that serves the journal, to renew its lease: the leader notes when it answered it.
     */
    public static RegisterCommand leaseRead(final String journal, final String owner)
    {
        return new RegisterCommand(GET, journal, 0, owner, "");
    }

    @Override
    public String toString()
    {
        final String[] names = {"?", "OPEN", "SYNCED", "DROP", "CLAIM", "GET"};
        return names[op] + " journal " + journal + (op == GET || op == OPEN ? "" : " at epoch " + epoch) +
            (name.isEmpty() ? "" : " by '" + name + "'") + (argument.isEmpty() ? "" : " (" + argument + ")");
    }

    public byte[] encode()
    {
        final ByteArrayOutputStream bytes = new ByteArrayOutputStream(64);
        try (DataOutputStream out = new DataOutputStream(bytes))
        {
            out.writeByte(op);
            out.writeUTF(journal);
            out.writeLong(epoch);
            out.writeUTF(name);
            out.writeUTF(argument);
        }
        catch (final IOException ex)
        {
            throw new UncheckedIOException(ex);
        }
        return bytes.toByteArray();
    }

    /**
     * @throws IllegalArgumentException if the bytes are not a command.
     */
    public static RegisterCommand decode(final byte[] encoded)
    {
        try (DataInputStream in = new DataInputStream(new java.io.ByteArrayInputStream(encoded)))
        {
            final byte op = in.readByte();
            if (op < OPEN || op > GET)
            {
                throw new IllegalArgumentException("unknown register operation " + op);
            }
            final RegisterCommand command = new RegisterCommand(op, in.readUTF(), in.readLong(), in.readUTF(),
                in.readUTF());
            if (in.available() != 0)
            {
                throw new IllegalArgumentException("a register command with " + in.available() + " bytes too many");
            }
            return command;
        }
        catch (final IOException ex)
        {
            throw new IllegalArgumentException("not a register command: " + ex, ex);
        }
    }
}
