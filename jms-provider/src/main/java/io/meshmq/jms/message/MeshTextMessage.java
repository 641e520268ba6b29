package io.meshmq.jms.message;

import io.meshmq.protocol.MessageDescriptor;
import io.meshmq.protocol.WireReader;
import io.meshmq.protocol.WireWriter;
import jakarta.jms.JMSException;
import jakarta.jms.TextMessage;

/**
 * A message whose body is a string.
 */
public final class MeshTextMessage extends MeshMessage implements TextMessage
{
    private String text;

    public MeshTextMessage()
    {
    }

    public MeshTextMessage(final String text)
    {
        this.text = text;
    }

    @Override
    protected byte bodyType()
    {
        return MessageDescriptor.BODY_TEXT;
    }

    @Override
    public void setText(final String text) throws JMSException
    {
        checkWritable();
        this.text = text;
    }

    @Override
    public String getText()
    {
        return text;
    }

    @Override
    public void clearBody() throws JMSException
    {
        super.clearBody();
        text = null;
    }

    @Override
    public long bodyLengthAtMost()
    {
        // UTF-8 takes at most three bytes per UTF-16 char, after its length.
        return text == null ? Integer.BYTES : (long)text.length() * 3 + Integer.BYTES;
    }

    @Override
    protected void encodeBody(final WireWriter writer)
    {
        writer.writeString(text);
    }

    @Override
    protected void decodeBody(final WireReader reader)
    {
        text = reader.readString();
    }

    @Override
    public <T> T getBody(final Class<T> c) throws JMSException
    {
        return castBody(text, c, "TextMessage");
    }

    @Override
    public boolean isBodyAssignableTo(@SuppressWarnings("rawtypes") final Class c)
    {
        return text == null || c.isAssignableFrom(String.class);
    }
}
