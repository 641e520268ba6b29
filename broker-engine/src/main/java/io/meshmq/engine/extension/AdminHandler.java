package io.meshmq.engine.extension;

import io.meshmq.protocol.AdminTable;

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
    AdminHandler NONE = (verb, args, depths) -> null;

    /**
     * Messages waiting in this broker's queues, as the processor knows them at the call.
     */
    @FunctionalInterface
    interface QueueDepths
    {
        /**
         * @return messages waiting in the queue (paged ones too), or -1 if there is no such queue.
         */
        long of(String queue);
    }

    /**
     * @return the answer, or null if the verb is not this handler's.
     * @throws IllegalArgumentException if the arguments are wrong, saying how.
     * @throws IllegalStateException    if the verb cannot be done now, saying why.
     */
    AdminTable admin(String verb, String[] args, QueueDepths depths);
}
