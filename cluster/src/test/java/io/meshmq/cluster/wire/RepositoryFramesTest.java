package io.meshmq.cluster.wire;

import io.meshmq.cluster.ClusterCommand;
import io.meshmq.protocol.DestinationType;
import io.meshmq.protocol.FrameDescriptor;
import io.meshmq.protocol.FrameType;
import io.meshmq.protocol.ProtocolException;
import io.meshmq.protocol.WireReader;
import io.meshmq.protocol.WireWriter;
import org.agrona.concurrent.UnsafeBuffer;
import org.junit.jupiter.api.Test;

import java.util.Arrays;
import java.util.List;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * The frames of full and partial repositories: CLUSTER_JOIN says whether the joining node is partial (an older node's
 * frame, without the flags byte, is full), CLUSTER_LOOKUP names what is asked, CLUSTER_KNOWN tells a binding, a node
 * or the end of an answer, and a malformed one is refused.
 */
class RepositoryFramesTest
{
    private static final ClusterFrameDecoder DECODER = new ClusterFrameDecoder();

    @Test
    void shouldSayWhetherAJoiningNodeIsPartialAndTakeAnOlderNodeAsFull()
    {
        final byte[] partial = ClusterFrameEncoder.join(new WireWriter(), 1, "c", "id", "n3", "h:1", true)
            .toByteArray();
        assertEquals(new ClusterCommand.Join(1, "c", "id", "n3", "h:1", true), DECODER.decode(FrameType.CLUSTER_JOIN,
            reader(partial, FrameType.CLUSTER_JOIN, 0)));
        assertEquals(new ClusterCommand.Join(1, "c", "id", "n3", "h:1", false), DECODER.decode(FrameType.CLUSTER_JOIN,
            reader(partial, FrameType.CLUSTER_JOIN, 1)), "an older node sends no flags");
    }

    @Test
    void shouldCarryALookupAndItsAnswer()
    {
        assertTrue(DECODER.decodes(FrameType.CLUSTER_LOOKUP));
        assertEquals(new ClusterCommand.Lookup("orders"), DECODER.decode(FrameType.CLUSTER_LOOKUP,
            reader(ClusterFrameEncoder.lookup(new WireWriter(), "orders").toByteArray(), FrameType.CLUSTER_LOOKUP, 0)));
        assertThrows(ProtocolException.class, () -> DECODER.decode(FrameType.CLUSTER_LOOKUP,
            reader(ClusterFrameEncoder.lookup(new WireWriter(), " ").toByteArray(), FrameType.CLUSTER_LOOKUP, 0)));

        final byte[] binding = ClusterFrameEncoder.knownBinding(new WireWriter(), "id5", "n5", "127.0.0.1:5",
            DestinationType.TOPIC, "news", "sub", true, true, "a > 1", 2, Arrays.asList("b = 2", null), 3, 1, "eu")
            .toByteArray();
        final ClusterCommand.Known known = (ClusterCommand.Known)ClusterFrameDecoder.known(
            reader(binding, FrameType.CLUSTER_KNOWN, 0), "id1");
        assertEquals("id1", known.repositoryId());
        assertEquals("id5", known.nodeId());
        assertEquals("n5", known.nodeName());
        assertEquals("127.0.0.1:5", known.url());
        assertEquals("id5", known.binding().nodeId());
        assertEquals(DestinationType.TOPIC, known.binding().kind());
        assertEquals("news", known.binding().address());
        assertEquals("sub", known.binding().queue());
        assertTrue(known.binding().exists() && known.binding().grouped());
        assertEquals("a > 1", known.binding().filter().text());
        assertEquals(2, known.binding().consumers());
        assertEquals("b = 2", known.binding().selectors()[0].text());
        assertNull(known.binding().selectors()[1]);
        assertEquals(List.of(3, 1, "eu"), List.of(known.binding().weight(), known.binding().rank(),
            known.binding().group()));

        final ClusterCommand.Known node = (ClusterCommand.Known)ClusterFrameDecoder.known(reader(
            ClusterFrameEncoder.knownNode(new WireWriter(), "id7", "n7", "127.0.0.1:7").toByteArray(),
            FrameType.CLUSTER_KNOWN, 0), "id1");
        assertEquals(new ClusterCommand.Known("id1", "id7", "n7", "127.0.0.1:7", null), node);
        assertEquals(new ClusterCommand.LookupAnswered("id1", "orders"), ClusterFrameDecoder.known(reader(
            ClusterFrameEncoder.lookupAnswered(new WireWriter(), "orders").toByteArray(), FrameType.CLUSTER_KNOWN, 0),
            "id1"));
    }

    @Test
    void shouldRefuseAMalformedKnownFrame()
    {
        final byte[] noUrl = ClusterFrameEncoder.knownNode(new WireWriter(), "id7", "n7", "nowhere").toByteArray();
        final ProtocolException url = assertThrows(ProtocolException.class,
            () -> ClusterFrameDecoder.known(reader(noUrl, FrameType.CLUSTER_KNOWN, 0), "id1"));
        assertTrue(url.getMessage().contains("'nowhere' is not HOST:PORT"), url.getMessage());
        final byte[] cut = ClusterFrameEncoder.knownBinding(new WireWriter(), "id5", "n5", "127.0.0.1:5",
            DestinationType.QUEUE, "orders", "orders", true, true, null, 0, List.of(), 1, 1, "").toByteArray();
        assertThrows(ProtocolException.class,
            () -> ClusterFrameDecoder.known(reader(cut, FrameType.CLUSTER_KNOWN, 3), "id1"));
        final byte[] kind = ClusterFrameEncoder.lookupAnswered(new WireWriter(), "orders").toByteArray();
        kind[FrameDescriptor.LENGTH_FIELD_LENGTH + 1] = 9;
        final ProtocolException unknown = assertThrows(ProtocolException.class,
            () -> ClusterFrameDecoder.known(reader(kind, FrameType.CLUSTER_KNOWN, 0), "id1"));
        assertTrue(unknown.getMessage().contains("CLUSTER_KNOWN of unknown kind 9"), unknown.getMessage());
        final byte[] snapshotEnd = ClusterFrameEncoder.knownBinding(new WireWriter(), "id5", "n5", "127.0.0.1:5",
            DestinationType.NONE, null, null, false, false, null, 0, List.of(), 1, 1, "").toByteArray();
        assertThrows(ProtocolException.class,
            () -> ClusterFrameDecoder.known(reader(snapshotEnd, FrameType.CLUSTER_KNOWN, 0), "id1"),
            "a repository tells of bindings, never the end of a snapshot");
    }

    /**
     * @param cut bytes left off the frame's end.
     */
    private static WireReader reader(final byte[] frame, final byte type, final int cut)
    {
        final int bodyOffset = FrameDescriptor.LENGTH_FIELD_LENGTH + 1;
        assertEquals(type, frame[FrameDescriptor.LENGTH_FIELD_LENGTH]);
        final byte[] body = Arrays.copyOfRange(frame, bodyOffset, frame.length - cut);
        return new WireReader().wrap(new UnsafeBuffer(body), 0, body.length);
    }
}
