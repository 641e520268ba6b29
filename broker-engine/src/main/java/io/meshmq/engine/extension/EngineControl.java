package io.meshmq.engine.extension;

import io.meshmq.engine.journal.JournalWriteException;
import io.meshmq.engine.mirror.DataMirror;
import io.meshmq.engine.processor.AddressSettings;
import io.meshmq.engine.processor.LinkPosition;
import io.meshmq.engine.processor.MessageReference;
import io.meshmq.engine.processor.ServerMessage;
import io.meshmq.engine.processor.ServerQueue;
import io.meshmq.engine.processor.TopicAddress;
import io.meshmq.engine.ring.ConnectionOutput;
import io.meshmq.protocol.WireWriter;

import java.io.IOException;
import java.nio.file.Path;
import java.util.Collection;
import java.util.List;

/**
 * What the processor lets an extension do: look at its queues and topics, add messages to them, store, and answer
 * connections. Everything the processor keeps consistent (journal records, memory accounting, dispatch, flow control)
 * stays behind these calls.
 * <p>
 * Not thread safe: call only on the processor thread, from a {@link ProcessorExtension}'s methods.
 */
public interface EngineControl
{
    /**
     * @return the time the processor works with in this batch (ms since the epoch).
     */
    long nowMs();

    AddressSettings settingsOf(String address);

    AddressSettings settingsOf(ServerQueue queue);

    // ---- destinations -------------------------------------------------------------------------------------

    /**
     * @return the queue of that name, made (durable, empty) if it does not exist.
     */
    ServerQueue queue(String name);

    /**
     * @return the queue of that name, or null.
     */
    ServerQueue existingQueue(String name);

    Collection<ServerQueue> queues();

    /**
     * @return the topic of that name, made if it does not exist.
     */
    TopicAddress topic(String name);

    /**
     * @return the topic of that name, or null.
     */
    TopicAddress existingTopic(String name);

    Collection<TopicAddress> topics();

    /**
     * @return how many subscriptions all topics have.
     */
    int subscriptionCount();

    // ---- messages -----------------------------------------------------------------------------------------

    /**
     * @return a message made from its encoded form (as sent over the wire), not yet in any queue.
     * @throws io.meshmq.protocol.ProtocolException if the header cannot be read.
     */
    ServerMessage message(byte[] encoded, long originConnectionId);

    /**
     * A large message another node forwarded names the body it staged here (LARGE_STAGE) by its upload id: the body is
     * this node's from now on.
     *
     * @return the body's id here, for the message's descriptor; 0 if no such body is staged (this node restarted
     * since, say: the other node stages it again).
     */
    long claimStagedLargeBody(long uploadId);

    /**
     * A command that brought a large message is done with it: if nothing here needs its body, the body goes.
     */
    void settleLargeBody(byte[] encoded);

    /**
     * @return the file of a large body this node holds, or null if it takes no large messages.
     */
    Path largeBodyFile(long bodyId);

    /**
     * Makes references the journal has (or that need not be journaled) wait in their queues, or for their delivery
     * time.
     */
    void enqueue(List<MessageReference> references);

    /**
     * Something changed in the queue: dispatch looks at it after the current command.
     */
    void touch(ServerQueue queue);

    /**
     * The queue waits for a connection to drain; it is looked at again when one does.
     */
    void stalled(ServerQueue queue);

    /**
     * The message, taken out of its queue, expired: it goes to the expiry address, or is dropped.
     */
    void expire(ServerQueue queue, MessageReference reference);

    // ---- storing ------------------------------------------------------------------------------------------

    /**
     * @return the journal position that covers everything written so far, for {@link #confirm}.
     */
    long mark();

    /**
     * Runs {@code stored} once everything written so far is as safe as a confirmation to a client needs it (forced,
     * and on the replica while one is attached): at once without a journal. Runs {@code failed} instead if that
     * cannot be (a force failed).
     */
    void afterStored(Runnable stored, Runnable failed);

    /**
     * A message taken out of its queue is done with, as if a consumer acknowledged it: counted, and its end
     * journaled.
     */
    void acknowledge(MessageReference reference);

    /**
     * A message taken out of its queue is dropped (it cannot be used): its end is journaled, it is not counted as
     * acknowledged.
     */
    void drop(MessageReference reference);

    /**
     * Stores a message another node forwarded, with how far that node's forwards are now stored, in one journal
     * record, so that a crash keeps both or neither. The references are not yet waiting: {@link #enqueue} them.
     *
     * @return true if it was journaled (a persistent message in a durable queue).
     * @throws JournalWriteException if the journal failed; nothing was stored.
     */
    boolean storeReceived(LinkPosition position, long sequence, ServerMessage message, List<MessageReference> references);

    /**
     * Makes the references of a message in every queue it goes to, as a send to {@code name} would: by the extension
     * where it routes the name, else to this node's queue or the topic's subscriptions that take it. Nothing is
     * linked or journaled: the caller does that ({@link #move}, say).
     */
    void route(byte type, String name, ServerMessage message, String publisherClientId, long publisherConnectionId,
        List<MessageReference> into);

    /**
     * Moves messages out of their queue: the copies (references made with {@link ServerQueue#reference} to new
     * messages) and the end of the originals are one journal record, so a crash keeps one or the other. Then the
     * originals leave their queue and the copies wait in theirs.
     *
     * @throws JournalWriteException if the journal failed; nothing moved.
     */
    void move(List<MessageReference> originals, List<MessageReference> copies);

    // ---- connections --------------------------------------------------------------------------------------

    /**
     * Appends a whole frame for the connection; it is sent at the end of the batch.
     */
    void write(ConnectionOutput output, WireWriter frame);

    /**
     * Answers a call with OK once the journal has forced everything up to {@code mark}.
     */
    void confirm(ConnectionOutput output, long correlationId, long mark);

    void error(ConnectionOutput output, long correlationId, int code, String message);

    /**
     * @return false once the processor has seen the connection close.
     */
    boolean isOpen(ConnectionOutput output);

    /**
     * @return what duplicate detection knows the encoded message by, or null if it does not check it (detection off,
     * or a non-persistent message without a duplicate id of the application's).
     */
    String duplicateId(byte[] message);

    /**
     * @return true if duplicate detection holds a message of that duplicate id as stored at the address.
     */
    boolean isStoredAlready(byte type, String address, String duplicateId);

    /**
     * Duplicate detection remembers a message of that duplicate id as stored at the address.
     */
    void rememberStored(byte type, String address, String duplicateId);

    /**
     * A message remembered as stored at the address was stored nowhere after all (its send failed and was withdrawn):
     * a retry of it is no duplicate.
     */
    void forgetStored(byte type, String address, String duplicateId);

    /**
     * Sends away the applications that fail over by the cluster's topology: each is told why
     * ({@link io.meshmq.protocol.ErrorCode#SHUTTING_DOWN}) and closed, and goes to another member of the topology it
     * was last told. Applications that cannot fail over (and other cluster nodes) stay.
     *
     * @return how many were sent away.
     */
    int sendClientsAway(String reason);

    /**
     * @return how many applications are connected (other nodes' cluster connections not counted).
     */
    int clients();

    /**
     * What {@link ProcessorExtension#clientTopology()} answers changed: the clients that fail over are told.
     */
    void topologyChanged();

    /**
     * @return the broker's data directory, or null for a broker that keeps nothing on disk.
     */
    Path dataDirectory();

    /**
     * Replaces a small file of the data directory whole and forces it, telling the replica (if one is attached) so
     * that it holds the same: state an extension keeps beside the journal. Does nothing for a broker that keeps
     * nothing on disk.
     *
     * @param name a file name directly in the data directory.
     * @throws IOException if it cannot be written.
     */
    void replaceFile(String name, String content) throws IOException;

    /**
     * From now on every durable change goes to {@code replica} as well (its copy of the data directory is being made);
     * confirmations do not wait for it until it is {@link #replicaStored in sync}.
     */
    void replicate(DataMirror replica);

    /**
     * The copy of the data directory to the replica is complete: it holds everything written up to now.
     */
    void replicaCopied();

    /**
     * The replica stored everything up to {@code mark}.
     *
     * @param inSync the first time it has stored a mark at or after the end of its copy: from now on confirmations
     *               wait for it too.
     */
    void replicaStored(long mark, boolean inSync);

    /**
     * The replica's connection is gone: changes are no longer sent to it, but confirmations still wait for it (they
     * are held) until {@link #replicaLost}; for a live whose quorum must first record that the replica is no longer in
     * sync.
     */
    void replicaDetached();

    /**
     * The replica is gone: changes stay local, and confirmations wait for the local disk alone (logged by the caller).
     */
    void replicaLost();
}
