package io.meshmq.engine.ring;

import io.meshmq.protocol.WireWriter;

/**
 * Where the processor writes frames for one connection. Implementations buffer what {@link #write} is
 * given and send it on {@link #flush()}, which the processor calls once at the end of each ring batch.
 * Called only on the processor thread.
 */
public interface ConnectionOutput
{
    /**
     * @return the broker-wide id of this connection.
     */
    long id();

    /**
     * @return the remote address, for logs and errors.
     */
    String remoteAddress();

    /**
     * Appends a complete frame (from position 0 to the writer's position).
     *
     * @return true if this is the first frame since the last flush, so the caller knows to flush it.
     */
    boolean write(WireWriter frame);

    /**
     * @return false while the connection holds as much unsent data as it should: deliveries to it wait, so a
     * slow reader cannot make the broker buffer a whole backlog for it.
     */
    default boolean isWritable()
    {
        return true;
    }

    /**
     * A large body (see {@code io.meshmq.engine.large}) is delivered on this connection: its client may read it with
     * LARGE_READ until it says LARGE_DONE. Only connections that serve reads keep count.
     */
    default void lend(final long bodyId)
    {
    }

    /**
     * @return a way to send frames to this connection from other threads, in order with the processor's flushes; null
     * for a connection that has none.
     */
    default DirectOutput direct()
    {
        return null;
    }

    /**
     * Sends everything written since the last flush.
     */
    void flush();

    /**
     * Sends what was written, then closes the connection (a refused handshake).
     */
    void close();
}
