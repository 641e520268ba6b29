package io.meshmq.protocol;

/**
 * Layout of an encoded message, as carried in SEND and DELIVER frames and kept by the broker. The fixed
 * header comes first so the broker reads what it routes on without decoding the rest.
 * <pre>
 *   0                   1                   2                   3
 *   0 1 2 3 4 5 6 7 8 9 0 1 2 3 4 5 6 7 8 9 0 1 2 3 4 5 6 7 8 9 0 1
 *  +---------------+---------------+---------------+---------------+
 *  |   Body type   | Delivery mode |   Priority    |     Flags     |
 *  +---------------+---------------+---------------+---------------+
 *  |                     Timestamp (ms, 0 = none)                  |
 *  +---------------------------------------------------------------+
 *  |                     Expiration (ms, 0 = never)                |
 *  +---------------------------------------------------------------+
 *  |                   Delivery time (ms, 0 = now)                 |
 *  +---------------------------------------------------------------+
 *  | string messageId | byte correlationKind + string or bytes     |
 *  | string type | byte destinationType + string destinationName   |
 *  | byte replyToType + string replyToName                         |
 *  | int propertyCount, propertyCount x (string name, typed value) |
 *  | body: the rest of the message, layout per body type           |
 *  +---------------------------------------------------------------+
 * </pre>
 * Flags: {@link #FLAG_DUPLICATE_ID}, {@link #FLAG_GROUP_ID}, {@link #FLAG_LARGE_BODY}; other bits are 0. A destination whose type is
 * {@link DestinationType#NONE} has no name field. Typed values are described
 * by {@link TypedValueCodec}. Bodies: TEXT is a {@code string}; BYTES is raw bytes; MAP is an int count and
 * (string name, typed value) pairs; STREAM is typed values to the end; OBJECT is {@code bytes} of Java
 * serialization (-1 for a null object); MESSAGE has no body.
 */
public final class MessageDescriptor
{
    public static final int BODY_TYPE_OFFSET = 0;
    public static final int DELIVERY_MODE_OFFSET = 1;
    public static final int PRIORITY_OFFSET = 2;
    public static final int FLAGS_OFFSET = 3;
    public static final int TIMESTAMP_OFFSET = 4;
    public static final int EXPIRATION_OFFSET = 12;
    public static final int DELIVERY_TIME_OFFSET = 20;
    public static final int FIXED_HEADER_LENGTH = 28;

    public static final byte BODY_MESSAGE = 0;
    public static final byte BODY_BYTES = 1;
    public static final byte BODY_MAP = 2;
    public static final byte BODY_OBJECT = 3;
    public static final byte BODY_STREAM = 4;
    public static final byte BODY_TEXT = 5;

    /** As {@code jakarta.jms.DeliveryMode}, repeated here so the protocol does not import the API. */
    public static final byte NON_PERSISTENT = 1;
    public static final byte PERSISTENT = 2;

    public static final byte CORRELATION_NONE = 0;
    public static final byte CORRELATION_STRING = 1;
    public static final byte CORRELATION_BYTES = 2;

    /**
     * The application gave the message a duplicate id of its own, in {@link #DUPLICATE_ID_PROPERTY} (or Artemis's
     * {@link #ARTEMIS_DUPLICATE_ID_PROPERTY}): brokers detect duplicates by it instead of the message id, and read
     * the properties for it only when this flag says it is there.
     */
    public static final byte FLAG_DUPLICATE_ID = 1;
    /** The message has a {@value #GROUP_ID_PROPERTY}: the broker reads its properties to keep the group together. */
    public static final byte FLAG_GROUP_ID = 2;
    /**
     * The body is not in the message but in a file of the broker that holds it: the body section is only a
     * {@link LargeBodyDescriptor}, and clients read the bytes with LARGE_READ (see {@link FrameType}).
     */
    public static final byte FLAG_LARGE_BODY = 4;
    /** The JMS-defined property naming a message group: one consumer of a queue gets all of a group, in order. */
    public static final String GROUP_ID_PROPERTY = "JMSXGroupID";
    /** The JMS-defined property numbering a group's messages; -1 ends the group. */
    public static final String GROUP_SEQ_PROPERTY = "JMSXGroupSeq";
    public static final String DUPLICATE_ID_PROPERTY = "JMS_MeshMQ_DuplicateID";
    /** Accepted too, so that applications written for Artemis keep their duplicate detection. */
    public static final String ARTEMIS_DUPLICATE_ID_PROPERTY = "_AMQ_DUPL_ID";

    private MessageDescriptor()
    {
    }
}
