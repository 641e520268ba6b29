package io.meshmq.engine.processor;

import io.meshmq.selector.Selector;

import java.util.Objects;

/**
 * What defines a topic subscription: a durable or shared one that is asked for again with a different topic,
 * selector or noLocal is a different subscription (specification 6.11, 8.3).
 *
 * @param topic    the topic's name.
 * @param name     the subscription name, null for an unshared non-durable subscription.
 * @param clientId the client id of the connection that made it, or null.
 * @param selector messages must satisfy it to be added, null for all.
 * @param noLocal  skip messages published by the owning connection or any connection with the same client id.
 * @param durable  survives its consumers.
 * @param shared   may have several consumers, from any connection.
 */
public record SubscriptionSpec(
    String topic, String name, String clientId, Selector selector, boolean noLocal, boolean durable, boolean shared)
{
    /**
     * @return the key a named subscription is registered under.
     */
    String key()
    {
        return (clientId == null ? "" : clientId) + '\u0000' + name;
    }

    boolean sameDefinition(final SubscriptionSpec other)
    {
        return topic.equals(other.topic) && noLocal == other.noLocal && Objects.equals(selectorText(), other.selectorText());
    }

    public String selectorText()
    {
        return selector == null ? null : selector.text();
    }
}
