package io.meshmq.tck.hostile;

import io.meshmq.jms.MeshConnectionFactory;
import io.meshmq.tck.crash.BrokerProcess;
import jakarta.jms.Connection;
import jakarta.jms.ResourceAllocationException;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.net.Socket;
import java.net.URI;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * Sockets that never say HELLO must not hold the broker's file descriptors (issue 17, item 4): they are closed after the
 * handshake timeout, one address cannot take more than its share, and over the limits a connection is refused with a
 * clear error while a bystander from another address keeps working. The attacker's sockets come from 127.0.0.2 (all of
 * 127/8 is loopback), the bystander's from 127.0.0.1.
 */
class HostileConnectionsTest
{
    private static final String ATTACKER = "127.0.0.2";
    private static final long DEADLINE_MS = 10_000;

    @TempDir
    Path workDir;

    @Test
    void shouldRefuseAnAddressOverItsShareAndCloseSilentSocketsWhileOthersWork() throws Exception
    {
        try (BrokerProcess broker = BrokerProcess.start(workDir.resolve("data"), "handshake-timeout = 1000",
            "max-connections = 20", "max-connections-per-address = 5"))
        {
            final URI uri = URI.create(broker.url());
            final List<Socket> silent = new ArrayList<>();
            try
            {
                // Ten from one address: which five the broker admits depends on its I/O threads; five are refused.
                for (int i = 0; i < 10; i++)
                {
                    silent.add(RawSockets.connectFrom(ATTACKER, uri, (int)DEADLINE_MS));
                }

                // The bystander is another address: it connects and works while the attacker holds its five.
                Bystander.assertWorks(broker.url());

                // The refused are told why at once; the admitted never said HELLO and are closed after the timeout.
                int refused = 0;
                int timedOut = 0;
                for (final Socket socket : silent)
                {
                    final String said = RawSockets.readUntilClosed(socket);
                    if (said.contains("max-connections-per-address"))
                    {
                        refused++;
                    }
                    else
                    {
                        assertTrue(said.contains("no HELLO within 1000 ms"), said);
                        timedOut++;
                    }
                }
                assertEquals(5, refused, "refused");
                assertEquals(5, timedOut, "closed after the handshake timeout");
            }
            finally
            {
                for (final Socket socket : silent)
                {
                    socket.close();
                }
            }
        }
    }

    @Test
    void shouldRefuseAJmsConnectionOverTheBrokersLimitWithAResourceAllocationException() throws Exception
    {
        try (BrokerProcess broker = BrokerProcess.start(workDir.resolve("data"), "max-connections = 2",
            "max-connections-per-address = -1"))
        {
            final MeshConnectionFactory factory = new MeshConnectionFactory(broker.url());
            try (Connection first = factory.createConnection(); Connection second = factory.createConnection())
            {
                final ResourceAllocationException refused = assertThrows(ResourceAllocationException.class,
                    factory::createConnection);
                assertTrue(refused.getMessage().contains("max-connections"), refused.getMessage());
            }
            // The two closed: their places are free again (the broker counts them down as it sees them go).
            final long deadline = System.currentTimeMillis() + DEADLINE_MS;
            while (true)
            {
                try (Connection again = factory.createConnection())
                {
                    break;
                }
                catch (final ResourceAllocationException ex)
                {
                    if (System.currentTimeMillis() > deadline)
                    {
                        throw ex;
                    }
                    Thread.sleep(20);
                }
            }
        }
    }
}
