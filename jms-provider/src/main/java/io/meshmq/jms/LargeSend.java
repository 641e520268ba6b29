package io.meshmq.jms;

import io.meshmq.client.ClientConnection;
import io.meshmq.client.ClientException;
import io.meshmq.client.LargeUpload;
import io.meshmq.jms.message.MeshMessage;
import io.meshmq.protocol.LargeBodyDescriptor;
import io.meshmq.protocol.MessageDescriptor;
import io.meshmq.protocol.WireWriter;
import jakarta.jms.JMSException;

import java.io.ByteArrayInputStream;
import java.io.InputStream;
import java.util.Arrays;

/**
 * A message about to be sent whose body goes ahead of it as a large body (LARGE_CHUNKs): one given as a stream, or one
 * above the broker's threshold. What is left to send is the message with a descriptor in place of its body.
 *
 * @param encoded the message to send: with a descriptor naming {@code upload}, or (for an empty stream) whole.
 * @param upload  the body sent, or null when the message holds its body after all.
 */
record LargeSend(byte[] encoded, LargeUpload upload)
{
    /**
     * Sends the body of a message that needs it ahead of the message.
     *
     * @return what to send then; null for a message sent as usual (its body is small, or the broker takes no large
     * messages and the body is not a stream).
     * @throws JMSException if the body cannot be sent (a stream the broker cannot take, a stream that fails).
     */
    static LargeSend prepare(final ClientConnection core, final MeshMessage message) throws JMSException
    {
        final InputStream stream = message.bodyStream();
        final int threshold = core.largeMessageThreshold();
        if (stream == null && (threshold == 0 || message.bodyLengthAtMost() <= threshold))
        {
            return null;
        }
        final WireWriter writer = new WireWriter(512);
        final int bodyStart = message.encode(writer);
        final int bodyLength = writer.position() - bodyStart;
        if (stream == null && bodyLength <= threshold)
        {
            return new LargeSend(writer.toByteArray(), null);
        }
        final LargeUpload upload;
        try
        {
            upload = core.uploadLarge(stream != null ? stream :
                new ByteArrayInputStream(writer.array(), bodyStart, bodyLength));
        }
        catch (final ClientException ex)
        {
            throw JmsExceptions.from(ex);
        }
        if (upload.length() == 0)
        {
            // An empty stream: the message holds its (empty) body.
            return new LargeSend(Arrays.copyOf(writer.array(), bodyStart), null);
        }
        final WireWriter large = new WireWriter(bodyStart + LargeBodyDescriptor.LENGTH);
        large.writeRaw(writer.array(), 0, bodyStart);
        large.array()[MessageDescriptor.FLAGS_OFFSET] |= MessageDescriptor.FLAG_LARGE_BODY;
        LargeBodyDescriptor.write(large, upload.uploadId(), upload.length(),
            stream != null ? LargeBodyDescriptor.FORM_RAW : LargeBodyDescriptor.FORM_ENCODED);
        return new LargeSend(large.toByteArray(), upload);
    }
}
