package io.meshmq.cluster.wire;

import io.meshmq.cluster.ClusterCommand;
import io.meshmq.protocol.FrameDescriptor;
import io.meshmq.protocol.FrameType;
import io.meshmq.protocol.WireReader;
import io.meshmq.protocol.WireWriter;
import org.agrona.concurrent.UnsafeBuffer;
import org.junit.jupiter.api.Test;

import java.util.Arrays;

import static org.junit.jupiter.api.Assertions.assertEquals;

/**
 * REPLICA_START says whether the backup is a spare; an older backup's frame, without the flags byte, is not one.
 */
class ReplicaStartFrameTest
{
    private static final ClusterFrameDecoder DECODER = new ClusterFrameDecoder();

    @Test
    void shouldSayWhetherTheBackupIsASpareAndTakeAnOlderFrameAsNotOne()
    {
        assertEquals(new ClusterCommand.ReplicaStart("n2-spare", true), decode(ReplicaFrameEncoder.start(
            new WireWriter(), "n2-spare", true).toByteArray(), 0));
        assertEquals(new ClusterCommand.ReplicaStart("n1-backup", false), decode(ReplicaFrameEncoder.start(
            new WireWriter(), "n1-backup", false).toByteArray(), 0));
        assertEquals(new ClusterCommand.ReplicaStart("n1-backup", false), decode(ReplicaFrameEncoder.start(
            new WireWriter(), "n1-backup", true).toByteArray(), 1), "an older backup sends no flags");
    }

    /**
     * @param cut bytes left off the frame's end.
     */
    private static Object decode(final byte[] frame, final int cut)
    {
        final int bodyOffset = FrameDescriptor.LENGTH_FIELD_LENGTH + 1;
        assertEquals(FrameType.REPLICA_START, frame[FrameDescriptor.LENGTH_FIELD_LENGTH]);
        final byte[] body = Arrays.copyOfRange(frame, bodyOffset, frame.length - cut);
        return DECODER.decode(FrameType.REPLICA_START, new WireReader().wrap(new UnsafeBuffer(body), 0, body.length));
    }
}
