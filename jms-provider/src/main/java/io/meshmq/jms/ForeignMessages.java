package io.meshmq.jms;

import io.meshmq.jms.message.MeshBytesMessage;
import io.meshmq.jms.message.MeshMapMessage;
import io.meshmq.jms.message.MeshMessage;
import io.meshmq.jms.message.MeshObjectMessage;
import io.meshmq.jms.message.MeshStreamMessage;
import io.meshmq.jms.message.MeshTextMessage;
import jakarta.jms.BytesMessage;
import jakarta.jms.JMSException;
import jakarta.jms.MapMessage;
import jakarta.jms.Message;
import jakarta.jms.MessageEOFException;
import jakarta.jms.ObjectMessage;
import jakarta.jms.StreamMessage;
import jakarta.jms.TextMessage;

import java.util.Enumeration;

/**
 * Copies a message of another provider into a MeshMQ message so it can be sent, as the specification
 * requires a provider to accept foreign message implementations.
 */
final class ForeignMessages
{
    private ForeignMessages()
    {
    }

    static MeshMessage convert(final Message foreign) throws JMSException
    {
        final MeshMessage copy;
        if (foreign instanceof TextMessage)
        {
            copy = new MeshTextMessage(((TextMessage)foreign).getText());
        }
        else if (foreign instanceof ObjectMessage)
        {
            copy = new MeshObjectMessage(((ObjectMessage)foreign).getObject());
        }
        else if (foreign instanceof MapMessage)
        {
            final MapMessage map = (MapMessage)foreign;
            final MeshMapMessage m = new MeshMapMessage();
            final Enumeration<?> names = map.getMapNames();
            while (names.hasMoreElements())
            {
                final String name = (String)names.nextElement();
                m.setObject(name, map.getObject(name));
            }
            copy = m;
        }
        else if (foreign instanceof BytesMessage)
        {
            final BytesMessage bytes = (BytesMessage)foreign;
            bytes.reset();
            final MeshBytesMessage m = new MeshBytesMessage();
            final byte[] chunk = new byte[8192];
            int n;
            while ((n = bytes.readBytes(chunk)) > 0)
            {
                m.writeBytes(chunk, 0, n);
            }
            copy = m;
        }
        else if (foreign instanceof StreamMessage)
        {
            final StreamMessage stream = (StreamMessage)foreign;
            stream.reset();
            final MeshStreamMessage m = new MeshStreamMessage();
            try
            {
                while (true)
                {
                    m.writeObject(stream.readObject());
                }
            }
            catch (final MessageEOFException end)
            {
                // every value copied
            }
            copy = m;
        }
        else
        {
            copy = new MeshMessage();
        }
        copy.setJMSCorrelationID(foreign.getJMSCorrelationID());
        copy.setJMSType(foreign.getJMSType());
        copy.setJMSReplyTo(foreign.getJMSReplyTo() == null ? null : MeshDestination.from(foreign.getJMSReplyTo()));
        final Enumeration<?> names = foreign.getPropertyNames();
        while (names.hasMoreElements())
        {
            final String name = (String)names.nextElement();
            copy.setObjectProperty(name, foreign.getObjectProperty(name));
        }
        return copy;
    }
}
