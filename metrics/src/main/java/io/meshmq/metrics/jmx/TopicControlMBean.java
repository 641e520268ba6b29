package io.meshmq.metrics.jmx;

/**
 * A topic as JMX shows it, named {@code io.meshmq:broker="NAME",component=topics,topic="TOPIC"}.
 */
public interface TopicControlMBean
{
    String getName();

    long getSubscriptionCount();

    long getMessagesPublished();
}
