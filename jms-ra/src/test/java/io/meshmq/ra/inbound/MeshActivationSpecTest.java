package io.meshmq.ra.inbound;

import jakarta.resource.spi.InvalidPropertyException;
import org.junit.jupiter.api.Test;

import static org.junit.jupiter.api.Assertions.assertDoesNotThrow;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

class MeshActivationSpecTest
{
    @Test
    void shouldNameEveryWrongPropertyAtOnce()
    {
        final MeshActivationSpec spec = new MeshActivationSpec();
        spec.setDestinationType("jakarta.jms.Topic");
        spec.setSubscriptionDurability("Durable");
        spec.setAcknowledgeMode("Client-acknowledge");
        spec.setMaxSession(0);
        final String problems = assertThrows(InvalidPropertyException.class, spec::validate).getMessage();
        for (final String property : new String[] {"destination is not set", "acknowledgeMode is 'Client-acknowledge'",
            "subscriptionName is not set", "clientId is not set", "maxSession is 0"})
        {
            assertTrue(problems.contains(property), problems);
        }
    }

    @Test
    void shouldTakeAQueueWithDefaultsAndASharedDurableSubscriptionWithoutClientId()
    {
        final MeshActivationSpec queue = new MeshActivationSpec();
        queue.setDestination("orders");
        assertDoesNotThrow(queue::validate);

        final MeshActivationSpec shared = new MeshActivationSpec();
        shared.setDestination("prices");
        shared.setDestinationType("jakarta.jms.Topic");
        shared.setSubscriptionDurability("Durable");
        shared.setShareSubscriptions(true);
        shared.setSubscriptionName("pricing");
        assertDoesNotThrow(shared::validate);
    }
}
