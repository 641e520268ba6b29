package io.meshmq.engine.processor;

import io.meshmq.protocol.WireXid;
import io.meshmq.selector.Selector;

/**
 * One slot of the engine ring: a decoded command from a connection. Slots are preallocated and reused;
 * the I/O thread that claims a slot fills the fields its command uses ({@link #clear()} resets the rest),
 * the processor reads them. Not thread safe: the ring's sequence hand-off orders the two threads.
 */
public final class EngineEvent
{
    public static final byte CONNECTION_OPENED = 1;
    public static final byte CONNECTION_CLOSED = 2;
    public static final byte GOODBYE = 3;
    public static final byte CLOSE_SESSION = 4;
    public static final byte CREATE_CONSUMER = 5;
    public static final byte CLOSE_CONSUMER = 6;
    public static final byte CREDIT = 7;
    public static final byte ACK = 8;
    public static final byte ACK_BATCH = 9;
    public static final byte RELEASE = 10;
    public static final byte SEND = 11;
    public static final byte COMMIT = 12;
    public static final byte CREATE_TEMP = 13;
    public static final byte DELETE_TEMP = 14;
    public static final byte RECOVER = 15;
    public static final byte SET_CLIENT_ID = 16;
    public static final byte UNSUBSCRIBE = 17;
    public static final byte ADMIN = 18;
    /** From the broker's timer, no connection: scheduled deliveries are due, or expiry wants a scan. */
    public static final byte TICK = 19;
    /** From the journal syncer, no connection: records are forced ({@link #attachment} says which). */
    public static final byte FORCED = 20;
    public static final byte XA_PREPARE = 21;
    public static final byte XA_COMMIT = 22;
    public static final byte XA_ROLLBACK = 23;
    public static final byte XA_RECOVER = 24;
    public static final byte XA_FORGET = 25;
    /** A connection that was backed up can take data again: deliveries to it resume. */
    public static final byte WRITABLE = 26;
    /** A node of this cluster connected to this one (correlationId, destinationName = cluster, nodeId, nodeName, subscriptionName = its HOST:PORT). */
    public static final byte CLUSTER_JOIN = 27;
    /** A message from another node for named queues here (correlationId = sequence, sendNames, message). */
    public static final byte CLUSTER_SEND = 28;
    /** From the cluster layer: this node's link to another is up (connection = where to forward) or down (reason). */
    public static final byte CLUSTER_LINK_UP = 29;
    public static final byte CLUSTER_LINK_DOWN = 30;
    /**
     * From the cluster layer: a queue of another node changed (destinationType, destinationName = address,
     * subscriptionName = queue, consumerFlags = {@link #BINDING_EXISTS} | {@link #BINDING_GROUPED}, selector =
     * the subscription's filter, count = consumers, attachment = the consumers' selectors, a Selector[]
     * with null for "every message").
     */
    public static final byte CLUSTER_BINDING = 31;
    /** From the cluster layer: another node stored a forwarded message (correlationId = sequence), or could not (reason). */
    public static final byte CLUSTER_FORWARDED = 32;
    /** Cluster connections defined at run time, from another node or asked for by the cluster layer (attachment = List of MemberDefinition). */
    public static final byte CLUSTER_MEMBERS = 33;

    public static final byte BINDING_EXISTS = 1;
    public static final byte BINDING_GROUPED = 2;

    public byte type;
    public ConnectionOutput connection;
    public long correlationId;
    public long sessionId;
    public long consumerId;
    public long deliveryId;
    public int count;
    /** CREATE_CONSUMER and CREDIT: bytes of credit (0 at creation: no byte limit). */
    public int creditBytes;
    public byte destinationType;
    public String destinationName;
    /** CREATE_CONSUMER: parsed on the I/O thread, null for none. */
    public Selector selector;
    /** CREATE_CONSUMER: {@link io.meshmq.protocol.ConsumerFlags}. */
    public byte consumerFlags;
    public String subscriptionName;
    /** CONNECTION_OPENED: who the connection authenticated as, and its client id (or null). */
    public String user;
    public String clientId;
    public byte[] message;
    /** ACK_BATCH, RELEASE and COMMIT: consumer ids, delivery ids and (RELEASE) redelivered flags. */
    public long[] consumerIds;
    public long[] deliveryIds;
    public boolean[] flags;
    /** COMMIT: the messages to send; ADMIN: the verb's arguments in sendNames. */
    public byte[] sendTypes;
    public String[] sendNames;
    public byte[][] sendMessages;
    /** XA_*: the transaction branch. */
    public WireXid xid;
    /** FORCED: the syncer's request, and why the force failed (null if it did not). */
    public Object attachment;
    public String reason;
    /** CLUSTER_*: the other node. */
    public String nodeId;
    public String nodeName;

    public void clear()
    {
        type = 0;
        connection = null;
        correlationId = 0;
        sessionId = 0;
        consumerId = 0;
        deliveryId = 0;
        count = 0;
        creditBytes = 0;
        destinationType = 0;
        destinationName = null;
        selector = null;
        consumerFlags = 0;
        subscriptionName = null;
        user = null;
        clientId = null;
        message = null;
        consumerIds = null;
        deliveryIds = null;
        flags = null;
        sendTypes = null;
        sendNames = null;
        sendMessages = null;
        xid = null;
        attachment = null;
        reason = null;
        nodeId = null;
        nodeName = null;
    }
}
