package io.meshmq.client;

import io.meshmq.protocol.WireWriter;

/**
 * Writes one encoded message (see {@link io.meshmq.protocol.MessageDescriptor}) into a frame being built.
 */
@FunctionalInterface
public interface MessageEncoder
{
    void encode(WireWriter writer);
}
