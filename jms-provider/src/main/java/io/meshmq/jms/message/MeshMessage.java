package io.meshmq.jms.message;

import io.meshmq.jms.MeshDestination;
import io.meshmq.protocol.DestinationType;
import io.meshmq.protocol.MessageDescriptor;
import io.meshmq.protocol.ProtocolException;
import io.meshmq.protocol.TypedValueCodec;
import io.meshmq.protocol.WireReader;
import io.meshmq.protocol.WireWriter;
import jakarta.jms.DeliveryMode;
import jakarta.jms.Destination;
import jakarta.jms.JMSException;
import jakarta.jms.Message;
import jakarta.jms.MessageFormatException;
import jakarta.jms.MessageNotWriteableException;
import org.agrona.concurrent.UnsafeBuffer;

import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.nio.charset.StandardCharsets;
import java.util.Collections;
import java.util.Enumeration;
import java.util.LinkedHashMap;
import java.util.Map;

/**
 * A message with headers and properties and no body; the base of the other five types. Not thread safe.
 */
public class MeshMessage implements Message
{
    /** The property the provider sets on receipt: how many times the message has been delivered. */
    public static final String JMSX_DELIVERY_COUNT = "JMSXDeliveryCount";
    /**
     * Set on a BytesMessage or StreamMessage to send: an {@code InputStream} that is its body, read to its end as the
     * message is sent (a large message: streamed to the broker, never held in memory). Not a property on the wire.
     */
    public static final String INPUT_STREAM = "JMS_MeshMQ_InputStream";
    /**
     * Set on a received BytesMessage or StreamMessage: an {@code OutputStream} the whole body is written to before the
     * call returns (a large message: streamed from the broker, never held in memory).
     */
    public static final String SAVE_STREAM = "JMS_MeshMQ_SaveStream";
    /** Apache ActiveMQ Artemis's names for the same, so applications written for it keep working. */
    public static final String ARTEMIS_INPUT_STREAM = "JMS_AMQ_InputStream";
    public static final String ARTEMIS_SAVE_STREAM = "JMS_AMQ_SaveStream";
    /** The largest body a received large message may load into memory (a Java array's limit). */
    static final long MAX_BODY_IN_MEMORY = Integer.MAX_VALUE - 16;

    private String messageId;
    private long timestamp;
    private String correlationId;
    private byte[] correlationIdBytes;
    private Destination replyTo;
    private Destination destination;
    private int deliveryMode = DeliveryMode.PERSISTENT;
    private boolean redelivered;
    private String type;
    private long expiration;
    private long deliveryTime;
    private int priority = Message.DEFAULT_PRIORITY;
    private final Map<String, Object> properties = new LinkedHashMap<>();
    private boolean propertiesReadOnly;
    private boolean bodyReadOnly;
    private transient Acknowledger acknowledger;
    /** Received as a large message (see {@link io.meshmq.protocol.LargeBodyDescriptor}): its body's length and form. */
    private long largeLength = -1;
    private byte largeForm;
    /** Where a received large body is, once attached; null otherwise. */
    private transient LargeBodySource largeBody;
    /** The received large body is not in memory: only streams read it. */
    private boolean largeBodyPending;
    /** To send: the body as a stream (BytesMessage and StreamMessage only); null otherwise. */
    private transient InputStream bodyStream;

    /**
     * What {@link #acknowledge()} calls: the receiving session in CLIENT_ACKNOWLEDGE mode.
     */
    @FunctionalInterface
    public interface Acknowledger
    {
        void acknowledge() throws JMSException;
    }

    /**
     * @return the wire body type, one of {@link MessageDescriptor}'s {@code BODY_*}.
     */
    protected byte bodyType()
    {
        return MessageDescriptor.BODY_MESSAGE;
    }

    /**
     * @return false for a plain Message, which has no body at all.
     */
    public boolean hasBody()
    {
        return bodyType() != MessageDescriptor.BODY_MESSAGE;
    }

    // ---- encoding --------------------------------------------------------------------------------------

    /**
     * @return true if the application put the message in a group: brokers then keep the group on one consumer.
     */
    private boolean hasGroupId()
    {
        return !properties.isEmpty() && properties.get(MessageDescriptor.GROUP_ID_PROPERTY) != null;
    }

    /**
     * @return true if the application set a duplicate id of its own: brokers then detect duplicates by it.
     */
    private boolean hasDuplicateId()
    {
        return !properties.isEmpty() && (properties.get(MessageDescriptor.DUPLICATE_ID_PROPERTY) != null ||
            properties.get(MessageDescriptor.ARTEMIS_DUPLICATE_ID_PROPERTY) != null);
    }

    /**
     * Appends this message in the layout of {@link MessageDescriptor}.
     *
     * @return where its body starts in the writer.
     */
    public final int encode(final WireWriter writer) throws JMSException
    {
        writer.writeByte(bodyType());
        writer.writeByte(deliveryMode == DeliveryMode.NON_PERSISTENT ?
            MessageDescriptor.NON_PERSISTENT : MessageDescriptor.PERSISTENT);
        writer.writeByte((byte)priority);
        writer.writeByte((byte)((hasDuplicateId() ? MessageDescriptor.FLAG_DUPLICATE_ID : 0) |
            (hasGroupId() ? MessageDescriptor.FLAG_GROUP_ID : 0)));
        writer.writeLong(timestamp);
        writer.writeLong(expiration);
        writer.writeLong(deliveryTime);
        writer.writeString(messageId);
        if (correlationIdBytes != null)
        {
            writer.writeByte(MessageDescriptor.CORRELATION_BYTES).writeBytes(correlationIdBytes);
        }
        else if (correlationId != null)
        {
            writer.writeByte(MessageDescriptor.CORRELATION_STRING).writeString(correlationId);
        }
        else
        {
            writer.writeByte(MessageDescriptor.CORRELATION_NONE);
        }
        writer.writeString(type);
        writeDestination(writer, destination);
        writeDestination(writer, replyTo);
        writer.writeInt(properties.size());
        for (final Map.Entry<String, Object> property : properties.entrySet())
        {
            writer.writeString(property.getKey());
            TypedValueCodec.write(writer, property.getValue());
        }
        final int bodyStart = writer.position();
        encodeBody(writer);
        return bodyStart;
    }

    /**
     * Appends the body; the base message has none.
     */
    protected void encodeBody(final WireWriter writer) throws JMSException
    {
    }

    /**
     * Reads the body from the rest of the encoded message.
     */
    protected void decodeBody(final WireReader reader)
    {
    }

    private static void writeDestination(final WireWriter writer, final Destination destination) throws JMSException
    {
        if (destination == null)
        {
            writer.writeByte(DestinationType.NONE);
            return;
        }
        final MeshDestination mesh = MeshDestination.from(destination);
        writer.writeByte(mesh.type()).writeString(mesh.name());
    }

    private static Destination readDestination(final WireReader reader)
    {
        final byte type = reader.readByte();
        if (type == DestinationType.NONE)
        {
            return null;
        }
        if (!DestinationType.isValid(type))
        {
            throw new ProtocolException("unknown destination type " + type);
        }
        return MeshDestination.of(type, reader.readRequiredString("destination name"));
    }

    /**
     * Decodes a delivered message. Its body and properties are read-only, as the specification requires of
     * a received message.
     *
     * @throws ProtocolException if the bytes are not a valid encoding.
     */
    public static MeshMessage decode(final WireReader reader, final int deliveryCount)
    {
        final byte bodyType = reader.readByte();
        final MeshMessage message;
        switch (bodyType)
        {
            case MessageDescriptor.BODY_MESSAGE: message = new MeshMessage(); break;
            case MessageDescriptor.BODY_BYTES: message = new MeshBytesMessage(); break;
            case MessageDescriptor.BODY_MAP: message = new MeshMapMessage(); break;
            case MessageDescriptor.BODY_OBJECT: message = new MeshObjectMessage(); break;
            case MessageDescriptor.BODY_STREAM: message = new MeshStreamMessage(); break;
            case MessageDescriptor.BODY_TEXT: message = new MeshTextMessage(); break;
            default: throw new ProtocolException("unknown body type " + bodyType);
        }
        message.deliveryMode = reader.readByte() == MessageDescriptor.NON_PERSISTENT ?
            DeliveryMode.NON_PERSISTENT : DeliveryMode.PERSISTENT;
        message.priority = reader.readByte();
        final byte flags = reader.readByte();
        message.timestamp = reader.readLong();
        message.expiration = reader.readLong();
        message.deliveryTime = reader.readLong();
        message.messageId = reader.readString();
        final byte correlationKind = reader.readByte();
        if (correlationKind == MessageDescriptor.CORRELATION_STRING)
        {
            message.correlationId = reader.readString();
        }
        else if (correlationKind == MessageDescriptor.CORRELATION_BYTES)
        {
            message.correlationIdBytes = reader.readBytes();
        }
        else if (correlationKind != MessageDescriptor.CORRELATION_NONE)
        {
            throw new ProtocolException("unknown correlation id kind " + correlationKind);
        }
        message.type = reader.readString();
        message.destination = readDestination(reader);
        message.replyTo = readDestination(reader);
        final int propertyCount = reader.readCount(5);
        for (int i = 0; i < propertyCount; i++)
        {
            final String name = reader.readRequiredString("property name");
            message.properties.put(name, TypedValueCodec.read(reader));
        }
        if ((flags & MessageDescriptor.FLAG_LARGE_BODY) != 0)
        {
            reader.readLong();
            message.largeLength = reader.readLong();
            message.largeForm = reader.readByte();
            message.largeBodyPending = true;
        }
        else
        {
            message.decodeBody(reader);
        }
        if (deliveryCount > 0)
        {
            message.properties.put(JMSX_DELIVERY_COUNT, deliveryCount);
            message.redelivered = deliveryCount > 1;
        }
        message.propertiesReadOnly = true;
        message.bodyReadOnly = true;
        message.onReceived();
        return message;
    }

    /**
     * @return a message of the same type, body, headers and properties that can be changed and sent again (as a
     *         bridge forwards what it received), without the delivery count it was received with; the body is
     *         copied as its bytes, so an object message's class need not be on this class path.
     */
    public MeshMessage writableCopy() throws JMSException
    {
        final WireWriter writer = new WireWriter();
        encode(writer);
        final byte[] bytes = writer.toByteArray();
        final MeshMessage copy = decode(new WireReader().wrap(new UnsafeBuffer(bytes), 0, bytes.length), 0);
        copy.properties.remove(JMSX_DELIVERY_COUNT);
        copy.propertiesReadOnly = false;
        copy.bodyReadOnly = false;
        copy.redelivered = false;
        if (largeBodyPending)
        {
            // Its body was not encoded: the copy's is read from where this one was received as the copy is sent.
            copy.bodyStream = largeBody().open();
        }
        return copy;
    }

    // ---- large messages ---------------------------------------------------------------------------------

    /**
     * @return true if it was received as a large message: its body is read from the broker.
     */
    public boolean hasLargeBody()
    {
        return largeLength >= 0;
    }

    /**
     * @return bytes of a received large body; -1 for another message.
     */
    protected final long largeBodyLength()
    {
        return largeLength;
    }

    protected final boolean isLargeBodyPending()
    {
        return largeBodyPending;
    }

    protected final LargeBodySource largeBody() throws JMSException
    {
        if (largeBody == null)
        {
            throw new jakarta.jms.IllegalStateException("this large message's body cannot be read: it was not " +
                "received from a broker");
        }
        return largeBody;
    }

    /**
     * Gives a received large message its body's source. A body kept in memory by its type (every type but bytes, and a
     * stream of typed values) is read now, whole, and the source released; a bytes body is streamed as it is read.
     *
     * @throws JMSException if the body cannot be read.
     */
    public void attachLargeBody(final LargeBodySource source) throws JMSException
    {
        largeBody = source;
        if (streamsLargeBody())
        {
            onReceived();
            return;
        }
        if (largeLength > MAX_BODY_IN_MEMORY)
        {
            // Only SAVE_STREAM reads it (a stream message's raw body); reading it otherwise says so.
            return;
        }
        final byte[] bytes = readLargeBody();
        if (largeForm == io.meshmq.protocol.LargeBodyDescriptor.FORM_RAW)
        {
            decodeRawBody(bytes);
        }
        else
        {
            decodeBody(new WireReader().wrap(new UnsafeBuffer(bytes), 0, bytes.length));
        }
        largeBodyPending = false;
        onReceived();
        source.release();
    }

    /**
     * @return true for a type that reads a large body as a stream, from the broker, as the application reads it.
     */
    protected boolean streamsLargeBody()
    {
        return false;
    }

    /**
     * Takes a body given as a raw stream (a stream message's) once read whole.
     */
    protected void decodeRawBody(final byte[] bytes)
    {
        decodeBody(new WireReader().wrap(new UnsafeBuffer(bytes), 0, bytes.length));
    }

    /**
     * @return the whole received large body, read from the broker.
     */
    protected final byte[] readLargeBody() throws JMSException
    {
        if (largeLength > MAX_BODY_IN_MEMORY)
        {
            throw new MessageFormatException("this message's body is " + largeLength + " bytes, more than memory " +
                "holds in one array: read it with the property " + SAVE_STREAM);
        }
        try (InputStream in = largeBody().open())
        {
            final byte[] bytes = in.readNBytes((int)largeLength);
            if (bytes.length != largeLength)
            {
                throw new JMSException("the broker sent " + bytes.length + " bytes of a " + largeLength +
                    "-byte large message body");
            }
            return bytes;
        }
        catch (final IOException ex)
        {
            throw JmsStreams.failure("cannot read this large message's body from the broker", ex);
        }
    }

    /**
     * Throws unless the body is in memory (a received large body too big for it is read only with SAVE_STREAM).
     */
    protected final void checkBodyInMemory() throws MessageFormatException
    {
        if (largeBodyPending && !streamsLargeBody())
        {
            throw new MessageFormatException("this message's body is " + largeLength + " bytes, more than memory " +
                "holds in one array: read it with the property " + SAVE_STREAM);
        }
    }

    /**
     * @return the body to send as a stream, or null.
     */
    public InputStream bodyStream() throws JMSException
    {
        if (bodyStream == null && largeBodyPending)
        {
            // A received large body sent on: read from where it was received as it is sent.
            return largeBody().open();
        }
        return bodyStream;
    }

    /**
     * @return an upper bound on the bytes the body takes encoded, cheap to know; {@link Long#MAX_VALUE} when only
     * encoding it tells. Whether a message goes as a large one is decided by it before anything is encoded.
     */
    public long bodyLengthAtMost()
    {
        return 0;
    }

    /**
     * Writes the whole body to {@code out} (SAVE_STREAM).
     */
    protected void saveBody(final OutputStream out) throws JMSException
    {
        throw new MessageFormatException(SAVE_STREAM + " reads the body of a received BytesMessage or StreamMessage, " +
            "not of a " + getClass().getSimpleName());
    }

    /**
     * Streams a received large body to {@code out}; for a raw stream's or a bytes body.
     */
    protected final void saveLargeBody(final OutputStream out) throws JMSException
    {
        try (InputStream in = largeBody().open())
        {
            in.transferTo(out);
            out.flush();
        }
        catch (final IOException ex)
        {
            throw JmsStreams.failure("cannot save this large message's body", ex);
        }
    }

    protected final boolean isRawLargeBody()
    {
        return hasLargeBody() && largeForm == io.meshmq.protocol.LargeBodyDescriptor.FORM_RAW;
    }

    private void setStreamProperty(final String name, final Object value) throws JMSException
    {
        if (name.equals(SAVE_STREAM) || name.equals(ARTEMIS_SAVE_STREAM))
        {
            if (!(value instanceof OutputStream out))
            {
                throw new MessageFormatException(name + " takes an OutputStream, not " +
                    (value == null ? "null" : value.getClass().getName()));
            }
            saveBody(out);
            return;
        }
        if (!(value instanceof InputStream in))
        {
            throw new MessageFormatException(name + " takes an InputStream, not " +
                (value == null ? "null" : value.getClass().getName()));
        }
        if (bodyType() != MessageDescriptor.BODY_BYTES && bodyType() != MessageDescriptor.BODY_STREAM)
        {
            throw new MessageFormatException(name + " gives the body of a BytesMessage or StreamMessage, not of a " +
                getClass().getSimpleName());
        }
        checkWritable();
        if (bodyLengthAtMost() > 0)
        {
            throw new MessageFormatException(name + ": this message's body was written already; give its body " +
                "either with write methods or as a stream");
        }
        bodyStream = in;
    }

    /**
     * The body given as a stream is dropped with the rest of the body.
     */
    protected final void dropBodyStream()
    {
        bodyStream = null;
        largeBodyPending = false;
        largeLength = -1;
        final LargeBodySource source = largeBody;
        largeBody = null;
        if (source != null)
        {
            source.release();
        }
    }

    /**
     * Called after decoding: types with a read/write mode switch to reading.
     */
    protected void onReceived()
    {
    }

    public void acknowledger(final Acknowledger acknowledger)
    {
        this.acknowledger = acknowledger;
    }

    // ---- headers ---------------------------------------------------------------------------------------

    @Override
    public String getJMSMessageID()
    {
        return messageId;
    }

    @Override
    public void setJMSMessageID(final String id)
    {
        this.messageId = id;
    }

    @Override
    public long getJMSTimestamp()
    {
        return timestamp;
    }

    @Override
    public void setJMSTimestamp(final long timestamp)
    {
        this.timestamp = timestamp;
    }

    @Override
    public byte[] getJMSCorrelationIDAsBytes()
    {
        if (correlationIdBytes != null)
        {
            return correlationIdBytes.clone();
        }
        return correlationId == null ? null : correlationId.getBytes(StandardCharsets.UTF_8);
    }

    @Override
    public void setJMSCorrelationIDAsBytes(final byte[] correlationID)
    {
        this.correlationIdBytes = correlationID == null ? null : correlationID.clone();
        this.correlationId = null;
    }

    @Override
    public void setJMSCorrelationID(final String correlationID)
    {
        this.correlationId = correlationID;
        this.correlationIdBytes = null;
    }

    @Override
    public String getJMSCorrelationID()
    {
        if (correlationIdBytes != null)
        {
            return new String(correlationIdBytes, StandardCharsets.UTF_8);
        }
        return correlationId;
    }

    @Override
    public Destination getJMSReplyTo()
    {
        return replyTo;
    }

    @Override
    public void setJMSReplyTo(final Destination replyTo)
    {
        this.replyTo = replyTo;
    }

    @Override
    public Destination getJMSDestination()
    {
        return destination;
    }

    @Override
    public void setJMSDestination(final Destination destination)
    {
        this.destination = destination;
    }

    @Override
    public int getJMSDeliveryMode()
    {
        return deliveryMode;
    }

    @Override
    public void setJMSDeliveryMode(final int deliveryMode)
    {
        this.deliveryMode = deliveryMode;
    }

    @Override
    public boolean getJMSRedelivered()
    {
        return redelivered;
    }

    @Override
    public void setJMSRedelivered(final boolean redelivered)
    {
        this.redelivered = redelivered;
    }

    @Override
    public String getJMSType()
    {
        return type;
    }

    @Override
    public void setJMSType(final String type)
    {
        this.type = type;
    }

    @Override
    public long getJMSExpiration()
    {
        return expiration;
    }

    @Override
    public void setJMSExpiration(final long expiration)
    {
        this.expiration = expiration;
    }

    @Override
    public long getJMSDeliveryTime()
    {
        return deliveryTime;
    }

    @Override
    public void setJMSDeliveryTime(final long deliveryTime)
    {
        this.deliveryTime = deliveryTime;
    }

    @Override
    public int getJMSPriority()
    {
        return priority;
    }

    @Override
    public void setJMSPriority(final int priority)
    {
        this.priority = priority;
    }

    // ---- properties ------------------------------------------------------------------------------------

    @Override
    public void clearProperties()
    {
        properties.clear();
        propertiesReadOnly = false;
    }

    @Override
    public boolean propertyExists(final String name)
    {
        return properties.containsKey(name);
    }

    @Override
    public boolean getBooleanProperty(final String name) throws JMSException
    {
        return TypeConversions.toBoolean(properties.get(name));
    }

    @Override
    public byte getByteProperty(final String name) throws JMSException
    {
        return TypeConversions.toByte(properties.get(name));
    }

    @Override
    public short getShortProperty(final String name) throws JMSException
    {
        return TypeConversions.toShort(properties.get(name));
    }

    @Override
    public int getIntProperty(final String name) throws JMSException
    {
        return TypeConversions.toInt(properties.get(name));
    }

    @Override
    public long getLongProperty(final String name) throws JMSException
    {
        return TypeConversions.toLong(properties.get(name));
    }

    @Override
    public float getFloatProperty(final String name) throws JMSException
    {
        return TypeConversions.toFloat(properties.get(name));
    }

    @Override
    public double getDoubleProperty(final String name) throws JMSException
    {
        return TypeConversions.toDouble(properties.get(name));
    }

    @Override
    public String getStringProperty(final String name) throws JMSException
    {
        return TypeConversions.toStringValue(properties.get(name));
    }

    @Override
    public Object getObjectProperty(final String name)
    {
        return properties.get(name);
    }

    @Override
    public Enumeration<String> getPropertyNames()
    {
        return Collections.enumeration(properties.keySet().stream().toList());
    }

    @Override
    public void setBooleanProperty(final String name, final boolean value) throws JMSException
    {
        putProperty(name, value);
    }

    @Override
    public void setByteProperty(final String name, final byte value) throws JMSException
    {
        putProperty(name, value);
    }

    @Override
    public void setShortProperty(final String name, final short value) throws JMSException
    {
        putProperty(name, value);
    }

    @Override
    public void setIntProperty(final String name, final int value) throws JMSException
    {
        putProperty(name, value);
    }

    @Override
    public void setLongProperty(final String name, final long value) throws JMSException
    {
        putProperty(name, value);
    }

    @Override
    public void setFloatProperty(final String name, final float value) throws JMSException
    {
        putProperty(name, value);
    }

    @Override
    public void setDoubleProperty(final String name, final double value) throws JMSException
    {
        putProperty(name, value);
    }

    @Override
    public void setStringProperty(final String name, final String value) throws JMSException
    {
        putProperty(name, value);
    }

    @Override
    public void setObjectProperty(final String name, final Object value) throws JMSException
    {
        if (INPUT_STREAM.equals(name) || SAVE_STREAM.equals(name) || ARTEMIS_INPUT_STREAM.equals(name) ||
            ARTEMIS_SAVE_STREAM.equals(name))
        {
            setStreamProperty(name, value);
            return;
        }
        if (value != null && !TypeConversions.isPropertyValueType(value))
        {
            throw new MessageFormatException("a property cannot hold a " + value.getClass().getName() +
                "; allowed: Boolean, Byte, Short, Integer, Long, Float, Double, String");
        }
        putProperty(name, value);
    }

    private void putProperty(final String name, final Object value) throws JMSException
    {
        checkPropertyName(name);
        if (propertiesReadOnly)
        {
            throw new MessageNotWriteableException(
                "properties of a received message are read-only; call clearProperties() first");
        }
        properties.put(name, value);
    }

    /**
     * Only null and empty names are refused, as the setters' javadoc says: portable applications and test suites use
     * names a selector cannot refer to (selector words such as {@code in} or {@code like}, names that are not
     * identifiers), and other providers accept them.
     */
    private static void checkPropertyName(final String name)
    {
        if (name == null || name.isEmpty())
        {
            throw new IllegalArgumentException("property name must not be null or empty");
        }
    }

    // ---- acknowledgement and body ----------------------------------------------------------------------

    @Override
    public void acknowledge() throws JMSException
    {
        final Acknowledger a = acknowledger;
        if (a != null)
        {
            a.acknowledge();
        }
    }

    @Override
    public void clearBody() throws JMSException
    {
        bodyReadOnly = false;
        dropBodyStream();
    }

    protected final void checkWritable() throws MessageNotWriteableException
    {
        if (bodyReadOnly)
        {
            throw new MessageNotWriteableException("body of a received message is read-only; call clearBody() first");
        }
    }

    protected final boolean isBodyReadOnly()
    {
        return bodyReadOnly;
    }

    @Override
    public <T> T getBody(final Class<T> c) throws JMSException
    {
        return null;
    }

    @Override
    public boolean isBodyAssignableTo(@SuppressWarnings("rawtypes") final Class c) throws JMSException
    {
        return true;
    }

    /**
     * Common check for {@code getBody}: the body, or a MessageFormatException if it is not assignable.
     */
    protected static <T> T castBody(final Object body, final Class<T> c, final String typeName) throws JMSException
    {
        if (body == null)
        {
            return null;
        }
        if (!c.isInstance(body))
        {
            throw new MessageFormatException("the body of this " + typeName + " cannot be read as " + c.getName());
        }
        return c.cast(body);
    }

    @Override
    public String toString()
    {
        return getClass().getSimpleName() + "[" + messageId + ", destination=" + destination + "]";
    }
}
