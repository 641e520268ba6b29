package io.meshmq.jms.message;

import jakarta.jms.JMSException;

import java.io.IOException;

/**
 * Turns what streams of large bodies throw into what JMS methods may.
 */
final class JmsStreams
{
    private JmsStreams()
    {
    }

    /**
     * @return the JMSException a stream's failure carries, or one saying {@code what} failed and why.
     */
    static JMSException failure(final String what, final IOException ex)
    {
        if (ex.getCause() instanceof JMSException jms)
        {
            return jms;
        }
        final JMSException failure = new JMSException(what + ": " + ex.getMessage());
        failure.setLinkedException(ex);
        failure.initCause(ex);
        return failure;
    }
}
