package io.meshmq.tck.tls;

import io.meshmq.engine.Broker;
import io.meshmq.engine.BrokerContext;
import io.meshmq.engine.net.Acceptor;
import io.meshmq.engine.security.PasswordHash;
import io.meshmq.engine.security.Permission;
import io.meshmq.jms.MeshConnectionFactory;
import io.meshmq.transport.TlsSettings;
import io.netty.handler.ssl.ClientAuth;
import io.netty.handler.ssl.SslProvider;
import jakarta.jms.Connection;
import jakarta.jms.JMSException;
import jakarta.jms.Message;
import jakarta.jms.MessageConsumer;
import jakarta.jms.Session;
import jakarta.jms.TextMessage;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.EnumSource;

import java.nio.file.Path;
import java.util.Set;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * TLS between clients and the broker (issue 16, security): a TLS acceptor beside a plain one, a client that checks
 * the broker's certificate and host, mutual TLS that refuses a client without a certificate the broker trusts, and a
 * client certificate's subject mapped to a user. Each with the JDK's provider and with OpenSSL (BoringSSL) on both
 * ends.
 */
class TlsTest
{
    @TempDir
    static Path stores;
    private static TestCertificates certificates;

    @TempDir
    Path data;
    private SslProvider provider;

    @BeforeAll
    static void makeCertificates() throws Exception
    {
        certificates = TestCertificates.make(stores);
    }

    private BrokerContext broker(final ClientAuth clientAuth)
    {
        final BrokerContext context = new BrokerContext().port(0).dataDir(data).ioThreads(1).vmId(null)
            .tls(new TlsSettings(certificates.brokerStore.toString(), TestCertificates.PASSWORD, null,
                certificates.trustStore.toString(), TestCertificates.PASSWORD, null, clientAuth, false, provider));
        context.acceptors().add(new Acceptor("secure", "127.0.0.1", 0, true));
        return context;
    }

    private String clientOptions(final Path keyStore)
    {
        return certificates.clientOptions(keyStore) + "&sslProvider=" + provider;
    }

    private static String roundTrip(final Connection connection, final String queue) throws JMSException
    {
        connection.start();
        final Session session = connection.createSession(false, Session.AUTO_ACKNOWLEDGE);
        final MessageConsumer consumer = session.createConsumer(session.createQueue(queue));
        session.createProducer(session.createQueue(queue)).send(session.createTextMessage("over " + queue));
        final Message received = consumer.receive(10_000);
        assertNotNull(received);
        return ((TextMessage)received).getText();
    }

    @ParameterizedTest
    @EnumSource(value = SslProvider.class, names = {"JDK", "OPENSSL"})
    void shouldCarryMessagesOverTlsBesideAPlainListenerAndRefuseTheWrongOne(final SslProvider provider) throws Exception
    {
        this.provider = provider;
        try (Broker broker = Broker.start(broker(ClientAuth.NONE)))
        {
            final String secure = broker.url("secure");
            assertTrue(secure.startsWith("tls://127.0.0.1:"), secure);
            try (Connection tls = new MeshConnectionFactory(secure + "?" + clientOptions(null))
                .createConnection())
            {
                assertEquals("over tls-" + 1, roundTrip(tls, "tls-1"));
            }
            final String plainOptions = broker.url() + "?ssl=true&" +
                clientOptions(null);
            try (Connection plain = new MeshConnectionFactory(broker.url()).createConnection())
            {
                assertEquals("over plain-1", roundTrip(plain, "plain-1"));
            }
            final String tcpToTls = secure.replace("tls://", "tcp://") + "?connectTimeout=3000";
            assertThrows(JMSException.class, () -> new MeshConnectionFactory(tcpToTls).createConnection().close(),
                "a plain client at the TLS port");
            assertThrows(JMSException.class, () -> new MeshConnectionFactory(plainOptions + "&connectTimeout=3000")
                .createConnection().close(), "a TLS client at the plain port");
            final JMSException untrusted = assertThrows(JMSException.class,
                () -> new MeshConnectionFactory(secure + "?connectTimeout=3000&sslProvider=" + provider)
                    .createConnection().close(),
                "the JVM's default trust does not know the test CA");
            assertTrue(String.valueOf(untrusted.getMessage()).toLowerCase().contains("certif") ||
                String.valueOf(untrusted.getMessage()).contains("PKIX"), untrusted.getMessage());
            final String wrongHost = secure.replace("127.0.0.1", "127.0.0.2") + "?connectTimeout=3000&" +
                clientOptions(null);
            assertThrows(JMSException.class, () -> new MeshConnectionFactory(wrongHost).createConnection().close(),
                "the certificate names 127.0.0.1 and localhost, not 127.0.0.2");
        }
    }

    @ParameterizedTest
    @EnumSource(value = SslProvider.class, names = {"JDK", "OPENSSL"})
    void shouldRequireATrustedClientCertificateAndTakeItsSubjectForAUser(final SslProvider provider) throws Exception
    {
        this.provider = provider;
        final BrokerContext context = broker(ClientAuth.REQUIRE);
        context.users().addUser("admin", PasswordHash.hash("admin-secret")).roles("admin", Set.of("admin"))
            .certificateSubject("app", "cn=app,  O=MeshMQ Test").roles("app", Set.of("app"));
        context.security().grant("tls.*", Permission.SEND, Set.of("app"))
            .grant("tls.*", Permission.CONSUME, Set.of("app"))
            .grant("tls.*", Permission.CREATE_ADDRESS, Set.of("app"))
            .grant("tls.*", Permission.CREATE_DURABLE_QUEUE, Set.of("app"));
        try (Broker broker = Broker.start(context))
        {
            final String secure = broker.url("secure") + "?connectTimeout=3000&";
            try (Connection app = new MeshConnectionFactory(secure + clientOptions(certificates.clientStore))
                .createConnection())
            {
                assertEquals("over tls.app", roundTrip(app, "tls.app"), "no user name: the certificate's subject is 'app'");
            }
            assertThrows(JMSException.class, () -> new MeshConnectionFactory(secure + clientOptions(null))
                .createConnection().close(), "no client certificate");
            assertThrows(JMSException.class, () -> new MeshConnectionFactory(secure +
                clientOptions(certificates.strangerStore)).createConnection().close(),
                "a certificate with the right subject, signed by nobody the broker trusts");
        }
    }
}
