package io.meshmq.engine.mirror;

import java.nio.file.Path;

/**
 * Where a large message's body goes once it is whole and forced here, before the persistent message that names it
 * reaches the processor: the replica gets the file ahead of the journal record naming it, so a record it holds never
 * names a body it lacks. Bodies are files written off the processor (on the threads that force them), which is why
 * they are not among the {@link DataMirror}'s changes; their deletions are, as the processor makes them.
 * <p>
 * Thread safe: called on the threads that force bodies, several at once.
 */
@FunctionalInterface
public interface BodyMirror
{
    /** No replica: bodies stay local. */
    BodyMirror NONE = body -> null;

    /**
     * Copies {@code body} whole; every change the processor describes to the same mirror after this returns reaches
     * the replica after the body.
     *
     * @return null, or why the body cannot be copied now (the message naming it is refused then, so nothing is
     * confirmed that the replica would lack).
     */
    String copy(Path body);
}
