package io.meshmq.tck.hostile;

import io.meshmq.engine.security.PasswordHash;
import io.meshmq.jms.MeshConnectionFactory;
import io.meshmq.protocol.BrokerCommandEncoder;
import io.meshmq.protocol.FrameDescriptor;
import io.meshmq.protocol.WireWriter;
import io.meshmq.tck.crash.BrokerProcess;
import jakarta.jms.Connection;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.net.Socket;
import java.net.URI;
import java.nio.file.Path;

import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * A client guessing passwords from one address has none checked after a few failures (so it costs the broker no
 * hashing), while a client of another address logs in, and a storm of logins of a known user is answered from the
 * digest of its verified password.
 */
class LoginStormTest
{
    private static final String ATTACKER = "127.0.0.2";

    @TempDir
    Path workDir;

    @Test
    void shouldStopCheckingAGuessersPasswordsWhileOthersLogIn() throws Exception
    {
        try (BrokerProcess broker = BrokerProcess.start(workDir.resolve("broker"),
            "user.app = " + PasswordHash.hash("app-secret"), "user.app.roles = app"))
        {
            final URI uri = URI.create(broker.url());
            String last = "";
            for (int i = 0; i < 50; i++)
            {
                last = guess(uri, "guess-" + i);
                assertTrue(last.contains("authentication failed"), last);
            }
            assertTrue(last.contains("too many failed logins from " + ATTACKER), last);
            assertTrue(guess(uri, "app-secret").contains("too many failed logins"),
                "not even the right password is checked from there for a minute");

            final MeshConnectionFactory factory = new MeshConnectionFactory(broker.url());
            for (int i = 0; i < 200; i++)
            {
                try (Connection connection = factory.createConnection("app", "app-secret"))
                {
                    connection.start();
                }
            }
            Bystander.assertWorks(broker.url() + "?user=app&password=app-secret");
        }
    }

    /**
     * @return what the broker said to a HELLO as user app with that password from the attacker's address.
     */
    private static String guess(final URI broker, final String password) throws Exception
    {
        try (Socket socket = RawSockets.connectFrom(ATTACKER, broker, 10_000))
        {
            socket.getOutputStream().write(BrokerCommandEncoder.hello(new WireWriter(), FrameDescriptor.ROLE_CLIENT, null,
                "app", password).toByteArray());
            return RawSockets.readUntilClosed(socket);
        }
    }
}
