package io.meshmq.tck.conformance;

import io.meshmq.engine.Broker;
import io.meshmq.engine.BrokerContext;
import io.meshmq.engine.security.PasswordHash;
import io.meshmq.jms.MeshConnectionFactory;
import jakarta.jms.Connection;
import jakarta.jms.JMSSecurityException;
import jakarta.jms.JMSSecurityRuntimeException;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.nio.file.Path;
import java.util.List;
import java.util.Set;
import java.util.UUID;

import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * Authentication (specification 6.1.4 and the TCK's users): a broker with a user store refuses wrong
 * credentials without saying which part was wrong, and gives credential-less connections the default user.
 */
class SecurityConformanceTest
{
    @TempDir
    static Path dataDir;
    private static Broker broker;
    private static String vmUrl;

    @BeforeAll
    static void startSecuredBroker() throws Exception
    {
        final BrokerContext context = new BrokerContext().port(0).dataDir(dataDir).ioThreads(1)
            .vmId("security-" + UUID.randomUUID());
        context.users().addUser("j2ee", PasswordHash.hash("j2ee")).addUser("javajoe", PasswordHash.hash("javajoe"))
            .roles("j2ee", Set.of("admin")).defaultUser("guest");
        broker = Broker.start(context);
        vmUrl = "vm://" + context.vmId();
    }

    @AfterAll
    static void stopBroker()
    {
        broker.close();
    }

    private static List<String> urls()
    {
        return List.of(broker.url(), vmUrl);
    }

    @Test
    void shouldAcceptKnownUsersAndTheDefaultUser() throws Exception
    {
        for (final String url : urls())
        {
            final MeshConnectionFactory factory = new MeshConnectionFactory(url);
            factory.createConnection("j2ee", "j2ee").close();
            factory.createConnection("javajoe", "javajoe").close();
            factory.createConnection().close();
            factory.createContext().close();
        }
    }

    @Test
    void shouldRefuseAWrongPasswordOrUnknownUserWithoutSayingWhich() throws Exception
    {
        for (final String url : urls())
        {
            final MeshConnectionFactory factory = new MeshConnectionFactory(url);
            final JMSSecurityException wrongPassword = assertThrows(JMSSecurityException.class,
                () -> factory.createConnection("j2ee", "guess"));
            final JMSSecurityException unknownUser = assertThrows(JMSSecurityException.class,
                () -> factory.createConnection("mallory", "guess"));
            assertTrue(wrongPassword.getMessage().equals(unknownUser.getMessage()), wrongPassword.getMessage());
            assertFalse(wrongPassword.getMessage().contains("guess"), "the password is never echoed");
            assertThrows(JMSSecurityRuntimeException.class, () -> factory.createContext("javajoe", "nope"));
        }
    }

    @Test
    void shouldRefuseCredentialLessConnectionsWhenThereIsNoDefaultUser(@TempDir final Path dir) throws Exception
    {
        for (final String unset : new String[] {null, ""})
        {
            final BrokerContext context = new BrokerContext().port(0).dataDir(dir.resolve("d" + (unset == null)))
                .ioThreads(1).vmId(null);
            context.users().addUser("j2ee", PasswordHash.hash("j2ee"));
            if (unset != null)
            {
                context.users().defaultUser(unset);
            }
            assertTrue(context.users().describe().contains("without credentials refused"), context.users().describe());
            try (Broker strict = Broker.start(context))
            {
                final MeshConnectionFactory factory = new MeshConnectionFactory(strict.url());
                final JMSSecurityException refused = assertThrows(JMSSecurityException.class, factory::createConnection);
                assertTrue(refused.getMessage().contains("no default-user"), refused.getMessage());
                final Connection connection = factory.createConnection("j2ee", "j2ee");
                connection.close();
            }
        }
    }
}
