package io.meshmq.protocol;

import java.util.Arrays;
import javax.transaction.xa.Xid;

/**
 * A transaction branch id as the wire and the journal carry it: int formatId, bytes globalTransactionId
 * (1 to 64), bytes branchQualifier (0 to 64). A value: equal ids are equal objects, whatever {@link Xid}
 * class the transaction manager handed in, so it can key maps on both sides.
 */
public final class WireXid implements Xid
{
    /** The XA limit on both the global transaction id and the branch qualifier. */
    public static final int MAX_PART_LENGTH = 64;

    private final int formatId;
    private final byte[] globalTransactionId;
    private final byte[] branchQualifier;
    private final int hash;

    private WireXid(final int formatId, final byte[] globalTransactionId, final byte[] branchQualifier)
    {
        this.formatId = formatId;
        this.globalTransactionId = globalTransactionId;
        this.branchQualifier = branchQualifier;
        this.hash = 31 * (31 * formatId + Arrays.hashCode(globalTransactionId)) + Arrays.hashCode(branchQualifier);
    }

    /**
     * @return a copy of any {@link Xid}.
     * @throws IllegalArgumentException if it is null or breaks the XA limits.
     */
    public static WireXid of(final Xid xid)
    {
        if (xid == null)
        {
            throw new IllegalArgumentException("xid is null");
        }
        if (xid instanceof WireXid)
        {
            return (WireXid)xid;
        }
        return of(xid.getFormatId(), xid.getGlobalTransactionId(), xid.getBranchQualifier());
    }

    public static WireXid of(final int formatId, final byte[] globalTransactionId, final byte[] branchQualifier)
    {
        if (formatId == -1)
        {
            throw new IllegalArgumentException("xid format id -1 means a null xid");
        }
        check(globalTransactionId, 1, "global transaction id");
        check(branchQualifier, 0, "branch qualifier");
        return new WireXid(formatId, globalTransactionId.clone(), branchQualifier.clone());
    }

    private static void check(final byte[] part, final int minimum, final String what)
    {
        if (part == null || part.length < minimum || part.length > MAX_PART_LENGTH)
        {
            throw new IllegalArgumentException("xid " + what + " must be " + minimum + " to " + MAX_PART_LENGTH +
                " bytes, not " + (part == null ? "null" : part.length));
        }
    }

    public WireWriter write(final WireWriter writer)
    {
        return writer.writeInt(formatId).writeBytes(globalTransactionId).writeBytes(branchQualifier);
    }

    /**
     * @throws ProtocolException if the bytes do not hold a valid xid.
     */
    public static WireXid read(final WireReader reader)
    {
        final int formatId = reader.readInt();
        final byte[] global = reader.readBytes();
        final byte[] branch = reader.readBytes();
        try
        {
            return of(formatId, global, branch);
        }
        catch (final IllegalArgumentException ex)
        {
            throw new ProtocolException(ex.getMessage());
        }
    }

    @Override
    public int getFormatId()
    {
        return formatId;
    }

    @Override
    public byte[] getGlobalTransactionId()
    {
        return globalTransactionId.clone();
    }

    @Override
    public byte[] getBranchQualifier()
    {
        return branchQualifier.clone();
    }

    @Override
    public boolean equals(final Object other)
    {
        if (this == other)
        {
            return true;
        }
        if (!(other instanceof WireXid))
        {
            return false;
        }
        final WireXid that = (WireXid)other;
        return formatId == that.formatId && Arrays.equals(globalTransactionId, that.globalTransactionId) &&
            Arrays.equals(branchQualifier, that.branchQualifier);
    }

    @Override
    public int hashCode()
    {
        return hash;
    }

    /**
     * @return formatId:globalId:branchQualifier in hex, the form the admin verbs accept back.
     */
    @Override
    public String toString()
    {
        return formatId + ":" + hex(globalTransactionId) + ":" + hex(branchQualifier);
    }

    /**
     * Parses {@link #toString()}'s form.
     *
     * @throws IllegalArgumentException naming what is wrong.
     */
    public static WireXid parse(final String text)
    {
        final String[] parts = text == null ? new String[0] : text.split(":", -1);
        if (parts.length != 3)
        {
            throw new IllegalArgumentException("an xid is formatId:globalIdHex:branchQualifierHex, not '" + text + "'");
        }
        try
        {
            return of(Integer.parseInt(parts[0]), unhex(parts[1]), unhex(parts[2]));
        }
        catch (final NumberFormatException ex)
        {
            throw new IllegalArgumentException("bad xid '" + text + "': " + ex.getMessage());
        }
    }

    private static String hex(final byte[] bytes)
    {
        final StringBuilder text = new StringBuilder(bytes.length * 2);
        for (final byte b : bytes)
        {
            text.append(Character.forDigit((b >> 4) & 0xF, 16)).append(Character.forDigit(b & 0xF, 16));
        }
        return text.toString();
    }

    private static byte[] unhex(final String text)
    {
        if (text.length() % 2 != 0)
        {
            throw new NumberFormatException("odd number of hex digits in '" + text + "'");
        }
        final byte[] bytes = new byte[text.length() / 2];
        for (int i = 0; i < bytes.length; i++)
        {
            final int high = Character.digit(text.charAt(2 * i), 16);
            final int low = Character.digit(text.charAt(2 * i + 1), 16);
            if (high < 0 || low < 0)
            {
                throw new NumberFormatException("not hex: '" + text + "'");
            }
            bytes[i] = (byte)(high << 4 | low);
        }
        return bytes;
    }
}
