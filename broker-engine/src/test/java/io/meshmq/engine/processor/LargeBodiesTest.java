package io.meshmq.engine.processor;

import io.meshmq.engine.large.LargeStore;
import io.meshmq.engine.large.LargeUpload;
import io.meshmq.protocol.DestinationType;
import io.meshmq.protocol.LargeBodyDescriptor;
import io.meshmq.protocol.MessageDescriptor;
import io.meshmq.protocol.MessageHeaderFlyweight;
import io.meshmq.protocol.WireWriter;
import io.netty.buffer.Unpooled;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * What needs a large body, counted on the processor: the file goes when the last need ends, and not before.
 */
class LargeBodiesTest
{
    @TempDir
    Path dir;

    @Test
    void shouldDeleteABodyOnlyOnceEveryReferenceAndDeliveryIsDone() throws Exception
    {
        final LargeStore store = new LargeStore(dir, 1000);
        final LargeBodies bodies = bodies(store);
        final long bodyId = stored(store);
        final ServerMessage message = message(bodyId);
        final ServerQueue first = queue("a", bodies);
        final ServerQueue second = queue("b", bodies);
        final MessageReference inFirst = first.reference(message);
        final MessageReference inSecond = second.reference(message);
        bodies.settled(message.encoded());
        final SilentOutput output = new SilentOutput(7);
        bodies.lend(output, message.encoded());
        assertEquals(List.of(bodyId), output.lent);

        bodies.referenceEnded(inFirst);
        bodies.referenceEnded(inFirst);
        bodies.referenceEnded(inSecond);
        assertTrue(Files.exists(store.path(bodyId)), "a client may still read it");
        bodies.returned(7, bodyId + 1);
        bodies.returned(8, bodyId);
        assertTrue(Files.exists(store.path(bodyId)), "not lent to those");
        bodies.returned(7, bodyId);
        assertFalse(Files.exists(store.path(bodyId)));
        assertEquals(0, bodies.count());
    }

    @Test
    void shouldDeleteABodyNoQueueTookAndTheBodiesOfAClosedConnection() throws Exception
    {
        final LargeStore store = new LargeStore(dir, 1000);
        final LargeBodies bodies = bodies(store);
        final long dropped = stored(store);
        bodies.settled(message(dropped).encoded());
        assertFalse(Files.exists(store.path(dropped)), "routed nowhere");

        final long lent = stored(store);
        final ServerMessage message = message(lent);
        final ServerQueue queue = queue("q", bodies);
        final MessageReference reference = queue.reference(message);
        final SilentOutput output = new SilentOutput(3);
        bodies.lend(output, message.encoded());
        bodies.lend(output, message.encoded());
        bodies.referenceEnded(reference);
        assertTrue(Files.exists(store.path(lent)));
        bodies.connectionClosed(3);
        assertFalse(Files.exists(store.path(lent)), "both deliveries went with the connection");
    }

    @Test
    void shouldPassAPagedRecordsNeedToTheReferenceReadBackAndSweepWhatNoMessageNamesAtStart() throws Exception
    {
        final LargeStore store = new LargeStore(dir, 1000);
        final LargeBodies bodies = bodies(store);
        final long paged = stored(store);
        final long orphan = stored(store);
        final ServerMessage message = message(paged);
        // Recovery: one paged record names it; the orphan (an upload a crash cut short) nothing.
        bodies.need(message.encoded());
        bodies.recovered();
        assertTrue(Files.exists(store.path(paged)));
        assertFalse(Files.exists(store.path(orphan)));

        final ServerQueue queue = queue("q", bodies);
        final MessageReference readBack = queue.reference(message);
        bodies.depaged(message);
        assertEquals(1, bodies.count());
        bodies.referenceEnded(readBack);
        assertFalse(Files.exists(store.path(paged)));
    }

    private static LargeBodies bodies(final LargeStore store)
    {
        final LargeBodies bodies = new LargeBodies(store);
        bodies.durability(Durability.none());
        return bodies;
    }

    private static ServerQueue queue(final String name, final LargeBodies bodies)
    {
        return new ServerQueue(name, ServerQueue.Kind.QUEUE, 0, null, new MemoryUsage(-1, bodies));
    }

    private static long stored(final LargeStore store) throws Exception
    {
        final LargeUpload upload = store.begin();
        upload.append(Unpooled.wrappedBuffer(new byte[100]));
        assertNull(upload.finish(true));
        return upload.bodyId();
    }

    private static ServerMessage message(final long bodyId)
    {
        final WireWriter out = new WireWriter()
            .writeByte(MessageDescriptor.BODY_BYTES).writeByte(MessageDescriptor.PERSISTENT).writeByte((byte)4)
            .writeByte(MessageDescriptor.FLAG_LARGE_BODY).writeLong(1).writeLong(0).writeLong(0)
            .writeString("ID:1").writeByte(MessageDescriptor.CORRELATION_NONE).writeString(null)
            .writeByte(DestinationType.QUEUE).writeString("q").writeByte(DestinationType.NONE).writeInt(0);
        LargeBodyDescriptor.write(out, bodyId, 100, LargeBodyDescriptor.FORM_RAW);
        final byte[] encoded = out.toByteArray();
        return new ServerMessage(encoded, new MessageHeaderFlyweight().wrap(encoded), 0);
    }
}
