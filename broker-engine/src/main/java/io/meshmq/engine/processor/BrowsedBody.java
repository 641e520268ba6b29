package io.meshmq.engine.processor;

import io.meshmq.protocol.LargeBodyDescriptor;
import io.meshmq.protocol.MessageDescriptor;
import io.meshmq.protocol.WireReader;
import org.agrona.concurrent.UnsafeBuffer;

/**
 * A message body as {@code queue.browse} shows it: the start of a text message's text, else its kind and size.
 */
final class BrowsedBody
{
    static final int SHOWN_CHARS = 200;

    private BrowsedBody()
    {
    }

    /**
     * @throws io.meshmq.protocol.ProtocolException if a text body cannot be read.
     */
    static String describe(final byte[] encoded, final int bodyOffset)
    {
        final int size = encoded.length - bodyOffset;
        if (LargeBodyDescriptor.isLarge(encoded))
        {
            return "large " + kind(encoded[0]) + ": " + LargeBodyDescriptor.length(encoded) + " bytes in " +
                String.format("large/%016x.body", LargeBodyDescriptor.bodyId(encoded));
        }
        switch (encoded[0])
        {
            case MessageDescriptor.BODY_TEXT:
            {
                final String text = new WireReader().wrap(new UnsafeBuffer(encoded), bodyOffset, size).readString();
                return text == null ? "text: null" : "text: " + (text.length() <= SHOWN_CHARS ? text :
                    text.substring(0, SHOWN_CHARS) + "... (" + text.length() + " chars)");
            }
            case MessageDescriptor.BODY_BYTES: return "bytes: " + size + " bytes";
            case MessageDescriptor.BODY_MAP: return "map: " + size + " bytes";
            case MessageDescriptor.BODY_STREAM: return "stream: " + size + " bytes";
            case MessageDescriptor.BODY_OBJECT: return "object (serialized Java): " + size + " bytes";
            default: return "no body";
        }
    }

    private static String kind(final byte bodyType)
    {
        switch (bodyType)
        {
            case MessageDescriptor.BODY_TEXT: return "text";
            case MessageDescriptor.BODY_BYTES: return "bytes";
            case MessageDescriptor.BODY_MAP: return "map";
            case MessageDescriptor.BODY_STREAM: return "stream";
            default: return "object (serialized Java)";
        }
    }
}
