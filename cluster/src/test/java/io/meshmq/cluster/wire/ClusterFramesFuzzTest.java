package io.meshmq.cluster.wire;

import com.code_intelligence.jazzer.api.FuzzedDataProvider;
import com.code_intelligence.jazzer.junit.FuzzTest;
import io.meshmq.protocol.FrameType;
import io.meshmq.protocol.ProtocolException;
import io.meshmq.protocol.WireReader;
import org.agrona.concurrent.UnsafeBuffer;

/**
 * Every CLUSTER_* frame body, however broken, decodes or is refused with {@link ProtocolException} (the link or the
 * acceptor then closes the connection naming it): what another node's link sends the acceptor, and what a member sends
 * back over a link this node opened (issue 16, fuzzing).
 */
class ClusterFramesFuzzTest
{
    private static final byte[] TYPES = {FrameType.CLUSTER_JOIN, FrameType.CLUSTER_MEMBERS, FrameType.CLUSTER_SEND,
        FrameType.CLUSTER_RESENT, FrameType.CLUSTER_BINDING, FrameType.CLUSTER_LOOKUP, FrameType.CLUSTER_KNOWN};
    private static final ClusterFrameDecoder DECODER = new ClusterFrameDecoder();

    @FuzzTest(maxDuration = "15s")
    void decodeAnyClusterFrame(final FuzzedDataProvider data)
    {
        final byte type = TYPES[data.consumeInt(0, TYPES.length - 1)];
        final byte[] body = data.consumeRemainingAsBytes();
        final WireReader reader = new WireReader().wrap(new UnsafeBuffer(body), 0, body.length);
        try
        {
            if (DECODER.decodes(type))
            {
                DECODER.decode(type, reader);
            }
            else if (type == FrameType.CLUSTER_KNOWN)
            {
                ClusterFrameDecoder.known(reader, "repository");
            }
            else
            {
                ClusterFrameDecoder.binding(reader, "node");
            }
        }
        catch (final ProtocolException refused)
        {
            // the connection closes, naming the problem
        }
    }
}
