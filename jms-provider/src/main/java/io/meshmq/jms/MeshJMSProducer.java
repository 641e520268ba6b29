package io.meshmq.jms;

import io.meshmq.jms.message.MeshBytesMessage;
import io.meshmq.jms.message.MeshMapMessage;
import io.meshmq.jms.message.MeshMessage;
import io.meshmq.jms.message.MeshObjectMessage;
import io.meshmq.jms.message.MeshTextMessage;
import jakarta.jms.CompletionListener;
import jakarta.jms.DeliveryMode;
import jakarta.jms.Destination;
import jakarta.jms.JMSException;
import jakarta.jms.JMSProducer;
import jakarta.jms.JMSRuntimeException;
import jakarta.jms.Message;
import jakarta.jms.MessageFormatRuntimeException;

import java.io.Serializable;
import java.util.Collections;
import java.util.Map;
import java.util.Set;

/**
 * The simplified API's producer: options and properties set fluently, applied to each message sent.
 */
final class MeshJMSProducer implements JMSProducer
{
    private final MeshMessageProducer producer;
    private final MeshMessage properties = new MeshMessage();
    private int deliveryMode = DeliveryMode.PERSISTENT;
    private int priority = Message.DEFAULT_PRIORITY;
    private long timeToLive = Message.DEFAULT_TIME_TO_LIVE;
    private long deliveryDelay;
    private boolean disableMessageId;
    private boolean disableTimestamp;
    private String correlationId;
    private byte[] correlationIdBytes;
    private String type;
    private Destination replyTo;
    private CompletionListener completionListener;

    MeshJMSProducer(final MeshMessageProducer producer)
    {
        this.producer = producer;
    }

    @Override
    public JMSProducer send(final Destination destination, final Message message)
    {
        if (message == null)
        {
            throw new MessageFormatRuntimeException("message is null");
        }
        MeshJMSContext.run(() ->
        {
            applyTo(message);
            if (destination == null)
            {
                throw new jakarta.jms.InvalidDestinationException("destination is null");
            }
            producer.setDisableMessageID(disableMessageId);
            producer.setDisableMessageTimestamp(disableTimestamp);
            producer.setDeliveryDelay(deliveryDelay);
            producer.doSend(destination, message, deliveryMode, priority, timeToLive, completionListener);
        });
        return this;
    }

    private void applyTo(final Message message) throws JMSException
    {
        final var names = properties.getPropertyNames();
        while (names.hasMoreElements())
        {
            final String name = names.nextElement();
            message.setObjectProperty(name, properties.getObjectProperty(name));
        }
        if (correlationIdBytes != null)
        {
            message.setJMSCorrelationIDAsBytes(correlationIdBytes);
        }
        else if (correlationId != null)
        {
            message.setJMSCorrelationID(correlationId);
        }
        if (type != null)
        {
            message.setJMSType(type);
        }
        if (replyTo != null)
        {
            message.setJMSReplyTo(replyTo);
        }
    }

    @Override
    public JMSProducer send(final Destination destination, final String body)
    {
        return send(destination, new MeshTextMessage(body));
    }

    @Override
    public JMSProducer send(final Destination destination, final Map<String, Object> body)
    {
        final MeshMapMessage message = new MeshMapMessage();
        if (body != null)
        {
            MeshJMSContext.run(() ->
            {
                for (final Map.Entry<String, Object> e : body.entrySet())
                {
                    message.setObject(e.getKey(), e.getValue());
                }
            });
        }
        return send(destination, message);
    }

    @Override
    public JMSProducer send(final Destination destination, final byte[] body)
    {
        final MeshBytesMessage message = new MeshBytesMessage();
        if (body != null)
        {
            MeshJMSContext.run(() -> message.writeBytes(body));
        }
        return send(destination, message);
    }

    @Override
    public JMSProducer send(final Destination destination, final Serializable body)
    {
        return send(destination, MeshJMSContext.call(() -> new MeshObjectMessage(body)));
    }

    // ---- options ----------------------------------------------------------------------------------------

    @Override
    public JMSProducer setDisableMessageID(final boolean value)
    {
        disableMessageId = value;
        return this;
    }

    @Override
    public boolean getDisableMessageID()
    {
        return disableMessageId;
    }

    @Override
    public JMSProducer setDisableMessageTimestamp(final boolean value)
    {
        disableTimestamp = value;
        return this;
    }

    @Override
    public boolean getDisableMessageTimestamp()
    {
        return disableTimestamp;
    }

    @Override
    public JMSProducer setDeliveryMode(final int deliveryMode)
    {
        if (deliveryMode != DeliveryMode.PERSISTENT && deliveryMode != DeliveryMode.NON_PERSISTENT)
        {
            throw new JMSRuntimeException("delivery mode " + deliveryMode + " is neither PERSISTENT (2) nor NON_PERSISTENT (1)");
        }
        this.deliveryMode = deliveryMode;
        return this;
    }

    @Override
    public int getDeliveryMode()
    {
        return deliveryMode;
    }

    @Override
    public JMSProducer setPriority(final int priority)
    {
        if (priority < 0 || priority > 9)
        {
            throw new JMSRuntimeException("priority " + priority + " is outside 0-9");
        }
        this.priority = priority;
        return this;
    }

    @Override
    public int getPriority()
    {
        return priority;
    }

    @Override
    public JMSProducer setTimeToLive(final long timeToLive)
    {
        this.timeToLive = timeToLive;
        return this;
    }

    @Override
    public long getTimeToLive()
    {
        return timeToLive;
    }

    @Override
    public JMSProducer setDeliveryDelay(final long deliveryDelay)
    {
        MeshJMSContext.run(() -> producer.setDeliveryDelay(deliveryDelay));
        this.deliveryDelay = deliveryDelay;
        return this;
    }

    @Override
    public long getDeliveryDelay()
    {
        return deliveryDelay;
    }

    @Override
    public JMSProducer setAsync(final CompletionListener completionListener)
    {
        this.completionListener = completionListener;
        return this;
    }

    @Override
    public CompletionListener getAsync()
    {
        return completionListener;
    }

    // ---- properties -------------------------------------------------------------------------------------

    private JMSProducer property(final String name, final Object value)
    {
        MeshJMSContext.run(() -> properties.setObjectProperty(name, value));
        return this;
    }

    @Override
    public JMSProducer setProperty(final String name, final boolean value)
    {
        return property(name, value);
    }

    @Override
    public JMSProducer setProperty(final String name, final byte value)
    {
        return property(name, value);
    }

    @Override
    public JMSProducer setProperty(final String name, final short value)
    {
        return property(name, value);
    }

    @Override
    public JMSProducer setProperty(final String name, final int value)
    {
        return property(name, value);
    }

    @Override
    public JMSProducer setProperty(final String name, final long value)
    {
        return property(name, value);
    }

    @Override
    public JMSProducer setProperty(final String name, final float value)
    {
        return property(name, value);
    }

    @Override
    public JMSProducer setProperty(final String name, final double value)
    {
        return property(name, value);
    }

    @Override
    public JMSProducer setProperty(final String name, final String value)
    {
        return property(name, value);
    }

    @Override
    public JMSProducer setProperty(final String name, final Object value)
    {
        return property(name, value);
    }

    @Override
    public JMSProducer clearProperties()
    {
        properties.clearProperties();
        return this;
    }

    @Override
    public boolean propertyExists(final String name)
    {
        return properties.propertyExists(name);
    }

    @Override
    public boolean getBooleanProperty(final String name)
    {
        return MeshJMSContext.call(() -> properties.getBooleanProperty(name));
    }

    @Override
    public byte getByteProperty(final String name)
    {
        return MeshJMSContext.call(() -> properties.getByteProperty(name));
    }

    @Override
    public short getShortProperty(final String name)
    {
        return MeshJMSContext.call(() -> properties.getShortProperty(name));
    }

    @Override
    public int getIntProperty(final String name)
    {
        return MeshJMSContext.call(() -> properties.getIntProperty(name));
    }

    @Override
    public long getLongProperty(final String name)
    {
        return MeshJMSContext.call(() -> properties.getLongProperty(name));
    }

    @Override
    public float getFloatProperty(final String name)
    {
        return MeshJMSContext.call(() -> properties.getFloatProperty(name));
    }

    @Override
    public double getDoubleProperty(final String name)
    {
        return MeshJMSContext.call(() -> properties.getDoubleProperty(name));
    }

    @Override
    public String getStringProperty(final String name)
    {
        return MeshJMSContext.call(() -> properties.getStringProperty(name));
    }

    @Override
    public Object getObjectProperty(final String name)
    {
        return properties.getObjectProperty(name);
    }

    @Override
    public Set<String> getPropertyNames()
    {
        final Set<String> names = new java.util.LinkedHashSet<>();
        final var e = properties.getPropertyNames();
        while (e.hasMoreElements())
        {
            names.add(e.nextElement());
        }
        return Collections.unmodifiableSet(names);
    }

    // ---- headers ----------------------------------------------------------------------------------------

    @Override
    public JMSProducer setJMSCorrelationIDAsBytes(final byte[] correlationID)
    {
        if (correlationID == null || correlationID.length == 0)
        {
            throw new JMSRuntimeException("correlation id bytes must not be null or empty");
        }
        this.correlationIdBytes = correlationID.clone();
        this.correlationId = null;
        return this;
    }

    @Override
    public byte[] getJMSCorrelationIDAsBytes()
    {
        return correlationIdBytes == null ? null : correlationIdBytes.clone();
    }

    @Override
    public JMSProducer setJMSCorrelationID(final String correlationID)
    {
        this.correlationId = correlationID;
        this.correlationIdBytes = null;
        return this;
    }

    @Override
    public String getJMSCorrelationID()
    {
        return correlationIdBytes != null ? new String(correlationIdBytes, java.nio.charset.StandardCharsets.UTF_8) : correlationId;
    }

    @Override
    public JMSProducer setJMSType(final String type)
    {
        this.type = type;
        return this;
    }

    @Override
    public String getJMSType()
    {
        return type;
    }

    @Override
    public JMSProducer setJMSReplyTo(final Destination replyTo)
    {
        this.replyTo = replyTo;
        return this;
    }

    @Override
    public Destination getJMSReplyTo()
    {
        return replyTo;
    }
}
