package io.meshmq.engine.ring;

/**
 * A command for an extension of the processor (the cluster's, say), carried through the ring in
 * {@link EngineEvent#command}. Implementations are immutable values: made on the thread that publishes them,
 * read on the processor thread.
 */
public interface ExtensionCommand
{
    /**
     * @return what an answer to the command carries, so its sender can match it; 0 for none.
     */
    default long correlationId()
    {
        return 0;
    }
}
