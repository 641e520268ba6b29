package io.meshmq.engine.net;

import io.meshmq.engine.ring.ExtensionCommand;
import io.meshmq.protocol.WireReader;

/**
 * Decodes an extension's frames (the cluster's CLUSTER_* frames) on the acceptor, into commands for the extension's
 * side in the processor. The acceptor accepts them only on connections whose handshake gave the cluster role.
 * <p>
 * Thread safe: called on many Netty I/O threads at once; implementations keep no state between calls.
 */
public interface ExtensionFrames
{
    /**
     * @return true for a frame type this extension decodes.
     */
    boolean decodes(byte frameType);

    /**
     * @param reader positioned after the frame's type, holding the rest of the frame.
     * @return the command to publish; its {@link ExtensionCommand#correlationId()} is what an answer carries.
     * @throws io.meshmq.protocol.ProtocolException if the frame is malformed, saying how.
     */
    ExtensionCommand decode(byte frameType, WireReader reader);
}
