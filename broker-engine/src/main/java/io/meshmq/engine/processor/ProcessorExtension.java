package io.meshmq.engine.processor;

import io.meshmq.engine.ring.ConnectionOutput;
import io.meshmq.engine.ring.ExtensionCommand;

/**
 * Something that runs inside the processor (the cluster's routing and forwarding, say): it is handed the commands
 * it owns, the batch's end, the timer's ticks with the time passed in, and the closing of connections. Every call
 * comes on the processor thread, so an extension owns its state the way the processor owns queues: without locks.
 */
public interface ProcessorExtension
{
    /**
     * A command published for this extension.
     *
     * @param connection    where the command came from, or null if it came from no connection.
     * @param correlationId what a reply to it must carry (0 for none).
     */
    void onCommand(ConnectionOutput connection, long correlationId, ExtensionCommand command);

    /**
     * A connection closed; whatever the extension kept for it goes.
     */
    void onConnectionClosed(long connectionId);

    /**
     * The ring batch ends: send what was gathered during it.
     */
    void onEndOfBatch();

    /**
     * The broker's timer ticked.
     */
    void onTick(long nowMs);

    /**
     * @return when this extension next wants a tick (ms since the epoch), {@code Long.MAX_VALUE} for never.
     */
    long nextTickDueMs(long nowMs);
}
