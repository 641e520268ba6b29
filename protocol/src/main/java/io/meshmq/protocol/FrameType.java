package io.meshmq.protocol;

/**
 * Frame types and the layout of each frame's body. Fields are read in the order listed; {@code string} is an
 * int32 byte length (-1 for null) followed by UTF-8, {@code bytes} likewise with raw bytes, {@code rest} is
 * every byte left in the frame. A correlation id of 0 means "no reply wanted".
 * <pre>
 * HELLO           c&gt;b  int magic, short version, byte role, string clientId, string user, string password,
 *                      optional int connectionTtlMs   (the broker closes a connection it hears nothing from for
 *                      that long; the client pings more often. Absent or 0: never), optional boolean
 *                      wantsTopology   (a client that fails over: a cluster member then sends TOPOLOGY)
 * HELLO_OK        b&gt;c  short version, long connectionId, string brokerName, string temporaryScope, then
 *                      optionally int largeMessageThreshold   (sent
 *                      once the client id, if any, is known to be unique; else ERROR with INVALID_CLIENT_ID and
 *                      the connection closes; temporaryScope is null outside a cluster, else it goes in the
 *                      names of the connection's temporary destinations, see {@link TemporaryNames};
 *                      largeMessageThreshold: bodies above it are sent as large messages, see LARGE_CHUNK;
 *                      absent or 0: the broker takes none)
 * TOPOLOGY        b&gt;c  int count, count x string member, optional (int count, count x string journal, string own)
 *                      (HOST:PORT of each live member of the broker's cluster where clients reach it, the broker's
 *                      own first unless it is suspended; sent after HELLO_OK to a client that wants it and again
 *                      whenever a member comes or goes; never outside a cluster. With HA, the id of the journal each
 *                      member serves, in the same order, and the one the broker itself serves (null: none): a client
 *                      that loses its broker reconnects to whoever serves its journal next)
 * ERROR           b&gt;c  long correlationId, int code, string message   (correlationId 0: connection level)
 * OK              b&gt;c  long correlationId
 * REPLY           b&gt;c  long correlationId, rest result   (a successful call that returns data)
 * SET_CLIENT_ID   c&gt;b  long correlationId, string clientId
 * PING            any  long token
 * PONG            any  long token
 * GOODBYE         c&gt;b  long correlationId    (broker releases everything of this connection, then OK)
 * CLOSE_SESSION   c&gt;b  long correlationId, long sessionId
 * CREATE_CONSUMER c&gt;b  long correlationId, long sessionId, long consumerId, byte destinationType,
 *                      string destinationName, string selector, byte flags ({@link ConsumerFlags}),
 *                      string subscriptionName, int initialCredit, int initialCreditBytes   (the broker
 *                      sends while it has both: a message count and bytes of message; a message may take the
 *                      bytes below zero. 0 bytes: no byte limit)
 * BROWSE_END      b&gt;c  long consumerId   (a browser was sent its whole snapshot)
 * UNSUBSCRIBE     c&gt;b  long correlationId, string subscriptionName   (a durable subscription of this
 *                      connection's client id)
 * CLOSE_CONSUMER  c&gt;b  long correlationId, long consumerId, int count, count x long deliveryId
 *                      (the deliveries the application saw and may still acknowledge; every other
 *                      unacknowledged delivery goes back to the queue as never delivered)
 * CREDIT          c&gt;b  long consumerId, int credit, int bytes   (messages and bytes the application took
 *                      from the client's buffer; neither negative, one positive)
 * PAUSE           c&gt;b  long consumerId, boolean paused   (the broker sends the consumer nothing while paused,
 *                      its credit kept; consumerId 0: every consumer of the connection but browsers, those made
 *                      later too: a stopped connection. No answer. A connection is not paused until it says so)
 * FORCE_DELIVERY  c&gt;b  long correlationId, long consumerId   (OK once the broker has sent the consumer a message
 *                      waiting for it, if any, and credit allowed it, even to a connection with unsent data; how
 *                      receiveNoWait learns what is available on the broker)
 * DELIVER         b&gt;c  long consumerId, long deliveryId, int deliveryCount, rest message
 * ACK             c&gt;b  long consumerId, long deliveryId
 * ACK_BATCH       c&gt;b  long correlationId, int count, count x (long consumerId, long deliveryId)
 * RELEASE         c&gt;b  long correlationId, int count, count x (long consumerId, long deliveryId, byte redelivered)
 *                      (redelivered 0: the application never saw it, and its credit comes back with it)
 * RECOVER         c&gt;b  long correlationId, long sessionId, int count, count x (long consumerId,
 *                      long deliveryId)   (every unacknowledged delivery of the session's consumers goes back;
 *                      those listed were seen and count as delivered, the rest do not; the reply follows
 *                      every delivery sent before it)
 * SEND            c&gt;b  long correlationId, byte destinationType, string destinationName, rest message
 * RESEND          c&gt;b  long correlationId, byte destinationType, string destinationName, string previousScope,
 *                      rest message   (a persistent message sent again by a client that failed over before the
 *                      broker it sent it to answered; previousScope is that broker's temporaryScope from
 *                      HELLO_OK. Stored once, as SEND; a cluster member that stores it tells the previous node,
 *                      which may hold a copy, with CLUSTER_RESENT)
 * CREATE_TEMP     c&gt;b  long correlationId, byte destinationType, string destinationName
 * DELETE_TEMP     c&gt;b  long correlationId, byte destinationType, string destinationName
 * COMMIT          c&gt;b  long correlationId, int sendCount, sendCount x (byte destinationType,
 *                      string destinationName, bytes message), int ackCount, ackCount x (long consumerId,
 *                      long deliveryId), then optionally string commitId   (applied by the broker as one unit;
 *                      the broker remembers the commit id with it, journaled, for COMMIT_CHECK)
 * XA_PREPARE      c&gt;b  long correlationId, xid, then COMMIT's sends and acks   (the broker stores them as a
 *                      prepared branch: messages not routed, acked deliveries held from everyone; OK once
 *                      stored. An xid is int formatId, bytes globalTransactionId, bytes branchQualifier,
 *                      see {@link WireXid})
 * XA_COMMIT       c&gt;b  long correlationId, xid   (commits a prepared branch; ERROR XA_UNKNOWN_XID if the
 *                      broker has none of that xid)
 * XA_ROLLBACK     c&gt;b  long correlationId, xid   (rolls a prepared branch back: its held deliveries return)
 * XA_RECOVER      c&gt;b  long correlationId   (REPLY int count, count x xid: prepared and heuristically
 *                      completed branches)
 * XA_FORGET       c&gt;b  long correlationId, xid   (drops a heuristically completed branch)
 * DUPLICATE_CHECK c&gt;b  long correlationId, byte destinationType, string destinationName, string messageId
 *                      (REPLY boolean: whether a message of that id was stored at that address, as far as the
 *                      broker's duplicate cache remembers; how a client learns the outcome of a commit whose
 *                      answer a lost connection took)
 * COMMIT_CHECK    c&gt;b  long correlationId, string commitId   (REPLY boolean: whether a COMMIT of that id was
 *                      applied, as far as the broker remembers (the last 65,536 commits, and across a restart or a
 *                      takeover those its journal still holds); how a client learns the outcome of a commit that only
 *                      consumed, whose answer a lost connection took)
 * LARGE_CHUNK     c&gt;b  long uploadId, rest bytes   (the next bytes of a large message's body, uploadId chosen by
 *                      the client, unique on its connection; the broker stores them in a file of its own. The message
 *                      follows in a SEND, RESEND, COMMIT or XA_PREPARE flagged {@link MessageDescriptor#FLAG_LARGE_BODY}
 *                      whose body names the upload and its length; an upload never named is deleted when its
 *                      connection closes)
 * LARGE_CANCEL    c&gt;b  long uploadId   (the body will not be sent after all: its bytes are deleted)
 * LARGE_READ      c&gt;b  long correlationId, long bodyId, long position, int length   (REPLY rest bytes: up to
 *                      length bytes of a large body from the position, none at its end; only of a body delivered
 *                      on this connection and not yet done with; length 1 to {@link FrameDescriptor#MAX_LARGE_READ})
 * LARGE_DONE      c&gt;b  long bodyId   (one delivery of the body is read or will not be: the broker may delete the
 *                      body once its message is acknowledged and no delivery reads it)
 * FLOW            b&gt;c  byte destinationType, string destinationName, boolean blocked   (an address under the
 *                      BLOCK policy is full: the client sends nothing more to it until told it is not)
 * ADMIN           c&gt;b  long correlationId, string verb, int argCount, argCount x string   (management;
 *                      the result is a REPLY holding an {@link AdminTable}, see {@link AdminVerbs})
 * </pre>
 * Between the nodes of a cluster, on a connection whose HELLO has {@link FrameDescriptor#ROLE_CLUSTER} (the
 * node that connected sends messages, the node it connected to tells it what queues and consumers it has):
 * <pre>
 * HELLO           c&gt;b  as above with role CLUSTER, password null, connectionTtlMs 0, wantsTopology false, then
 *                      string proofNonce   (when the node has a cluster user: it proves the password instead of
 *                      sending it, SCRAM-SHA-256 over the user's PBKDF2 hash)
 * CLUSTER_CHALLENGE b&gt;c  bytes salt, int iterations, string nonce   (the answer to such a HELLO when the member
 *                      has users: the cluster user's salt and iterations, and proofNonce extended by the member's)
 * CLUSTER_PROOF   c&gt;b  bytes clientProof   (ClientKey XOR HMAC(StoredKey, authMessage), see ClusterProof)
 * CLUSTER_PROVEN  b&gt;c  bytes serverSignature   (HMAC(ServerKey, authMessage): the member holds the user's hash.
 *                      HELLO_OK follows; a node with a cluster user takes no HELLO_OK before it, and sends nothing
 *                      about the cluster to a member that does not prove itself. A wrong proof: ERROR SECURITY)
 * CLUSTER_JOIN    c&gt;b  long correlationId, string clusterName, string nodeId, string nodeName, string url
 *                      (HOST:PORT other members reach it at) [, byte flags (1: a partial repository)]   (REPLY
 *                      string nodeId, string nodeName [, byte flags (1: a partial repository)]; ERROR
 *                      CLUSTER_MISMATCH and close if the cluster name differs or the node is this one.
 *                      CLUSTER_BINDING frames for every queue follow. A full repository links back to a partial
 *                      node that joined it, for as long as that connection lasts)
 * CLUSTER_LOOKUP  c&gt;b  string name   (a partial repository asks a full one for every node's queues and
 *                      subscriptions of that name, or a temporary destination's node, and to be told of their
 *                      changes while this connection lasts: CLUSTER_KNOWN frames, then CLUSTER_KNOWN answered)
 * CLUSTER_KNOWN   b&gt;c  byte kind, then for 1 (binding): string nodeId, string nodeName, string url, and a
 *                      CLUSTER_BINDING body (kind QUEUE or TOPIC); for 2 (node): string nodeId, string nodeName,
 *                      string url; for 3 (answered): string name   (a full repository's answer to CLUSTER_LOOKUP,
 *                      and the later changes of what it named; never about the receiving node itself)
 * CLUSTER_BINDING b&gt;c  byte kind ({@link DestinationType#QUEUE} or TOPIC for a subscription), string address,
 *                      string queue, boolean exists, boolean grouped (a durable or shared subscription: one
 *                      of the same name anywhere in the cluster takes a message), string filter (a
 *                      subscription's selector, or null), int consumers, int selectorCount,
 *                      selectorCount x string   (the consumers' distinct selectors, null for "every message"),
 *                      int weight (1-1000: its node's share against other nodes' weights for the address), int
 *                      rank (1-9: 1 is the first choice; only reachable bindings of the best rank are chosen),
 *                      string group (the node's cluster.group; null or "" for none).
 *                      Kind NONE alone ends the snapshot sent at a join
 * CLUSTER_MEMBERS any  int count, count x (string member, boolean active, boolean removed, long stamp,
 *                      string originNodeId)   (cluster connections defined at run time; sent after a join both
 *                      ways and on every change; the later stamp of a member wins)
 * CLUSTER_CLIENTS b&gt;c  int clients, boolean suspended, boolean groupHandler   (how many applications are
 *                      connected to the node, whether it is suspended: it takes no new work another node can take,
 *                      and whether it decides where message groups go (grouping.type = local); after the snapshot
 *                      of bindings, and at the end of every batch that changed one)
 * CLUSTER_SUSPEND c&gt;b  boolean suspend   (an operator asked the sending node to suspend or resume the receiving
 *                      one: it does, and says so with CLUSTER_CLIENTS; no answer. Refused from a connection that
 *                      did not join)
 * CLUSTER_RESENT  c&gt;b  int count, count x (byte destinationType, string address, string messageId)   (messages
 *                      clients sent again to the sending node after failing over from the receiving one, whose
 *                      first send the receiving node may have stored before its answer was lost: it drops its
 *                      copies of them that are not being delivered. Sent as soon as the link is up, before any
 *                      CLUSTER_SEND, and at the end of each batch that stored such messages while it is up; no
 *                      answer)
 * CLUSTER_SEND    c&gt;b  long sequence, byte kind ({@link DestinationType}), byte flags (1: moved, 2: large lane),
 *                      string address, int queueCount, queueCount x string queue (or subscription), rest message
 *                      (the sending node's forwards to this one cross on two lanes, each in sequence order: the
 *                      large lane takes large messages and what must stay behind them, so the other lane does not
 *                      wait while a large body crosses; a queue
 *                      message naming no queue asks the receiving node, its grouping handler, to route it by its
 *                      group; otherwise it stores the
 *                      message in those queues of the receiving node; for a temporary destination, in it, or in
 *                      every subscription of it that takes the message; once: a sequence at or below the highest
 *                      stored from that node on that lane is a resend and is only confirmed. A message routed as
 *                      it was sent (not moved by redistribution) that the receiving node's duplicate cache holds for
 *                      the address is only confirmed too. OK or ERROR with the sequence as correlation id, OK once
 *                      stored as SEND would be)
 * LARGE_STAGE     c&gt;b  long correlationId, long uploadId, long length   (on a node's second connection to another,
 *                      opened when a large message must cross: the LARGE_CHUNKs of that upload are a body whole; the
 *                      receiving node forces it and keeps it for the CLUSTER_SEND that names it by uploadId, which it
 *                      then answers as its own. OK, or ERROR saying why it was not kept)
 * </pre>
 * Replication (a backup's cluster-role connection to its live; paths are relative to the live's data directory,
 * '/'-separated, never absolute or with '..'):
 * <pre>
 * REPLICA_START   c&gt;b  string backupName [, byte flags]   (makes this connection the live's replica: the live copies
 *                      its data directory to it, then describes every change as it makes it. Flags: 1 = a spare,
 *                      which a live takes only while no other backup copies or holds its replica, and lets go for
 *                      any other backup until in sync; absent from older backups: 0)
 * REPLICA_WRITE   b&gt;c  string path, long position, bytes data   (makes the file if it is not there)
 * REPLICA_ZERO    b&gt;c  string path, long from, long to   (zeros written over that range)
 * REPLICA_TRUNCATE b&gt;c string path, long size
 * REPLICA_REPLACE b&gt;c  string path, bytes content   (the file replaced whole, atomically)
 * REPLICA_MOVE    b&gt;c  string from, string to   (replacing the target)
 * REPLICA_DELETE  b&gt;c  string path   (a file or an empty directory; nothing if it is not there)
 * REPLICA_FORCE   b&gt;c  long mark   (everything before it to disk, then REPLICA_STORED with the mark)
 * REPLICA_SYNCED  b&gt;c  long mark   (the copy is complete once everything up to the mark is stored: until then the
 *                      replica's directory must not be started from)
 * REPLICA_STORED  c&gt;b  long mark   (everything up to that REPLICA_FORCE is on the replica's disk)
 * REPLICA_FAULT   c&gt;b  string reason   (the replica cannot store what it is sent, e.g. its disk is full: it stores
 *                      and confirms nothing more on this connection, and closes it once it can store again)
 * </pre>
 * The message encoding inside SEND and DELIVER is described by {@link MessageDescriptor}.
 */
public final class FrameType
{
    public static final byte HELLO = 1;
    public static final byte HELLO_OK = 2;
    public static final byte ERROR = 3;
    public static final byte OK = 4;
    public static final byte PING = 5;
    public static final byte PONG = 6;
    public static final byte GOODBYE = 7;
    public static final byte SET_CLIENT_ID = 8;
    public static final byte REPLY = 9;
    public static final byte TOPOLOGY = 10;
    public static final byte CLOSE_SESSION = 11;
    public static final byte CREATE_CONSUMER = 20;
    public static final byte CLOSE_CONSUMER = 21;
    public static final byte CREDIT = 22;
    public static final byte DELIVER = 23;
    public static final byte ACK = 24;
    public static final byte ACK_BATCH = 25;
    public static final byte RELEASE = 26;
    public static final byte RECOVER = 27;
    public static final byte BROWSE_END = 28;
    public static final byte PAUSE = 29;
    public static final byte FORCE_DELIVERY = 19;
    public static final byte SEND = 30;
    public static final byte COMMIT = 31;
    public static final byte XA_PREPARE = 32;
    public static final byte XA_COMMIT = 33;
    public static final byte XA_ROLLBACK = 34;
    public static final byte XA_RECOVER = 35;
    public static final byte XA_FORGET = 36;
    public static final byte FLOW = 37;
    public static final byte DUPLICATE_CHECK = 38;
    public static final byte RESEND = 39;
    public static final byte CREATE_TEMP = 40;
    public static final byte DELETE_TEMP = 41;
    public static final byte UNSUBSCRIBE = 42;
    public static final byte COMMIT_CHECK = 43;
    public static final byte LARGE_CHUNK = 44;
    public static final byte LARGE_CANCEL = 45;
    public static final byte LARGE_READ = 46;
    public static final byte LARGE_DONE = 47;
    public static final byte LARGE_STAGE = 48;
    public static final byte ADMIN = 50;
    public static final byte CLUSTER_JOIN = 60;
    public static final byte CLUSTER_BINDING = 61;
    public static final byte CLUSTER_SEND = 62;
    public static final byte CLUSTER_MEMBERS = 63;
    public static final byte CLUSTER_CLIENTS = 64;
    public static final byte CLUSTER_RESENT = 65;
    public static final byte CLUSTER_CHALLENGE = 66;
    public static final byte CLUSTER_PROOF = 67;
    public static final byte CLUSTER_PROVEN = 68;
    public static final byte CLUSTER_SUSPEND = 69;
    public static final byte REPLICA_START = 70;
    public static final byte REPLICA_STORED = 71;
    public static final byte REPLICA_WRITE = 72;
    public static final byte REPLICA_ZERO = 73;
    public static final byte REPLICA_TRUNCATE = 74;
    public static final byte REPLICA_REPLACE = 75;
    public static final byte REPLICA_MOVE = 76;
    public static final byte REPLICA_DELETE = 77;
    public static final byte REPLICA_FORCE = 78;
    public static final byte REPLICA_SYNCED = 79;
    public static final byte REPLICA_FAULT = 80;
    public static final byte CLUSTER_LOOKUP = 81;
    public static final byte CLUSTER_KNOWN = 82;

    private FrameType()
    {
    }

    /**
     * @param type a frame type byte.
     * @return its name for error messages and logs.
     */
    public static String name(final byte type)
    {
        switch (type)
        {
            case HELLO: return "HELLO";
            case HELLO_OK: return "HELLO_OK";
            case ERROR: return "ERROR";
            case OK: return "OK";
            case PING: return "PING";
            case PONG: return "PONG";
            case GOODBYE: return "GOODBYE";
            case SET_CLIENT_ID: return "SET_CLIENT_ID";
            case REPLY: return "REPLY";
            case TOPOLOGY: return "TOPOLOGY";
            case CLOSE_SESSION: return "CLOSE_SESSION";
            case CREATE_CONSUMER: return "CREATE_CONSUMER";
            case CLOSE_CONSUMER: return "CLOSE_CONSUMER";
            case CREDIT: return "CREDIT";
            case DELIVER: return "DELIVER";
            case ACK: return "ACK";
            case ACK_BATCH: return "ACK_BATCH";
            case RELEASE: return "RELEASE";
            case RECOVER: return "RECOVER";
            case BROWSE_END: return "BROWSE_END";
            case PAUSE: return "PAUSE";
            case FORCE_DELIVERY: return "FORCE_DELIVERY";
            case SEND: return "SEND";
            case COMMIT: return "COMMIT";
            case XA_PREPARE: return "XA_PREPARE";
            case XA_COMMIT: return "XA_COMMIT";
            case XA_ROLLBACK: return "XA_ROLLBACK";
            case XA_RECOVER: return "XA_RECOVER";
            case XA_FORGET: return "XA_FORGET";
            case FLOW: return "FLOW";
            case DUPLICATE_CHECK: return "DUPLICATE_CHECK";
            case COMMIT_CHECK: return "COMMIT_CHECK";
            case LARGE_CHUNK: return "LARGE_CHUNK";
            case LARGE_CANCEL: return "LARGE_CANCEL";
            case LARGE_READ: return "LARGE_READ";
            case LARGE_DONE: return "LARGE_DONE";
            case LARGE_STAGE: return "LARGE_STAGE";
            case RESEND: return "RESEND";
            case CREATE_TEMP: return "CREATE_TEMP";
            case DELETE_TEMP: return "DELETE_TEMP";
            case UNSUBSCRIBE: return "UNSUBSCRIBE";
            case ADMIN: return "ADMIN";
            case CLUSTER_JOIN: return "CLUSTER_JOIN";
            case CLUSTER_BINDING: return "CLUSTER_BINDING";
            case CLUSTER_SEND: return "CLUSTER_SEND";
            case CLUSTER_MEMBERS: return "CLUSTER_MEMBERS";
            case CLUSTER_CLIENTS: return "CLUSTER_CLIENTS";
            case CLUSTER_RESENT: return "CLUSTER_RESENT";
            case CLUSTER_CHALLENGE: return "CLUSTER_CHALLENGE";
            case CLUSTER_PROOF: return "CLUSTER_PROOF";
            case CLUSTER_SUSPEND: return "CLUSTER_SUSPEND";
            case CLUSTER_PROVEN: return "CLUSTER_PROVEN";
            case REPLICA_START: return "REPLICA_START";
            case REPLICA_STORED: return "REPLICA_STORED";
            case REPLICA_WRITE: return "REPLICA_WRITE";
            case REPLICA_ZERO: return "REPLICA_ZERO";
            case REPLICA_TRUNCATE: return "REPLICA_TRUNCATE";
            case REPLICA_REPLACE: return "REPLICA_REPLACE";
            case REPLICA_MOVE: return "REPLICA_MOVE";
            case REPLICA_DELETE: return "REPLICA_DELETE";
            case REPLICA_FORCE: return "REPLICA_FORCE";
            case REPLICA_SYNCED: return "REPLICA_SYNCED";
            case REPLICA_FAULT: return "REPLICA_FAULT";
            case CLUSTER_LOOKUP: return "CLUSTER_LOOKUP";
            case CLUSTER_KNOWN: return "CLUSTER_KNOWN";
            default: return "UNKNOWN(" + type + ")";
        }
    }
}
