package io.meshmq.protocol;

import org.agrona.concurrent.UnsafeBuffer;

import java.util.HashMap;
import java.util.Map;

/**
 * The variable header fields of an encoded message (see {@link MessageDescriptor}) decoded once: what the
 * broker needs to evaluate selectors and to re-address a message (dead letters, expiry), without decoding
 * the body. Immutable after {@link #decode}.
 */
public final class MessageFields
{
    private final String messageId;
    private final String correlationId;
    private final String type;
    private final Map<String, Object> properties;
    private final int propertiesOffset;
    private final int bodyOffset;

    private MessageFields(
        final String messageId, final String correlationId, final String type, final Map<String, Object> properties,
        final int propertiesOffset, final int bodyOffset)
    {
        this.messageId = messageId;
        this.correlationId = correlationId;
        this.type = type;
        this.properties = properties;
        this.propertiesOffset = propertiesOffset;
        this.bodyOffset = bodyOffset;
    }

    /**
     * @throws ProtocolException if the bytes are not a valid encoding.
     */
    public static MessageFields decode(final byte[] encoded)
    {
        final WireReader reader = new WireReader().wrap(new UnsafeBuffer(encoded), 0, encoded.length);
        reader.skip(MessageDescriptor.FIXED_HEADER_LENGTH);
        final String messageId = reader.readString();
        final String correlationId = readCorrelationId(reader);
        final String type = reader.readString();
        skipDestination(reader);
        skipDestination(reader);
        final int propertiesOffset = reader.position();
        final int count = reader.readCount(5);
        final Map<String, Object> properties = new HashMap<>(Math.max(4, count * 2));
        for (int i = 0; i < count; i++)
        {
            final String name = reader.readRequiredString("property name");
            properties.put(name, TypedValueCodec.read(reader));
        }
        return new MessageFields(messageId, correlationId, type, properties, propertiesOffset, reader.position());
    }

    /**
     * Encodes a message of no body (a {@code jakarta.jms.Message}) that only the broker makes: one carrying what
     * brokers tell each other in the stream of messages they forward.
     *
     * @param properties values as {@link TypedValueCodec} accepts.
     */
    public static byte[] encodeBodyless(final String messageId, final boolean persistent, final long timestamp,
        final byte destinationType, final String destinationName, final Map<String, Object> properties)
    {
        final WireWriter writer = new WireWriter(MessageDescriptor.FIXED_HEADER_LENGTH + 256);
        writer.writeByte(MessageDescriptor.BODY_MESSAGE)
            .writeByte(persistent ? MessageDescriptor.PERSISTENT : MessageDescriptor.NON_PERSISTENT)
            .writeByte((byte)4)
            .writeByte((byte)0)
            .writeLong(timestamp)
            .writeLong(0)
            .writeLong(0)
            .writeString(messageId)
            .writeByte(MessageDescriptor.CORRELATION_NONE)
            .writeString(null)
            .writeByte(destinationType);
        if (destinationType != DestinationType.NONE)
        {
            writer.writeString(destinationName);
        }
        writer.writeByte(DestinationType.NONE).writeInt(properties.size());
        for (final Map.Entry<String, Object> property : properties.entrySet())
        {
            writer.writeString(property.getKey());
            TypedValueCodec.write(writer, property.getValue());
        }
        return writer.toByteArray();
    }

    /**
     * Where a message was sent, and what duplicate detection knows it by: the duplicate id the application gave it,
     * else the id its producer gave it, else null.
     *
     * @param destinationName null when the destination type is {@link DestinationType#NONE}.
     */
    public record Address(String duplicateId, byte destinationType, String destinationName)
    {
    }

    /**
     * Reads only as far as the destination, without the properties.
     *
     * @throws ProtocolException if the bytes are not a valid encoding.
     */
    public static Address addressOf(final byte[] encoded)
    {
        final WireReader reader = new WireReader().wrap(new UnsafeBuffer(encoded), 0, encoded.length);
        reader.skip(MessageDescriptor.FIXED_HEADER_LENGTH);
        final String messageId = reader.readString();
        readCorrelationId(reader);
        reader.readString();
        final byte destinationType = reader.readByte();
        final String destinationName =
            destinationType == DestinationType.NONE ? null : reader.readRequiredString("destination name");
        final boolean ownId =
            (encoded[MessageDescriptor.FLAGS_OFFSET] & MessageDescriptor.FLAG_DUPLICATE_ID) != 0;
        return new Address(ownId ? applicationDuplicateId(reader) : messageId, destinationType, destinationName);
    }

    /**
     * @param header wrapped around {@code encoded}.
     * @return what duplicate detection knows the message by (see {@link Address#duplicateId()}); the properties are
     * read only if the application set an id of its own.
     */
    public static String duplicateIdOf(final MessageHeaderFlyweight header, final byte[] encoded)
    {
        return header.hasDuplicateId() ? addressOf(encoded).duplicateId() : header.messageId();
    }

    /**
     * @param reader positioned after the destination.
     * @return the duplicate id the application set, bytes as hexadecimal.
     * @throws ProtocolException if the flag says there is one and there is none.
     */
    private static String applicationDuplicateId(final WireReader reader)
    {
        skipDestination(reader);
        final int count = reader.readCount(5);
        for (int i = 0; i < count; i++)
        {
            final String name = reader.readRequiredString("property name");
            final Object value = TypedValueCodec.read(reader);
            if (MessageDescriptor.DUPLICATE_ID_PROPERTY.equals(name) ||
                MessageDescriptor.ARTEMIS_DUPLICATE_ID_PROPERTY.equals(name))
            {
                if (value instanceof byte[] bytes)
                {
                    return org.agrona.BitUtil.toHex(bytes);
                }
                if (value != null)
                {
                    return value.toString();
                }
            }
        }
        throw new ProtocolException("message is flagged as having a duplicate id but has no " +
            MessageDescriptor.DUPLICATE_ID_PROPERTY + " property");
    }

    /**
     * @return the correlation id if it is a string, else null (bytes are read past).
     */
    private static String readCorrelationId(final WireReader reader)
    {
        final byte correlationKind = reader.readByte();
        switch (correlationKind)
        {
            case MessageDescriptor.CORRELATION_NONE: return null;
            case MessageDescriptor.CORRELATION_STRING: return reader.readString();
            case MessageDescriptor.CORRELATION_BYTES: reader.readBytes(); return null;
            default: throw new ProtocolException("unknown correlation id kind " + correlationKind);
        }
    }

    private static void skipDestination(final WireReader reader)
    {
        if (reader.readByte() != DestinationType.NONE)
        {
            reader.readRequiredString("destination name");
        }
    }

    public String messageId()
    {
        return messageId;
    }

    /**
     * @return the correlation id if it was set as a string, else null.
     */
    public String correlationId()
    {
        return correlationId;
    }

    public String type()
    {
        return type;
    }

    /**
     * @return the application's properties, by name; not to be changed.
     */
    public Map<String, Object> properties()
    {
        return java.util.Collections.unmodifiableMap(properties);
    }

    /**
     * @return where the body begins in the encoded message.
     */
    public int bodyOffset()
    {
        return bodyOffset;
    }

    public Object property(final String name)
    {
        return properties.get(name);
    }

    /**
     * Re-encodes a message with more properties (replacing any of the same name) and a new expiration; used
     * when the broker moves a message to a dead-letter or expiry address.
     *
     * @param encoded    the message these fields were decoded from.
     * @param extra      properties to add: values as {@link TypedValueCodec} accepts.
     * @param expiration the new expiration, 0 for never.
     */
    public byte[] rewrite(final byte[] encoded, final Map<String, Object> extra, final long expiration)
    {
        return rewrite(encoded, extra, java.util.Set.of(), expiration, encoded[MessageDescriptor.PRIORITY_OFFSET]);
    }

    /**
     * Re-encodes a message with properties added and removed, a new expiration and a new priority; the
     * cluster uses it to carry routing with a forwarded message and to take it off again.
     *
     * @param removed  names of properties to leave out.
     * @param priority the priority in the fixed header.
     */
    public byte[] rewrite(final byte[] encoded, final Map<String, Object> extra, final java.util.Set<String> removed,
        final long expiration, final int priority)
    {
        final WireWriter writer = new WireWriter(encoded.length + 128);
        writer.writeRaw(encoded, 0, propertiesOffset);
        writer.buffer().putLong(MessageDescriptor.EXPIRATION_OFFSET, expiration, FrameDescriptor.BYTE_ORDER);
        writer.buffer().putByte(MessageDescriptor.PRIORITY_OFFSET, (byte)priority);
        final Map<String, Object> merged = new HashMap<>(properties);
        merged.keySet().removeAll(removed);
        merged.putAll(extra);
        writer.writeInt(merged.size());
        for (final Map.Entry<String, Object> property : merged.entrySet())
        {
            writer.writeString(property.getKey());
            TypedValueCodec.write(writer, property.getValue());
        }
        writer.writeRaw(encoded, bodyOffset, encoded.length - bodyOffset);
        return writer.toByteArray();
    }
}
