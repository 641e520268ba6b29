package io.meshmq.engine.processor;

/**
 * A message as the broker keeps it: the encoded bytes exactly as the producer sent them, plus the few header
 * fields the broker acts on. Shared by every queue the message was routed to. Immutable.
 */
public final class ServerMessage
{
    private final byte[] encoded;
    private final int priority;
    private final long expiration;
    private final boolean persistent;
    private final long originConnectionId;

    public ServerMessage(
        final byte[] encoded, final int priority, final long expiration, final boolean persistent,
        final long originConnectionId)
    {
        this.encoded = encoded;
        this.priority = priority;
        this.expiration = expiration;
        this.persistent = persistent;
        this.originConnectionId = originConnectionId;
    }

    public byte[] encoded()
    {
        return encoded;
    }

    public int priority()
    {
        return priority;
    }

    public boolean isExpired(final long nowMs)
    {
        return expiration != 0 && expiration <= nowMs;
    }

    public boolean isPersistent()
    {
        return persistent;
    }

    public long originConnectionId()
    {
        return originConnectionId;
    }
}
