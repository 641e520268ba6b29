package io.meshmq.tck;

import io.meshmq.broker.config.BrokerSettings;
import io.meshmq.engine.Broker;
import io.meshmq.engine.BrokerContext;
import jakarta.jms.Connection;
import jakarta.jms.ConnectionFactory;
import jakarta.jms.JMSSecurityException;
import jakarta.jms.Queue;
import jakarta.jms.Session;
import jakarta.jms.TextMessage;
import jakarta.jms.Topic;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import javax.naming.Context;
import javax.naming.InitialContext;
import java.io.Reader;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Hashtable;
import java.util.Properties;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

/**
 * The files shipped in {@code tck-harness/tck/} work together: the broker configuration starts, and every
 * name of the JNDI layout resolves to something usable with the TCK's users.
 */
class TckLayoutTest
{
    @TempDir
    Path dataDir;

    private static Path tckDir()
    {
        Path dir = Path.of("").toAbsolutePath();
        while (dir != null && !Files.isDirectory(dir.resolve("tck-harness/tck")))
        {
            dir = dir.getParent();
        }
        if (dir == null)
        {
            throw new IllegalStateException("no tck-harness/tck above " + Path.of("").toAbsolutePath());
        }
        return dir.resolve("tck-harness/tck");
    }

    @Test
    void shouldServeTheTckJndiLayoutWithTheTckUsers() throws Exception
    {
        final BrokerContext brokerContext = new BrokerContext();
        BrokerSettings.applyFile(tckDir().resolve("broker.conf"), brokerContext);
        brokerContext.port(0).dataDir(dataDir).vmId(null);
        try (Broker broker = Broker.start(brokerContext))
        {
            final Properties properties = new Properties();
            try (Reader reader = Files.newBufferedReader(tckDir().resolve("jndi.properties"), StandardCharsets.UTF_8))
            {
                properties.load(reader);
            }
            final Hashtable<String, Object> environment = new Hashtable<>();
            for (final String key : properties.stringPropertyNames())
            {
                environment.put(key, properties.getProperty(key).replace(":7918", ":" + broker.port()));
            }
            final Context jndi = new InitialContext(environment);
            for (final String name : new String[] {"MyConnectionFactory", "MyQueueConnectionFactory", "MyTopicConnectionFactory"})
            {
                ((ConnectionFactory)jndi.lookup(name)).createConnection("j2ee", "j2ee").close();
            }
            final ConnectionFactory durable = (ConnectionFactory)jndi.lookup("DURABLE_SUB_CONNECTION_FACTORY");
            try (Connection connection = durable.createConnection("javajoe", "javajoe"))
            {
                assertEquals("cts", connection.getClientID());
                final Session session = connection.createSession(false, Session.AUTO_ACKNOWLEDGE);
                final Topic topic = (Topic)jndi.lookup("MY_TOPIC");
                session.createDurableSubscriber(topic, "tck-layout").close();
                session.unsubscribe("tck-layout");
            }
            for (final String name : new String[] {"MY_QUEUE2", "testQ0", "testQ1", "testQ2", "testQueue2", "Q2"})
            {
                jndi.lookup(name);
            }
            for (final String name : new String[] {"MY_TOPIC2", "testT0", "testT1", "testT2"})
            {
                jndi.lookup(name);
            }
            try (Connection connection = ((ConnectionFactory)jndi.lookup("MyConnectionFactory")).createConnection())
            {
                final Session session = connection.createSession(false, Session.AUTO_ACKNOWLEDGE);
                final Queue queue = (Queue)jndi.lookup("MY_QUEUE");
                session.createProducer(queue).send(session.createTextMessage("as the default user"));
                connection.start();
                assertEquals("as the default user", ((TextMessage)session.createConsumer(queue).receive(5000)).getText());
            }
            assertThrows(JMSSecurityException.class,
                () -> ((ConnectionFactory)jndi.lookup("MyConnectionFactory")).createConnection("j2ee", "wrong"));
        }
    }
}
