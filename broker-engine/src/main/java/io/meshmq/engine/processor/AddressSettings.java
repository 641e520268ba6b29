package io.meshmq.engine.processor;

/**
 * How the broker treats the messages of one address (a queue, or a topic and its subscriptions).
 *
 * @param maxDeliveryAttempts deliveries after which a message the application saw and gave back goes to the
 *                            dead-letter address; -1 for no limit.
 * @param redeliveryDelayMs   how long a message given back after being seen waits before it is delivered again.
 * @param deadLetterAddress   queue that takes messages over the delivery limit; empty to drop them.
 * @param expiryAddress       queue that takes expired messages; empty to drop them.
 * @param maxSizeBytes        bytes of messages one of its queues may hold waiting in memory; -1 for no limit of
 *                            its own (the broker's global limit still applies).
 * @param fullPolicy          what happens to a send when that limit, or the global one, is reached.
 * @param loadBalancing       in a cluster, which nodes its messages may go to.
 * @param redistributionDelayMs in a cluster, how long a queue must have had no consumers before its waiting
 *                            messages move to a node that has; -1 never.
 * @param clusterWeight       in a cluster, this node's share of the address's messages against other nodes' weights
 *                            (a node of weight 2 gets twice the share of a node of weight 1); 1 to 1000.
 * @param clusterRank         in a cluster, 1 for the first choice: messages go only to the nodes of the best rank
 *                            that can be reached (a standby site has rank 2); 1 to 9.
 * @param preferLocal         with ON_DEMAND, a message stays on this node while a consumer here keeps up; false
 *                            balances by weight among every node with a consumer.
 * @param unreachableNode     in a cluster, what a send does whose message must be stored on another node: wait there
 *                            to be stored before the sender is answered, and fail if it cannot be (FAIL), or be
 *                            answered once stored here, waiting for the other node as long as it takes (HOLD);
 *                            null for by its name: FAIL for names that say their node ({@code orders@n2}), HOLD
 *                            for plain ones.
 * @param producerHoldBytes   bytes one of its queues may hold waiting in memory while consumers take from it before its
 *                            producers are held until they catch up (see {@code BacklogHold}); -1 never.
 */
public record AddressSettings(int maxDeliveryAttempts, long redeliveryDelayMs, String deadLetterAddress,
    String expiryAddress, long maxSizeBytes, FullPolicy fullPolicy, LoadBalancing loadBalancing,
    long redistributionDelayMs, int clusterWeight, int clusterRank, boolean preferLocal,
    UnreachableNode unreachableNode, long producerHoldBytes)
{
    /**
     * Where a message sent on one node of a cluster may go.
     */
    public enum LoadBalancing
    {
        /** It stays on the node it was sent to. */
        OFF,
        /** Round robin over every node that has the queue, consumers or not. */
        STRICT,
        /** Only to nodes with a consumer that would take it; the local node first while its consumers keep up. */
        ON_DEMAND
    }

    /**
     * What a send does whose message must be stored on another node of a cluster.
     */
    public enum UnreachableNode
    {
        /** Its sender is answered once that node stored it, and told, naming the node, if it cannot be. */
        FAIL,
        /** Its sender is answered once it is stored here; it waits in the forward queue until the node takes it. */
        HOLD
    }

    /**
     * What a full address does with new messages.
     */
    public enum FullPolicy
    {
        /** They go to page files on disk and come back in order as consumers drain the queue. */
        PAGE,
        /** The send is refused with a ResourceAllocationException. */
        FAIL,
        /** Producers are told to wait (their sends block) until the address has room again. */
        BLOCK
    }

    public static final int DEFAULT_MAX_DELIVERY_ATTEMPTS = 10;
    public static final long DEFAULT_REDELIVERY_DELAY_MS = 0;
    public static final String DEFAULT_DEAD_LETTER_ADDRESS = "DLQ";
    public static final String DEFAULT_EXPIRY_ADDRESS = "ExpiryQueue";
    public static final long DEFAULT_MAX_SIZE_BYTES = -1;
    public static final FullPolicy DEFAULT_FULL_POLICY = FullPolicy.PAGE;
    public static final LoadBalancing DEFAULT_LOAD_BALANCING = LoadBalancing.ON_DEMAND;
    public static final long DEFAULT_REDISTRIBUTION_DELAY_MS = 1000;
    public static final int DEFAULT_CLUSTER_WEIGHT = 1;
    public static final int MAX_CLUSTER_WEIGHT = 1000;
    public static final int DEFAULT_CLUSTER_RANK = 1;
    public static final int LAST_CLUSTER_RANK = 9;
    public static final boolean DEFAULT_PREFER_LOCAL = true;
    /** 4 MiB: a dozen milliseconds of deliveries at this machine's rates, a small share of any sensible heap. */
    public static final long DEFAULT_PRODUCER_HOLD_BYTES = 4L << 20;

    public static final AddressSettings DEFAULTS = new AddressSettings(DEFAULT_MAX_DELIVERY_ATTEMPTS,
        DEFAULT_REDELIVERY_DELAY_MS, DEFAULT_DEAD_LETTER_ADDRESS, DEFAULT_EXPIRY_ADDRESS, DEFAULT_MAX_SIZE_BYTES,
        DEFAULT_FULL_POLICY, DEFAULT_LOAD_BALANCING, DEFAULT_REDISTRIBUTION_DELAY_MS, DEFAULT_CLUSTER_WEIGHT,
        DEFAULT_CLUSTER_RANK, DEFAULT_PREFER_LOCAL, null, DEFAULT_PRODUCER_HOLD_BYTES);

    public AddressSettings
    {
        if (maxDeliveryAttempts == 0 || maxDeliveryAttempts < -1)
        {
            throw new IllegalArgumentException("max-delivery-attempts " + maxDeliveryAttempts + " must be -1 (no limit) or at least 1");
        }
        if (redeliveryDelayMs < 0)
        {
            throw new IllegalArgumentException("redelivery-delay " + redeliveryDelayMs + " must not be negative");
        }
        if (maxSizeBytes < -1)
        {
            throw new IllegalArgumentException("max-size-bytes " + maxSizeBytes + " must be -1 (no limit) or a number of bytes");
        }
        if (fullPolicy == null)
        {
            throw new IllegalArgumentException("address-full-policy is missing");
        }
        if (loadBalancing == null)
        {
            throw new IllegalArgumentException("load-balancing is missing");
        }
        if (redistributionDelayMs < -1)
        {
            throw new IllegalArgumentException("redistribution-delay " + redistributionDelayMs +
                " must be -1 (never) or a number of milliseconds");
        }
        if (clusterWeight < 1 || clusterWeight > MAX_CLUSTER_WEIGHT)
        {
            throw new IllegalArgumentException("cluster-weight " + clusterWeight + " must be 1 to " +
                MAX_CLUSTER_WEIGHT);
        }
        if (clusterRank < 1 || clusterRank > LAST_CLUSTER_RANK)
        {
            throw new IllegalArgumentException("cluster-rank " + clusterRank + " must be 1 (first choice) to " +
                LAST_CLUSTER_RANK);
        }
        if (producerHoldBytes < -1 || producerHoldBytes == 0)
        {
            throw new IllegalArgumentException("producer-hold-bytes " + producerHoldBytes +
                " must be -1 (never hold) or a positive number of bytes");
        }
        deadLetterAddress = deadLetterAddress == null ? "" : deadLetterAddress.trim();
        expiryAddress = expiryAddress == null ? "" : expiryAddress.trim();
    }

    /**
     * @param namesNode the send's name says which node (or nodes) it goes to.
     */
    public UnreachableNode unreachableNode(final boolean namesNode)
    {
        return unreachableNode != null ? unreachableNode : namesNode ? UnreachableNode.FAIL : UnreachableNode.HOLD;
    }

    boolean isFull(final long bytes)
    {
        return maxSizeBytes >= 0 && bytes >= maxSizeBytes;
    }

    boolean isOverDeliveryLimit(final int deliveryCount)
    {
        return maxDeliveryAttempts > 0 && deliveryCount >= maxDeliveryAttempts;
    }
}
