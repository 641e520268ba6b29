package io.meshmq.engine.processor;

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

    public byte type;
    public ConnectionOutput connection;
    public long correlationId;
    public long sessionId;
    public long consumerId;
    public long deliveryId;
    public int count;
    public byte destinationType;
    public String destinationName;
    public String selector;
    public boolean flag;
    public byte[] message;
    /** ACK_BATCH, RELEASE and COMMIT: consumer ids, delivery ids and (RELEASE) redelivered flags. */
    public long[] consumerIds;
    public long[] deliveryIds;
    public boolean[] flags;
    /** COMMIT: the messages to send. */
    public byte[] sendTypes;
    public String[] sendNames;
    public byte[][] sendMessages;

    public void clear()
    {
        type = 0;
        connection = null;
        correlationId = 0;
        sessionId = 0;
        consumerId = 0;
        deliveryId = 0;
        count = 0;
        destinationType = 0;
        destinationName = null;
        selector = null;
        flag = false;
        message = null;
        consumerIds = null;
        deliveryIds = null;
        flags = null;
        sendTypes = null;
        sendNames = null;
        sendMessages = null;
    }
}
