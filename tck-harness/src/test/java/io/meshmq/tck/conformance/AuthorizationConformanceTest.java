package io.meshmq.tck.conformance;

import io.meshmq.admin.MeshAdmin;
import io.meshmq.engine.Broker;
import io.meshmq.engine.BrokerContext;
import io.meshmq.engine.security.PasswordHash;
import io.meshmq.engine.security.Permission;
import io.meshmq.jms.MeshConnectionFactory;
import jakarta.jms.Connection;
import jakarta.jms.DeliveryMode;
import jakarta.jms.JMSException;
import jakarta.jms.JMSSecurityException;
import jakarta.jms.Message;
import jakarta.jms.MessageConsumer;
import jakarta.jms.MessageProducer;
import jakarta.jms.Queue;
import jakarta.jms.QueueBrowser;
import jakarta.jms.Session;
import jakarta.jms.TextMessage;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.nio.file.Path;
import java.util.EnumMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.UUID;
import java.util.concurrent.atomic.AtomicInteger;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assertions.fail;

/**
 * Authorization, as a matrix: for every permission, an operation that needs it succeeds for a user holding every
 * permission, and is refused with a JMSSecurityException naming the user, the address and the permission for a user
 * holding every permission but that one; over tcp and vm://. A refusal leaves the connection usable, and a refused
 * commit is a rollback: what the transaction consumed comes again.
 */
class AuthorizationConformanceTest
{
    private static final String PASSWORD = "secret";
    private static final String QUEUE = "m.q";
    private static final String TOPIC = "m.t";
    private static final AtomicInteger NAMES = new AtomicInteger();

    @TempDir
    static Path dataDir;
    private static Broker broker;
    private static String vmUrl;

    /** What one permission is needed for: run as a user on a URL; throws what the broker answered. */
    @FunctionalInterface
    interface Operation
    {
        void run(String url, String user) throws Exception;
    }

    @BeforeAll
    static void startBrokerWithAUserLackingEachPermission() throws Exception
    {
        final BrokerContext context = new BrokerContext().port(0).dataDir(dataDir).ioThreads(1)
            .vmId("authorization-" + UUID.randomUUID());
        context.queues().add(QUEUE);
        context.topics().add(TOPIC);
        context.users().addUser("all", PasswordHash.hash(PASSWORD)).roles("all", Set.of("all"));
        for (final Permission permission : Permission.values())
        {
            context.users().addUser(lacking(permission), PasswordHash.hash(PASSWORD))
                .roles(lacking(permission), Set.of(lacking(permission)));
        }
        for (final Permission permission : Permission.values())
        {
            final Set<String> holders = new HashSet<>(Set.of("all"));
            for (final Permission other : Permission.values())
            {
                if (other != permission)
                {
                    holders.add(lacking(other));
                }
            }
            for (final String pattern : List.of("m.*", "temp-*", "meshmq.management"))
            {
                context.security().grant(pattern, permission, holders);
            }
        }
        broker = Broker.start(context);
        vmUrl = "vm://" + context.vmId();
    }

    @AfterAll
    static void stopBroker()
    {
        broker.close();
    }

    private static String lacking(final Permission permission)
    {
        return "no-" + permission.configName();
    }

    private static List<String> urls()
    {
        return List.of(broker.url(), vmUrl);
    }

    private static String fresh(final String prefix)
    {
        return prefix + NAMES.incrementAndGet();
    }

    private static Connection connect(final String url, final String user) throws JMSException
    {
        return new MeshConnectionFactory(url).createConnection(user, PASSWORD);
    }

    private static Map<Permission, Operation> operations()
    {
        final Map<Permission, Operation> operations = new EnumMap<>(Permission.class);
        operations.put(Permission.SEND, (url, user) -> send(url, user, QUEUE));
        operations.put(Permission.CONSUME, (url, user) ->
        {
            try (Connection connection = connect(url, user))
            {
                final Session session = connection.createSession(false, Session.AUTO_ACKNOWLEDGE);
                session.createConsumer(session.createQueue(QUEUE)).close();
            }
        });
        operations.put(Permission.BROWSE, (url, user) ->
        {
            try (Connection connection = connect(url, user))
            {
                final Session session = connection.createSession(false, Session.AUTO_ACKNOWLEDGE);
                final QueueBrowser browser = session.createBrowser(session.createQueue(QUEUE));
                browser.getEnumeration().hasMoreElements();
            }
        });
        operations.put(Permission.CREATE_DURABLE_QUEUE, (url, user) ->
        {
            try (Connection connection = connect(url, user))
            {
                connection.setClientID(fresh("cid-"));
                final Session session = connection.createSession(false, Session.AUTO_ACKNOWLEDGE);
                session.createDurableConsumer(session.createTopic(TOPIC), "d").close();
                session.unsubscribe("d");
            }
        });
        operations.put(Permission.DELETE_DURABLE_QUEUE, (url, user) ->
        {
            final String clientId = fresh("cid-");
            try (Connection owner = connect(url, "all"))
            {
                owner.setClientID(clientId);
                final Session session = owner.createSession(false, Session.AUTO_ACKNOWLEDGE);
                session.createDurableConsumer(session.createTopic(TOPIC), "d").close();
            }
            try (Connection connection = connect(url, user))
            {
                connection.setClientID(clientId);
                connection.createSession(false, Session.AUTO_ACKNOWLEDGE).unsubscribe("d");
            }
        });
        operations.put(Permission.CREATE_NON_DURABLE_QUEUE, (url, user) ->
        {
            try (Connection connection = connect(url, user))
            {
                final Session session = connection.createSession(false, Session.AUTO_ACKNOWLEDGE);
                session.createConsumer(session.createTopic(TOPIC)).close();
                session.createTemporaryQueue().delete();
            }
        });
        operations.put(Permission.CREATE_ADDRESS, (url, user) ->
        {
            send(url, user, fresh("m.new-"));
            try (Connection connection = connect(url, user))
            {
                connection.createSession(false, Session.AUTO_ACKNOWLEDGE).createTemporaryTopic().delete();
            }
        });
        operations.put(Permission.DELETE_ADDRESS, (url, user) ->
        {
            final String queue = fresh("m.delete-");
            try (MeshAdmin admin = MeshAdmin.connect(url, "all", PASSWORD))
            {
                assertTrue(admin.createQueue(queue));
            }
            try (MeshAdmin admin = MeshAdmin.connect(url, user, PASSWORD))
            {
                admin.deleteQueue(queue);
            }
        });
        operations.put(Permission.MANAGE, (url, user) ->
        {
            try (MeshAdmin admin = MeshAdmin.connect(url, user, PASSWORD))
            {
                admin.queues();
            }
        });
        return operations;
    }

    private static void send(final String url, final String user, final String queue) throws JMSException
    {
        try (Connection connection = connect(url, user))
        {
            final Session session = connection.createSession(false, Session.AUTO_ACKNOWLEDGE);
            final MessageProducer producer = session.createProducer(session.createQueue(queue));
            producer.setDeliveryMode(DeliveryMode.PERSISTENT);
            producer.send(session.createTextMessage("by " + user));
        }
    }

    @Test
    void shouldAllowEachOperationWithItsPermissionAndRefuseItWithoutNamingUserAddressAndPermission() throws Exception
    {
        final Map<Permission, Operation> operations = operations();
        assertEquals(Set.of(Permission.values()), operations.keySet(), "every permission has an operation");
        for (final String url : urls())
        {
            for (final Map.Entry<Permission, Operation> entry : operations.entrySet())
            {
                final Permission permission = entry.getKey();
                try
                {
                    entry.getValue().run(url, "all");
                }
                catch (final Exception ex)
                {
                    fail("'all' may " + permission + " on " + url, ex);
                }
                final String user = lacking(permission);
                final JMSSecurityException refused = assertThrows(JMSSecurityException.class,
                    () -> entry.getValue().run(url, user), user + " on " + url);
                assertTrue(refused.getMessage().contains("user '" + user + "' lacks permission '" + permission + "'"),
                    refused.getMessage());
                assertTrue(refused.getMessage().contains("on address '"), refused.getMessage());
            }
        }
    }

    @Test
    void shouldRefuseAddressesNoPatternGrantsAndKeepTheConnectionUsable() throws Exception
    {
        for (final String url : urls())
        {
            try (Connection connection = connect(url, "all"))
            {
                connection.start();
                final Session session = connection.createSession(false, Session.AUTO_ACKNOWLEDGE);
                final MessageProducer producer = session.createProducer(null);
                final JMSSecurityException refused = assertThrows(JMSSecurityException.class,
                    () -> producer.send(session.createQueue("elsewhere"), session.createTextMessage("no")));
                assertTrue(refused.getMessage().contains("lacks permission 'send' on address 'elsewhere'"),
                    refused.getMessage());
                final Queue queue = session.createQueue(fresh("m.usable-"));
                producer.send(queue, session.createTextMessage("after the refusal"));
                final MessageConsumer consumer = session.createConsumer(queue);
                final TextMessage received = (TextMessage)consumer.receive(5000);
                assertNotNull(received, "the connection still works");
                assertEquals("after the refusal", received.getText());
            }
        }
    }

    @Test
    void shouldRollBackACommitWithARefusedSendAndDeliverWhatItConsumedAgain() throws Exception
    {
        for (final String url : urls())
        {
            send(url, "all", QUEUE);
            try (Connection connection = connect(url, lacking(Permission.CREATE_ADDRESS)))
            {
                connection.start();
                final Session session = connection.createSession(true, Session.SESSION_TRANSACTED);
                final MessageConsumer consumer = session.createConsumer(session.createQueue(QUEUE));
                final Message first = consumer.receive(5000);
                assertNotNull(first);
                session.createProducer(session.createQueue(fresh("m.never-"))).send(session.createTextMessage("x"));
                final JMSSecurityException refused = assertThrows(JMSSecurityException.class, session::commit);
                assertTrue(refused.getMessage().contains("lacks permission 'createAddress'"), refused.getMessage());
                final Message again = consumer.receive(5000);
                assertNotNull(again, "the refused commit rolled back: what it consumed comes again");
                assertEquals(first.getJMSMessageID(), again.getJMSMessageID());
                assertTrue(again.getJMSRedelivered());
                session.commit();
            }
        }
    }
}
