package io.meshmq.tck.management;

import io.meshmq.jms.MeshConnectionFactory;
import io.meshmq.tck.FreePorts;
import io.meshmq.tck.crash.BrokerProcess;
import jakarta.jms.Connection;
import jakarta.jms.MessageProducer;
import jakarta.jms.Session;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import javax.management.MBeanServerConnection;
import javax.management.ObjectName;
import javax.management.RuntimeMBeanException;
import javax.management.remote.JMXConnector;
import javax.management.remote.JMXConnectorFactory;
import javax.management.remote.JMXServiceURL;
import java.nio.file.Path;
import java.util.List;
import java.util.concurrent.TimeUnit;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * The broker's MBeans over remote JMX (issue 22), as an operator's JConsole sees them: a queue clients made appears
 * with its counts, purging it through JMX empties it, a queue made through the broker's MBean appears at once, a
 * refusal (deleting a queue with a consumer) comes back with its reason, and a bridge whose target is down shows that
 * it retries and why.
 */
class JmxManagementTest
{
    @TempDir
    Path dir;

    @Test
    void shouldShowQueuesWithTheirCountsAndPurgeAndMakeThemThroughJmx() throws Exception
    {
        final int jmxPort = FreePorts.next();
        try (BrokerProcess broker = BrokerProcess.startWithJvmOptions(dir, List.of("-Xmx256m",
            "-Dcom.sun.management.jmxremote.port=" + jmxPort, "-Dcom.sun.management.jmxremote.rmi.port=" + jmxPort,
            "-Dcom.sun.management.jmxremote.authenticate=false", "-Dcom.sun.management.jmxremote.ssl=false",
            "-Dcom.sun.management.jmxremote.host=127.0.0.1", "-Djava.rmi.server.hostname=127.0.0.1"),
            "bridge.out.source-queue = outbox", "bridge.out.target-url = tcp://127.0.0.1:" + FreePorts.next(),
            "bridge.out.retry-interval = 50");
             JMXConnector jmx = JMXConnectorFactory.connect(
                 new JMXServiceURL("service:jmx:rmi:///jndi/rmi://127.0.0.1:" + jmxPort + "/jmxrmi"));
             Connection connection = new MeshConnectionFactory(broker.url()).createConnection())
        {
            final MBeanServerConnection beans = jmx.getMBeanServerConnection();
            final Session session = connection.createSession(false, Session.AUTO_ACKNOWLEDGE);
            final MessageProducer producer = session.createProducer(session.createQueue("watched"));
            for (int i = 0; i < 7; i++)
            {
                final jakarta.jms.TextMessage message = session.createTextMessage("m" + i);
                message.setIntProperty("n", i);
                producer.send(message);
            }
            await(() -> beans.queryNames(new ObjectName("io.meshmq:broker=*"), null).size() == 1, "the broker's MBean");
            final ObjectName brokerBean =
                beans.queryNames(new ObjectName("io.meshmq:broker=*"), null).iterator().next();
            final ObjectName watched = new ObjectName(brokerBean + ",component=queues,queue=\"watched\"");
            await(() -> beans.isRegistered(watched), "the queue's MBean");
            assertEquals(7L, beans.getAttribute(watched, "MessageCount"));
            assertEquals(7L, beans.getAttribute(watched, "MessagesAdded"));
            assertEquals(0L, beans.getAttribute(watched, "ProducerHolds"));
            final String[] browsed = (String[])beans.invoke(watched, "browse", new Object[] {3},
                new String[] {int.class.getName()});
            assertEquals(3, browsed.length, List.of(browsed).toString());
            assertTrue(browsed[0].startsWith("1. ID:") && browsed[0].endsWith("text: m0") &&
                browsed[2].endsWith("text: m2"), List.of(browsed).toString());
            beans.invoke(brokerBean, "createQueue", new Object[] {"watched.later"},
                new String[] {String.class.getName()});
            assertEquals(2L, beans.invoke(watched, "moveMessages", new Object[] {"n >= 5", "watched.later"},
                new String[] {String.class.getName(), String.class.getName()}));
            final jakarta.jms.MessageConsumer later = session.createConsumer(session.createQueue("watched.later"));
            connection.start();
            assertEquals("m5", ((jakarta.jms.TextMessage)later.receive(10_000)).getText());
            assertEquals("m6", ((jakarta.jms.TextMessage)later.receive(10_000)).getText());
            later.close();
            assertEquals(5L, beans.invoke(watched, "removeAllMessages", null, null));
            assertEquals(0L, beans.getAttribute(watched, "MessageCount"));

            assertEquals(true, beans.invoke(brokerBean, "createQueue", new Object[] {"made.by.jmx"},
                new String[] {String.class.getName()}));
            final ObjectName made = new ObjectName(brokerBean + ",component=queues,queue=\"made.by.jmx\"");
            await(() -> beans.isRegistered(made), "the MBean of the queue made through JMX");
            assertTrue(List.of((String[])beans.getAttribute(brokerBean, "QueueNames")).contains("made.by.jmx"));
            assertTrue((Long)beans.getAttribute(brokerBean, "ConnectionCount") >= 1);
            final ObjectName bridge = new ObjectName(brokerBean + ",component=bridges,bridge=\"out\"");
            await(() -> beans.isRegistered(bridge) &&
                String.valueOf(beans.getAttribute(bridge, "state")).startsWith("retrying"), "the bridge's MBean");
            assertTrue(String.valueOf(beans.getAttribute(bridge, "last-error")).length() > 0);
            final String[] connections = (String[])beans.invoke(brokerBean, "listConnections", null, null);
            assertTrue(connections.length >= 1 && connections[0].contains("kind=client"),
                List.of(connections).toString());

            final jakarta.jms.MessageConsumer subscriber =
                session.createSharedDurableConsumer(session.createTopic("news"), "watcher");
            session.createProducer(session.createTopic("news")).send(session.createTextMessage("headline"));
            final ObjectName subscriptions = new ObjectName(brokerBean + ",component=subscriptions,*");
            await(() -> beans.queryNames(subscriptions, null).size() == 1, "the subscription's MBean");
            final ObjectName subscription = beans.queryNames(subscriptions, null).iterator().next();
            assertEquals("watcher", beans.getAttribute(subscription, "name"));
            assertEquals("news", beans.getAttribute(subscription, "topic"));
            assertEquals(1L, beans.getAttribute(subscription, "consumers"));
            assertEquals(1L, (Long)beans.getAttribute(subscription, "messages") +
                (Long)beans.getAttribute(subscription, "delivering"), "the headline, waiting or sent ahead");
            subscriber.close();

            session.createConsumer(session.createQueue("made.by.jmx"));
            final RuntimeMBeanException refused = assertThrows(RuntimeMBeanException.class,
                () -> beans.invoke(brokerBean, "deleteQueue", new Object[] {"made.by.jmx"},
                    new String[] {String.class.getName()}));
            final RuntimeMBeanException tooMany = assertThrows(RuntimeMBeanException.class,
                () -> beans.invoke(watched, "browse", new Object[] {0}, new String[] {int.class.getName()}));
            assertTrue(tooMany.getTargetException().getMessage().contains("max '0' must be 1 to 10000"),
                String.valueOf(tooMany.getTargetException()));
            assertTrue(refused.getTargetException().getMessage().contains("has 1 consumer(s); close them first"),
                String.valueOf(refused.getTargetException()));
        }
    }

    private interface Condition
    {
        boolean holds() throws Exception;
    }

    private static void await(final Condition condition, final String what) throws Exception
    {
        final long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(30);
        while (!condition.holds())
        {
            if (System.nanoTime() > deadline)
            {
                throw new AssertionError("not within 30 s: " + what);
            }
            Thread.sleep(50);
        }
    }
}
