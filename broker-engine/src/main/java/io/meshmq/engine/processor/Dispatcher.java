package io.meshmq.engine.processor;

import java.util.ArrayList;
import java.util.List;

/**
 * Hands waiting messages to consumers within their credit. Whatever changes a queue (a message arrives, a consumer
 * gets credit, a delivery comes back) touches it; the processor dispatches the touched queues after each command.
 * Queues whose consumers' connections are backed up stall until the connection drains (or the next tick looks
 * again). A drained queue's messages are its drain's to take (an extension's store-and-forward queue). Browsers
 * are sent their snapshots within the same limits, and stall the same way.
 * <p>
 * Not thread safe: used only on the processor thread.
 */
final class Dispatcher
{
    private final ConnectionWriter writer;
    private final DeadLetters deadLetters;
    private final List<ServerQueue> touched = new ArrayList<>();
    /** Queues with messages for consumers whose connections are backed up. */
    private final List<ServerQueue> stalled = new ArrayList<>();
    /** Browsers with credit and more of their snapshot to send whose connections are backed up. */
    private final List<ServerConsumer> stalledBrowsers = new ArrayList<>();
    private long nextDeliveryId;

    Dispatcher(final ConnectionWriter writer, final DeadLetters deadLetters)
    {
        this.writer = writer;
        this.deadLetters = deadLetters;
    }

    void touch(final ServerQueue queue)
    {
        if (!touched.contains(queue))
        {
            touched.add(queue);
        }
    }

    /**
     * Touches a queue that something was moved to, if anything was.
     */
    void touchIfAny(final ServerQueue queue)
    {
        if (queue != null)
        {
            touch(queue);
        }
    }

    /**
     * A queue waits for its consumers' connections to drain.
     */
    void stalled(final ServerQueue queue)
    {
        if (!stalled.contains(queue))
        {
            stalled.add(queue);
        }
    }

    boolean anyStalled()
    {
        return !stalled.isEmpty() || !stalledBrowsers.isEmpty();
    }

    /**
     * Connections may have drained: stalled queues are tried again.
     */
    void resumeStalled()
    {
        for (int i = 0; i < stalled.size(); i++)
        {
            touch(stalled.get(i));
        }
        stalled.clear();
        if (!stalledBrowsers.isEmpty())
        {
            final List<ServerConsumer> browsers = new ArrayList<>(stalledBrowsers);
            stalledBrowsers.clear();
            for (int i = 0; i < browsers.size(); i++)
            {
                browse(browsers.get(i));
            }
        }
    }

    /**
     * Sends a browser the next messages of its snapshot as far as its credit (messages and bytes) and its connection
     * allow, and the end of the browse once all were sent: a client may give a browser any credit, and a queue may
     * hold gigabytes, so nothing here may buffer more than a connection should hold.
     */
    void browse(final ServerConsumer browser)
    {
        final List<ServerMessage> snapshot = browser.browsed;
        while (!browser.closed && browser.browsedSent < snapshot.size() && browser.hasCredit())
        {
            if (!browser.connection.output.isWritable())
            {
                if (!stalledBrowsers.contains(browser))
                {
                    stalledBrowsers.add(browser);
                }
                return;
            }
            final byte[] encoded = snapshot.get(browser.browsedSent++).encoded();
            browser.creditTaken(encoded.length);
            writer.deliver(browser.connection.output, browser.id, 0, 0, encoded);
        }
        if (browser.browsedSent == snapshot.size() && !browser.closed)
        {
            browser.browsedSent++;
            writer.browseEnd(browser.connection.output, browser.id);
        }
    }

    void dispatchTouched(final long nowMs)
    {
        for (int i = 0; i < touched.size(); i++)
        {
            dispatch(touched.get(i), nowMs);
        }
        touched.clear();
    }

    /**
     * Hands waiting messages to consumers with credit. Without selectors the head of the queue goes to the
     * next consumer round robin; with them, each message in order goes to the next consumer that accepts
     * it, and messages nobody accepts stay where they are.
     */
    private void dispatch(final ServerQueue queue, final long nowMs)
    {
        if (queue.drain != null)
        {
            queue.drain.drain(queue);
            return;
        }
        if (queue.consumers.isEmpty() || queue.deleted)
        {
            return;
        }
        dispatchWaiting(queue, nowMs);
        if (queue.size() > 0 && queue.anyBackedUp())
        {
            stalled(queue);
        }
    }

    private void dispatchWaiting(final ServerQueue queue, final long nowMs)
    {
        final boolean selective = queue.hasSelectiveConsumers();
        MessageReference reference = queue.first();
        while (reference != null)
        {
            final MessageReference next = queue.after(reference);
            if (reference.message.isExpired(nowMs))
            {
                queue.remove(reference);
                touchIfAny(deadLetters.expire(queue, reference));
            }
            else
            {
                final ServerConsumer consumer = queue.nextConsumerFor(reference.message);
                if (consumer != null)
                {
                    queue.remove(reference);
                    deliver(consumer, reference);
                }
                else if (!selective && reference.message.groupId() == null || !queue.anyCredit())
                {
                    // With selectors or groups, a later message may still go to another consumer.
                    return;
                }
            }
            reference = next;
        }
    }

    /**
     * Sends a consumer that is not paused and has credit the first message of its queue it takes, whether its
     * connection is backed up or not.
     */
    void forceOne(final ServerConsumer consumer, final long nowMs)
    {
        final ServerQueue queue = consumer.queue;
        if (!consumer.hasCredit() || consumer.isPaused() || queue.drain != null || queue.deleted)
        {
            return;
        }
        for (MessageReference reference = queue.first(); reference != null; reference = queue.after(reference))
        {
            if (!reference.message.isExpired(nowMs) &&
                (consumer.selector == null || reference.message.matches(consumer.selector)) &&
                queue.groupAllows(consumer, reference.message))
            {
                queue.remove(reference);
                deliver(consumer, reference);
                return;
            }
        }
    }

    private void deliver(final ServerConsumer consumer, final MessageReference reference)
    {
        reference.deliveryCount++;
        consumer.creditTaken(reference.message.encoded().length);
        final long deliveryId = ++nextDeliveryId;
        consumer.unacknowledged.put(deliveryId, reference);
        writer.deliver(consumer.connection.output, consumer.id, deliveryId, reference.deliveryCount,
            reference.message.encoded());
    }
}
