package io.meshmq.jms;

import jakarta.jms.JMSException;

/**
 * One step of a failover.
 *
 * @param kind   started (the broker was lost; calls wait), completed (the client is on a new broker and everything
 *               the application had works again), failed (the client gave up; the ExceptionListener is called too).
 * @param url    the broker that was lost (started, failed) or the one the client moved to (completed).
 * @param tookMs completed: from the loss to the new broker taking over.
 * @param cause  started, failed: why; completed: null.
 */
public record FailoverEvent(Kind kind, String url, long tookMs, JMSException cause)
{
    public enum Kind
    {
        STARTED, COMPLETED, FAILED
    }
}
