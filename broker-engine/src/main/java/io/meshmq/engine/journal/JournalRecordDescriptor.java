package io.meshmq.engine.journal;

/**
 * The layout of journal segment files and the records in them.
 * <p>
 * A segment file starts with a header, then records, each aligned to {@link #ALIGNMENT} bytes:
 * <pre>
 *   0                   1                   2                   3
 *   0 1 2 3 4 5 6 7 8 9 0 1 2 3 4 5 6 7 8 9 0 1 2 3 4 5 6 7 8 9 0 1
 *  +---------------------------------------------------------------+
 *  |                  Magic "MESHJRNL" (8 bytes)                   |
 *  +---------------------------------------------------------------+
 *  |                        Format version                         |
 *  +---------------------------------------------------------------+
 *  |                      Segment sequence (long)                  |
 *  +---------------------------------------------------------------+
 *  |   Capacity (int): the file's size as made; 0 in older files   |
 *  +---------------------------------------------------------------+
 *  |                          Reserved (8)                         |
 *  +---------------------------------------------------------------+  32: first record
 *  |                       Record length (int)                     |  header + payload, without padding
 *  +---------------------------------------------------------------+
 *  |              CRC-32C of length and the rest (int)             |
 *  +---------------+-----------------------------------------------+
 *  |  Record type  |  Payload ...                                  |
 *  +---------------+-----------------------------------------------+
 *  |  ... zero padding to the next multiple of 8                   |
 *  +---------------------------------------------------------------+
 * </pre>
 * A length of 0 where a record would start ends the segment's data. All integers are little endian.
 * <p>
 * Payloads (strings are an int length in bytes, -1 for null, then UTF-8; byte arrays an int length then the
 * bytes), each encoded and decoded by its class in {@link io.meshmq.engine.journal.record}:
 * <ul>
 *   <li>{@link #QUEUE}: long queue id, byte kind ({@link #KIND_QUEUE}, {@link #KIND_DURABLE_SUBSCRIPTION}),
 *       string name; for a subscription also string topic, string subscription name, string client id,
 *       string selector, boolean noLocal, boolean shared.</li>
 *   <li>{@link #QUEUE_DELETE}: long queue id. The queue's messages go with it.</li>
 *   <li>{@link #TOPIC}: long topic id, string name. {@link #TOPIC_DELETE}: long topic id.</li>
 *   <li>{@link #MESSAGE}: long message id, int reference count, per reference long queue id and int delivery
 *       count, byte[] encoded message. A later MESSAGE with the same id (compaction moved it) replaces the
 *       references of the earlier one.</li>
 *   <li>{@link #ACK}: long message id, long queue id: the reference is gone (acknowledged, expired, moved to a
 *       dead-letter address, purged).</li>
 *   <li>{@link #DELIVERY_COUNT}: long message id, long queue id, int delivery count.</li>
 *   <li>{@link #TRANSACTION}: a committed local transaction, applied whole or not at all: int message count,
 *       that many MESSAGE payloads, int ack count, that many ACK payloads.</li>
 *   <li>{@link #PREPARE}: a prepared XA branch: xid (int format id, byte[] global id, byte[] branch qualifier),
 *       int message count, per persistent message byte destination type, string destination name, byte[]
 *       encoded message (routed only when the branch commits), int held count, per held reference long
 *       message id, long queue id and int delivery count: the references the branch acknowledged, held from
 *       consumers until it ends. A later PREPARE of the same
 *       xid (compaction moved it) replaces the earlier one.</li>
 *   <li>{@link #TRANSACTION_END}: xid, byte outcome ({@link #OUTCOME_COMMITTED} and the others); a commit,
 *       heuristic or not, is followed by a TRANSACTION payload: the branch's messages as routed at commit,
 *       and its acks. The branch is gone, except after a heuristic outcome, which is kept (a later copy of it
 *       may have an empty TRANSACTION payload) until {@link #OUTCOME_FORGOTTEN}.</li>
 *   <li>{@link #DEPAGE}: messages read back from a durable queue's page files: long queue id, long page, long
 *       offset (where reading its pages goes on from), int message count, that many MESSAGE payloads (their
 *       references are in that queue). A later DEPAGE of the same queue replaces the position.</li>
 *   <li>{@link #LINK}: messages another node of the cluster forwarded: string node id, long sequence (the
 *       highest of that node's forwards stored here), int count, count x MESSAGE payload. A later LINK of the
 *       same node replaces the sequence.</li>
 *   <li>{@link #FORCED}: long segment sequence, long position: everything before it was forced (confirmed).
 *       Written after a force when nothing else follows, so the last confirmed record is never the last record:
 *       damage to it is then corruption followed by a good record, which refuses start-up, not a torn tail that
 *       is cut. Recovery reads past it.</li>
 * </ul>
 */
public final class JournalRecordDescriptor
{
    public static final long MAGIC = 0x4C4E524A4853454DL; // "MESHJRNL" read little endian
    public static final int FORMAT_VERSION = 1;
    public static final int SEGMENT_HEADER_LENGTH = 32;
    public static final int MAGIC_OFFSET = 0;
    public static final int VERSION_OFFSET = 8;
    public static final int SEQUENCE_OFFSET = 12;
    public static final int CAPACITY_OFFSET = 20;

    public static final int ALIGNMENT = 8;
    public static final int LENGTH_OFFSET = 0;
    public static final int CHECKSUM_OFFSET = 4;
    public static final int TYPE_OFFSET = 8;
    public static final int RECORD_HEADER_LENGTH = 9;

    public static final byte QUEUE = 1;
    public static final byte QUEUE_DELETE = 2;
    public static final byte TOPIC = 3;
    public static final byte TOPIC_DELETE = 4;
    public static final byte MESSAGE = 5;
    public static final byte ACK = 6;
    public static final byte DELIVERY_COUNT = 7;
    public static final byte TRANSACTION = 8;
    public static final byte PREPARE = 9;
    public static final byte TRANSACTION_END = 10;
    public static final byte DEPAGE = 11;
    public static final byte LINK = 12;
    public static final byte FORCED = 13;

    public static final byte OUTCOME_COMMITTED = 1;
    public static final byte OUTCOME_ROLLED_BACK = 2;
    public static final byte OUTCOME_HEURISTIC_COMMIT = 3;
    public static final byte OUTCOME_HEURISTIC_ROLLBACK = 4;
    public static final byte OUTCOME_FORGOTTEN = 5;

    public static final byte KIND_QUEUE = 1;
    public static final byte KIND_DURABLE_SUBSCRIPTION = 2;

    private JournalRecordDescriptor()
    {
    }

    /**
     * @return the space a record of this length takes in a segment, padding included.
     */
    public static int alignedLength(final int recordLength)
    {
        return (recordLength + ALIGNMENT - 1) & -ALIGNMENT;
    }

    public static String typeName(final byte type)
    {
        switch (type)
        {
            case QUEUE: return "QUEUE";
            case QUEUE_DELETE: return "QUEUE_DELETE";
            case TOPIC: return "TOPIC";
            case TOPIC_DELETE: return "TOPIC_DELETE";
            case MESSAGE: return "MESSAGE";
            case ACK: return "ACK";
            case DELIVERY_COUNT: return "DELIVERY_COUNT";
            case TRANSACTION: return "TRANSACTION";
            case PREPARE: return "PREPARE";
            case TRANSACTION_END: return "TRANSACTION_END";
            case DEPAGE: return "DEPAGE";
            case LINK: return "LINK";
            case FORCED: return "FORCED";
            default: return "type " + type;
        }
    }
}
