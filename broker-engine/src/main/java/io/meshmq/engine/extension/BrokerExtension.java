package io.meshmq.engine.extension;

import io.meshmq.engine.net.ExtensionFrames;
import io.meshmq.engine.ring.ExtensionInput;

/**
 * An extension of one broker, made at start-up by its {@link ExtensionProvider}: its side inside the processor, the
 * frames it decodes on the acceptor, and the door through which its own threads reach the processor.
 * <p>
 * Called once each, on the thread starting the broker, in this order: {@link #frames}, {@link #attach} (while the
 * processor is made), {@link #started} (once the ring runs).
 */
public interface BrokerExtension
{
    /**
     * @return what decodes the extension's frames on client connections (accepted only from connections with the
     * cluster role); null for none.
     */
    default ExtensionFrames frames()
    {
        return null;
    }

    /**
     * @return the extension's side inside the processor, given what it may do there.
     */
    ProcessorExtension attach(EngineControl control);

    /**
     * The processor runs: {@code input} puts commands into its ring.
     */
    default void started(final ExtensionInput input)
    {
    }
}
