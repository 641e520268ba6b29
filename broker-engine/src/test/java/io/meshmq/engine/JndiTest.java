package io.meshmq.engine;

import jakarta.jms.Connection;
import jakarta.jms.ConnectionFactory;
import jakarta.jms.Queue;
import jakarta.jms.Session;
import jakarta.jms.TextMessage;
import jakarta.jms.Topic;
import org.junit.jupiter.api.Test;

import javax.naming.Context;
import javax.naming.InitialContext;
import javax.naming.NameNotFoundException;
import java.util.Hashtable;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

class JndiTest
{
    @Test
    void shouldLookUpFactoriesAndDestinationsAndUseThem() throws Exception
    {
        try (TestBroker broker = TestBroker.start())
        {
            final Hashtable<String, String> env = new Hashtable<>();
            env.put(Context.INITIAL_CONTEXT_FACTORY, "io.meshmq.jms.jndi.MeshInitialContextFactory");
            env.put(Context.PROVIDER_URL, broker.tcpUrl());
            env.put("connectionFactory.VmFactory", broker.vmUrl());
            env.put("queue.jms/Orders", "orders");
            env.put("topic.jms/Prices", "prices");
            final InitialContext context = new InitialContext(env);
            final ConnectionFactory factory = (ConnectionFactory)context.lookup("VmFactory");
            final Queue queue = (Queue)context.lookup("jms/Orders");
            assertEquals("orders", queue.getQueueName());
            assertEquals("prices", ((Topic)context.lookup("jms/Prices")).getTopicName());
            assertThrows(NameNotFoundException.class, () -> context.lookup("nope"));
            try (Connection connection = factory.createConnection())
            {
                final Session session = connection.createSession(false, Session.AUTO_ACKNOWLEDGE);
                session.createProducer(queue).send(session.createTextMessage("via jndi"));
                connection.start();
                assertEquals("via jndi", ((TextMessage)session.createConsumer(queue).receive(5000)).getText());
            }

            final Hashtable<String, String> defaults = new Hashtable<>();
            defaults.put(Context.INITIAL_CONTEXT_FACTORY, "io.meshmq.jms.jndi.MeshInitialContextFactory");
            defaults.put(Context.PROVIDER_URL, broker.tcpUrl());
            final InitialContext plain = new InitialContext(defaults);
            try (Connection connection = ((ConnectionFactory)plain.lookup("ConnectionFactory")).createConnection())
            {
                final Session session = connection.createSession(false, Session.AUTO_ACKNOWLEDGE);
                final Queue dynamic = (Queue)plain.lookup("dynamicQueues/adhoc");
                session.createProducer(dynamic).send(session.createTextMessage("dynamic"));
                connection.start();
                assertEquals("dynamic", ((TextMessage)session.createConsumer(dynamic).receive(5000)).getText());
            }
        }
    }
}
