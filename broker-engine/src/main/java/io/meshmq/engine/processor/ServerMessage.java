package io.meshmq.engine.processor;

import io.meshmq.engine.journal.JournalEntry;
import io.meshmq.protocol.LargeBodyDescriptor;
import io.meshmq.protocol.MessageDescriptor;
import io.meshmq.protocol.MessageFields;
import io.meshmq.protocol.MessageHeaderFlyweight;
import io.meshmq.protocol.ProtocolException;
import io.meshmq.selector.Selector;
import io.meshmq.selector.SelectorContext;

/**
 * A message as the broker keeps it: the encoded bytes exactly as the producer sent them, plus the few header
 * fields the broker acts on. Shared by every queue the message was routed to. The variable header fields are
 * decoded only if a selector needs them, and then once.
 * <p>
 * Not thread safe: owned by the processor thread.
 */
public final class ServerMessage extends JournalEntry implements SelectorContext
{
    private final byte[] encoded;
    private final int priority;
    private final long timestamp;
    private final long expiration;
    private final long deliveryTime;
    private final boolean persistent;
    private final long originConnectionId;
    private final boolean grouped;
    /** The file its body is in (see {@link LargeBodies}), 0 for a body in {@link #encoded}. */
    private final long largeBodyId;
    private MessageFields fields;
    /** Its references in durable queues, for the journal; null if it has none (or is not persistent). */
    MessageReference[] durableReferences;
    /** How many of those are not gone yet: at 0 its journal record is dead. */
    int liveDurableReferences;
    /** In how many queues it waits now, for {@link MemoryUsage}. */
    int waitingIn;

    public ServerMessage(final byte[] encoded, final MessageHeaderFlyweight header, final long originConnectionId)
    {
        this.encoded = encoded;
        this.priority = header.priority();
        this.timestamp = header.timestamp();
        this.expiration = header.expiration();
        this.deliveryTime = header.deliveryTime();
        this.persistent = header.isPersistent();
        this.originConnectionId = originConnectionId;
        this.grouped = header.hasGroupId();
        this.largeBodyId = header.hasLargeBody() ? LargeBodyDescriptor.bodyId(encoded) : 0;
    }

    public long largeBodyId()
    {
        return largeBodyId;
    }

    public byte[] encoded()
    {
        return encoded;
    }

    public int priority()
    {
        return priority;
    }

    public long expiration()
    {
        return expiration;
    }

    public long timestamp()
    {
        return timestamp;
    }

    public boolean isExpired(final long nowMs)
    {
        return expiration != 0 && expiration <= nowMs;
    }

    /**
     * @return when the message may first be delivered (ms since the epoch), 0 for at once.
     */
    public long deliveryTime()
    {
        return deliveryTime;
    }

    public boolean isPersistent()
    {
        return persistent;
    }

    public long originConnectionId()
    {
        return originConnectionId;
    }

    /**
     * @return the message group it belongs to (JMSXGroupID), or null; its properties are read only for a message
     *         flagged as grouped.
     */
    public String groupId()
    {
        if (!grouped)
        {
            return null;
        }
        try
        {
            final Object group = fields().property(MessageDescriptor.GROUP_ID_PROPERTY);
            return group == null ? null : group.toString();
        }
        catch (final ProtocolException ex)
        {
            return null;
        }
    }

    /**
     * @return true if it ends its group (JMSXGroupSeq -1): the group's next message may go to another consumer.
     */
    public boolean endsGroup()
    {
        final Object sequence = fields().property(MessageDescriptor.GROUP_SEQ_PROPERTY);
        return sequence instanceof Number number && number.intValue() == -1;
    }

    /**
     * @return the decoded variable header; decoded on first use.
     * @throws ProtocolException if the encoding is broken (the broker validated the fixed header only).
     */
    public MessageFields fields()
    {
        if (fields == null)
        {
            fields = MessageFields.decode(encoded);
        }
        return fields;
    }

    /**
     * @return true if the selector accepts this message; a message whose header cannot be decoded matches
     * no selector.
     */
    public boolean matches(final Selector selector)
    {
        try
        {
            return selector.matches(this);
        }
        catch (final ProtocolException ex)
        {
            return false;
        }
    }

    @Override
    public Object lookup(final String identifier)
    {
        switch (identifier)
        {
            case "JMSDeliveryMode": return persistent ? "PERSISTENT" : "NON_PERSISTENT";
            case "JMSPriority": return priority;
            case "JMSTimestamp": return timestamp;
            case "JMSMessageID": return fields().messageId();
            case "JMSCorrelationID": return fields().correlationId();
            case "JMSType": return fields().type();
            default: return fields().property(identifier);
        }
    }

    @Override
    public String toString()
    {
        return "ServerMessage[" + encoded.length + " bytes, priority " + priority +
            (persistent ? ", persistent" : "") + (deliveryTime != 0 ? ", deliver at " + deliveryTime : "") + "]";
    }
}
