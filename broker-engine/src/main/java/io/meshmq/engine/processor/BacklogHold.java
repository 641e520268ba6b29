package io.meshmq.engine.processor;

import java.util.ArrayList;
import java.util.List;
import java.util.function.Function;

/**
 * Holds the producers of a queue whose consumers fall behind: once a queue that consumers take from holds more than
 * its address's {@code producer-hold-bytes} waiting in memory, its producers are told to wait (the BLOCK policy's
 * word), and told to go on once it is down to half — as long as its consumers keep taking at least that half in every
 * {@value #STRETCH_MS} ms.
 * <p>
 * Why: producers that outpace a queue's consumers build a backlog that costs the broker more for every message — new
 * heap, the collector marking it, page files at the memory limit — so the consumers fall further behind while the
 * producers take the CPU they need (issue 20: four producers and four listeners on two cores delivered 190k messages
 * a second with a growing backlog, over 300k with it held at 4 MiB). Held, the producers send at the rate the
 * consumers take, and that rate is higher. RabbitMQ's credit flow and ActiveMQ's producer flow control hold publishers
 * the same way.
 * <p>
 * What it does not change: a queue without consumers fills and pages as before (a backlog meant to be read later),
 * and slow consumers do not slow producers for long. Holding producers pays only while consumers take fast (a
 * consumer that handles a message a second gains nothing from idle producers), so a stretch of {@value #STRETCH_MS}
 * ms in which they took less than half the level ends the hold, and the next begins only once the queue grew by
 * {@code producer-hold-bytes} more: producers then pause at most that long per that many bytes, and the backlog pages
 * at the memory limit as the PAGE policy says.
 * <p>
 * Not thread safe: processor thread only.
 */
final class BacklogHold
{
    /** How long consumers have to take half a hold's level for it to go on: 2 MiB in 50 ms is 40 MB/s. */
    static final long STRETCH_MS = 50;

    private final List<ServerQueue> holding = new ArrayList<>();

    /**
     * A message was added to the queue: whether its producers must wait, starting a hold if it is over its level.
     */
    boolean holds(final ServerQueue queue, final AddressSettings settings, final long nowMs)
    {
        final long limit = settings.producerHoldBytes();
        if (limit < 0)
        {
            return false;
        }
        if (queue.holdingSinceMs != 0)
        {
            return true;
        }
        final long bytes = queue.bytes();
        if (bytes <= limit / 2)
        {
            queue.holdAboveBytes = 0;
            return false;
        }
        if (bytes <= (queue.holdAboveBytes == 0 ? limit : queue.holdAboveBytes) || queue.openConsumers() == 0)
        {
            return false;
        }
        queue.holdingSinceMs = Math.max(1, nowMs);
        queue.holdingTakenBefore = queue.bytesTaken;
        queue.producerHolds++;
        holding.add(queue);
        return true;
    }

    /**
     * Ends the holds of queues whose consumers caught up (down to half the level), that lost their consumers, or whose
     * consumers took less than half the level in the last {@value #STRETCH_MS} ms; a hold ended for slow consumers is
     * not started again before the queue grew by its level again.
     *
     * @param settings the address settings of a queue.
     */
    void review(final Function<ServerQueue, AddressSettings> settings, final long nowMs)
    {
        for (int i = holding.size() - 1; i >= 0; i--)
        {
            final ServerQueue queue = holding.get(i);
            final long limit = settings.apply(queue).producerHoldBytes();
            final long bytes = queue.bytes();
            if (queue.deleted || limit < 0 || bytes <= limit / 2 || queue.openConsumers() == 0)
            {
                queue.holdAboveBytes = 0;
            }
            else if (nowMs - queue.holdingSinceMs < STRETCH_MS)
            {
                continue;
            }
            else if (queue.bytesTaken - queue.holdingTakenBefore >= limit / 2)
            {
                queue.holdingSinceMs = Math.max(1, nowMs);
                queue.holdingTakenBefore = queue.bytesTaken;
                continue;
            }
            else
            {
                queue.holdAboveBytes = bytes + limit;
            }
            queue.holdingSinceMs = 0;
            holding.remove(i);
        }
    }

    /**
     * @return when the earliest stretch of a hold ends, so the processor looks even if nothing else happens;
     * Long.MAX_VALUE if none holds.
     */
    long nextDueMs()
    {
        long due = Long.MAX_VALUE;
        for (int i = 0; i < holding.size(); i++)
        {
            due = Math.min(due, holding.get(i).holdingSinceMs + STRETCH_MS);
        }
        return due;
    }
}
