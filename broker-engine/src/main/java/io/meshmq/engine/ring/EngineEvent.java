package io.meshmq.engine.ring;

import io.meshmq.engine.journal.JournalSyncer;
import io.meshmq.protocol.AdminTable;
import io.meshmq.protocol.WireXid;
import io.meshmq.selector.Selector;

import java.util.concurrent.CompletableFuture;

/**
 * One slot of the engine ring: a command from a connection, the timer, the journal syncer or an extension. Slots
 * are preallocated and reused; the thread that claims a slot fills the fields its command uses ({@link #clear()}
 * resets the rest), the processor reads them. Each field has one meaning; an extension's commands travel typed,
 * in {@link #command}. Not thread safe: the ring's sequence hand-off orders the two threads.
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
    /** From the journal syncer, no connection: records are forced ({@link #forced} says which). */
    public static final byte FORCED = 20;
    public static final byte XA_PREPARE = 21;
    public static final byte XA_COMMIT = 22;
    public static final byte XA_ROLLBACK = 23;
    public static final byte XA_RECOVER = 24;
    public static final byte XA_FORGET = 25;
    /** A connection that was backed up can take data again: deliveries to it resume. */
    public static final byte WRITABLE = 26;
    /**
     * A command an extension of the processor owns ({@link #command}; {@link #connection} and {@link #correlationId}
     * when it came from a connection): the processor hands it to the extension, on the processor thread.
     */
    public static final byte EXTENSION = 27;
    /** DUPLICATE_CHECK: {@link #destinationType}, {@link #destinationName}, the message id in {@link #reason}. */
    public static final byte DUPLICATE_CHECK = 28;
    /** PAUSE: {@link #consumerId} (0: the whole connection) and {@link #paused}. */
    public static final byte PAUSE = 29;
    /** FORCE_DELIVERY: {@link #consumerId}; answered once a waiting message, if any, was sent to it. */
    public static final byte FORCE_DELIVERY = 30;
    /**
     * An admin verb asked inside the broker's process (metrics, management): {@link #destinationName} the verb,
     * {@link #sendNames} its arguments, answered by completing {@link #answer}. Comes from no connection: it is
     * trusted as the process itself.
     */
    public static final byte LOCAL_ADMIN = 31;
    /** COMMIT_CHECK: the commit id in {@link #reason}. */
    public static final byte COMMIT_CHECK = 32;
    /** LARGE_DONE: the body id in {@link #deliveryId}; the client will read that delivery of the body no more. */
    public static final byte LARGE_DONE = 33;

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
    /**
     * CONNECTION_OPENED: who the connection authenticated as, its client id (or null), whether it is another node's
     * cluster connection, and whether it wants to hear of the cluster's members.
     */
    public String user;
    public String clientId;
    public boolean clusterRole;
    public boolean wantsTopology;
    /** PAUSE: whether the consumer (or connection) is to be sent nothing. */
    public boolean paused;
    public byte[] message;
    /** SEND: sent again by a client that failed over, the temporary scope of the node it was sent to before. */
    public String resentFrom;
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
    /**
     * FORCED: the syncer's request, and why the force failed (null if it did not); DUPLICATE_CHECK: the id; COMMIT and
     * COMMIT_CHECK: the commit id (null for a COMMIT that has none).
     */
    public JournalSyncer.Request forced;
    public String reason;
    /** EXTENSION: what the extension is asked to do. */
    public ExtensionCommand command;
    /** Set for a connection's commands: told once the processor is done with this one. */
    public RingShare share;
    /** LOCAL_ADMIN: completed with the verb's answer, or exceptionally with why it was refused. */
    public CompletableFuture<AdminTable> answer;

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
        clusterRole = false;
        resentFrom = null;
        wantsTopology = false;
        paused = false;
        message = null;
        consumerIds = null;
        deliveryIds = null;
        flags = null;
        sendTypes = null;
        sendNames = null;
        sendMessages = null;
        xid = null;
        forced = null;
        reason = null;
        command = null;
        share = null;
        answer = null;
    }
}
