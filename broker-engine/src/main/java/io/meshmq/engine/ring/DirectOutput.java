package io.meshmq.engine.ring;

import io.meshmq.protocol.WireWriter;

import java.util.concurrent.Future;

/**
 * Frames sent to a connection from a thread other than the processor (a large body to a replica, from the thread that
 * forced it): each is written at once, after whatever the processor flushed to the connection before it and before
 * whatever the processor flushes after it returns.
 * <p>
 * Thread safe.
 */
public interface DirectOutput
{
    /**
     * Writes a copy of the frame (from position 0 to the writer's position) and flushes it.
     *
     * @return done once the frame is written to the socket; failed if the connection is lost first.
     */
    Future<?> send(WireWriter frame);

    /**
     * @return true on the connection's own I/O thread, which must not wait for the futures {@link #send} returns.
     */
    boolean inIoThread();

    /**
     * Closes the connection at once (its peer takes nothing).
     */
    void closeNow();
}
