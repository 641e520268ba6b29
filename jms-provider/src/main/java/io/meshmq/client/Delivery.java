package io.meshmq.client;

/**
 * One message the broker delivered to a consumer, as received: not yet decoded. Immutable.
 */
public final class Delivery
{
    private final long consumerId;
    private final long deliveryId;
    private final int deliveryCount;
    private final byte[] message;

    public Delivery(final long consumerId, final long deliveryId, final int deliveryCount, final byte[] message)
    {
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

    public byte[] message()
    {
        return message;
    }
}
