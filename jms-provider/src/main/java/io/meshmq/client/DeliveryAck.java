package io.meshmq.client;

/**
 * Identifies one delivery for an acknowledgement or a release. Immutable.
 */
public final class DeliveryAck
{
    private final long consumerId;
    private final long deliveryId;
    private final boolean redelivered;
    private final int link;

    public DeliveryAck(final long consumerId, final long deliveryId, final boolean redelivered)
    {
        this(consumerId, deliveryId, redelivered, 0);
    }

    /**
     * @param link the connection to a broker the delivery came on ({@link Delivery#link()}).
     */
    public DeliveryAck(final long consumerId, final long deliveryId, final boolean redelivered, final int link)
    {
        this.link = link;
        this.consumerId = consumerId;
        this.deliveryId = deliveryId;
        this.redelivered = redelivered;
    }

    public long consumerId()
    {
        return consumerId;
    }

    public long deliveryId()
    {
        return deliveryId;
    }

    public int link()
    {
        return link;
    }

    /**
     * @return for a release: whether the application saw the message, so its next delivery is a redelivery.
     */
    public boolean redelivered()
    {
        return redelivered;
    }
}
