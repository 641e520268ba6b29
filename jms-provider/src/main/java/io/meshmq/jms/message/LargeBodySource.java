package io.meshmq.jms.message;

import jakarta.jms.JMSException;

import java.io.InputStream;

/**
 * Where a received large message's body is: its broker, read over the connection it came on.
 */
public interface LargeBodySource
{
    /**
     * @return a new stream of the whole body from its first byte, read from the broker as it is consumed.
     * @throws JMSException if the body can no longer be read (the message is acknowledged, or its connection lost).
     */
    InputStream open() throws JMSException;

    /**
     * The body will not be read again: the broker may delete it once the message is acknowledged. Idempotent.
     */
    void release();
}
