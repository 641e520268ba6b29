package io.meshmq.client;

import org.junit.jupiter.api.Test;

import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

class HungBrokersTest
{
    @Test
    void shouldRestABrokerThatTimedOutForTheTimeGivenAndNoOther()
    {
        final HungBrokers hung = new HungBrokers();
        final ConnectionUrl stopped = ConnectionUrl.parse("tcp://127.0.0.1:7918");
        final ConnectionUrl other = ConnectionUrl.parse("tcp://127.0.0.1:7919");

        hung.timedOut(stopped, 1_000, 3_000);

        // The same broker, whichever list it came from (its options differ in a cluster's topology).
        assertTrue(hung.isResting(ConnectionUrl.parse("tcp://127.0.0.1:7918?heartbeat=500"), 3_999));
        assertFalse(hung.isResting(other, 3_999));
        assertFalse(hung.isResting(stopped, 4_000), "rests only as long as given");
    }

    @Test
    void shouldRestAgainFromItsLatestTimeout()
    {
        final HungBrokers hung = new HungBrokers();
        final ConnectionUrl stopped = ConnectionUrl.parse("tcp://127.0.0.1:7918");

        hung.timedOut(stopped, 1_000, 3_000);
        hung.timedOut(stopped, 4_500, 3_000);

        assertTrue(hung.isResting(stopped, 7_000));
        assertFalse(hung.isResting(stopped, 7_500));
    }
}
