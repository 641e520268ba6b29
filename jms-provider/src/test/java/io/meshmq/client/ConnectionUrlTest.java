package io.meshmq.client;

import org.junit.jupiter.api.Test;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

class ConnectionUrlTest
{
    @Test
    void shouldParseTcpVmAndOptions()
    {
        final ConnectionUrl tcp = ConnectionUrl.parse("tcp://10.0.0.1:1234?clientID=cts&consumerWindow=5");
        assertEquals("tcp", tcp.scheme());
        assertEquals("10.0.0.1", tcp.host());
        assertEquals(1234, tcp.port());
        assertEquals("cts", tcp.option("clientID"));
        assertEquals(5, tcp.consumerWindow());
        assertEquals(ConnectionUrl.DEFAULT_CONSUMER_WINDOW_BYTES, tcp.consumerWindowBytes());
        assertEquals(4096, ConnectionUrl.parse("tcp://h:1?consumerWindowBytes=4096").consumerWindowBytes());
        assertEquals(ConnectionUrl.DEFAULT_PORT, ConnectionUrl.parse("tcp://localhost").port());
        assertEquals("::1", ConnectionUrl.parse("tcp://[::1]:99").host());
        assertEquals("0", ConnectionUrl.parse("vm://0").host());
    }

    @Test
    void shouldNameWhatIsWrong()
    {
        assertTrue(assertThrows(IllegalArgumentException.class, () -> ConnectionUrl.parse("localhost:1"))
            .getMessage().contains("no scheme"));
        assertTrue(assertThrows(IllegalArgumentException.class, () -> ConnectionUrl.parse("tcp://h:99999"))
            .getMessage().contains("port"));
        assertTrue(assertThrows(IllegalArgumentException.class, () -> ConnectionUrl.parse("tcp://h:1?colour=red"))
            .getMessage().contains("unknown option 'colour'"));
        assertTrue(assertThrows(IllegalArgumentException.class, () -> ConnectionUrl.parse("tcp://h:1?consumerWindow=0"))
            .getMessage().contains("consumerWindow"));
        assertTrue(assertThrows(IllegalArgumentException.class, () -> ConnectionUrl.parse("tcp://h:1?consumerWindowBytes=-1"))
            .getMessage().contains("consumerWindowBytes"));
    }

    @Test
    void shouldRefuseASchemeNoTransportServesWhenTheUrlIsGivenNotAtTheFirstConnect()
    {
        final IllegalArgumentException typo =
            assertThrows(IllegalArgumentException.class, () -> ConnectionUrl.parse("tpc://127.0.0.1:7918"));
        assertTrue(typo.getMessage().contains("scheme 'tpc'") && typo.getMessage().contains("tcp"), typo.getMessage());
        assertEquals("udp", ConnectionUrl.parse("udp://231.7.7.7:9876").scheme(), "a discovery group");
        assertEquals("vm", ConnectionUrl.parse("vm://0").scheme(), "its connector may come with the broker later");
        assertEquals("tls", ConnectionUrl.parse("TLS://h:1").scheme());
    }

    @Test
    void shouldReadAJGroupsChannelAndItsStackFile()
    {
        final ConnectionUrl url = ConnectionUrl.parse("jgroups://meshmq-prod?file=/etc/meshmq/jgroups.xml");
        assertEquals("meshmq-prod", url.host());
        assertEquals("/etc/meshmq/jgroups.xml", url.option("file"));
        assertTrue(BrokerList.parse("jgroups://meshmq-prod?file=tcp.xml").isDiscovery());
        final IllegalArgumentException noFile =
            assertThrows(IllegalArgumentException.class, () -> ConnectionUrl.parse("jgroups://meshmq-prod"));
        assertTrue(noFile.getMessage().contains("expected jgroups://CHANNEL?file=STACK"), noFile.getMessage());
        final IllegalArgumentException mixed = assertThrows(IllegalArgumentException.class,
            () -> BrokerList.parse("jgroups://c?file=tcp.xml,tcp://h:1"));
        assertTrue(mixed.getMessage().contains("mixes a discovery group"), mixed.getMessage());
    }

    @Test
    void shouldMaskThePassword()
    {
        assertFalse(ConnectionUrl.parse("tcp://h:1?user=u&password=secret").toString().contains("secret"));
    }
}
