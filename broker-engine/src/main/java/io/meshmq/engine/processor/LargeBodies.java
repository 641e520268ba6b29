package io.meshmq.engine.processor;

import io.meshmq.engine.large.LargeStore;
import io.meshmq.engine.mirror.DataMirror;
import io.meshmq.engine.ring.ConnectionOutput;
import io.meshmq.protocol.LargeBodyDescriptor;
import org.agrona.collections.Long2LongHashMap;
import org.agrona.collections.Long2ObjectHashMap;

import java.io.IOException;
import java.util.List;

/**
 * Which large message bodies are still needed, so each file is deleted once nothing needs it. A body is needed by
 * every reference to its message (in a queue, delivered, scheduled or paged: a message copied to a dead-letter
 * address or to a cluster node keeps naming the same body), by every prepared XA branch that sends it, and by every
 * delivery of it a client may still read (lent: until the client says LARGE_DONE or its connection closes). A body
 * nothing needs is deleted once the journal records that ended the need are forced, so a crash never brings back a
 * message whose body is gone. Counting errs only towards keeping a file: a body kept too long is deleted at the next
 * start, when the journal and the pages are counted afresh and whatever no message names goes.
 * <p>
 * Not thread safe: processor thread only (and the starting thread for recovery).
 */
final class LargeBodies
{
    private static final System.Logger LOG = System.getLogger(LargeBodies.class.getName());

    /** Where the bodies are; null for a broker that takes no large messages (nothing is ever counted then). */
    private final LargeStore store;
    /** Told of each body deleted, so the replica deletes its copy too (bodies reach it through its BodyMirror). */
    private final DataMirror mirror;
    private final Long2LongHashMap needs = new Long2LongHashMap(0);
    /** Per connection id: bodies lent to it and how many times. */
    private final Long2ObjectHashMap<Long2LongHashMap> lent = new Long2ObjectHashMap<>();
    private Durability durability;

    LargeBodies(final LargeStore store)
    {
        this(store, DataMirror.NONE);
    }

    LargeBodies(final LargeStore store, final DataMirror mirror)
    {
        this.store = store;
        this.mirror = mirror == null ? DataMirror.NONE : mirror;
    }

    void durability(final Durability durability)
    {
        this.durability = durability;
    }

    /**
     * @return the store, or null if the broker takes no large messages.
     */
    LargeStore store()
    {
        return store;
    }

    /**
     * A reference to the message was made (routed, recovered, copied).
     */
    void referenced(final ServerMessage message)
    {
        if (message.largeBodyId() != 0)
        {
            need(message.largeBodyId());
        }
    }

    /**
     * A reference ended; counted once however often it is said.
     */
    void referenceEnded(final MessageReference reference)
    {
        if (reference.message.largeBodyId() != 0 && !reference.largeBodyReleased)
        {
            reference.largeBodyReleased = true;
            release(reference.message.largeBodyId());
        }
    }

    /**
     * A paged record was read back as a reference: the record's need passes to the reference, counted already.
     */
    void depaged(final ServerMessage message)
    {
        if (message.largeBodyId() != 0)
        {
            release(message.largeBodyId());
        }
    }

    /**
     * A paged record (or a prepared branch's message) that needs the body of {@code encoded}, if it has one.
     */
    void need(final byte[] encoded)
    {
        if (LargeBodyDescriptor.isLarge(encoded))
        {
            need(LargeBodyDescriptor.bodyId(encoded));
        }
    }

    /**
     * What {@link #need(byte[])} counted ended without a reference being made (a paged record dropped or skipped, a
     * prepared branch completed).
     */
    void release(final byte[] encoded)
    {
        if (LargeBodyDescriptor.isLarge(encoded))
        {
            release(LargeBodyDescriptor.bodyId(encoded));
        }
    }

    /**
     * A command that brought a message with a large body was handled: if it stored the message nowhere (refused, a
     * duplicate, no queue took it) the body is deleted.
     */
    void settled(final byte[] encoded)
    {
        if (encoded != null && LargeBodyDescriptor.isLarge(encoded))
        {
            final long bodyId = LargeBodyDescriptor.bodyId(encoded);
            if (needs.get(bodyId) == 0)
            {
                deleteOnceForced(bodyId);
            }
        }
    }

    /**
     * The message of {@code encoded} is being delivered on {@code output}: its client may read the body until it says it
     * is done or its connection closes.
     */
    void lend(final ConnectionOutput output, final byte[] encoded)
    {
        if (!LargeBodyDescriptor.isLarge(encoded))
        {
            return;
        }
        final long bodyId = LargeBodyDescriptor.bodyId(encoded);
        need(bodyId);
        Long2LongHashMap bodies = lent.get(output.id());
        if (bodies == null)
        {
            bodies = new Long2LongHashMap(0);
            lent.put(output.id(), bodies);
        }
        bodies.put(bodyId, bodies.get(bodyId) + 1);
        output.lend(bodyId);
    }

    /**
     * The client said LARGE_DONE for one delivery of the body.
     */
    void returned(final long connectionId, final long bodyId)
    {
        final Long2LongHashMap bodies = lent.get(connectionId);
        final long times = bodies == null ? 0 : bodies.get(bodyId);
        if (times == 0)
        {
            return;
        }
        if (times == 1)
        {
            bodies.remove(bodyId);
        }
        else
        {
            bodies.put(bodyId, times - 1);
        }
        release(bodyId);
    }

    void connectionClosed(final long connectionId)
    {
        final Long2LongHashMap bodies = lent.remove(connectionId);
        if (bodies == null)
        {
            return;
        }
        final Long2LongHashMap.EntryIterator entries = bodies.entrySet().iterator();
        while (entries.hasNext())
        {
            entries.next();
            for (long i = entries.getLongValue(); i > 0; i--)
            {
                release(entries.getLongKey());
            }
        }
    }

    private void need(final long bodyId)
    {
        needs.put(bodyId, needs.get(bodyId) + 1);
    }

    private void release(final long bodyId)
    {
        final long left = needs.get(bodyId) - 1;
        if (left > 0)
        {
            needs.put(bodyId, left);
            return;
        }
        needs.remove(bodyId);
        deleteOnceForced(bodyId);
    }

    private void deleteOnceForced(final long bodyId)
    {
        if (store == null)
        {
            return;
        }
        // Needed again meanwhile (a copy made after its original ended): kept.
        durability.afterForce(() ->
        {
            if (needs.get(bodyId) == 0)
            {
                store.delete(bodyId);
                mirror.deleted(store.path(bodyId));
            }
        });
    }

    /**
     * After recovery: deletes every body no recovered message names (an upload a crash cut short, a message whose end
     * was journaled before its body was deleted) and says which named bodies are missing.
     */
    void recovered() throws IOException
    {
        if (store == null)
        {
            return;
        }
        final List<Long> stored = store.stored();
        int deleted = 0;
        for (final long bodyId : stored)
        {
            if (needs.get(bodyId) == 0)
            {
                store.delete(bodyId);
                deleted++;
            }
        }
        if (deleted > 0)
        {
            LOG.log(System.Logger.Level.INFO, "deleted " + deleted + " large message bodies no message names (uploads " +
                "cut short, or bodies of messages consumed before the broker stopped)");
        }
        final Long2LongHashMap.KeyIterator named = needs.keySet().iterator();
        while (named.hasNext())
        {
            final long bodyId = named.nextValue();
            if (!stored.contains(bodyId))
            {
                LOG.log(System.Logger.Level.ERROR, "the body of a large message is missing: " + store.path(bodyId) +
                    "; consumers that read it are told so");
            }
        }
    }

    /**
     * @return bodies needed now (for status and tests).
     */
    int count()
    {
        return needs.size();
    }
}
