package io.meshmq.engine.processor;

import io.meshmq.engine.extension.ProcessorExtension;

/**
 * What the broker's timer brings: scheduled deliveries and redeliveries whose time has come, the periodic look for
 * expired messages that no consumer takes, and the extension's own timing.
 * <p>
 * Not thread safe: processor thread only.
 */
final class Timers
{
    private final Destinations destinations;
    private final ScheduledDeliveries scheduled;
    private final Dispatcher dispatcher;
    private final DeadLetters deadLetters;
    private final ProcessorExtension extension;
    private long lastExpiryScanMs;

    Timers(final long nowMs, final Destinations destinations, final ScheduledDeliveries scheduled,
        final Dispatcher dispatcher, final DeadLetters deadLetters, final ProcessorExtension extension)
    {
        this.lastExpiryScanMs = nowMs;
        this.destinations = destinations;
        this.scheduled = scheduled;
        this.dispatcher = dispatcher;
        this.deadLetters = deadLetters;
        this.extension = extension;
    }

    /**
     * @return when the timer next has something to do (ms since the epoch).
     */
    long nextDueMs(final long nowMs)
    {
        return Math.min(Math.min(scheduled.nextDueMs(), lastExpiryScanMs + Processor.EXPIRY_SCAN_INTERVAL_MS),
            extension.nextTickDueMs(nowMs));
    }

    void onTick(final long nowMs)
    {
        ScheduledDeliveries.Entry due;
        while ((due = scheduled.pollDue(nowMs)) != null)
        {
            final ServerQueue queue = due.queue();
            if (queue.deleted)
            {
                continue;
            }
            final MessageReference reference = due.reference();
            // Never delivered: a message sent with a delay joins the end; a redelivery goes back in its place.
            if (reference.deliveryCount == 0)
            {
                queue.append(reference);
            }
            else
            {
                queue.giveBack(reference);
            }
            dispatcher.touch(queue);
        }
        if (nowMs - lastExpiryScanMs >= Processor.EXPIRY_SCAN_INTERVAL_MS)
        {
            lastExpiryScanMs = nowMs;
            for (final ServerQueue queue : destinations.queues.values().toArray(new ServerQueue[0]))
            {
                expireWaiting(queue, nowMs);
            }
            for (final ServerQueue subscription : destinations.allSubscriptions())
            {
                expireWaiting(subscription, nowMs);
            }
        }
        extension.onTick(nowMs);
    }

    private void expireWaiting(final ServerQueue queue, final long nowMs)
    {
        MessageReference reference = queue.first();
        while (reference != null)
        {
            final MessageReference next = queue.after(reference);
            if (reference.message.isExpired(nowMs))
            {
                queue.remove(reference);
                dispatcher.touchIfAny(deadLetters.expire(queue, reference));
            }
            reference = next;
        }
    }
}
