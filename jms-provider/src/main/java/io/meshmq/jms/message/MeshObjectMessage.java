package io.meshmq.jms.message;

import io.meshmq.protocol.MessageDescriptor;
import io.meshmq.protocol.WireReader;
import io.meshmq.protocol.WireWriter;
import jakarta.jms.JMSException;
import jakarta.jms.MessageFormatException;
import jakarta.jms.ObjectMessage;

import java.io.ByteArrayInputStream;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.ObjectInputStream;
import java.io.ObjectOutputStream;
import java.io.ObjectStreamClass;
import java.io.Serializable;

/**
 * A message whose body is a serialized Java object. The object is serialized when set, so later changes to
 * it do not change the message, and deserialized on each read with the thread's context class loader.
 */
public final class MeshObjectMessage extends MeshMessage implements ObjectMessage
{
    private byte[] serialized;

    public MeshObjectMessage()
    {
    }

    public MeshObjectMessage(final Serializable object) throws JMSException
    {
        serialized = serialize(object);
    }

    @Override
    protected byte bodyType()
    {
        return MessageDescriptor.BODY_OBJECT;
    }

    @Override
    public void setObject(final Serializable object) throws JMSException
    {
        checkWritable();
        serialized = serialize(object);
    }

    @Override
    public Serializable getObject() throws JMSException
    {
        return deserialize(serialized);
    }

    @Override
    public void clearBody() throws JMSException
    {
        super.clearBody();
        serialized = null;
    }

    /**
     * Only encoding it tells.
     */
    @Override
    public long bodyLengthAtMost()
    {
        return Long.MAX_VALUE;
    }

    @Override
    protected void encodeBody(final WireWriter writer)
    {
        writer.writeBytes(serialized);
    }

    @Override
    protected void decodeBody(final WireReader reader)
    {
        serialized = reader.readBytes();
    }

    @Override
    public <T> T getBody(final Class<T> c) throws JMSException
    {
        return castBody(getObject(), c, "ObjectMessage");
    }

    @Override
    public boolean isBodyAssignableTo(@SuppressWarnings("rawtypes") final Class c) throws JMSException
    {
        if (serialized == null)
        {
            return true;
        }
        final Object body = getObject();
        return body == null || c.isInstance(body);
    }

    private static byte[] serialize(final Serializable object) throws JMSException
    {
        if (object == null)
        {
            return null;
        }
        final ByteArrayOutputStream bytes = new ByteArrayOutputStream();
        try (ObjectOutputStream out = new ObjectOutputStream(bytes))
        {
            out.writeObject(object);
        }
        catch (final IOException ex)
        {
            final MessageFormatException e = new MessageFormatException(
                "object of " + object.getClass().getName() + " cannot be serialized: " + ex);
            e.setLinkedException(ex);
            throw e;
        }
        return bytes.toByteArray();
    }

    private static Serializable deserialize(final byte[] bytes) throws JMSException
    {
        if (bytes == null)
        {
            return null;
        }
        try (ObjectInputStream in = new ContextObjectInputStream(new ByteArrayInputStream(bytes)))
        {
            return (Serializable)in.readObject();
        }
        catch (final IOException | ClassNotFoundException | ClassCastException ex)
        {
            final MessageFormatException e = new MessageFormatException("object body cannot be deserialized: " + ex);
            e.setLinkedException(ex instanceof Exception ? (Exception)ex : null);
            throw e;
        }
    }

    /**
     * Resolves classes with the context class loader first, as application servers expect.
     */
    private static final class ContextObjectInputStream extends ObjectInputStream
    {
        ContextObjectInputStream(final InputStream in) throws IOException
        {
            super(in);
        }

        @Override
        protected Class<?> resolveClass(final ObjectStreamClass desc) throws IOException, ClassNotFoundException
        {
            final ClassLoader loader = Thread.currentThread().getContextClassLoader();
            if (loader != null)
            {
                try
                {
                    return Class.forName(desc.getName(), false, loader);
                }
                catch (final ClassNotFoundException ignore)
                {
                    // fall back to the default resolution below
                }
            }
            return super.resolveClass(desc);
        }
    }
}
