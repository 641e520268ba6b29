package io.meshmq.client;

import io.meshmq.protocol.LargeBodyDescriptor;

/**
 * One message the broker delivered to a consumer, as received: not yet decoded. Immutable.
 */
public final class Delivery
{
    private final long consumerId;
    private final long deliveryId;
    private final int deliveryCount;
    private final byte[] message;
    private final int link;
    /** For a large message: its body's delivery, to read it and say when done; null otherwise. */
    private final LargeLease lease;

    public Delivery(final long consumerId, final long deliveryId, final int deliveryCount, final byte[] message)
    {
        this(consumerId, deliveryId, deliveryCount, message, 0);
    }

    /**
     * @param link the number of the connection to a broker it came on: after a failover, the broker the client is
     *             now connected to does not know it.
     */
    public Delivery(
        final long consumerId, final long deliveryId, final int deliveryCount, final byte[] message, final int link)
    {
        this.link = link;
        this.lease = LargeBodyDescriptor.isLarge(message) ? new LargeLease(LargeBodyDescriptor.bodyId(message), link) : null;
        this.consumerId = consumerId;
        this.deliveryId = deliveryId;
        this.deliveryCount = deliveryCount;
        this.message = message;
    }

    public long consumerId()
    {
        return consumerId;
    }

    public long deliveryId()
    {
        return deliveryId;
    }

    /**
     * @return 1 on the first delivery, incremented each time the message comes back.
     */
    public int deliveryCount()
    {
        return deliveryCount;
    }

    public int link()
    {
        return link;
    }

    /**
     * @return how to acknowledge or release it.
     */
    public DeliveryAck ack(final boolean redelivered)
    {
        return new DeliveryAck(consumerId, deliveryId, redelivered, link);
    }

    public byte[] message()
    {
        return message;
    }

    /**
     * @return for a large message, its body's delivery; null otherwise.
     */
    public LargeLease lease()
    {
        return lease;
    }
}
