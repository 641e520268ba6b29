package io.meshmq.engine.extension;

import io.meshmq.protocol.AdminTable;

import java.io.IOException;

/**
 * Admin verbs answered by something the broker runs beside the processor (the core bridges), asked before the
 * processor's own verbs. Called on the processor thread: it must answer from state it keeps thread safe and hand any
 * slow work (files, connections) to its own threads.
 */
@FunctionalInterface
public interface AdminHandler
{
    /**
     * Answers no verb.
     */
    AdminHandler NONE = (verb, args, broker) -> null;

    /**
     * What the processor lets a handler see and do during the call.
     */
    interface Broker
    {
        /**
         * @return messages waiting in the queue (paged ones too), or -1 if there is no such queue.
         */
        long depthOf(String queue);

        /**
         * Replaces a small file of the data directory whole and forces it, telling the replica (if one is attached),
         * so that the file goes with the journal to whichever process serves it.
         *
         * @param name a file name directly in the data directory.
         * @throws IOException if it cannot be written.
         */
        void replaceFile(String name, String content) throws IOException;
    }

    /**
     * @return the answer, or null if the verb is not this handler's.
     * @throws IllegalArgumentException if the arguments are wrong, saying how.
     * @throws IllegalStateException    if the verb cannot be done now, saying why.
     */
    AdminTable admin(String verb, String[] args, Broker broker);
}
