package io.meshmq.cluster.wire;

import io.meshmq.protocol.FrameType;
import io.meshmq.protocol.WireWriter;

import java.nio.ByteBuffer;

/**
 * Encodes every REPLICA_* frame (see {@link FrameType}) into the caller's writer, and returns it, ended, ready to
 * write. Paths are relative to the live's data directory, '/'-separated.
 * <p>
 * Thread safe: stateless; each thread passes its own writer.
 */
public final class ReplicaFrameEncoder
{
    /** REPLICA_START's flag: the backup is a spare, adopting a journal that has no replica. */
    public static final byte START_SPARE = 1;

    private ReplicaFrameEncoder()
    {
    }

    public static WireWriter start(final WireWriter out, final String backupName, final boolean spare)
    {
        return out.reset().beginFrame(FrameType.REPLICA_START).writeString(backupName)
            .writeByte(spare ? START_SPARE : 0).endFrame();
    }

    public static WireWriter stored(final WireWriter out, final long mark)
    {
        return out.reset().beginFrame(FrameType.REPLICA_STORED).writeLong(mark).endFrame();
    }

    public static WireWriter fault(final WireWriter out, final String reason)
    {
        return out.reset().beginFrame(FrameType.REPLICA_FAULT).writeString(reason).endFrame();
    }

    public static WireWriter write(final WireWriter out, final String path, final long position, final ByteBuffer data)
    {
        return out.reset().beginFrame(FrameType.REPLICA_WRITE).writeString(path).writeLong(position).writeBuffer(data)
            .endFrame();
    }

    public static WireWriter zero(final WireWriter out, final String path, final long from, final long to)
    {
        return out.reset().beginFrame(FrameType.REPLICA_ZERO).writeString(path).writeLong(from).writeLong(to).endFrame();
    }

    public static WireWriter truncate(final WireWriter out, final String path, final long size)
    {
        return out.reset().beginFrame(FrameType.REPLICA_TRUNCATE).writeString(path).writeLong(size).endFrame();
    }

    public static WireWriter replace(final WireWriter out, final String path, final byte[] content)
    {
        return out.reset().beginFrame(FrameType.REPLICA_REPLACE).writeString(path).writeBytes(content).endFrame();
    }

    public static WireWriter move(final WireWriter out, final String from, final String to)
    {
        return out.reset().beginFrame(FrameType.REPLICA_MOVE).writeString(from).writeString(to).endFrame();
    }

    public static WireWriter delete(final WireWriter out, final String path)
    {
        return out.reset().beginFrame(FrameType.REPLICA_DELETE).writeString(path).endFrame();
    }

    public static WireWriter force(final WireWriter out, final long mark)
    {
        return out.reset().beginFrame(FrameType.REPLICA_FORCE).writeLong(mark).endFrame();
    }

    public static WireWriter synced(final WireWriter out, final long mark)
    {
        return out.reset().beginFrame(FrameType.REPLICA_SYNCED).writeLong(mark).endFrame();
    }
}
