package io.meshmq.tck.cluster;

import jakarta.jms.JMSException;
import jakarta.jms.Message;
import jakarta.jms.MessageListener;
import jakarta.jms.TextMessage;

import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * What a listener received: the text bodies, and how many arrived in all (so duplicates show).
 */
final class Received implements MessageListener
{
    final Set<String> bodies = ConcurrentHashMap.newKeySet();
    final AtomicInteger count = new AtomicInteger();

    @Override
    public void onMessage(final Message message)
    {
        try
        {
            bodies.add(((TextMessage)message).getText());
        }
        catch (final JMSException ex)
        {
            throw new IllegalStateException(ex);
        }
        count.incrementAndGet();
    }

    int duplicates()
    {
        return count.get() - bodies.size();
    }
}
