package io.meshmq.tck.cluster;

import io.meshmq.tck.tls.TestCertificates;
import jakarta.jms.Connection;
import jakarta.jms.Message;
import jakarta.jms.MessageConsumer;
import jakarta.jms.Queue;
import jakarta.jms.Session;
import jakarta.jms.TextMessage;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.nio.file.Files;
import java.nio.file.Path;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotNull;

/**
 * A client and a three-node cluster all on TLS (issue 16): every node listens with TLS only and wants client
 * certificates, and its cluster links dial with TLS and present the node's certificate; a message sent on one node
 * reaches a consumer on another. A plain link could not join: each member's only port speaks TLS.
 */
class TlsClusterTest
{
    @TempDir
    Path dir;

    @Test
    void shouldMeshAndCarryMessagesOverTlsOnly() throws Exception
    {
        final Path stores = Files.createDirectories(dir.resolve("stores"));
        final TestCertificates certificates = TestCertificates.make(stores);
        final String password = TestCertificates.PASSWORD;
        try (ClusterNodes nodes = ClusterNodes.start(dir, "secure", 3, "tls = true",
            "tls.keystore = " + certificates.brokerStore, "tls.keystore-password = " + password,
            "tls.truststore = " + certificates.trustStore, "tls.truststore-password = " + password,
            "tls.client-auth = need", "cluster.tls = true"))
        {
            nodes.urlOptions("?" + certificates.clientOptions(certificates.clientStore));
            nodes.awaitMesh();
            try (Connection consuming = nodes.factory(2).createConnection();
                 Connection producing = nodes.factory(0).createConnection())
            {
                final Session consumerSession = consuming.createSession(false, Session.AUTO_ACKNOWLEDGE);
                final Queue queue = consumerSession.createQueue("tls-orders");
                final MessageConsumer consumer = consumerSession.createConsumer(queue);
                consuming.start();
                nodes.awaitRemoteConsumers(0, 2, 1);
                final Session producerSession = producing.createSession(false, Session.AUTO_ACKNOWLEDGE);
                producerSession.createProducer(queue).send(producerSession.createTextMessage("across TLS links"));
                final Message received = consumer.receive(10_000);
                assertNotNull(received, "sent on n1, consumed on n3");
                assertEquals("across TLS links", ((TextMessage)received).getText());
            }
        }
    }
}
