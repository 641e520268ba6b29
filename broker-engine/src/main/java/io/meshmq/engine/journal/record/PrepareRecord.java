package io.meshmq.engine.journal.record;

import io.meshmq.protocol.WireReader;
import io.meshmq.protocol.WireWriter;
import io.meshmq.protocol.WireXid;

/**
 * {@link io.meshmq.engine.journal.JournalRecordDescriptor#PREPARE}: a prepared XA branch: its persistent messages with
 * their destinations (routed only when it commits), and the references it acknowledged, held from consumers until it
 * ends (message id, queue id, delivery count). A later one of the same xid (compaction moved it) replaces the earlier.
 * <p>
 * Encoding: {@link #begin}, a {@link #message} each, {@link #beginHeld}, a {@link #held} each, {@link #end}.
 */
public record PrepareRecord(WireXid xid, byte[] types, String[] names, byte[][] encoded, long[] heldMessages,
    long[] heldQueues, int[] heldCounts)
{
    /**
     * @return where the message count goes, for {@link #beginHeld}.
     */
    public static int begin(final WireWriter out, final WireXid xid)
    {
        xid.write(out);
        return out.reserveInt();
    }

    public static void message(final WireWriter out, final byte destinationType, final String destinationName,
        final byte[] encoded)
    {
        out.writeByte(destinationType).writeString(destinationName).writeBytes(encoded);
    }

    /**
     * @return where the held count goes, for {@link #end}.
     */
    public static int beginHeld(final WireWriter out, final int messagesAt, final int messages)
    {
        out.putIntAt(messagesAt, messages);
        return out.reserveInt();
    }

    public static void held(final WireWriter out, final long messageId, final long queueId, final int deliveryCount)
    {
        out.writeLong(messageId).writeLong(queueId).writeInt(deliveryCount);
    }

    public static void end(final WireWriter out, final int heldAt, final int held)
    {
        out.putIntAt(heldAt, held);
    }

    public static PrepareRecord decode(final WireReader in)
    {
        final WireXid xid = WireXid.read(in);
        final int count = in.readCount(9);
        final byte[] types = new byte[count];
        final String[] names = new String[count];
        final byte[][] encoded = new byte[count][];
        for (int i = 0; i < count; i++)
        {
            types[i] = in.readByte();
            names[i] = in.readRequiredString("destination name");
            encoded[i] = in.readBytes();
        }
        final int heldCount = in.readCount(20);
        final long[] heldMessages = new long[heldCount];
        final long[] heldQueues = new long[heldCount];
        final int[] heldCounts = new int[heldCount];
        for (int i = 0; i < heldCount; i++)
        {
            heldMessages[i] = in.readLong();
            heldQueues[i] = in.readLong();
            heldCounts[i] = in.readInt();
        }
        return new PrepareRecord(xid, types, names, encoded, heldMessages, heldQueues, heldCounts);
    }
}
