package io.meshmq.selector;

/**
 * The values a selector reads from one message.
 */
@FunctionalInterface
public interface SelectorContext
{
    /**
     * @param identifier a property name or one of the header names a selector may use ({@code JMSDeliveryMode}
     *                   as the string {@code PERSISTENT} or {@code NON_PERSISTENT}, {@code JMSPriority},
     *                   {@code JMSMessageID}, {@code JMSTimestamp}, {@code JMSCorrelationID}, {@code JMSType}).
     * @return the value (a boxed number, Boolean or String), or null when the message has none.
     */
    Object lookup(String identifier);
}
