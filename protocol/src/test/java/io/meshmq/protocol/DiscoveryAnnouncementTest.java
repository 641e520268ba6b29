package io.meshmq.protocol;

import org.junit.jupiter.api.Test;

import java.nio.charset.StandardCharsets;
import java.util.Arrays;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

class DiscoveryAnnouncementTest
{
    @Test
    void shouldReadBackWhatItWrote()
    {
        final DiscoveryAnnouncement sent = new DiscoveryAnnouncement("prod", "0f1e", "n1", "[::1]:7918");
        final byte[] bytes = sent.encode();
        final byte[] padded = new byte[bytes.length + 7];
        System.arraycopy(bytes, 0, padded, 3, bytes.length);
        assertEquals(sent, DiscoveryAnnouncement.decode(padded, 3, bytes.length));
    }

    @Test
    void shouldSayWhetherTheNodeIsPartialAndTakeAnOlderAnnouncementAsFull()
    {
        final DiscoveryAnnouncement partial = new DiscoveryAnnouncement("prod", "0f1e", "n3", "h:3", true);
        final byte[] bytes = partial.encode();
        assertEquals(partial, DiscoveryAnnouncement.decode(bytes, 0, bytes.length));
        assertEquals(new DiscoveryAnnouncement("prod", "0f1e", "n3", "h:3"),
            DiscoveryAnnouncement.decode(bytes, 0, bytes.length - 1), "an older node's announcement ends before");
    }

    @Test
    void shouldRefuseWhatIsNoAnnouncement()
    {
        final byte[] other = "hello, multicast".getBytes(StandardCharsets.UTF_8);
        final ProtocolException foreign = assertThrows(ProtocolException.class,
            () -> DiscoveryAnnouncement.decode(other, 0, other.length));
        assertTrue(foreign.getMessage().contains("not a MeshMQ announcement"), foreign.getMessage());
        final byte[] whole = new DiscoveryAnnouncement("prod", "0f1e", "n1", "h:1").encode();
        final byte[] cut = Arrays.copyOf(whole, whole.length - 2);
        final ProtocolException shortened = assertThrows(ProtocolException.class,
            () -> DiscoveryAnnouncement.decode(cut, 0, cut.length));
        assertTrue(shortened.getMessage().contains("cut or garbled"), shortened.getMessage());
        assertThrows(IllegalArgumentException.class,
            () -> new DiscoveryAnnouncement("prod", "id", "x".repeat(DiscoveryAnnouncement.MAX_BYTES), "h:1").encode());
    }
}
