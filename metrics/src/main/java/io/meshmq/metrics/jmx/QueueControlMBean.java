package io.meshmq.metrics.jmx;

/**
 * A queue as JMX shows it, named {@code io.meshmq:broker="NAME",component=queues,queue="QUEUE"}; the attributes an
 * Artemis user reads on a queue control.
 */
public interface QueueControlMBean
{
    String getName();

    long getMessageCount();

    long getScheduledCount();

    long getDeliveringCount();

    long getConsumerCount();

    long getMessagesAdded();

    long getMessagesAcknowledged();

    long getMessagesExpired();

    /**
     * @return times the queue's producers were held for its consumers to catch up (producer-hold-bytes).
     */
    long getProducerHolds();

    /**
     * @return how many messages were dropped.
     */
    long removeAllMessages();

    /**
     * Moves the waiting messages the filter matches (all for null or blank) to another existing queue, as
     * Artemis's {@code moveMessages(filter, otherQueueName)}; messages being delivered stay.
     *
     * @param filter a JMS selector, or null.
     * @return how many moved.
     */
    long moveMessages(String filter, String otherQueueName);

    /**
     * @return the first {@code max} waiting messages (1-10000), one line each, not taken: position, id, priority,
     *         persistence, size, properties and the body as text.
     */
    String[] browse(int max);
}
