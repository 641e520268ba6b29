package io.meshmq.client;

import org.junit.jupiter.api.Test;

import java.util.HashSet;
import java.util.List;
import java.util.Set;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

class BrokerListTest
{
    @Test
    void shouldApplyOptionsAfterTheLastUrlToEveryUrl()
    {
        final BrokerList list = BrokerList.parse("tcp://h1:1,tcp://h2:2?clientID=app&consumerWindow=5&retryInterval=50");
        assertEquals(2, list.urls().size());
        for (final ConnectionUrl url : list.urls())
        {
            assertEquals("app", url.option("clientID"));
            assertEquals(5, url.consumerWindow());
        }
        assertEquals("h1", list.urls().get(0).host());
        assertEquals(2, list.urls().get(1).port());
        assertEquals(50, list.retryIntervalMs());
    }

    @Test
    void shouldLetAUrlBeforeTheLastKeepItsOwnOptions()
    {
        final BrokerList list = BrokerList.parse("tcp://h1:1?connectTimeout=5,tcp://h2:2?connectTimeout=7");
        assertEquals(5, list.urls().get(0).connectTimeoutMs());
        assertEquals(7, list.urls().get(1).connectTimeoutMs());
    }

    @Test
    void shouldReconnectForEverForAListAndNeverForOneUrlUnlessSet()
    {
        assertEquals(-1, BrokerList.parse("tcp://h1:1,tcp://h2:2").reconnectAttempts());
        assertEquals(0, BrokerList.parse("tcp://h1:1").reconnectAttempts());
        assertEquals(3, BrokerList.parse("tcp://h1:1?reconnectAttempts=3").reconnectAttempts());
        final BrokerList defaults = BrokerList.parse("tcp://h1:1");
        assertEquals(100, defaults.retryIntervalMs());
        assertEquals(2.0, defaults.retryIntervalMultiplier());
        assertEquals(2000, defaults.maxRetryIntervalMs());
        assertEquals(30_000, defaults.failoverTimeoutMs());
        assertEquals(10_000, defaults.journalWaitMs());
        assertEquals(25_000, BrokerList.parse("tcp://h1:1,tcp://h2:2?journalWait=25000").journalWaitMs());
        assertEquals(0, BrokerList.parse("tcp://h1:1,tcp://h2:2?journalWait=0").journalWaitMs());
        final IllegalArgumentException negative = assertThrows(IllegalArgumentException.class,
            () -> BrokerList.parse("tcp://h1:1?journalWait=-1"));
        assertTrue(negative.getMessage().contains("journalWait"), negative.getMessage());
        assertEquals(1000, defaults.first().heartbeatMs());
        assertEquals(3000, defaults.first().connectionTtlMs());
        assertTrue(defaults.useTopology());
        assertFalse(defaults.randomize());
    }

    @Test
    void shouldTakeADiscoveryGroupAloneWithItsPort()
    {
        final BrokerList group =
            BrokerList.parse("udp://239.7.9.18:9876?localBindAddress=127.0.0.1&initialWaitTimeout=500");
        assertTrue(group.isDiscovery());
        assertEquals(9876, group.first().port());
        final BrokerList heard = group.discovered(List.of("127.0.0.1:1", "127.0.0.1:2"));
        assertEquals(2, heard.urls().size());
        assertEquals("tcp", heard.first().scheme());
        assertEquals(-1, heard.reconnectAttempts(), "the brokers heard are a list: failover for ever by default");
        final IllegalArgumentException noPort = assertThrows(IllegalArgumentException.class,
            () -> BrokerList.parse("udp://239.7.9.18"));
        assertTrue(noPort.getMessage().contains("udp://GROUP:PORT"), noPort.getMessage());
        final IllegalArgumentException mixed = assertThrows(IllegalArgumentException.class,
            () -> BrokerList.parse("udp://239.7.9.18:9876,tcp://h:1"));
        assertTrue(mixed.getMessage().contains("mixes a discovery group"), mixed.getMessage());
        final IllegalArgumentException wait = assertThrows(IllegalArgumentException.class,
            () -> BrokerList.parse("udp://239.7.9.18:9876?initialWaitTimeout=0"));
        assertTrue(wait.getMessage().contains("initialWaitTimeout"), wait.getMessage());
    }

    @Test
    void shouldTurnHeartbeatsOffWithZero()
    {
        final ConnectionUrl url = BrokerList.parse("tcp://h1:1?heartbeat=0").first();
        assertEquals(0, url.heartbeatMs());
        assertEquals(0, url.connectionTtlMs());
    }

    @Test
    void shouldStartAtARandomUrlWhenAsked()
    {
        final BrokerList list = BrokerList.parse("tcp://h1:1,tcp://h2:2,tcp://h3:3?randomize=true");
        final Set<String> firsts = new HashSet<>();
        for (int i = 0; i < 200; i++)
        {
            final List<ConnectionUrl> order = list.inTryOrder();
            assertEquals(3, order.size());
            assertEquals(3, new HashSet<>(order).size());
            firsts.add(order.get(0).host());
        }
        assertEquals(Set.of("h1", "h2", "h3"), firsts);
    }

    @Test
    void shouldRefuseBadListsNamingWhatIsWrong()
    {
        assertTrue(assertThrows(IllegalArgumentException.class, () -> BrokerList.parse("tcp://h1:1,,tcp://h2:2"))
            .getMessage().contains("empty entry"));
        assertTrue(assertThrows(IllegalArgumentException.class, () -> BrokerList.parse("tcp://h1:1?reconnectAttempts=-2"))
            .getMessage().contains("reconnectAttempts"));
        assertTrue(assertThrows(IllegalArgumentException.class, () -> BrokerList.parse("tcp://h1:1?randomize=maybe"))
            .getMessage().contains("randomize"));
        assertTrue(assertThrows(IllegalArgumentException.class,
            () -> BrokerList.parse("tcp://h1:1?heartbeat=1000&connectionTTL=500")).getMessage().contains("connectionTTL"));
        assertTrue(assertThrows(IllegalArgumentException.class, () -> BrokerList.parse("tcp://h1:1?retryIntervalMultiplier=0.5"))
            .getMessage().contains("retryIntervalMultiplier"));
    }

    @Test
    void shouldMaskPasswords()
    {
        assertFalse(BrokerList.parse("tcp://h1:1,tcp://h2:2?password=secret").toString().contains("secret"));
    }
}
